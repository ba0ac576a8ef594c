//! Credential mechanics: access tokens (JWT), password hashing, OIDC id-token
//! verification, and reading the caller from a request. The use cases that sign people in
//! are in `services::accounts` and `services::sessions`.

mod access_token;
mod oidc;
pub mod password;

pub use access_token::{AccessClaims, AccessTokens, Caller};
pub use oidc::{OidcIdentity, OidcVerifier};

use http::header::AUTHORIZATION;
use lambda_http::Request;

use crate::{ApiError, App};

/// The caller behind the request's `Authorization: Bearer` token.
pub fn authenticate(app: &App, request: &Request) -> Result<Caller, ApiError> {
    let header = request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthenticated)?;
    let (scheme, token) = header.trim().split_once(' ').ok_or(ApiError::Unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthenticated);
    }
    app.tokens.verify(token.trim(), chrono::Utc::now()).ok_or(ApiError::Unauthenticated)
}
