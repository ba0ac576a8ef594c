//! `POST /v1/conversations/{id}/messages` `{clientMessageId, text}`: the same send as the
//! WebSocket `sendMessage`. 201 when stored, 200 with the first message on a retry.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::services::conversations::{MessageView, send_message};
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewMessage {
    client_message_id: String,
    text: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let body: NewMessage = json_body(&request)?;
    let sent = send_message(&app, &id, &caller.user_id, &body.client_message_id, &body.text, Utc::now()).await?;
    let status = if sent.duplicate { StatusCode::OK } else { StatusCode::CREATED };
    json_response(status, &MessageView::from(&sent.message))
}
