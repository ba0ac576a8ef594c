//! `GET /v1/blocks`: the users the caller has blocked.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::safety::blocks;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &json!({ "blocks": blocks(&app, &caller.user_id, Utc::now()).await? }))
}
