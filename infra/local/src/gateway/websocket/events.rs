//! The events API Gateway sends a WebSocket route's integration, built for the same
//! handlers the Lambdas run, and the call into those handlers.

use std::collections::HashMap;

use aws_lambda_events::apigw::ApiGatewayProxyResponse;
use chrono::{DateTime, Utc};
use http::HeaderMap;
use serde_json::{Value, json};
use tandem_api::edge::ws::{WsEvent, respond_ws};

use crate::gateway::Gateway;

/// What every event of one connection repeats.
pub(super) struct ConnectionInfo<'a> {
    pub id: &'a str,
    pub connected_at: DateTime<Utc>,
    pub peer: &'a str,
    pub headers: &'a HeaderMap,
}

/// The event AWS sends a WebSocket route's integration.
pub(super) fn ws_event(
    connection: &ConnectionInfo<'_>,
    route_key: &str,
    event_type: &str,
    body: Option<&str>,
    query: &HashMap<String, String>,
) -> Value {
    let (connection_id, connected_at, peer, headers) =
        (connection.id, connection.connected_at, connection.peer, connection.headers);
    let now = Utc::now();
    let user_agent = headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut event = json!({
        "requestContext": {
            "routeKey": route_key,
            "eventType": event_type,
            "extendedRequestId": uuid::Uuid::new_v4().to_string(),
            "requestTime": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "messageDirection": "IN",
            "stage": "live",
            "connectedAt": connected_at.timestamp_millis(),
            "requestTimeEpoch": now.timestamp_millis(),
            "identity": { "sourceIp": peer, "userAgent": user_agent },
            "requestId": uuid::Uuid::new_v4().to_string(),
            "domainName": headers.get(http::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("127.0.0.1"),
            "connectionId": connection_id,
            "apiId": "local",
        },
        "isBase64Encoded": false,
    });
    if event_type == "CONNECT" {
        let headers: serde_json::Map<String, Value> = headers
            .iter()
            .filter_map(|(k, v)| Some((k.as_str().to_owned(), Value::String(v.to_str().ok()?.to_owned()))))
            .collect();
        event["headers"] = Value::Object(headers);
        if !query.is_empty() {
            event["queryStringParameters"] = json!(query);
        }
    }
    if event_type == "MESSAGE" {
        event["requestContext"]["messageId"] = json!(uuid::Uuid::new_v4().to_string());
    }
    if let Some(body) = body {
        event["body"] = Value::String(body.to_owned());
    }
    event
}

/// Runs the route's function on the event; its response (a 2xx status accepts a `$connect`).
pub(super) async fn invoke(gateway: &Gateway, route_key: &str, event: Value) -> ApiGatewayProxyResponse {
    let status = |code: i64| {
        let mut response = ApiGatewayProxyResponse::default();
        response.status_code = code;
        response
    };
    let Some(function) = gateway.sockets.routes.get(route_key) else { return status(404) };
    let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest = match serde_json::from_value(event) {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::error!(%error, "building the WebSocket event");
            return status(500);
        }
    };
    respond_ws(gateway.functions.app(function.name), WsEvent::from(parsed), function.name, function.handler).await
}
