//! `POST /v1/conversations/{id}/panic`: leave at once. In one transaction the conversation
//! ends, each blocks the other and a high-severity report is filed; both get
//! `conversation.closed`.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;
use tandem_domain::conversation::{message_deletion_time, peer_of};

use crate::auth::authenticate;
use crate::conversations::{notify_both, participant_view};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let now = Utc::now();
    let id = path_param(&request, "id")?;
    let conversation = participant_view(&app, id, &caller.user_id, now).await?;
    let other = peer_of(&conversation.participants, &caller.user_id).ok_or(ApiError::NotFound)?.clone();
    let report_id =
        app.store.panic_exit(&conversation, &caller.user_id, &other, now).await?.ok_or(ApiError::Conflict {
            code: "conversation_closed",
            message: "this conversation is already over".into(),
        })?;
    tracing::warn!(conversation_id = %id, %report_id, "panic exit");
    app.store.set_message_deletion(id, message_deletion_time(now)).await?;
    if let Some(ended) = app.store.conversation(id, now).await? {
        notify_both(&app, &ended, "conversation.closed").await?;
    }
    json_response(StatusCode::OK, &json!({ "conversation_id": id, "state": "ended_by_panic", "report_id": report_id }))
}
