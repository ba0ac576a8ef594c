//! Credential mechanics: access tokens (JWT), password hashing, OIDC id-token
//! verification, and reading the caller from a request. The use cases that sign people in
//! are in `services::accounts` and `services::sessions`.

mod access_token;
mod keys;
mod oidc;
pub mod password;
mod status;

pub use access_token::{AccessClaims, AccessTokens, Caller};
pub use keys::KeyRing;
pub use oidc::{OidcIdentity, OidcVerifier};
pub use status::StatusCache;

use http::header::AUTHORIZATION;
use lambda_http::Request;
use tandem_domain::{Role, UserId, UserStatus};

use crate::error::ErrorCode;
use crate::{ApiError, App};

/// The caller behind the request's `Authorization: Bearer` token, refused when the account
/// is banned or gone even though the token is still valid.
pub async fn authenticate(app: &App, request: &Request) -> Result<Caller, ApiError> {
    let caller = authenticate_restricted(app, request).await?;
    check_standing(app, &caller.user_id).await?;
    Ok(caller)
}

/// The caller of a route a banned account may still use (the export and the deletion
/// request: its rights of access and erasure). Refuses only a gone account (401).
pub async fn authenticate_restricted(app: &App, request: &Request) -> Result<Caller, ApiError> {
    let header = request.headers().get(AUTHORIZATION).and_then(|v| v.to_str().ok()).ok_or(ApiError::Unauthenticated)?;
    let (scheme, token) = header.trim().split_once(' ').ok_or(ApiError::Unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("bearer") {
        return Err(ApiError::Unauthenticated);
    }
    let caller = app.tokens.verify(token.trim(), chrono::Utc::now()).await?;
    standing(app, &caller.user_id).await?;
    Ok(caller)
}

/// Refuses a banned account (403 `account_banned`) and one that no longer exists (401),
/// through the warm function's status cache.
pub async fn check_standing(app: &App, user: &UserId) -> Result<(), ApiError> {
    if standing(app, user).await?.is_restricted() { Err(ApiError::banned()) } else { Ok(()) }
}

/// The account's standing (`User::standing`), through the warm function's status cache;
/// 401 when the account is gone.
async fn standing(app: &App, user: &UserId) -> Result<UserStatus, ApiError> {
    if let Some(status) = app.statuses.get(user) {
        return Ok(status);
    }
    let account = app.store.user(user, chrono::Utc::now()).await?.ok_or(ApiError::Unauthenticated)?;
    app.statuses.put(user, account.standing());
    Ok(account.standing())
}

/// The caller, who must be an admin (403 for anyone else).
pub async fn authenticate_admin(app: &App, request: &Request) -> Result<Caller, ApiError> {
    let caller = authenticate(app, request).await?;
    match caller.role {
        Role::Admin => Ok(caller),
        Role::User => {
            Err(ApiError::ForbiddenBecause { code: ErrorCode::AdminOnly, message: "this route is for admins".into() })
        }
    }
}
