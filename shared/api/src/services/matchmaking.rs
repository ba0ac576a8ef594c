//! The pairing sweep, in three named steps: read today's pool, run the engine, write each
//! pair (match + conversation in one transaction conditioned on both users still queued).
//! Safe to overlap and to retry: a user leaves `queued` at most once per day. Telling the
//! users follows from each committed match (the table's stream → the notification worker),
//! so nothing after the writes can fail the sweep or lose a notification.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use tandem_domain::availability::day_at_offset;
use tandem_domain::prompts::{Prompt, choose_icebreaker};
use tandem_domain::{ConversationId, MatchId, UserId};
use tandem_pairing::{Outcome, PoolUser};
use tandem_store::{AvailabilityRecord, ConversationRecord, MatchOutcome, MatchRecord};

use crate::{ApiError, App};

/// A conversation lasts this long.
pub const CONVERSATION_HOURS: i64 = 24;
/// Transactions in flight at once: at ~20 ms each in AWS, 64 commit ~3,000 pairs a second
/// (50,000 pairs, a 100,000-user pool, in ~16 s; `docs/pairing.md`).
const WRITE_CONCURRENCY: usize = 64;
/// How long a sweep may spend before it stops starting new pair writes: the function's
/// timeout is 50 s; what is in flight then finishes, and the pairs not started stay queued
/// for the next sweep (a minute later). Never a half-made pair: each pair is one transaction.
pub const SWEEP_BUDGET: std::time::Duration = std::time::Duration::from_secs(40);

/// What a sweep did, step by step (returned by the job and logged once).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    pub pool: usize,
    pub stale_dropped: usize,
    pub candidate_edges: usize,
    pub pairs: usize,
    pub created: usize,
    /// Pairs not written because the sweep ran out of time: both stay queued.
    pub deferred: usize,
    pub skipped: usize,
    /// Pairs whose write failed: both users stay queued for the next sweep.
    pub failed: usize,
    pub unmatched: usize,
    pub read_ms: u64,
    pub candidates_ms: u64,
    pub scoring_ms: u64,
    pub matching_ms: u64,
    pub write_ms: u64,
}

/// Today's pool: each live user's engine input and the local day their match counts for.
struct Pool {
    users: Vec<PoolUser>,
    /// Each queued user's local day and when they queued.
    days: HashMap<UserId, (NaiveDate, DateTime<Utc>)>,
}

pub async fn sweep(app: &App, now: DateTime<Utc>) -> Result<SweepReport, ApiError> {
    sweep_within(app, now, SWEEP_BUDGET).await
}

/// A sweep that starts no pair write once `budget` has passed since it began.
pub async fn sweep_within(app: &App, now: DateTime<Utc>, budget: std::time::Duration) -> Result<SweepReport, ApiError> {
    let deadline = Instant::now() + budget;
    let mut report = SweepReport::default();
    let pool = read_pool(app, now, &mut report).await?;
    // Icebreakers are a nicety: a failed catalogue read never holds the pairs back.
    let icebreakers = crate::services::prompts::icebreakers(app, now).await.unwrap_or_else(|error| {
        tracing::warn!(%error, "the prompt catalogue could not be read: conversations open without an icebreaker");
        Vec::new()
    });
    let outcome = run_engine(app, pool.users, &mut report).await?;
    write_pairs(app, &outcome, &pool.days, &icebreakers, now, deadline, &mut report).await;
    Ok(report)
}

/// Step 1: every queued record; those queued for a local day that has ended leave the pool.
async fn read_pool(app: &App, now: DateTime<Utc>, report: &mut SweepReport) -> Result<Pool, ApiError> {
    let started = Instant::now();
    let records = app.store.read_pool().await?;
    let (live, stale): (Vec<AvailabilityRecord>, Vec<AvailabilityRecord>) =
        records.into_iter().partition(|r| r.day == day_at_offset(r.utc_offset_minutes, now));
    for record in &stale {
        app.store.drop_from_pool(record, now).await?;
    }
    report.stale_dropped = stale.len();
    let live = one_record_per_user(live);
    let days = live.iter().map(|r| (r.user_id.clone(), (r.day, r.queued_at))).collect();
    let users = live
        .into_iter()
        .map(|record| {
            let mut user = record.snapshot;
            user.id = record.user_id;
            user.excluded.extend(record.late_exclusions);
            user
        })
        .collect();
    report.read_ms = started.elapsed().as_millis() as u64;
    Ok(Pool { users, days })
}

/// A user is in the pool once (the engine refuses duplicates): should two records of one
/// user both be live (a timezone change around midnight), the earlier queued one counts.
fn one_record_per_user(mut live: Vec<AvailabilityRecord>) -> Vec<AvailabilityRecord> {
    live.sort_by(|a, b| a.user_id.cmp(&b.user_id).then(a.queued_at.cmp(&b.queued_at)));
    live.dedup_by(|later, earlier| {
        let same = later.user_id == earlier.user_id;
        if same {
            tracing::warn!(user = %later.user_id, day = %later.day, "a second live availability record: left out of this sweep");
        }
        same
    });
    live
}

