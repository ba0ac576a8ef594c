//! `read` `{conversationId, messageId}`: move the read position; the peer gets `read`.

use chrono::Utc;
use serde::Deserialize;

use crate::App;
use crate::edge::ws::{WsEvent, WsResult};
use crate::services::conversations::mark_read;
use tandem_domain::{ConversationId, MessageId};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Read {
    conversation_id: ConversationId,
    message_id: MessageId,
}

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    let user = event.user(&app).await?;
    let body: Read = event.body()?;
    mark_read(&app, &body.conversation_id, &user, &body.message_id, Utc::now()).await
}
