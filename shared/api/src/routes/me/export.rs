//! `POST /v1/me/export`: everything stored about the caller, as one JSON document
//! (GDPR Art. 15/20). The sections are listed in `docs/data-model.md` (export table).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate_restricted;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::routes::idempotent;
use crate::services::privacy::export;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    // A banned account keeps this route (`sessions::RESTRICTED_ROUTES`).
    let caller = authenticate_restricted(&app, &request).await?;
    idempotent(&app, &request, &caller.user_id, || async {
        json_response(StatusCode::OK, &export(&app, &caller.user_id, Utc::now()).await?)
    })
    .await
}