/// Step 2: the pairing engine (CPU-bound: on the blocking pool).
async fn run_engine(app: &App, users: Vec<PoolUser>, report: &mut SweepReport) -> Result<Outcome, ApiError> {
    let config = app.config.pairing.clone();
    let outcome = tokio::task::spawn_blocking(move || tandem_pairing::run(users, &[], &config))
        .await
        .map_err(|e| ApiError::Internal(format!("pairing engine: {e}")))?
        .map_err(|e| ApiError::Internal(format!("pairing engine refused the pool: {e}")))?;
    report.pool = outcome.stats.pool;
    report.candidate_edges = outcome.stats.candidate_edges;
    report.pairs = outcome.stats.pairs;
    report.candidates_ms = outcome.stats.candidates_time.as_millis() as u64;
    report.scoring_ms = outcome.stats.scoring_time.as_millis() as u64;
    report.matching_ms = outcome.stats.matching_time.as_millis() as u64;
    Ok(outcome)
}

/// Step 3: one transaction per pair, bounded in flight, longest waiting first. A failed pair is
/// counted and logged, never fatal: its users stay queued for the next sweep, and the pairs
/// written are kept (and notified from the stream). Past the deadline no new write starts.
/// Each conversation opens with an icebreaker chosen from the pair's shared interests.
async fn write_pairs(
    app: &App,
    outcome: &Outcome,
    days: &HashMap<UserId, (NaiveDate, DateTime<Utc>)>,
    icebreakers: &[Prompt],
    now: DateTime<Utc>,
    deadline: Instant,
    report: &mut SweepReport,
) {
    let started = Instant::now();
    let mut writes = Vec::new();
    for pair in &outcome.pairs {
        let (user_a, user_b) = (&outcome.pool[pair.a], &outcome.pool[pair.b]);
        let (a, b) = (&user_a.id, &user_b.id);
        let (Some(&(day_a, queued_a)), Some(&(day_b, queued_b))) = (days.get(a), days.get(b)) else {
            tracing::error!(user_a = %a, user_b = %b, "a pair names a user outside the pool: skipped");
            continue;
        };
        let record = MatchRecord {
            match_id: MatchId::generate(),
            conversation_id: ConversationId::generate(),
            users: [a.clone(), b.clone()],
            days: [day_a, day_b],
            score: pair.score.total,
            breakdown: pair.score.breakdown.clone(),
            reasons: pair.score.reasons.clone(),
            created_at: now,
        };
        let mut conversation = ConversationRecord::new(
            record.conversation_id.clone(),
            record.match_id.clone(),
            record.users.clone(),
            now,
            now + Duration::hours(CONVERSATION_HOURS),
        );
        conversation.icebreaker =
            choose_icebreaker(icebreakers, &user_a.interests, &user_b.interests, record.conversation_id.as_str());
        writes.push((record, conversation, [queued_a, queued_b]));
    }
    // Those who waited longest first, so a sweep cut short serves them.
    writes.sort_by_key(|(_, _, queued_at)| queued_at[0].min(queued_at[1]));
    let planned = writes.len();
    let results: Vec<_> = stream::iter(writes)
        .take_while(|_| std::future::ready(Instant::now() < deadline))
        .map(|(record, conversation, queued_at)| async move {
            let result = app.store.create_match(&record, &conversation, queued_at).await;
            (record, queued_at, result)
        })
        .buffer_unordered(WRITE_CONCURRENCY)
        .collect()
        .await;
    report.deferred = planned - results.len();
    if report.deferred > 0 {
        tracing::warn!(
            deferred = report.deferred,
            "the sweep ran out of time: those pairs stay queued for the next one"
        );
    }
    let mut waits = Vec::new();
    for (record, queued_at, result) in results {
        match result {
            Ok(MatchOutcome::Created) => {
                report.created += 1;
                waits.extend(queued_at.iter().map(|at| (record.created_at - *at).num_seconds().max(0) as f64));
            }
            Ok(MatchOutcome::Skipped) => report.skipped += 1,
            Err(error) => {
                tracing::error!(match_id = %record.match_id, %error, "writing a match failed: both stay queued");
                report.failed += 1;
            }
        }
    }
    report.unmatched = report.pool.saturating_sub(2 * report.created);
    report.write_ms = started.elapsed().as_millis() as u64;
    use crate::telemetry::{Unit, emit, names, observations};
    observations(names::QUEUE_WAIT, Unit::Seconds, &waits);
    emit(
        &[],
        &[
            (names::MATCHES_MADE, Unit::Count, report.created as f64),
            (names::UNMATCHED_AFTER_SWEEP, Unit::Count, report.unmatched as f64),
        ],
    );
}
