//! `$disconnect`: forget the connection.

use crate::App;
use crate::edge::ws::{WsEvent, WsResult};
use crate::services::presence::disconnect;

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    disconnect(&app, &event.connection_id).await
}
