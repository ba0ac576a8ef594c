//! `DELETE /v1/me/deletion`: cancels a scheduled deletion; the account is as before.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate_restricted;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::routes::idempotent;
use crate::services::privacy::cancel_deletion;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    // A banned account keeps this route (`sessions::RESTRICTED_ROUTES`).
    let caller = authenticate_restricted(&app, &request).await?;
    idempotent(&app, &request, &caller.user_id, || async {
        json_response(StatusCode::OK, &cancel_deletion(&app, &caller.user_id, Utc::now()).await?)
    })
    .await
}
