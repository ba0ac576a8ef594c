//! `typing` `{conversationId}`: relayed to the peer, not stored.

use chrono::Utc;
use serde::Deserialize;

use crate::App;
use crate::conversations::relay_typing;
use crate::ws::{WsEvent, WsResult};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Typing {
    conversation_id: String,
}

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    let user = event.user(&app).await?;
    let body: Typing = event.body()?;
    relay_typing(&app, &body.conversation_id, &user, Utc::now()).await
}
