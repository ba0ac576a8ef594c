//! Anti-ghosting: one reminder to a participant silent while their partner wrote, each
//! ended conversation counted once in both participants' history (with what it earned),
//! suspension from matching after a run of abandons, and its acknowledgement.

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use tandem_domain::availability::local_day;
use tandem_domain::conversation::{ConversationKind, ConversationState, is_open, message_deletion_time};
use tandem_domain::engagement::{ConversationOutcome, REMINDER_AFTER, Suspension};
use tandem_domain::rewards::conversation_awards;
use tandem_domain::trust::{ABANDON, COOLDOWN, TrustComponents, TrustSource};
use tandem_domain::{User, UserId, UserStatus};
use tandem_store::retry::{Attempt, OPTIMISTIC_ATTEMPTS, optimistically};
use tandem_store::{
    Aftermath, ConversationRecord, DueReminder, LedgerEntry, OutcomeRecord, RecordOutcome, Reflectable,
    ReminderOutcome, TrustEntry, TrustRecord,
};

use crate::error::ErrorCode;
use crate::services::accounts::account;
use crate::services::trust;
use crate::{ApiError, App};
use tandem_domain::analytics::{AnalyticsEvent, AnalyticsKind};

/// Reminders written in parallel per run.
const REMINDER_CONCURRENCY: usize = 16;

/// What one `ghost-reminders` run did.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderReport {
    /// Conversations found due in the index.
    pub due: usize,
    pub reminded: usize,
    /// Due again after a reminder (the partner kept writing): parked, nothing sent.
    pub already_reminded: usize,
    /// Answered or ended since: nothing to do.
    pub stale: usize,
}

/// Reminds every participant who has waited `REMINDER_AFTER` for an answer, once per
/// conversation: the reminder item is written (its insert reaches the notification worker,
/// which sends the event and the push); a retried or overlapping run finds it written.
pub async fn send_reminders(app: &App, now: DateTime<Utc>) -> Result<ReminderReport, ApiError> {
    let cutoff = now - REMINDER_AFTER;
    let mut due: Vec<DueReminder> = Vec::new();
    for shard in 0..tandem_store::keys::REMINDER_SHARDS {
        due.extend(app.store.due_reminders(shard, cutoff).await?);
    }
    let mut report = ReminderReport { due: due.len(), ..ReminderReport::default() };
    // Owned items and a cloned handle per task: the futures must be `Send` for any lifetime.
    let outcomes: Vec<ReminderOutcome> = stream::iter(due)
        .map(|reminder| {
            let app = app.clone();
            async move {
                // Friends owe each other no answer: no reminder between them.
                if !is_open(reminder.conversation.state, reminder.conversation.expires_at, now)
                    || reminder.conversation.kind == ConversationKind::Friendship
                {
                    return Ok(ReminderOutcome::Stale);
                }
                app.store.remind(&reminder, now).await
            }
        })
        .buffer_unordered(REMINDER_CONCURRENCY)
        .try_collect()
        .await?;
    for outcome in outcomes {
        match outcome {
            ReminderOutcome::Reminded => report.reminded += 1,
            ReminderOutcome::AlreadyReminded => report.already_reminded += 1,
            ReminderOutcome::Stale => report.stale += 1,
        }
    }
    Ok(report)
}

/// An ended conversation (expired, closed, panic, block) counts once in each participant's
/// history: answered or abandoned, how fast, the awards it earns, and a suspension when it
/// completes a run of abandons. Safe to repeat (a redelivered change records nothing twice).
pub async fn conversation_ended(
    app: &App,
    conversation: &ConversationRecord,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    // A friends' conversation ends with the friendship: not a daily conversation's outcome.
    if conversation.state == ConversationState::Active || conversation.kind == ConversationKind::Friendship {
        return Ok(());
    }
    let (first, second) = tokio::join!(record_for(app, conversation, 0, now), record_for(app, conversation, 1, now));
    first?;
    second?;
    app.store.record_analytics(&outcome_event(conversation, now), conversation.conversation_id.as_str()).await?;
    Ok(())
}

/// The anonymous analytics event of an ended conversation.
fn outcome_event(conversation: &ConversationRecord, now: DateTime<Utc>) -> AnalyticsEvent {
    let ended_at = conversation.ended_at.unwrap_or(now);
    let [first, second] = &conversation.activity;
    AnalyticsEvent {
        state: Some(conversation.state.to_string()),
        duration_seconds: Some((ended_at - conversation.started_at).num_seconds().max(0)),
        messages: Some(first.messages + second.messages),
        answered: Some(first.messages > 0 && second.messages > 0),
        ..AnalyticsEvent::new(AnalyticsKind::ConversationOutcome, ended_at)
    }
}

