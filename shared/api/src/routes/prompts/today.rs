//! `GET /v1/prompts/today`: the daily prompt of the caller's local day (`prompt` null when
//! the catalogue has none) and their answer of today, if any.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::prompts::today;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &today(&app, &caller.user_id, Utc::now()).await?)
}
