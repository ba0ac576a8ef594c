//! `ping`: answers `pong` (keeps the connection from idling out).

use crate::App;
use crate::edge::ws::ServerEvent;
use crate::edge::ws::{WsEvent, WsResult};
use crate::services::events::Event;

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    event.reply(&app, &ServerEvent::from(Event::Pong { at: chrono::Utc::now() })).await
}
