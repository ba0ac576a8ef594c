//! `POST /v1/auth/logout`: revoke the session family of a refresh token. Idempotent.

use chrono::Utc;
use http::StatusCode;

use super::RefreshTokenBody;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{empty_response, json_body};
use crate::services::sessions::sign_out;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: RefreshTokenBody = json_body(&request)?;
    sign_out(&app, &body.refresh_token, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
