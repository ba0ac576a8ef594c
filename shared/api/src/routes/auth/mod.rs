//! `/v1/auth/*`: register, login, refresh, logout, OIDC exchange.

pub mod login;
pub mod logout;
pub mod oidc;
pub mod refresh;
pub mod register;

use serde::{Deserialize, Serialize};
use tandem_domain::User;

use crate::auth::TokenPair;

/// Body of the routes that sign a user in.
#[derive(Serialize)]
struct SignedIn<'a> {
    user: &'a User,
    #[serde(flatten)]
    tokens: TokenPair,
}

#[derive(Deserialize)]
struct RefreshTokenBody {
    refresh_token: String,
}
