//! `POST /v1/conversations/{id}/read` `{messageId}`: move the caller's read position forward.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{empty_response, field_id, json_body, path_id};
use crate::services::conversations::mark_read;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct ReadUpTo {
    message_id: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let body: ReadUpTo = json_body(&request)?;
    let message_id = field_id(&body.message_id, "messageId")?;
    mark_read(&app, &id, &caller.user_id, &message_id, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
