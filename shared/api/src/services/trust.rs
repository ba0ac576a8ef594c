//! Reflections and trust: a participant reflects once on a conversation that ended (within
//! the window), the reflection is weighed by the domain's rules and lands, with its ledger
//! entry on the partner, in one transaction. Penalties (abandon, cooldown, a confirmed
//! report) are entries written by the transaction of the event that causes them. Two "again"
//! reflections on one conversation make the pair friends, in the second one's transaction.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::conversation::{is_open, peer_of};
use tandem_domain::trust::{
    NEUTRAL, Reflection, ReflectionContext, ReflectionOutcome, TrustComponents, TrustSource, reflection_open,
    weigh_penalty, weigh_reflection,
};
use tandem_domain::{ConversationId, UserId};
pub use tandem_store::ReflectionRecord;
use tandem_store::retry::{Attempt, OPTIMISTIC_ATTEMPTS, optimistically};
use tandem_store::{NewFriendship, Reflectable, ReflectionWrite, TrustEntry};

use crate::error::ErrorCode;
use crate::services::accounts::account;
use crate::{ApiError, App};

/// Ledger entries shown with the score.
const LEDGER_SHOWN: i32 = 50;

/// A ledger entry's stable key: a hash of the event, so that entries never name another user.
pub fn event_key(source: TrustSource, event: &str, user: &UserId) -> String {
    tandem_store::keys::digest_id(&format!("{source}:{event}:{user}"))
}

/// A penalty entry for `user`, weighed against their trust as read.
pub fn penalty(
    source: TrustSource,
    amount: i32,
    event: &str,
    user: &UserId,
    read: &TrustComponents,
    now: DateTime<Utc>,
) -> TrustEntry {
    let (delta, rule) = weigh_penalty(amount, read);
    TrustEntry { source, delta, rule, at: now, event_key: event_key(source, event, user) }
}

/// The ended conversation `author` may reflect on: from the conversation while it is kept,
/// then from the note its end left in the author's partition. Foreign and unknown are 404.
async fn reflectable(
    app: &App,
    author: &UserId,
    conversation_id: &ConversationId,
    now: DateTime<Utc>,
) -> Result<Reflectable, ApiError> {
    if let Some(conversation) = app.store.conversation_for(conversation_id, author, now).await? {
        if is_open(conversation.state, conversation.expires_at, now) {
            return Err(ApiError::Conflict {
                code: ErrorCode::ConversationNotEnded,
                message: "reflections open when the conversation ends".into(),
            });
        }
        let partner = peer_of(&conversation.participants, author).cloned().ok_or(ApiError::NotFound)?;
        let ended_at = conversation.ended_at.unwrap_or(conversation.expires_at);
        return Ok(Reflectable { conversation_id: conversation_id.clone(), partner, ended_at });
    }
    app.store.reflectable(author, conversation_id, now).await?.ok_or(ApiError::NotFound)
}

/// `author` reflects on a conversation they took part in, once, within the window after it
/// ended. The partner's trust moves by what the rules allow (retaliation, a pair already
/// counted, a new author, the daily cap, the bounds), and the ledger says why.
pub async fn reflect(
    app: &App,
    author_id: &UserId,
    conversation_id: &ConversationId,
    reflection: Reflection,
    now: DateTime<Utc>,
) -> Result<ReflectionRecord, ApiError> {
    let author = account(app, author_id, now).await?;
    let target = reflectable(app, author_id, conversation_id, now).await?;
    if !reflection_open(target.ended_at, now) {
        return Err(ApiError::Conflict {
            code: ErrorCode::ReflectionWindowClosed,
            message: "reflections can be left for 7 days after a conversation ends".into(),
        });
    }
    if app.store.user(&target.partner, now).await?.is_none() {
        return Err(ApiError::Conflict {
            code: ErrorCode::PartnerAccountDeleted,
            message: "the other participant deleted their account".into(),
        });
    }
    let record = ReflectionRecord {
        conversation_id: conversation_id.clone(),
        author: author_id.clone(),
        reflection,
        created_at: now,
    };
    let (author, target, record) = (&author, &target, &record);
    let recorded = optimistically(OPTIMISTIC_ATTEMPTS, move || async move {
        let read = app.store.reflection_reads(author_id, &target.partner, conversation_id, now).await?;
        let context = ReflectionContext {
            author_created_at: author.created_at,
            repeat_pair: read.repeat_pair,
            retaliation: read.retaliation,
        };
        let weighed = weigh_reflection(
            &record.reflection,
            context,
            &read.subject_trust.components,
            read.subject_trust.daily,
            now,
        );
        let mut after = read.subject_trust;
        after.components.add(TrustSource::Reflection, weighed.delta);
        after.daily = weighed.daily;
        let entry = TrustEntry {
            source: TrustSource::Reflection,
            delta: weighed.delta,
            rule: weighed.rule,
            at: now,
            event_key: event_key(TrustSource::Reflection, conversation_id.as_str(), author_id),
        };
        // Both said "again": friends, unless already friends or either blocked or reported the other.
        let befriend = record.reflection.outcome == ReflectionOutcome::Again
            && read.subject_outcome == Some(ReflectionOutcome::Again)
            && !read.friends
            && !read.estranged;
        let friendship = befriend.then(|| NewFriendship::between(author_id, &target.partner, conversation_id, now));
        match app.store.record_reflection(record, &target.partner, &read, &after, &entry, friendship.as_ref()).await? {
            ReflectionWrite::Recorded => {
                tracing::info!(%conversation_id, delta = weighed.delta, rule = %weighed.rule, befriend, "reflection recorded");
                Ok(Attempt::Done(()))
            }
            ReflectionWrite::AlreadyReflected => Err(ApiError::Conflict {
                code: ErrorCode::AlreadyReflected,
                message: "you already reflected on this conversation".into(),
            }),
            ReflectionWrite::Conflict => Ok(Attempt::Again),
        }
    })
    .await?;
    recorded.map(|()| record.clone()).ok_or(ApiError::Busy)
}

/// The caller's own trust: the score, its components and the latest ledger entries.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustView {
    pub score: i32,
    pub neutral: i32,
    pub components: TrustComponents,
    /// Entries as stored: source, delta, rule, time (never who caused them).
    pub ledger: Vec<TrustEntry>,
}

pub async fn my_trust(app: &App, user: &UserId, now: DateTime<Utc>) -> Result<TrustView, ApiError> {
    let (record, entries) =
        tokio::try_join!(app.store.trust(user, now), app.store.trust_ledger(user, LEDGER_SHOWN, now))?;
    Ok(TrustView { score: record.components.score(), neutral: NEUTRAL, components: record.components, ledger: entries })
}
