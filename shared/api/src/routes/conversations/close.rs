//! `POST /v1/conversations/{id}/close`: end it early; both get `conversation.closed`.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::conversations::{ConversationView, close};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let id = path_param(&request, "id")?;
    let closed = close(&app, id, &caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &ConversationView::of(&closed, &[]))
}
