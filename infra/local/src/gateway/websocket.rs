//! The local API Gateway WebSocket API: accepts clients at `/ws?token=…`, assigns
//! connection ids, builds the events AWS sends (`$connect`, `$disconnect`, route by the
//! body's `action`, `$default`) for the same handlers the Lambdas run, and serves the
//! Management API (`POST/GET/DELETE /@connections/{id}`, 410 Gone for closed
//! connections) so the unchanged SDK client delivers to real sockets. Enforces API
//! Gateway's connection limits (2 h, 10 min idle; configurable).

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, StatusCode};
use serde_json::{Value, json};
use tandem_api::routes::ws::ws_function;
use tandem_api::ws::{WsEvent, WsHandlerFn, respond_ws};
use tokio::sync::mpsc;

use super::Gateway;
use crate::template::Template;

/// API Gateway's WebSocket message limit.
const MAX_MESSAGE_BYTES: usize = 128 * 1024;

/// Connection limits; API Gateway's by default.
#[derive(Debug, Clone, Copy)]
pub struct WebSocketLimits {
    pub max_connection: Duration,
    pub idle_timeout: Duration,
}

impl Default for WebSocketLimits {
    fn default() -> Self {
        Self { max_connection: Duration::from_secs(2 * 60 * 60), idle_timeout: Duration::from_secs(10 * 60) }
    }
}

enum Outgoing {
    Text(String),
    Close,
}

struct Socket {
    sender: mpsc::UnboundedSender<Outgoing>,
    connected_at: DateTime<Utc>,
    last_active: DateTime<Utc>,
    source_ip: String,
    user_agent: String,
}

/// Open sockets and the route table of the WebSocket API.
pub struct Sockets {
    open: Mutex<HashMap<String, Socket>>,
    routes: HashMap<String, WsHandlerFn>,
    limits: WebSocketLimits,
}

#[derive(Debug, thiserror::Error)]
pub enum WebSocketTableError {
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error("template.yaml routes {route} to {function}, which has no handler in routes::ws::WS_FUNCTIONS")]
    NoHandler { route: String, function: String },
}

impl Sockets {
    pub fn from_template(limits: WebSocketLimits) -> Result<Self, WebSocketTableError> {
        let mut routes = HashMap::new();
        for route in Template::load()?.websocket_routes()? {
            let function = ws_function(&route.function).ok_or_else(|| WebSocketTableError::NoHandler {
                route: route.route_key.clone(),
                function: route.function.clone(),
            })?;
            routes.insert(route.route_key, function.handler);
        }
        Ok(Self { open: Mutex::new(HashMap::new()), routes, limits })
    }

    fn with_open<T>(&self, f: impl FnOnce(&mut HashMap<String, Socket>) -> T) -> T {
        let mut open = self.open.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut open)
    }

    /// The route key for a message: its `action` if a route has that key, else `$default`.
    fn select_route(&self, body: &str) -> String {
        let action =
            serde_json::from_str::<Value>(body).ok().and_then(|v| v.get("action")?.as_str().map(str::to_owned));
        match action {
            Some(action) if self.routes.contains_key(&action) && !action.starts_with('$') => action,
            _ => "$default".to_owned(),
        }
    }
}

fn new_connection_id() -> String {
    // API Gateway ids are 16 characters; ours are as opaque.
    let bytes: [u8; 12] = rand_bytes();
    bytes.iter().map(|b| format!("{b:02x}")).collect::<String>()[..16].to_owned()
}

fn rand_bytes() -> [u8; 12] {
    let id = uuid::Uuid::new_v4();
    let mut out = [0u8; 12];
    out.copy_from_slice(&id.as_bytes()[..12]);
    out
}

/// What every event of one connection repeats.
struct ConnectionInfo<'a> {
    id: &'a str,
    connected_at: DateTime<Utc>,
    peer: &'a str,
    headers: &'a HeaderMap,
}

