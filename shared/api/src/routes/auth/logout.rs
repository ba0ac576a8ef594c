//! `POST /v1/auth/logout`: revoke the session family of a refresh token. Idempotent.

use chrono::Utc;
use http::StatusCode;

use super::RefreshTokenBody;
use crate::auth::hash_refresh_token;
use crate::dispatch::HandlerResult;
use crate::http_io::{empty_response, json_body};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: RefreshTokenBody = json_body(&request)?;
    if let Some(user_id) = app.store.end_session(&hash_refresh_token(&body.refresh_token), Utc::now()).await? {
        tracing::info!(%user_id, "signed out");
    }
    empty_response(StatusCode::NO_CONTENT)
}
