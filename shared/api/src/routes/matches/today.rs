//! `GET /v1/match/today`: my partner's public profile subset, the score and why, the
//! conversation and its expiry. 404 `no_match_today` until the sweep pairs me.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::json_response;
use crate::pairing::match_today;
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let found = match_today(&app, &caller.user_id, Utc::now()).await?;
    let view = found
        .ok_or_else(|| ApiError::NotFoundBecause { code: "no_match_today", message: "no match yet today".into() })?;
    json_response(StatusCode::OK, &view)
}
