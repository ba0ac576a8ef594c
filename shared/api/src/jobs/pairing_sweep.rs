//! The pairing sweep (every minute): today's pool → the engine → one transaction per
//! pair → push requests. Safe to overlap and to retry: a pair is only written while both
//! users are still queued for their day.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use tandem_domain::UserId;
use tandem_domain::availability::day_at_offset;
use tandem_domain::notifications::PushRequest;
use tandem_store::{AvailabilityRecord, ConversationRecord, MatchOutcome, MatchRecord};

use crate::jobs::JobResult;
use crate::realtime::ServerEvent;
use crate::{ApiError, App};

/// A conversation lasts this long.
pub const CONVERSATION_HOURS: i64 = 24;
/// Transactions in flight at once.
const WRITE_CONCURRENCY: usize = 16;

#[derive(Debug, Default, Serialize)]
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

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    let report = sweep(&app, now).await?;
    serde_json::to_value(report).map_err(|e| ApiError::Internal(e.to_string()))
}

pub async fn sweep(app: &App, now: DateTime<Utc>) -> Result<SweepReport, ApiError> {
    let mut report = SweepReport::default();
    let started = Instant::now();
    let records = app.store.read_pool().await?;
    // A record queued for a local day that has ended leaves the pool.
    let (live, stale): (Vec<AvailabilityRecord>, Vec<AvailabilityRecord>) =
        records.into_iter().partition(|r| r.day == day_at_offset(r.utc_offset_minutes, now));
    for record in &stale {
        app.store.drop_from_pool(&record.user_id, record.day).await?;
    }
    report.stale_dropped = stale.len();
    report.read_ms = started.elapsed().as_millis() as u64;

    let days: HashMap<String, chrono::NaiveDate> = live.iter().map(|r| (r.user_id.to_string(), r.day)).collect();
    let users = live
        .into_iter()
        .map(|record| {
            let mut user = record.snapshot;
            user.id = record.user_id.to_string();
            user.excluded.extend(record.late_exclusions);
            user
        })
        .collect();
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

    let started = Instant::now();
    let mut writes = Vec::new();
    for pair in &outcome.pairs {
        let ids = [&outcome.pool[pair.a].id, &outcome.pool[pair.b].id];
        let (Some(a), Some(b)) = (UserId::parse(ids[0]), UserId::parse(ids[1])) else { continue };
        let match_id = uuid::Uuid::now_v7().to_string();
        let conversation_id = uuid::Uuid::now_v7().to_string();
        let record = MatchRecord {
            match_id: match_id.clone(),
            conversation_id: conversation_id.clone(),
            users: [a.clone(), b.clone()],
            days: [days[ids[0]], days[ids[1]]],
            score: pair.score.total,
            breakdown: pair.score.breakdown.clone(),
            reasons: pair.score.reasons.clone(),
            created_at: now,
        };
        let conversation =
            ConversationRecord::new(conversation_id, match_id, [a, b], now, now + Duration::hours(CONVERSATION_HOURS));
        writes.push((record, conversation));
    }
    let results: Vec<(MatchRecord, Result<MatchOutcome, tandem_store::StoreError>)> = stream::iter(writes)
        .map(|(record, conversation)| async move {
            let result = app.store.create_match(&record, &conversation).await;
            (record, result)
        })
        .buffer_unordered(WRITE_CONCURRENCY)
        .collect()
        .await;
    let mut notifications = Vec::new();
    let mut first_error = None;
    for (record, result) in results {
        match result {
            Ok(MatchOutcome::Created) => {
                report.created += 1;
                for user in &record.users {
                    notifications.push(PushRequest::match_created(user, &record.match_id, &record.conversation_id));
                }
            }
            Ok(MatchOutcome::Skipped) => report.skipped += 1,
            Err(error) => {
                tracing::error!(match_id = %record.match_id, %error, "writing a match failed");
                first_error.get_or_insert(error);
            }
        }
    }
    report.unmatched = report.pool - 2 * report.created;
    report.write_ms = started.elapsed().as_millis() as u64;

    let started = Instant::now();
    for request in &notifications {
        let event = ServerEvent::new("match.created", request.data.clone());
        if let Err(error) = app.realtime.to_user(&app.store, &request.user_id, &event).await {
            tracing::warn!(user_id = %request.user_id, error = ?error, "match.created event not delivered");
        }
    }
    app.push.send(&notifications).await?;
    report.notify_ms = started.elapsed().as_millis() as u64;

    tracing::info!(
        pool = report.pool,
        stale_dropped = report.stale_dropped,
        candidate_edges = report.candidate_edges,
        pairs = report.pairs,
        created = report.created,
        skipped = report.skipped,
        unmatched = report.unmatched,
        read_ms = report.read_ms,
        candidates_ms = report.candidates_ms,
        scoring_ms = report.scoring_ms,
        matching_ms = report.matching_ms,
        write_ms = report.write_ms,
        notify_ms = report.notify_ms,
        "pairing sweep"
    );
    match first_error {
        // Created pairs are kept and notified; the failed ones stay queued for the next sweep.
        Some(error) => Err(error.into()),
        None => Ok(report),
    }
}
