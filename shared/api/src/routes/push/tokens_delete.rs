//! `DELETE /v1/push-tokens/{id}`: removes one of the caller's tokens (404 otherwise).

use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{empty_response, path_id};
use crate::services::devices::remove_token;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let token_id: String = path_id(&request, "id")?;
    remove_token(&app, &caller.user_id, &token_id).await?;
    empty_response(StatusCode::NO_CONTENT)
}
