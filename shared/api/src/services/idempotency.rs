//! Idempotency keys on sensitive mutations: the same key and request within 24 hours
//! replays the first answer; the same key with another request is refused (422).

use chrono::{DateTime, Utc};
use tandem_domain::UserId;

use crate::error::ErrorCode;
use crate::{ApiError, App};

/// Longest key accepted.
const KEY_MAX: usize = 128;

/// What to do with a request carrying a key.
pub enum Begin {
    /// First use: run it, then [`finish`] (or [`abandon`] on a server error).
    Run,
    /// Seen before with the same request: answer this again.
    Replay { status: u16, body: String },
}

/// Checks the key's shape (it is stored in a key of the table).
pub fn check_key(key: &str) -> Result<(), ApiError> {
    let fine = (1..=KEY_MAX).contains(&key.len())
        && key.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if fine {
        Ok(())
    } else {
        Err(tandem_domain::FieldError::new(
            "Idempotency-Key",
            format!("must be 1–{KEY_MAX} characters of A–Z, a–z, 0–9, - _ . :"),
        )
        .into())
    }
}

pub async fn begin(
    app: &App,
    user: &UserId,
    key: &str,
    fingerprint: &str,
    now: DateTime<Utc>,
) -> Result<Begin, ApiError> {
    check_key(key)?;
    let Some(seen) = app.store.claim_idempotency_key(user, key, fingerprint, now).await? else {
        return Ok(Begin::Run);
    };
    if seen.fingerprint != fingerprint {
        return Err(ApiError::Unprocessable {
            code: ErrorCode::IdempotencyKeyReused,
            message: "this Idempotency-Key was used with a different request in the last 24 hours".into(),
        });
    }
    match (seen.status, seen.body) {
        (Some(status), Some(body)) => Ok(Begin::Replay { status, body }),
        _ => Err(ApiError::Conflict {
            code: ErrorCode::IdempotencyInProgress,
            message: "a request with this Idempotency-Key is still being processed; retry shortly".into(),
        }),
    }
}

pub async fn finish(app: &App, user: &UserId, key: &str, status: u16, body: &str) -> Result<(), ApiError> {
    Ok(app.store.answer_idempotency_key(user, key, status, body).await?)
}

pub async fn abandon(app: &App, user: &UserId, key: &str) -> Result<(), ApiError> {
    Ok(app.store.release_idempotency_key(user, key).await?)
}
