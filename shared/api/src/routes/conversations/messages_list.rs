//! `GET /v1/conversations/{id}/messages`: newest first, `?before=<messageId>` pages back
//! (the response's `next_cursor`); `?after=<messageId>` returns what came since, oldest
//! first (resuming after a reconnect). `limit` 1–100, default 50. Only while the
//! conversation is active.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use tandem_domain::conversation::is_open;

use crate::auth::authenticate;
use crate::conversations::{MessageView, participant_view};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param, query_param};
use crate::{App, Request};

const DEFAULT_LIMIT: i32 = 50;
const MAX_LIMIT: i32 = 100;

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let now = Utc::now();
    let id = path_param(&request, "id")?;
    let conversation = participant_view(&app, id, &caller.user_id, now).await?;
    // Participants read only while the conversation is active (SPEC §2).
    if !is_open(conversation.state, conversation.expires_at, now) {
        return Err(crate::ApiError::Conflict {
            code: "conversation_closed",
            message: "this conversation is over: its messages are no longer readable".into(),
        });
    }
    let limit = match query_param(&request, "limit") {
        None => DEFAULT_LIMIT,
        Some(raw) => raw.parse::<i32>().ok().filter(|l| (1..=MAX_LIMIT).contains(l)).ok_or_else(|| {
            tandem_domain::FieldError::new("limit", format!("must be an integer from 1 to {MAX_LIMIT}"))
        })?,
    };
    let cursor = |name: &str| -> Result<Option<String>, crate::ApiError> {
        match query_param(&request, name) {
            None => Ok(None),
            Some(raw) if uuid::Uuid::parse_str(raw).is_ok() => Ok(Some(raw.to_owned())),
            Some(_) => Err(tandem_domain::FieldError::new(name, "must be a message id").into()),
        }
    };
    let (before, after) = (cursor("before")?, cursor("after")?);
    let messages = match (&before, &after) {
        (Some(_), Some(_)) => {
            return Err(tandem_domain::FieldError::new("after", "use either before or after, not both").into());
        }
        (_, Some(after)) => app.store.messages_after(id, after, limit, now).await?,
        (before, None) => app.store.messages_before(id, before.as_deref(), limit, now).await?,
    };
    let views: Vec<MessageView> = messages.iter().map(MessageView::from).collect();
    // A full page may have more behind it: the last id is the cursor for the next one.
    let full = views.len() == limit as usize;
    let next_cursor = if full { views.last().map(|m| m.message_id.clone()) } else { None };
    let cursor_name = if after.is_some() { "after" } else { "before" };
    json_response(
        StatusCode::OK,
        &json!({ "messages": views, "next_cursor": next_cursor, "cursor_param": cursor_name }),
    )
}
