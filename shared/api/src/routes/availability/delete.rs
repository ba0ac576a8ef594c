//! `DELETE /v1/availability/today`: leave today's pool (idempotent; 409 once matched).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::empty_response;
use crate::services::availability::leave_today;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    leave_today(&app, &caller.user_id, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
