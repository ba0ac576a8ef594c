//! `POST /v1/conversations/{id}/close`: end it early; both get `conversation.closed`.

use chrono::Utc;
use http::StatusCode;

use tandem_domain::conversation::message_deletion_time;

use crate::auth::authenticate;
use crate::conversations::{ConversationView, notify_both, participant_view};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let now = Utc::now();
    let id = path_param(&request, "id")?;
    participant_view(&app, id, &caller.user_id, now).await?;
    let closed = app.store.close_conversation(id, &caller.user_id, now).await?.ok_or(ApiError::Conflict {
        code: "conversation_closed",
        message: "this conversation is already over".into(),
    })?;
    app.store.set_message_deletion(id, message_deletion_time(now)).await?;
    notify_both(&app, &closed, "conversation.closed").await?;
    json_response(StatusCode::OK, &ConversationView::of(&closed, &[]))
}
