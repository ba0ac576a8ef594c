//! `DELETE /v1/blocks/{userId}`: lift a block (404 if there was none).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{empty_response, path_id};
use crate::services::safety::unblock;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let other = path_id(&request, "userId")?;
    unblock(&app, &caller.user_id, &other, Utc::now()).await?;
    empty_response(StatusCode::NO_CONTENT)
}
