//! `PUT /v1/availability/today`: queue for today's pairing (idempotent).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::availability::queue_today;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &queue_today(&app, &caller.user_id, Utc::now()).await?)
}
