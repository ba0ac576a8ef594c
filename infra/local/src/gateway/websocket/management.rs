//! The Management API of the local WebSocket API (`POST/GET/DELETE /@connections/{id}`),
//! answering as API Gateway does (410 Gone with `GoneException` for a closed connection), so
//! the unchanged SDK client delivers to real sockets. Under the IAM check a function's call
//! needs `execute-api:ManageConnections` on the connection's ARN (method included), as in
//! AWS; a refusal is API Gateway's 403 `ForbiddenException`.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderMap, StatusCode};
use serde_json::json;

use super::{MAX_MESSAGE_BYTES, Outgoing};
use crate::gateway::Gateway;
use crate::iam::{Decision, Needed, request};

/// The refusal of a call the calling function's policy does not allow, if it is refused.
fn refused(gateway: &Gateway, headers: &HeaderMap, method: &str, connection_id: &str) -> Option<Response> {
    let iam = gateway.functions.iam()?;
    let credential = request::credential(headers.get("authorization")?.to_str().ok()?)?;
    let needs = [Needed {
        action: "execute-api:ManageConnections".into(),
        resource: iam.local().connection_arn(method, connection_id),
    }];
    let Decision::Refused(refusal) = iam.decide(&credential.access_key, &needs) else { return None };
    let message = refusal.message(&iam.local().account, &iam.role_of(&refusal.function));
    let mut response = (StatusCode::FORBIDDEN, axum::Json(json!({ "message": message }))).into_response();
    response.headers_mut().insert("x-amzn-errortype", http::HeaderValue::from_static("ForbiddenException"));
    Some(response)
}

fn gone() -> Response {
    let mut response = (StatusCode::GONE, axum::Json(json!({ "message": "Gone" }))).into_response();
    response.headers_mut().insert("x-amzn-errortype", http::HeaderValue::from_static("GoneException"));
    response
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(in crate::gateway) async fn post_to_connection(
    State(gateway): State<Gateway>,
    Path(id): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if let Some(refusal) = refused(&gateway, &headers, "POST", &id) {
        return refusal;
    }
    if body.len() > MAX_MESSAGE_BYTES {
        let mut response =
            (StatusCode::PAYLOAD_TOO_LARGE, axum::Json(json!({ "message": "Message too long" }))).into_response();
        response.headers_mut().insert("x-amzn-errortype", http::HeaderValue::from_static("PayloadTooLargeException"));
        return response;
    }
    let text = String::from_utf8_lossy(&body).into_owned();
    let sent =
        gateway.sockets.with_open(|open| open.get(&id).map(|socket| socket.sender.send(Outgoing::Text(text)).is_ok()));
    match sent {
        Some(true) => StatusCode::OK.into_response(),
        _ => gone(),
    }
}

pub(in crate::gateway) async fn get_connection(
    State(gateway): State<Gateway>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refused(&gateway, &headers, "GET", &id) {
        return refusal;
    }
    let found = gateway.sockets.with_open(|open| {
        open.get(&id).map(|s| {
            json!({
                "connectedAt": timestamp(s.connected_at),
                "identity": { "sourceIp": s.source_ip, "userAgent": s.user_agent },
                "lastActiveAt": timestamp(s.last_active),
            })
        })
    });
    match found {
        Some(body) => axum::Json(body).into_response(),
        None => gone(),
    }
}

pub(in crate::gateway) async fn delete_connection(
    State(gateway): State<Gateway>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Some(refusal) = refused(&gateway, &headers, "DELETE", &id) {
        return refusal;
    }
    let closed = gateway.sockets.with_open(|open| open.get(&id).map(|s| s.sender.send(Outgoing::Close).is_ok()));
    match closed {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => gone(),
    }
}
