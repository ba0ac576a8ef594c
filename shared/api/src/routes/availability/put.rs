//! `PUT /v1/availability/today`: queue me for my local today. Idempotent.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::json_response;
use crate::pairing::queue_today;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let view = queue_today(&app, &caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &view)
}
