//! The local API Gateway WebSocket API: accepts clients at `/ws?token=…`, assigns
//! connection ids, routes each message by its `action` (else `$default`) to the function
//! the template names, and enforces API Gateway's connection limits (2 h, 10 min idle;
//! configurable). `events` builds what AWS sends the functions; `management` serves the
//! Management API the functions answer through.

mod events;
mod management;

pub(super) use management::{delete_connection, get_connection, post_to_connection};

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{ConnectInfo, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, StatusCode};
use serde_json::Value;
use tandem_api::edge::ws::WsFunction;
use tandem_api::routes::ws::ws_function;
use tokio::sync::mpsc;

use super::Gateway;
use crate::template::Template;
use events::{ConnectionInfo, invoke, ws_event};

/// API Gateway's WebSocket message limit.
pub(super) const MAX_MESSAGE_BYTES: usize = 128 * 1024;

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

pub(super) enum Outgoing {
    Text(String),
    Close,
    /// Closes with a status code, as API Gateway does (1009: message too big).
    CloseWith(u16, &'static str),
}

/// What the socket reader accepts before our own size check answers with 1009 (beyond it
/// the connection is simply dropped).
const READ_LIMIT_BYTES: usize = 4 * MAX_MESSAGE_BYTES;

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
    routes: HashMap<String, &'static WsFunction>,
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
            routes.insert(route.route_key, function);
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
    let answer = invoke(&gateway, "$connect", event).await;
    if !(200..300).contains(&answer.status_code) {
        // Refused: the handshake's answer carries the function's error document.
        let status = u16::try_from(answer.status_code).ok().and_then(|s| StatusCode::from_u16(s).ok());
        let body = match answer.body {
            Some(aws_lambda_events::encodings::Body::Text(text)) => text,
            _ => String::new(),
        };
        let mut response = (status.unwrap_or(StatusCode::FORBIDDEN), body).into_response();
        response.headers_mut().insert(http::header::CONTENT_TYPE, http::HeaderValue::from_static("application/json"));
        return response;
    }
    let user_agent = headers.get(http::header::USER_AGENT).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    upgrade.max_message_size(READ_LIMIT_BYTES).on_upgrade(move |socket| {
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
                Outgoing::CloseWith(code, reason) => {
                    let frame = axum::extract::ws::CloseFrame { code, reason: reason.into() };
                    let _ = sink.send(Message::Close(Some(frame))).await;
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
                Ok(Some(Ok(Message::Text(text)))) if text.len() > MAX_MESSAGE_BYTES => {
                    // API Gateway closes a connection that sends a message over 128 KB.
                    let socket = gateway.sockets.with_open(|open| open.remove(&connection_id));
                    if let Some(socket) = socket {
                        let _ = socket.sender.send(Outgoing::CloseWith(1009, "Message too big"));
                    }
                    break;
                }
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

#[cfg(test)]
mod tests {
    use super::*;
    use tandem_api::edge::ws::WsEvent;

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
