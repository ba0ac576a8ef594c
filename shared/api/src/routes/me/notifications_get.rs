//! `GET /v1/me/notifications`: which kinds the caller wants pushed, and their quiet hours.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::devices::prefs;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    json_response(StatusCode::OK, &prefs(&app, &caller.user_id, Utc::now()).await?)
}
