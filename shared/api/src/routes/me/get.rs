//! `GET /v1/me`: the caller's account and profile.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::json_response;
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let user = app.store.user(&caller.user_id, Utc::now()).await?.ok_or(ApiError::NotFound)?;
    json_response(StatusCode::OK, &user)
}
