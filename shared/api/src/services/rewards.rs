//! Rewards: applying each user's local day when it ends (streaks, streak points and badges),
//! and what a user sees of their points, streak, badges and ledger.

use std::collections::HashMap;

use chrono::{DateTime, Duration, DurationRound, NaiveDate, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::Serialize;
use tandem_domain::availability::{AvailabilityState, local_day};
use tandem_domain::rewards::{Badge, DayOutcome, day_awards};
use tandem_domain::{ConversationId, UserId};
use tandem_store::retry::{Attempt, optimistically};
use tandem_store::{ActiveDay, AvailabilityRecord, BadgeRecord, ConversationRecord, LedgerEntry, RewardsSummary};

use crate::services::accounts::account;
use crate::{ApiError, App};

/// Days applied in parallel per run.
const DAY_CONCURRENCY: usize = 16;
/// Days whose records are read together (one BatchGetItem per kind of record: availability,
/// conversations, rewards summaries).
const READ_CHUNK: usize = 100;
/// A run also looks this many hours back, so a failed or missed run is caught up by the
/// next ones (applying is idempotent, and applied days leave the index).
const CATCH_UP_HOURS: i64 = 2;
/// Attempts at applying a day while the user's streak changes under it.
const APPLY_ATTEMPTS: usize = 3;

/// What one `streaks-rewards` run did.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DayReport {
    /// Active days whose local day had ended, found in the index.
    pub days: usize,
    pub applied: usize,
    /// Applied by an earlier or overlapping run: nothing changed.
    pub already_applied: usize,
    pub answered: usize,
    pub unmatched: usize,
    pub ghosted: usize,
    /// Ledger entries written (streak points and badges).
    pub awards: usize,
}

/// Applies every active day that has ended by `now`: exactly the users whose local day has
/// just ended (the index files each day under the hour it ends by), each once.
pub async fn apply_ended_days(app: &App, now: DateTime<Utc>) -> Result<DayReport, ApiError> {
    let hour = now.duration_trunc(Duration::hours(1)).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut days = Vec::new();
    for back in (0..=CATCH_UP_HOURS).rev() {
        let filed = app.store.days_ending(hour - Duration::hours(back)).await?;
        days.extend(filed.into_iter().filter(|day| day.ends_at <= now));
    }
    let mut report = DayReport { days: days.len(), ..DayReport::default() };
    for chunk in days.chunks(READ_CHUNK) {
        let users: Vec<UserId> = chunk.iter().map(|d| d.user_id.clone()).collect();
        let (outcomes, summaries) = tokio::try_join!(day_outcomes(app, chunk, now), async {
            Ok(app.store.rewards_summaries(&users, now).await?)
        })?;
        // Owned items and a cloned handle per task: the futures must be `Send` for any lifetime.
        let work = chunk.iter().cloned().zip(outcomes).zip(summaries);
        let applied: Vec<Option<(DayOutcome, usize)>> = stream::iter(work)
            .map(|((day, outcome), summary)| {
                let app = app.clone();
                async move { apply_day(&app, &day, outcome, summary, now).await }
            })
            .buffer_unordered(DAY_CONCURRENCY)
            .try_collect()
            .await?;
        for result in applied {
            let Some((outcome, awards)) = result else {
                report.already_applied += 1;
                continue;
            };
            report.applied += 1;
            report.awards += awards;
            match outcome {
                DayOutcome::Answered => report.answered += 1,
                DayOutcome::Unmatched => report.unmatched += 1,
                DayOutcome::Ghosted => report.ghosted += 1,
            }
        }
    }
    Ok(report)
}