async fn record_for(
    app: &App,
    conversation: &ConversationRecord,
    position: usize,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let user_id = &conversation.participants[position];
    let outcome = ConversationOutcome::of(
        conversation.started_at,
        &conversation.activity[position],
        &conversation.activity[1 - position],
    );
    let rules = &app.config.reward_rules;
    let record = OutcomeRecord {
        conversation_id: conversation.conversation_id.clone(),
        user_id: user_id.clone(),
        answered: outcome.answered,
        reply_seconds: outcome.reply_delay.map(|d| d.num_seconds()),
        recorded_at: now,
    };
    let keep_until = message_deletion_time(conversation.ended_at.unwrap_or(now));
    let (record, outcome) = (&record, &outcome);
    let recorded = optimistically(OPTIMISTIC_ATTEMPTS, move || async move {
        // Trust is read only when the end costs some (an abandon, and a cooldown after one).
        let trust =
            async { if outcome.answered { Ok(TrustRecord::default()) } else { app.store.trust(user_id, now).await } };
        let (user, summary, trust) =
            tokio::try_join!(app.store.user(user_id, now), app.store.rewards_summary(user_id, now), trust)?;
        let Some(user) = user else {
            tracing::info!(%user_id, "the account is gone: no history to keep");
            return Ok::<_, ApiError>(Attempt::Done(()));
        };
        let history = user.engagement.after(outcome, outcome.replied_within(rules.fast_reply()));
        let suspension = (history.calls_for_suspension() && user.status == UserStatus::Active)
            .then(|| Suspension::ghosting(history.abandoned_in_a_row, now));
        let (day, _) = local_day(&user.timezone, conversation.started_at);
        let entries: Vec<LedgerEntry> = conversation_awards(rules, outcome, &history, &summary.badges)
            .iter()
            .map(|award| LedgerEntry::of(award, day, Some(&conversation.conversation_id), now))
            .collect();
        let read = (&user.engagement, user.status);
        let aftermath = Aftermath {
            reflectable: Reflectable {
                conversation_id: conversation.conversation_id.clone(),
                partner: conversation.participants[1 - position].clone(),
                ended_at: conversation.ended_at.unwrap_or(now),
            },
            trust_penalties: trust_penalties(
                conversation,
                user_id,
                outcome,
                suspension.is_some(),
                trust.components,
                now,
            ),
        };
        match app
            .store
            .record_conversation(record, keep_until, read, &history, suspension.as_ref(), &entries, &aftermath)
            .await?
        {
            RecordOutcome::Recorded { suspended } => {
                if suspended {
                    tracing::warn!(%user_id, abandons = history.abandoned_in_a_row, "suspended from matching for ghosting");
                }
                Ok(Attempt::Done(()))
            }
            RecordOutcome::AlreadyRecorded => Ok(Attempt::Done(())),
            RecordOutcome::Conflict => Ok(Attempt::Again),
        }
    })
    .await?;
    recorded.ok_or_else(|| {
        ApiError::Internal(format!("the history of {user_id} kept changing while recording {}", record.conversation_id))
    })
}

/// What an ended conversation costs a participant's trust: an abandon (never wrote), and a
/// cooldown when it completes a run of abandons.
fn trust_penalties(
    conversation: &ConversationRecord,
    user_id: &UserId,
    outcome: &ConversationOutcome,
    suspended: bool,
    mut read: TrustComponents,
    now: DateTime<Utc>,
) -> Vec<TrustEntry> {
    let event = conversation.conversation_id.as_str();
    let mut entries = Vec::new();
    if !outcome.answered {
        let entry = trust::penalty(TrustSource::Abandon, ABANDON, event, user_id, &read, now);
        read.add(entry.source, entry.delta);
        entries.push(entry);
    }
    if suspended {
        entries.push(trust::penalty(TrustSource::Cooldown, COOLDOWN, event, user_id, &read, now));
    }
    entries
}

/// The caller acknowledges their ghosting suspension: matching resumes (audited). Saying
/// it again changes nothing; a suspension of another kind cannot be lifted this way.
pub async fn acknowledge(app: &App, user_id: &UserId, now: DateTime<Utc>) -> Result<User, ApiError> {
    let user = account(app, user_id, now).await?;
    if user.status != UserStatus::SuspendedFromMatching {
        return Ok(user);
    }
    if !app.store.lift_ghosting_suspension(user_id, now).await? {
        return Err(ApiError::Conflict {
            code: ErrorCode::NotAcknowledgeable,
            message: "this suspension is not one you can lift yourself".into(),
        });
    }
    tracing::info!(%user_id, "ghosting suspension acknowledged");
    account(app, user_id, now).await
}
