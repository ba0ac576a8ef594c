//! `DELETE /v1/availability/today`: leave today's pool; 409 once matched.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::empty_response;
use crate::pairing::leave_today;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    leave_today(&app, &caller.user_id, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
