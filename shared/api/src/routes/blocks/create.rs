//! `POST /v1/blocks` `{user_id, reason?}`: block a user: never paired again, and an active
//! conversation between the two is closed. Idempotent.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::{json_body, json_response};
use crate::safety::block_user;
use crate::{App, Request};

#[derive(Deserialize)]
struct NewBlock {
    user_id: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let body: NewBlock = json_body(&request)?;
    let block = block_user(&app, &caller.user_id, &body.user_id, body.reason, Utc::now()).await?;
    json_response(StatusCode::CREATED, &block)
}
