//! `GET /v1/blocks`: the users I have blocked.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::json_response;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let blocks = app.store.blocks(&caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &json!({ "blocks": blocks }))
}
