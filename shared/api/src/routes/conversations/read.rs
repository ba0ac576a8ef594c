//! `POST /v1/conversations/{id}/read` `{messageId}`: persist my read position.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::conversations::mark_read;
use crate::dispatch::HandlerResult;
use crate::http_io::{empty_response, json_body, path_param};
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ReadUpTo {
    message_id: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let id = path_param(&request, "id")?;
    let body: ReadUpTo = json_body(&request)?;
    mark_read(&app, id, &caller.user_id, &body.message_id, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
