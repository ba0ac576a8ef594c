//! `GET /v1/friends`: the caller's friends, each with their revealed view, the friends'
//! conversation and the conversation the friendship grew from.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::friendships::friends;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &json!({ "friends": friends(&app, &caller.user_id, Utc::now()).await? }))
}
