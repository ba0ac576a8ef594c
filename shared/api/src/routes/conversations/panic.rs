//! `POST /v1/conversations/{id}/panic`: panic exit — ends the conversation, blocks both
//! ways and files a high-severity report, in one step.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::routes::idempotent;
use crate::services::conversations::panic_exit;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    idempotent(&app, &request, &caller.user_id, || async {
        json_response(StatusCode::OK, &panic_exit(&app, &id, &caller.user_id, Utc::now()).await?)
    })
    .await
}
