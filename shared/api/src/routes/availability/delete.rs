//! `DELETE /v1/availability/today`: leave today's pool; 409 once matched.

use chrono::Utc;
use http::StatusCode;
use tandem_domain::availability::local_day;
use tandem_store::LeaveOutcome;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::empty_response;
use crate::pairing::current_user;
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let now = Utc::now();
    let user = current_user(&app, &caller.user_id, now).await?;
    let (day, _) = local_day(&user.timezone, now);
    match app.store.leave_queue(&caller.user_id, day).await? {
        LeaveOutcome::Left | LeaveOutcome::NotQueued => empty_response(StatusCode::NO_CONTENT),
        LeaveOutcome::AlreadyMatched => Err(ApiError::Conflict {
            code: "already_matched",
            message: "you are already matched today; close the conversation instead".into(),
        }),
    }
}
