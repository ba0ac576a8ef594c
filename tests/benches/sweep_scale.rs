//! The pairing sweep end to end at 10,000 queued users on DynamoDB Local: read the pool,
//! run the engine, write the pairs, and the notifications that follow from the commits.
//!
//! `RUST_LOG=warn scripts/with-emulators.sh cargo bench -p tandem-tests --bench sweep_scale`
//!
//! 10,000 users (the engine's realistic synthetic pool: busy UTC offsets, Zipf-like values
//! and interests) are queued through the store, the stream settles, then one sweep runs with
//! its DynamoDB calls counted by an SDK interceptor. Notify = from the sweep's end until the
//! notification worker has handled every match (stream → pipe → queue → worker, the local
//! pipeline as in `template.yaml`). A second sweep then finds nothing left to pair. The
//! figures feed the AWS model in `docs/pairing.md`.

use std::sync::atomic::Ordering::Relaxed;
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use tandem_api::services::matchmaking;
use tandem_domain::UserId;
use tandem_domain::availability::{AvailabilityState, day_at_offset};
use tandem_pairing::synthetic::{self, Shape};
use tandem_store::{ActiveDay, AvailabilityRecord, Store};
use tandem_tests::*;

const USERS: usize = 10_000;
const SEED_CONCURRENCY: usize = 48;

#[tokio::main]
async fn main() {
    let api = TestApi::start().await;
    let (app, calls) = counted(&api).await;
    let at: DateTime<Utc> = "2030-03-04T12:00:00Z".parse().expect("time");

    let started = Instant::now();
    let (users, _) = synthetic::shaped(Shape::Realistic, USERS, 42);
    stream::iter(users)
        .for_each_concurrent(SEED_CONCURRENCY, |user| {
            let store = api.app.store.clone();
            async move { queue(&store, user, at).await }
        })
        .await;
    eprintln!("seeded {USERS} queued users in {:.0} s", started.elapsed().as_secs_f64());
    let worker =
        api.pipeline.status.workers.iter().find(|w| w.function == "notification-worker").expect("worker").clone();
    let handled = || worker.succeeded.load(Relaxed) + worker.failed.load(Relaxed);
    settle(&handled, StdDuration::from_secs(3)).await;
    let before = handled();

    calls.take();
    let sweep_at = at + Duration::minutes(1);
    let started = Instant::now();
    let report = matchmaking::sweep(&app, sweep_at).await.expect("sweep");
    let sweep_ms = started.elapsed().as_secs_f64() * 1000.0;
    let sweep_calls = calls.take();
    let started = Instant::now();
    let target = before + report.created as u64;
    while handled() < target && started.elapsed() < StdDuration::from_secs(600) {
        tokio::time::sleep(StdDuration::from_millis(50)).await;
    }
    let notify_ms = started.elapsed().as_secs_f64() * 1000.0;
    let notified = handled() - before;

    let again = Instant::now();
    let second = matchmaking::sweep(&app, sweep_at + Duration::minutes(1)).await.expect("second sweep");
    let second_ms = again.elapsed().as_secs_f64() * 1000.0;
    let second_calls = calls.take();

    println!("\n### One sweep over {USERS} queued users (DynamoDB Local, 2 cores)\n");
    println!("| step | ms | DynamoDB calls |");
    println!("|---|---|---|");
    let queries = sweep_calls.get("Query").copied().unwrap_or(0);
    let transactions = sweep_calls.get("TransactWriteItems").copied().unwrap_or(0);
    println!("| read pool ({} users) | {} | {queries} Query |", report.pool, report.read_ms);
    println!(
        "| engine (candidates {} + scoring {} + matching {} ms) | {} | — |",
        report.candidates_ms,
        report.scoring_ms,
        report.matching_ms,
        report.candidates_ms + report.scoring_ms + report.matching_ms
    );
    println!(
        "| write {} pairs ({} created, {} skipped, {} failed, {} deferred) | {} | {transactions} TransactWriteItems |",
        report.pairs, report.created, report.skipped, report.failed, report.deferred, report.write_ms
    );
    println!("| whole sweep | {sweep_ms:.0} | {} |", calls_text(&sweep_calls));
    println!(
        "| notify: every match handled by the notification worker after the sweep | {notify_ms:.0} | ({notified} matches) |"
    );
    println!(
        "| second sweep (pool {}, created {}) | {second_ms:.0} | {} |",
        second.pool,
        second.created,
        calls_text(&second_calls)
    );
    println!("\nunmatched after the sweep: {}", report.unmatched);
}

/// Queues `user` for its local day at `at`, with its synthetic features as the snapshot.
async fn queue(store: &Store, user: tandem_pairing::PoolUser, at: DateTime<Utc>) {
    let offset = user.utc_offset_minutes;
    let day = day_at_offset(offset, at);
    let ends_at =
        (day + Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight").and_utc() - Duration::minutes(offset.into());
    let user_id: UserId = user.id.clone();
    let record = AvailabilityRecord {
        user_id: user_id.clone(),
        day,
        state: AvailabilityState::Queued,
        utc_offset_minutes: offset,
        queued_at: at,
        snapshot: user,
        late_exclusions: vec![],
        match_id: None,
        conversation_id: None,
    };
    let active = ActiveDay { user_id, day, ends_at };
    seeded(|| store.queue(&record, &active, at)).await;
}

/// Waits until `count` has not moved for `quiet`.
async fn settle(count: &impl Fn() -> u64, quiet: StdDuration) {
    let mut last = (count(), Instant::now());
    loop {
        tokio::time::sleep(StdDuration::from_millis(200)).await;
        let now = count();
        if now != last.0 {
            last = (now, Instant::now());
        } else if last.1.elapsed() >= quiet {
            return;
        }
    }
}
