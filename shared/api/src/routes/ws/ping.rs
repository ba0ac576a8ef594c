//! `ping`: answers `pong` (keeps the connection from idling out).

use serde_json::json;

use crate::App;
use crate::edge::ws::ServerEvent;
use crate::edge::ws::{WsEvent, WsResult};

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    event.reply(&app, &ServerEvent::new("pong", json!({ "at": chrono::Utc::now() }))).await
}
