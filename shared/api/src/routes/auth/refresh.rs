//! `POST /v1/auth/refresh`: rotate a refresh token. A token used twice revokes its family.

use chrono::Utc;
use http::StatusCode;

use super::RefreshTokenBody;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response};
use crate::services::sessions::rotate_session;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: RefreshTokenBody = json_body(&request)?;
    let tokens = rotate_session(&app, &body.refresh_token, Utc::now()).await?;
    json_response(StatusCode::OK, &tokens)
}
