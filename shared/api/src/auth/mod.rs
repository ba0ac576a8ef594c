//! Authentication: access tokens (JWT), refresh-token sessions, passwords, OIDC.

mod access_token;
mod oidc;
pub mod password;
mod session;

pub use access_token::{AccessClaims, AccessTokens, Caller};
pub use oidc::{OidcIdentity, OidcVerifier};
pub use password::password_sign_in;
pub use session::{TokenPair, hash_refresh_token, issue_session, rotate_session};

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