/// How each day went: queued and wrote in the day's conversation, queued and unmatched, or
/// matched and silent. Two batched reads per chunk (availability, then conversations).
async fn day_outcomes(app: &App, days: &[ActiveDay], now: DateTime<Utc>) -> Result<Vec<DayOutcome>, ApiError> {
    let keys: Vec<(UserId, NaiveDate)> = days.iter().map(|d| (d.user_id.clone(), d.day)).collect();
    let availabilities: Vec<Option<AvailabilityRecord>> = app.store.availabilities(&keys, now).await?;
    let conversation_ids: Vec<ConversationId> = availabilities
        .iter()
        .flatten()
        .filter(|a| a.state == AvailabilityState::Matched)
        .filter_map(|a| a.conversation_id.clone())
        .collect();
    let conversations: HashMap<ConversationId, ConversationRecord> = app
        .store
        .conversations(&conversation_ids, now)
        .await?
        .into_iter()
        .map(|c| (c.conversation_id.clone(), c))
        .collect();
    Ok(days
        .iter()
        .zip(availabilities)
        .map(|(day, availability)| {
            let conversation = availability
                .filter(|a| a.state == AvailabilityState::Matched)
                .and_then(|a| a.conversation_id)
                .and_then(|id| conversations.get(&id));
            match conversation {
                None => DayOutcome::Unmatched,
                Some(conversation) => {
                    let wrote = conversation
                        .position_of(&day.user_id)
                        .is_some_and(|p| conversation.activity[p].first_message_at.is_some());
                    if wrote { DayOutcome::Answered } else { DayOutcome::Ghosted }
                }
            }
        })
        .collect())
}

/// Applies one day from the `summary` read with its chunk (read again if it changed
/// meanwhile); `None` when the day was applied before.
async fn apply_day(
    app: &App,
    day: &ActiveDay,
    outcome: DayOutcome,
    summary: RewardsSummary,
    now: DateTime<Utc>,
) -> Result<Option<(DayOutcome, usize)>, ApiError> {
    // The first attempt decides from the summary read with the chunk; a lost race reads it again.
    let mut given = Some(summary);
    let applied = optimistically(APPLY_ATTEMPTS, || {
        let read = given.take();
        async move {
            let summary = match read {
                Some(summary) => summary,
                None => app.store.rewards_summary(&day.user_id, now).await?,
            };
            // A day older than the last one applied (a time-zone change) only leaves the index.
            let after = summary.streak.after(day.day, outcome).unwrap_or(summary.streak);
            let entries: Vec<LedgerEntry> = if after == summary.streak {
                Vec::new()
            } else {
                day_awards(&app.config.reward_rules, outcome, &after, &summary.badges)
                    .iter()
                    .map(|award| LedgerEntry::of(award, day.day, None, now))
                    .collect()
            };
            Ok::<_, ApiError>(match app.store.apply_day(day, &summary.streak, &after, &entries).await? {
                None => Attempt::Done(None),
                Some(true) => Attempt::Done(Some((outcome, entries.len()))),
                Some(false) => Attempt::Again,
            })
        }
    })
    .await?;
    applied.ok_or_else(|| {
        ApiError::Internal(format!("the streak of {} kept changing while applying {}", day.user_id, day.day))
    })
}

/// A badge as its owner sees it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeView {
    pub badge: Badge,
    pub title: &'static str,
    /// The owner's local day it was earned on.
    pub day: NaiveDate,
    pub earned_at: DateTime<Utc>,
}

impl From<&BadgeRecord> for BadgeView {
    fn from(record: &BadgeRecord) -> Self {
        Self { badge: record.badge, title: record.badge.title(), day: record.day, earned_at: record.earned_at }
    }
}

/// `GET /v1/me/rewards`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardsView {
    pub points: u64,
    /// Consecutive local days answered, as of today (0 once a day was missed).
    pub current_streak: u32,
    pub best_streak: u32,
    pub badges: Vec<BadgeView>,
    /// Newest first.
    pub ledger: Vec<LedgerEntry>,
    /// Pass as `cursor` for the next page of the ledger; absent on the last page.
    pub next_cursor: Option<String>,
}

/// The caller's rewards, with one page of their ledger (before `cursor` when given).
pub async fn rewards(
    app: &App,
    user_id: &UserId,
    cursor: Option<&str>,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<RewardsView, ApiError> {
    let user = account(app, user_id, now).await?;
    let (summary, badges, page) = tokio::try_join!(
        app.store.rewards_summary(user_id, now),
        app.store.badges(user_id, now),
        app.store.ledger(user_id, cursor, limit, now),
    )?;
    let (today, _) = local_day(&user.timezone, now);
    let mut badges: Vec<BadgeView> = badges.iter().map(BadgeView::from).collect();
    badges.sort_by_key(|b| b.earned_at);
    Ok(RewardsView {
        points: summary.points,
        current_streak: summary.streak.current_on(today),
        best_streak: summary.streak.best,
        badges,
        ledger: page.entries,
        next_cursor: page.next,
    })
}
