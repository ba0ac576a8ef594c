//! `POST /v1/auth/oidc` `{idToken}`: exchange a provider's id token for a Tandem session,
//! creating the account on first use (`services::accounts::oidc_sign_in`).

use chrono::Utc;
use serde::Deserialize;

use super::signed_in;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_body;
use crate::services::accounts::oidc_sign_in;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Exchange {
    id_token: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Exchange = json_body(&request)?;
    signed_in(&oidc_sign_in(&app, &body.id_token, Utc::now()).await?)
}
