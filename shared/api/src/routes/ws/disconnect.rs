//! `$disconnect`: forget the connection (best effort; a 410 on send also cleans up).

use crate::App;
use crate::ws::{WsEvent, WsResult};

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    app.store.remove_connection(&event.connection_id).await?;
    Ok(())
}
