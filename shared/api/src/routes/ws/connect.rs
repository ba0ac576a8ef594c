//! `$connect` with `?token=<access token>` (browsers cannot set headers on an upgrade):
//! a bad or expired token refuses the connection.

use chrono::Utc;
use tandem_store::ConnectionRecord;

use crate::ws::{WsEvent, WsResult};
use crate::{ApiError, App};

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    let now = Utc::now();
    let token = event.query.get("token").ok_or(ApiError::Unauthenticated)?;
    let caller = app.tokens.verify(token, now).ok_or(ApiError::Unauthenticated)?;
    let record =
        ConnectionRecord { connection_id: event.connection_id.clone(), user_id: caller.user_id, connected_at: now };
    app.store.add_connection(&record).await?;
    Ok(())
}
