//! `/v1/auth/*`: register, login, refresh, logout, OIDC exchange.

pub mod login;
pub mod logout;
pub mod oidc;
pub mod refresh;
pub mod register;

use http::StatusCode;
use serde::{Deserialize, Serialize};
use tandem_domain::User;

use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::accounts::SignedIn;
use crate::services::sessions::TokenPair;

/// Body of the routes that sign a user in.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SignedInBody<'a> {
    user: &'a User,
    created: bool,
    #[serde(flatten)]
    tokens: &'a TokenPair,
}

/// 201 when the sign-in created the account, else 200.
fn signed_in(signed_in: &SignedIn) -> HandlerResult {
    let status = if signed_in.created { StatusCode::CREATED } else { StatusCode::OK };
    json_response(
        status,
        &SignedInBody { user: &signed_in.user, created: signed_in.created, tokens: &signed_in.tokens },
    )
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RefreshTokenBody {
    refresh_token: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Credentials {
    email: String,
    password: String,
}
