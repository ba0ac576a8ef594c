//! `$connect` with `?token=<access token>` (browsers cannot set headers on an upgrade):
//! a bad or expired token refuses the connection.

use chrono::Utc;

use crate::App;
use crate::edge::ws::{WsEvent, WsResult};
use crate::services::presence::connect;

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    connect(&app, &event.connection_id, event.query.get("token").map(String::as_str), Utc::now()).await.map(|_| ())
}
