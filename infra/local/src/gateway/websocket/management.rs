//! The Management API of the local WebSocket API (`POST/GET/DELETE /@connections/{id}`),
//! answering as API Gateway does (410 Gone with `GoneException` for a closed connection), so
//! the unchanged SDK client delivers to real sockets.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde_json::json;

use super::{MAX_MESSAGE_BYTES, Outgoing};
use crate::gateway::Gateway;

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
    body: Bytes,
) -> Response {
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

pub(in crate::gateway) async fn get_connection(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
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

pub(in crate::gateway) async fn delete_connection(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
    let closed = gateway.sockets.with_open(|open| open.get(&id).map(|s| s.sender.send(Outgoing::Close).is_ok()));
    match closed {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => gone(),
    }
}
