//! `GET /v1/conversations/{id}`: the conversation and both read positions (participants only).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::conversations::{ConversationView, status};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let (conversation, reads) = status(&app, &id, &caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &ConversationView::of(&conversation, &reads, Utc::now()))
}
