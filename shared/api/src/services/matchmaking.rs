//! The pairing sweep, in four named steps: read today's pool, run the engine, write each
//! pair (match + conversation in one transaction conditioned on both users still queued),
//! notify. Safe to overlap and to retry: a user leaves `queued` at most once per day.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use tandem_domain::availability::day_at_offset;
use tandem_domain::notifications::PushRequest;
use tandem_domain::{ConversationId, MatchId, UserId};
use tandem_pairing::{Outcome, PoolUser};
use tandem_store::{AvailabilityRecord, ConversationRecord, MatchOutcome, MatchRecord, StoreError};

use crate::outbound::realtime::ServerEvent;
use crate::{ApiError, App};

/// A conversation lasts this long.
pub const CONVERSATION_HOURS: i64 = 24;
/// Transactions in flight at once.
const WRITE_CONCURRENCY: usize = 16;

/// What a sweep did, step by step (returned by the job and logged once).
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepReport {
    pub pool: usize,
    pub stale_dropped: usize,
    pub candidate_edges: usize,
    pub pairs: usize,
    pub created: usize,
    pub skipped: usize,
    pub unmatched: usize,
    pub read_ms: u64,
    pub candidates_ms: u64,
    pub scoring_ms: u64,
    pub matching_ms: u64,
    pub write_ms: u64,
    pub notify_ms: u64,
}

/// Today's pool: each live user's engine input and the local day their match counts for.
struct Pool {
    users: Vec<PoolUser>,
    days: HashMap<UserId, NaiveDate>,
}

pub async fn sweep(app: &App, now: DateTime<Utc>) -> Result<SweepReport, ApiError> {
    let mut report = SweepReport::default();
    let pool = read_pool(app, now, &mut report).await?;
    let outcome = run_engine(app, pool.users, &mut report).await?;
    let (created, write_error) = write_pairs(app, &outcome, &pool.days, now, &mut report).await;
    notify(app, &created, &mut report).await?;
    match write_error {
        // Created pairs are kept and notified; the failed ones stay queued for the next sweep.
        Some(error) => Err(error.into()),
        None => Ok(report),
    }
}

/// Step 1: every queued record; those queued for a local day that has ended leave the pool.
async fn read_pool(app: &App, now: DateTime<Utc>, report: &mut SweepReport) -> Result<Pool, ApiError> {
    let started = Instant::now();
    let records = app.store.read_pool().await?;
    let (live, stale): (Vec<AvailabilityRecord>, Vec<AvailabilityRecord>) =
        records.into_iter().partition(|r| r.day == day_at_offset(r.utc_offset_minutes, now));
    for record in &stale {
        app.store.drop_from_pool(&record.user_id, record.day).await?;
    }
    report.stale_dropped = stale.len();
    let days = live.iter().map(|r| (r.user_id.clone(), r.day)).collect();
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

/// Step 2: the pairing engine (CPU-bound: on the blocking pool).
async fn run_engine(app: &App, users: Vec<PoolUser>, report: &mut SweepReport) -> Result<Outcome, ApiError> {
    let config = app.config.pairing.clone();
    let outcome = tokio::task::spawn_blocking(move || tandem_pairing::run(users, &[], &config))
        .await
        .map_err(|e| ApiError::Internal(format!("pairing engine: {e}")))?;
    report.pool = outcome.stats.pool;
    report.candidate_edges = outcome.stats.candidate_edges;
    report.pairs = outcome.stats.pairs;
    report.candidates_ms = outcome.stats.candidates_time.as_millis() as u64;
    report.scoring_ms = outcome.stats.scoring_time.as_millis() as u64;
    report.matching_ms = outcome.stats.matching_time.as_millis() as u64;
    Ok(outcome)
}

/// Step 3: one transaction per pair, bounded in flight. Returns the matches created and the
/// first failure (a failed pair's users stay queued).
async fn write_pairs(
    app: &App,
    outcome: &Outcome,
    days: &HashMap<UserId, NaiveDate>,
    now: DateTime<Utc>,
    report: &mut SweepReport,
) -> (Vec<MatchRecord>, Option<StoreError>) {
    let started = Instant::now();
    let mut writes = Vec::new();
    for pair in &outcome.pairs {
        let (a, b) = (&outcome.pool[pair.a].id, &outcome.pool[pair.b].id);
        let (Some(&day_a), Some(&day_b)) = (days.get(a), days.get(b)) else {
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
        let conversation = ConversationRecord::new(
            record.conversation_id.clone(),
            record.match_id.clone(),
            record.users.clone(),
            now,
            now + Duration::hours(CONVERSATION_HOURS),
        );
        writes.push((record, conversation));
    }
    let results: Vec<(MatchRecord, Result<MatchOutcome, StoreError>)> = stream::iter(writes)
        .map(|(record, conversation)| async move {
            let result = app.store.create_match(&record, &conversation).await;
            (record, result)
        })
        .buffer_unordered(WRITE_CONCURRENCY)
        .collect()
        .await;
    let mut created = Vec::new();
    let mut first_error = None;
    for (record, result) in results {
        match result {
            Ok(MatchOutcome::Created) => created.push(record),
            Ok(MatchOutcome::Skipped) => report.skipped += 1,
            Err(error) => {
                tracing::error!(match_id = %record.match_id, %error, "writing a match failed");
                first_error.get_or_insert(error);
            }
        }
    }
    report.created = created.len();
    report.unmatched = report.pool.saturating_sub(2 * report.created);
    report.write_ms = started.elapsed().as_millis() as u64;
    (created, first_error)
}

/// Step 4: `match.created` to both users' open connections, and a push request for each.
async fn notify(app: &App, created: &[MatchRecord], report: &mut SweepReport) -> Result<(), ApiError> {
    let started = Instant::now();
    let notifications: Vec<PushRequest> = created
        .iter()
        .flat_map(|record| {
            record.users.iter().map(|user| PushRequest::match_created(user, &record.match_id, &record.conversation_id))
        })
        .collect();
    for request in &notifications {
        let event = ServerEvent::new("match.created", request.data.clone());
        if let Err(error) = app.realtime.to_user(&request.user_id, &event).await {
            tracing::warn!(user_id = %request.user_id, error = ?error, "match.created event not delivered");
        }
    }
    app.push.send(&notifications).await?;
    report.notify_ms = started.elapsed().as_millis() as u64;
    Ok(())
}
