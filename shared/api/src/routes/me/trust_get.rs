//! `GET /v1/me/trust`: the caller's trust score (0–100, neutral 50), its components and the
//! latest ledger entries, newest first. Nobody can read another user's.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::trust::my_trust;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &my_trust(&app, &caller.user_id, Utc::now()).await?)
}
