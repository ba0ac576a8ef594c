//! The WebSocket side of the edge: API Gateway WebSocket events in, a status out, and
//! errors sent to the client as `{"type": "error", "error": {...}}` events (WebSocket
//! routes have no HTTP response to carry them). Each event runs inside a `websocket` span
//! carrying its request id, connection id, route and function name.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use aws_lambda_events::apigw::{ApiGatewayProxyResponse, ApiGatewayWebsocketProxyRequest};
use aws_lambda_events::encodings::Body;
use chrono::Utc;
use serde::de::DeserializeOwned;
use tandem_domain::UserId;

use tracing::Instrument;

/// The events a WebSocket route answers with (delivered by `outbound::realtime`).
pub use crate::outbound::realtime::ServerEvent;
use crate::{ApiError, App};

/// What a WebSocket route handler needs of the event.
#[derive(Debug, Clone)]
pub struct WsEvent {
    pub connection_id: String,
    pub route_key: String,
    pub request_id: String,
    pub body: Option<String>,
    pub query: HashMap<String, String>,
}

impl From<ApiGatewayWebsocketProxyRequest> for WsEvent {
    fn from(event: ApiGatewayWebsocketProxyRequest) -> Self {
        let context = event.request_context;
        let query = event.query_string_parameters.iter().map(|(k, v)| (k.to_owned(), v.to_owned())).collect();
        Self {
            connection_id: context.connection_id.unwrap_or_default(),
            route_key: context.route_key.unwrap_or_default(),
            request_id: context
                .request_id
                .filter(|id| !id.is_empty())
                .unwrap_or_else(|| uuid::Uuid::new_v4().to_string()),
            body: event.body,
            query,
        }
    }
}

impl WsEvent {
    /// The message body as `T`; a clear validation error otherwise.
    pub fn body<T: DeserializeOwned>(&self) -> Result<T, ApiError> {
        let text = self.body.as_deref().unwrap_or("");
        if text.len() > crate::edge::http::MAX_BODY_BYTES {
            return Err(ApiError::PayloadTooLarge { limit: crate::edge::http::MAX_BODY_BYTES });
        }
        let value: serde_json::Value = serde_json::from_str(text).map_err(|e| ApiError::InvalidJson(e.to_string()))?;
        serde_json::from_value(value).map_err(|e| ApiError::InvalidBody(e.to_string()))
    }

    /// The user who opened this connection (authenticated at `$connect`).
    pub async fn user(&self, app: &App) -> Result<UserId, ApiError> {
        let connection = app.store.connection(&self.connection_id, Utc::now()).await?;
        connection.map(|c| c.user_id).ok_or(ApiError::Unauthenticated)
    }

    /// Sends `event` back to this connection.
    pub async fn reply(&self, app: &App, event: &ServerEvent) -> Result<(), ApiError> {
        app.realtime.to_connection(&self.connection_id, event).await.map(|_| ())
    }
}

pub type WsResult = Result<(), ApiError>;
pub type WsHandlerFn = fn(App, WsEvent) -> Pin<Box<dyn Future<Output = WsResult> + Send>>;

/// A Lambda function of the WebSocket API: its binary name and handler; `template.yaml`
/// says which route key it serves.
pub struct WsFunction {
    pub name: &'static str,
    /// The handler's module under the crate root (`routes::ws::ping`).
    pub module: &'static str,
    pub handler: WsHandlerFn,
    /// Its grants and settings: the source of its part of `template.yaml`.
    pub deploy: crate::deploy::Deploy,
}

/// Runs a handler: 200 on success; on failure the error event goes to the client and the
/// status reflects it (on `$connect` a non-2xx status refuses the connection, with the error
/// document as the body).
pub async fn respond_ws<F, Fut>(app: App, event: WsEvent, function: &'static str, handler: F) -> ApiGatewayProxyResponse
where
    F: FnOnce(App, WsEvent) -> Fut,
    Fut: Future<Output = WsResult>,
{
    let span = tracing::info_span!(
        "websocket",
        request_id = %event.request_id,
        connection_id = %event.connection_id,
        route_key = %event.route_key,
        function,
        cold_start = crate::telemetry::cold_start()
    );
    async move {
        let started = std::time::Instant::now();
        let (route_key, request_id) = (event.route_key.clone(), event.request_id.clone());
        // Boxed: the handler futures are deep, and the runtime's service layers nest them further.
        let result = crate::edge::dispatch::caught(Box::pin(handler(app.clone(), event.clone()))).await;
        let mut response = ApiGatewayProxyResponse::default();
        let status = match &result {
            Ok(()) => 200,
            Err(error) => {
                if error.status().is_server_error() {
                    tracing::error!(error = ?error, "websocket route failed");
                }
                let body = error.body(&request_id);
                if route_key != "$connect" && route_key != "$disconnect" {
                    let _ = event.reply(&app, &ServerEvent::error(body.clone())).await;
                }
                response.body = Some(Body::Text(body.to_string()));
                error.status().as_u16()
            }
        };
        tracing::info!(status, latency_ms = started.elapsed().as_millis() as u64, "websocket");
        response.status_code = i64::from(status);
        response
    }
    .instrument(span)
    .await
}
