//! `POST /v1/presence/heartbeat`: keep the caller "online" for a short while.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::presence::heartbeat;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let until = heartbeat(&app, &caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &json!({ "online": true, "until": until }))
}
