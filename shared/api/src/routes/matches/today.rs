//! `GET /v1/match/today`: today's match (404 `no_match_today` until there is one).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::error::ErrorCode;
use crate::services::availability::match_today;
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let view = match_today(&app, &caller.user_id, Utc::now()).await?.ok_or_else(|| ApiError::NotFoundBecause {
        code: ErrorCode::NoMatchToday,
        message: "no match yet today".into(),
    })?;
    json_response(StatusCode::OK, &view)
}
