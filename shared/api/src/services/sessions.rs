//! Sessions: an access token plus a refresh token that starts a session family; rotation
//! with reuse detection; sign-out.

use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tandem_domain::User;
use tandem_store::{RefreshOutcome, SessionStart};

use crate::{ApiError, App};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenPair {
    pub access_token: String,
    pub token_type: &'static str,
    pub expires_in: i64,
    pub refresh_token: String,
    /// Present for a banned account: the only routes its tokens serve (the export and the
    /// deletion request and its cancellation); every other route answers 403 `account_banned`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_to: Option<&'static [&'static str]>,
}

/// What a banned account's tokens still serve: its rights of access and erasure.
pub const RESTRICTED_ROUTES: &[&str] = &["POST /v1/me/export", "POST /v1/me/deletion", "DELETE /v1/me/deletion"];

/// A new opaque refresh token (256 random bits); only its hash is ever stored.
fn new_refresh_token() -> String {
    let bytes: [u8; 32] = rand::random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

pub fn hash_refresh_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

async fn access_and_refresh(
    app: &App,
    user: &User,
    refresh_token: String,
    now: DateTime<Utc>,
) -> Result<TokenPair, ApiError> {
    Ok(TokenPair {
        access_token: app.tokens.issue(&user.id, user.role, now).await?,
        token_type: "Bearer",
        expires_in: app.tokens.lifetime_seconds(),
        refresh_token,
        restricted_to: user.standing().is_restricted().then_some(RESTRICTED_ROUTES),
    })
}

fn refresh_expiry(app: &App, now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::days(app.config.refresh_token_days)
}

/// Signs `user` in: a new session family with its first refresh token.
pub async fn issue_session(app: &App, user: &User, now: DateTime<Utc>) -> Result<TokenPair, ApiError> {
    // Keys first: a session stored but never answered would be lost to the client.
    app.tokens.ready().await?;
    let refresh_token = new_refresh_token();
    let start = SessionStart {
        user_id: user.id.clone(),
        family_id: uuid::Uuid::new_v4().to_string(),
        token_hash: hash_refresh_token(&refresh_token),
        expires_at: refresh_expiry(app, now),
    };
    app.store.start_session(&start, now).await?;
    access_and_refresh(app, user, refresh_token, now).await
}

/// Rotates a presented refresh token: its successor plus a fresh access token. A token
/// presented twice revokes its whole family (someone replayed it).
pub async fn rotate_session(app: &App, presented: &str, now: DateTime<Utc>) -> Result<TokenPair, ApiError> {
    // Keys first: a rotation whose answer fails would make the client's retry look like a
    // replay, revoking the whole family.
    app.tokens.ready().await?;
    let next_token = new_refresh_token();
    let outcome = app
        .store
        .rotate_refresh_token(
            &hash_refresh_token(presented),
            &hash_refresh_token(&next_token),
            refresh_expiry(app, now),
            now,
        )
        .await?;
    let user_id = match outcome {
        RefreshOutcome::Rotated { user_id, .. } => user_id,
        RefreshOutcome::Invalid => return Err(ApiError::InvalidRefreshToken),
        RefreshOutcome::ReuseDetected { user_id } => {
            tracing::warn!(%user_id, "refresh token reused: session family revoked");
            return Err(ApiError::InvalidRefreshToken);
        }
    };
    let user = app.store.user(&user_id, now).await?.ok_or(ApiError::InvalidRefreshToken)?;
    access_and_refresh(app, &user, next_token, now).await
}

/// Revokes the session family of a refresh token (idempotent: unknown tokens are ignored).
pub async fn sign_out(app: &App, presented: &str, now: DateTime<Utc>) -> Result<(), ApiError> {
    if let Some(user_id) = app.store.end_session(&hash_refresh_token(presented), now).await? {
        tracing::info!(%user_id, "signed out");
    }
    Ok(())
}
