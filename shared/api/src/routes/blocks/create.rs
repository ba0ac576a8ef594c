//! `POST /v1/blocks` `{userId, reason?}`: block a user (idempotent; ends a conversation
//! between the two).

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{field_id, json_body, json_response};
use crate::routes::idempotent;
use crate::services::safety::block_user;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct NewBlock {
    user_id: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    idempotent(&app, &request, &caller.user_id, || async {
        let body: NewBlock = json_body(&request)?;
        let other = field_id(&body.user_id, "userId")?;
        let block = block_user(&app, &caller.user_id, &other, body.reason, Utc::now()).await?;
        json_response(StatusCode::CREATED, &block)
    })
    .await
}
