//! `GET /v1/push-tokens`: the caller's tokens, masked, with their status.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::devices::tokens;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &json!({ "tokens": tokens(&app, &caller.user_id, Utc::now()).await? }))
}
