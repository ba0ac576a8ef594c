//! Blocking: bilateral for matching, and it ends a conversation between the two.

use chrono::{DateTime, Utc};
use tandem_domain::availability::local_day;
use tandem_domain::{FieldError, UserId};
use tandem_store::Block;

use crate::services::accounts::account;
use crate::services::conversations::close_between;
use crate::{ApiError, App};

pub const BLOCK_REASON_MAX: usize = 500;

/// `me` blocks `other` (idempotent): recorded both ways with an audit entry, in one
/// transaction. What a block causes (`block_committed`) follows from that commit.
pub async fn block_user(
    app: &App,
    me: &UserId,
    other: &UserId,
    reason: Option<String>,
    now: DateTime<Utc>,
) -> Result<Block, ApiError> {
    if other == me {
        return Err(FieldError::new("userId", "you cannot block yourself").into());
    }
    let reason = reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > BLOCK_REASON_MAX) {
        return Err(FieldError::new("reason", format!("must be at most {BLOCK_REASON_MAX} characters")).into());
    }
    let me = account(app, me, now).await?;
    // Unknown users get the same 404 as any missing resource.
    let them = app.store.user(other, now).await?.ok_or(ApiError::NotFound)?;
    Ok(app.store.block(&me.id, &them.id, reason, now).await?)
}

/// What a committed block causes, derived from its insert by the notification worker (so a
/// failure after the block's commit loses none of it, and a redelivery changes nothing more):
/// the two are kept apart in today's pool even if already queued, an active conversation
/// between them closes, and a friendship between them ends.
pub async fn block_committed(app: &App, owner: &UserId, other: &UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    let (Some(me), Some(them)) = tokio::try_join!(app.store.user(owner, now), app.store.user(other, now))? else {
        tracing::info!(user_id = %owner, "an account of a block is gone: nothing follows");
        return Ok(());
    };
    if !app.store.has_blocked(&me.id, &them.id, now).await? {
        // Lifted before this ran: nothing to enforce.
        return Ok(());
    }
    app.store.exclude_late(&me.id, local_day(&me.timezone, now).0, &them.id).await?;
    app.store.exclude_late(&them.id, local_day(&them.timezone, now).0, &me.id).await?;
    if close_between(app, &me, &them.id, now).await? {
        tracing::info!(user_id = %me.id, "a block closed an active conversation");
    }
    crate::services::friendships::end_friendship(app, &me.id, &them.id, now).await?;
    Ok(())
}

/// Lifts `me`'s block of `other`; `NotFound` when there was none.
pub async fn unblock(app: &App, me: &UserId, other: &UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    if app.store.unblock(me, other, now).await? { Ok(()) } else { Err(ApiError::NotFound) }
}

/// The users `me` has blocked.
pub async fn blocks(app: &App, me: &UserId, now: DateTime<Utc>) -> Result<Vec<Block>, ApiError> {
    Ok(app.store.blocks(me, now).await?)
}
