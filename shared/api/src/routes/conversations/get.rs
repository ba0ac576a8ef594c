//! `GET /v1/conversations/{id}`: state, expiry, extension and read positions.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::conversations::{ConversationView, participant_view};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let now = Utc::now();
    let id = path_param(&request, "id")?;
    let conversation = participant_view(&app, id, &caller.user_id, now).await?;
    let reads = app.store.read_positions(id, now).await?;
    json_response(StatusCode::OK, &ConversationView::of(&conversation, &reads))
}
