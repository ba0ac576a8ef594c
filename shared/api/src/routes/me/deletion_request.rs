//! `POST /v1/me/deletion`: schedules the caller's account deletion 7 days ahead (out of
//! the pool at once; cancellable until then). Asking again returns the same schedule.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate_restricted;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::routes::idempotent;
use crate::services::privacy::request_deletion;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    // A banned account keeps this route (`sessions::RESTRICTED_ROUTES`).
    let caller = authenticate_restricted(&app, &request).await?;
    idempotent(&app, &request, &caller.user_id, || async {
        json_response(StatusCode::ACCEPTED, &request_deletion(&app, &caller.user_id, Utc::now()).await?)
    })
    .await
}
