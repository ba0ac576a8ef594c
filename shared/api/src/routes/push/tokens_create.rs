//! `POST /v1/push-tokens` `{platform: ios | android, token}`: 201 with the token (masked)
//! when new to the caller, 200 when already theirs (idempotent). A token another account
//! held moves to the caller.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::notifications::Platform;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response};
use crate::routes::idempotent;
use crate::services::devices::register_token;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    platform: Platform,
    token: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    idempotent(&app, &request, &caller.user_id, || async {
        let body: Body = json_body(&request)?;
        let (token, created) = register_token(&app, &caller.user_id, body.platform, &body.token, Utc::now()).await?;
        json_response(if created { StatusCode::CREATED } else { StatusCode::OK }, &token)
    })
    .await
}
