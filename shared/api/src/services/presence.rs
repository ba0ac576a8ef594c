//! Presence: who is online (heartbeats) and which WebSocket connections each user has open.

use chrono::{DateTime, Utc};
use tandem_store::ConnectionRecord;

use crate::{ApiError, App};
use tandem_domain::UserId;

/// Records a heartbeat; the caller counts as online until the returned time.
pub async fn heartbeat(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<DateTime<Utc>, ApiError> {
    Ok(app.store.heartbeat(id, now).await?)
}

/// Accepts a WebSocket connection for the holder of a valid access token whose account is
/// not banned.
pub async fn connect(
    app: &App,
    connection_id: &str,
    token: Option<&str>,
    now: DateTime<Utc>,
) -> Result<UserId, ApiError> {
    let caller = app.tokens.verify(token.ok_or(ApiError::Unauthenticated)?, now).await?;
    crate::auth::check_standing(app, &caller.user_id).await?;
    let record =
        ConnectionRecord { connection_id: connection_id.to_owned(), user_id: caller.user_id, connected_at: now };
    app.store.add_connection(&record).await?;
    Ok(record.user_id)
}

/// Forgets a closed connection (idempotent).
pub async fn disconnect(app: &App, connection_id: &str) -> Result<(), ApiError> {
    Ok(app.store.remove_connection(connection_id).await?)
}
