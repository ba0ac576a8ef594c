//! `POST /v1/conversations/{id}/close`: end the conversation early (both are told).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::conversation_views::ConversationView;
use crate::services::conversations::close;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let closed = close(&app, &id, &caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &ConversationView::of(&closed, &[], Utc::now()))
}
