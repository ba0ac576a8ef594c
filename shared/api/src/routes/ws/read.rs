//! `read` `{conversationId, messageId}`: persist the read position, relay it to the peer.

use chrono::Utc;
use serde::Deserialize;

use crate::App;
use crate::conversations::mark_read;
use crate::ws::{WsEvent, WsResult};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Read {
    conversation_id: String,
    message_id: String,
}

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    let user = event.user(&app).await?;
    let body: Read = event.body()?;
    mark_read(&app, &body.conversation_id, &user, &body.message_id, Utc::now()).await
}
