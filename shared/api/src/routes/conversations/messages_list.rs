//! `GET /v1/conversations/{id}/messages`: newest first, `?before=<messageId>` pages back
//! (the response's `nextCursor`); `?after=<messageId>` returns what came since, oldest
//! first (resuming after a reconnect). `limit` 1–100, default 50. Only while the
//! conversation is active.

use chrono::Utc;
use http::StatusCode;
use serde::Serialize;
use tandem_domain::{FieldError, MessageId};

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{field_id, json_response, limit_param, path_id, query_param};
use crate::services::conversations::{HistoryCursor, MessageView, history};
use crate::{App, Request};

const DEFAULT_LIMIT: i32 = 50;
const MAX_LIMIT: i32 = 100;

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Page {
    messages: Vec<MessageView>,
    /// The id to pass as `cursorParam` for the next page; absent on the last page.
    next_cursor: Option<MessageId>,
    cursor_param: &'static str,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let limit = limit_param(&request, DEFAULT_LIMIT, MAX_LIMIT)?;
    let message_id = |name: &str| query_param(&request, name).map(|raw| field_id::<MessageId>(raw, name)).transpose();
    let cursor = match (message_id("before")?, message_id("after")?) {
        (Some(_), Some(_)) => return Err(FieldError::new("after", "use either before or after, not both").into()),
        (_, Some(after)) => HistoryCursor::After(after),
        (before, None) => HistoryCursor::Before(before),
    };
    let messages = history(&app, &id, &caller.user_id, &cursor, limit, Utc::now()).await?;
    // A full page may have more behind it: the last id is the cursor for the next one.
    let next_cursor =
        (messages.len() == limit as usize).then(|| messages.last().map(|m| m.message_id.clone())).flatten();
    let cursor_param = if matches!(cursor, HistoryCursor::After(_)) { "after" } else { "before" };
    json_response(StatusCode::OK, &Page { messages, next_cursor, cursor_param })
}
