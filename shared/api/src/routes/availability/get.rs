//! `GET /v1/availability/today`: idle, queued or matched (with the match).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::json_response;
use crate::pairing::today;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    json_response(StatusCode::OK, &today(&app, &caller.user_id, Utc::now()).await?)
}
