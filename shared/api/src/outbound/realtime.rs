//! Server → client events over the API Gateway WebSocket API (Management API
//! `post_to_connection`). A connection that answers 410 Gone is removed and skipped.

use aws_sdk_apigatewaymanagement::operation::post_to_connection::PostToConnectionError;
use aws_sdk_apigatewaymanagement::primitives::Blob;
use chrono::Utc;
use serde_json::{Value, json};
use tandem_domain::UserId;
use tandem_store::Store;

use super::lazy::LazyClient;
use crate::ApiError;

/// One event to a client: `{"type": "...", ...fields}`.
#[derive(Debug, Clone, PartialEq)]
pub struct ServerEvent(Value);

impl ServerEvent {
    /// The wire form of an event (built from `services::events::Event`).
    pub(crate) fn from_value(event: Value) -> Self {
        Self(event)
    }

    /// An `error` event around an error document ([`ApiError::body`]).
    pub fn error(body: Value) -> Self {
        let mut event = json!({ "type": "error" });
        if let (Some(target), Value::Object(fields)) = (event.as_object_mut(), body) {
            target.extend(fields);
        }
        Self(event)
    }

    pub fn json(&self) -> &Value {
        &self.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    Delivered,
    Gone,
}

/// Delivery of server events to users' open connections. Holds the table handle it needs
/// to find a user's connections and forget the ones API Gateway reports gone.
/// The Management API client is made on first use: only the functions that talk to sockets
/// build (and link) it.
#[derive(Clone, Debug)]
pub struct Realtime {
    /// `None` when no WebSocket API is configured (`WEBSOCKET_ENDPOINT` unset).
    endpoint: Option<String>,
    client: LazyClient<aws_sdk_apigatewaymanagement::Client>,
    store: Store,
}

impl Realtime {
    /// `endpoint`: `https://{api}.execute-api.{region}.amazonaws.com/{stage}` in AWS.
    pub fn new(sdk_config: &aws_config::SdkConfig, endpoint: Option<String>, store: Store) -> Self {
        Self { endpoint, client: LazyClient::new(sdk_config), store }
    }

    fn client(&self) -> Option<&aws_sdk_apigatewaymanagement::Client> {
        let endpoint = self.endpoint.as_ref()?;
        Some(self.client.get(|sdk_config| {
            let config = aws_sdk_apigatewaymanagement::config::Builder::from(sdk_config).endpoint_url(endpoint).build();
            aws_sdk_apigatewaymanagement::Client::from_conf(config)
        }))
    }

    pub async fn to_connection(&self, connection_id: &str, event: &ServerEvent) -> Result<Delivery, ApiError> {
        let Some(client) = self.client() else {
            tracing::debug!("no WebSocket endpoint configured: event not sent");
            return Ok(Delivery::Gone);
        };
        let data = Blob::new(event.0.to_string().into_bytes());
        match client.post_to_connection().connection_id(connection_id).data(data).send().await {
            Ok(_) => Ok(Delivery::Delivered),
            Err(error) if matches!(error.as_service_error(), Some(PostToConnectionError::GoneException(_))) => {
                self.store.remove_connection(connection_id).await?;
                Ok(Delivery::Gone)
            }
            Err(error) => Err(ApiError::Internal(format!(
                "post_to_connection: {}",
                aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&error)
            ))),
        }
    }

    /// Sends to every open connection of `user`; returns how many received it. A failed
    /// delivery to one device does not stop the others. Connection liveness is judged on the
    /// real clock, whatever time a job acts for.
    pub async fn to_user(&self, user: &UserId, event: &ServerEvent) -> Result<usize, ApiError> {
        let connections = self.connections_of(user).await?;
        Ok(self.to_connections(&connections, event).await)
    }

    /// The ids of `user`'s open connections (none when no WebSocket API is configured):
    /// read ahead of a delivery, alongside other work.
    pub async fn connections_of(&self, user: &UserId) -> Result<Vec<String>, ApiError> {
        if self.endpoint.is_none() {
            return Ok(Vec::new());
        }
        let connections = self.store.connections_of(user, Utc::now()).await?;
        Ok(connections.into_iter().map(|c| c.connection_id).collect())
    }

    /// Sends to each of `connections`; returns how many received it.
    pub async fn to_connections(&self, connections: &[String], event: &ServerEvent) -> usize {
        let mut delivered = 0;
        for connection_id in connections {
            match self.to_connection(connection_id, event).await {
                Ok(Delivery::Delivered) => delivered += 1,
                Ok(Delivery::Gone) => {}
                Err(error) => {
                    tracing::warn!(%connection_id, error = ?error, "delivery failed");
                    crate::telemetry::count(crate::telemetry::names::DELIVERY_FAILURES, 1);
                }
            }
        }
        delivered
    }

    /// Closes every open connection of `user` (a ban) through the Management API; returns
    /// how many were closed.
    pub async fn disconnect_user(&self, user: &UserId) -> Result<usize, ApiError> {
        let Some(client) = self.client() else { return Ok(0) };
        let mut closed = 0;
        for connection in self.store.connections_of(user, Utc::now()).await? {
            match client.delete_connection().connection_id(&connection.connection_id).send().await {
                Ok(_) => closed += 1,
                // Already gone: nothing to close.
                Err(error) if error.as_service_error().is_some_and(|e| e.is_gone_exception()) => {}
                Err(error) => {
                    return Err(ApiError::Internal(format!(
                        "delete_connection: {}",
                        aws_sdk_apigatewaymanagement::error::DisplayErrorContext(&error)
                    )));
                }
            }
            self.store.remove_connection(&connection.connection_id).await?;
        }
        Ok(closed)
    }
}
