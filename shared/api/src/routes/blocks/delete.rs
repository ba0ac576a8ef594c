//! `DELETE /v1/blocks/{userId}`: unblock. 404 when there was no such block.

use chrono::Utc;
use http::StatusCode;
use lambda_http::RequestExt;
use tandem_domain::UserId;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::empty_response;
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let other = request
        .path_parameters_ref()
        .and_then(|p| p.first("userId"))
        .and_then(UserId::parse)
        .ok_or(ApiError::NotFound)?;
    if app.store.unblock(&caller.user_id, &other, Utc::now()).await? {
        empty_response(StatusCode::NO_CONTENT)
    } else {
        Err(ApiError::NotFound)
    }
}
