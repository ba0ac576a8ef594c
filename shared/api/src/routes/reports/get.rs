//! `GET /v1/reports/{id}`: one of the caller's reports and its status (anyone else's: 404).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::reports::one;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    json_response(StatusCode::OK, &one(&app, &caller.user_id, &id, Utc::now()).await?)
}