/// The event AWS sends a WebSocket route's integration.
fn ws_event(
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

/// Runs the route's handler on the event; its status (200 accepts a `$connect`).
async fn invoke(gateway: &Gateway, route_key: &str, event: Value) -> i64 {
    let Some(handler) = gateway.sockets.routes.get(route_key).copied() else { return 404 };
    let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest = match serde_json::from_value(event) {
        Ok(parsed) => parsed,
        Err(error) => {
            tracing::error!(%error, "building the WebSocket event");
            return 500;
        }
    };
    respond_ws(gateway.app.clone(), WsEvent::from(parsed), handler).await.status_code
}

pub(super) async fn upgrade(
    State(gateway): State<Gateway>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    let connection_id = new_connection_id();
    let connected_at = Utc::now();
    let peer_ip = peer.ip().to_string();
    let info = ConnectionInfo { id: &connection_id, connected_at, peer: &peer_ip, headers: &headers };
    let event = ws_event(&info, "$connect", "CONNECT", None, &query);
    let status = invoke(&gateway, "$connect", event).await;
    if !(200..300).contains(&status) {
        let status = StatusCode::from_u16(status as u16).unwrap_or(StatusCode::FORBIDDEN);
        return (status, status.canonical_reason().unwrap_or("Forbidden")).into_response();
    }
    let user_agent = headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    upgrade.max_message_size(MAX_MESSAGE_BYTES).on_upgrade(move |socket| {
        serve_socket(gateway, socket, connection_id, connected_at, peer_ip, user_agent, headers)
    })
}

async fn serve_socket(
    gateway: Gateway,
    socket: WebSocket,
    connection_id: String,
    connected_at: DateTime<Utc>,
    peer_ip: String,
    user_agent: String,
    headers: HeaderMap,
) {
    let (mut sink, mut stream) = socket.split();
    let (sender, mut outgoing) = mpsc::unbounded_channel::<Outgoing>();
    gateway.sockets.with_open(|open| {
        open.insert(
            connection_id.clone(),
            Socket { sender, connected_at, last_active: connected_at, source_ip: peer_ip.clone(), user_agent },
        )
    });
    let writer = tokio::spawn(async move {
        while let Some(message) = outgoing.recv().await {
            let result = match message {
                Outgoing::Text(text) => sink.send(Message::Text(text.into())).await,
                Outgoing::Close => {
                    let _ = sink.send(Message::Close(None)).await;
                    break;
                }
            };
            if result.is_err() {
                break;
            }
        }
    });
    let limits = gateway.sockets.limits;
    let deadline = tokio::time::sleep(limits.max_connection);
    tokio::pin!(deadline);
    loop {
        tokio::select! {
            _ = &mut deadline => break,
            next = tokio::time::timeout(limits.idle_timeout, stream.next()) => match next {
                Err(_) | Ok(None) | Ok(Some(Err(_))) | Ok(Some(Ok(Message::Close(_)))) => break,
                Ok(Some(Ok(Message::Text(text)))) => {
                    gateway.sockets.with_open(|open| {
                        if let Some(socket) = open.get_mut(&connection_id) {
                            socket.last_active = Utc::now();
                        }
                    });
                    let route_key = gateway.sockets.select_route(&text);
                    let info = ConnectionInfo { id: &connection_id, connected_at, peer: &peer_ip, headers: &headers };
                    let event = ws_event(&info, &route_key, "MESSAGE", Some(&text), &HashMap::new());
                    invoke(&gateway, &route_key, event).await;
                }
                Ok(Some(Ok(_))) => {}
            },
        }
    }
    // Gone before `$disconnect` runs, as in API Gateway: posts to it now get 410.
    let closed = gateway.sockets.with_open(|open| open.remove(&connection_id));
    if let Some(socket) = closed {
        let _ = socket.sender.send(Outgoing::Close);
    }
    let event = ws_event(
        &ConnectionInfo { id: &connection_id, connected_at, peer: &peer_ip, headers: &headers },
        "$disconnect",
        "DISCONNECT",
        None,
        &HashMap::new(),
    );
    invoke(&gateway, "$disconnect", event).await;
    let _ = writer.await;
}

fn gone() -> Response {
    let mut response = (StatusCode::GONE, axum::Json(json!({ "message": "Gone" }))).into_response();
    response.headers_mut().insert("x-amzn-errortype", http::HeaderValue::from_static("GoneException"));
    response
}

fn timestamp(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

pub(super) async fn post_to_connection(
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

pub(super) async fn get_connection(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
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

pub(super) async fn delete_connection(State(gateway): State<Gateway>, Path(id): Path<String>) -> Response {
    let closed = gateway.sockets.with_open(|open| open.get(&id).map(|s| s.sender.send(Outgoing::Close).is_ok()));
    match closed {
        Some(_) => StatusCode::NO_CONTENT.into_response(),
        None => gone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_parse_as_the_lambda_runtime_parses_them() {
        let mut headers = HeaderMap::new();
        headers.insert(http::header::HOST, "127.0.0.1:3000".parse().unwrap());
        let query = HashMap::from([("token".to_owned(), "abc".to_owned())]);
        let info = ConnectionInfo { id: "c1", connected_at: Utc::now(), peer: "127.0.0.1", headers: &headers };
        let connect = ws_event(&info, "$connect", "CONNECT", None, &query);
        let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
            serde_json::from_value(connect).unwrap();
        let event = WsEvent::from(parsed);
        assert_eq!((event.connection_id.as_str(), event.route_key.as_str()), ("c1", "$connect"));
        assert_eq!(event.query.get("token").map(String::as_str), Some("abc"));
        let message = ws_event(&info, "ping", "MESSAGE", Some(r#"{"action":"ping"}"#), &HashMap::new());
        let parsed: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
            serde_json::from_value(message).unwrap();
        assert_eq!(WsEvent::from(parsed).body.as_deref(), Some(r#"{"action":"ping"}"#));
    }

    #[test]
    fn messages_route_by_action_or_default() {
        let sockets = Sockets::from_template(WebSocketLimits::default()).unwrap();
        assert_eq!(sockets.select_route(r#"{"action":"sendMessage"}"#), "sendMessage");
        assert_eq!(sockets.select_route(r#"{"action":"dance"}"#), "$default");
        assert_eq!(sockets.select_route(r#"{"action":"$connect"}"#), "$default");
        assert_eq!(sockets.select_route("not json"), "$default");
    }
}
