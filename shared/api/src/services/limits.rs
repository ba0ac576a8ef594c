//! Per-user rate limits (fixed windows counted in the table): the one check every limited
//! action calls before it acts.

use chrono::{DateTime, Utc};
use tandem_domain::UserId;
use tandem_domain::limits::RateLimit;

use crate::{ApiError, App};

/// Counts one `action` by `user`; `RateLimited` (429 with `Retry-After`) past the limit.
pub async fn count(
    app: &App,
    user: &UserId,
    action: &str,
    limit: RateLimit,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (hits, start) = app.store.count_action(user, action, limit, now).await?;
    match limit.retry_after(hits, start, now.timestamp()) {
        Some(retry_after) => {
            tracing::warn!(%user, action, hits, "rate limited");
            Err(ApiError::RateLimited { retry_after })
        }
        None => Ok(()),
    }
}
