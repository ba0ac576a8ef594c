//! `typing` `{conversationId}`: relayed to the peer as `typing` (not stored).

use chrono::Utc;
use serde::Deserialize;
use tandem_domain::ConversationId;

use crate::App;
use crate::edge::ws::{WsEvent, WsResult};
use crate::services::conversations::relay_typing;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Typing {
    conversation_id: ConversationId,
}

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    let user = event.user(&app).await?;
    let body: Typing = event.body()?;
    relay_typing(&app, &body.conversation_id, &user, Utc::now()).await
}
