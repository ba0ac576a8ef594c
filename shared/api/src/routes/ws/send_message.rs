//! `sendMessage` `{conversationId, clientMessageId, text}`: the same send as the HTTP route;
//! `message.ack` back to this connection, `message.new` to the peer's.

use chrono::Utc;
use serde::Deserialize;
use tandem_domain::ConversationId;

use crate::App;
use crate::edge::ws::ServerEvent;
use crate::edge::ws::{WsEvent, WsResult};
use crate::services::conversations::{MessageView, send_message};
use crate::services::events::Event;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SendMessage {
    conversation_id: ConversationId,
    client_message_id: String,
    text: String,
}

pub async fn handle(app: App, event: WsEvent) -> WsResult {
    let user = event.user(&app).await?;
    let body: SendMessage = event.body()?;
    let sent =
        send_message(&app, &body.conversation_id, &user, &body.client_message_id, &body.text, Utc::now()).await?;
    let ack = ServerEvent::from(Event::MessageAck {
        client_message_id: &body.client_message_id,
        duplicate: sent.duplicate,
        message: MessageView::from(&sent.message),
    });
    event.reply(&app, &ack).await
}
