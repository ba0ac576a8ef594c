//! What the two engagement jobs cost on DynamoDB Local: time and DynamoDB calls per run.
//!
//! `RUST_LOG=warn scripts/with-emulators.sh cargo bench -p tandem-tests --bench engagement_jobs`
//!
//! - `streaks-rewards`: 10,000 users queued at the same instant across 24 UTC offsets
//!   (−11 … +12 h), in pairs of the same zone: a third of the pairs matched and both wrote,
//!   a third matched and silent, a third unmatched. The job then runs once an hour for 26
//!   hours (the hours in which those local days end), and once more over the same hours
//!   (everything applied: nothing to do).
//! - `ghost-reminders`: 5,000 active conversations in which one participant wrote; one run
//!   before anyone is due, one when all 5,000 are due, and one after (all reminded).
//!
//! One table, reminders measured first. Seeding goes through the store (no HTTP), and the
//! pipeline is stopped first, so the notification worker does not compete with the measured
//! runs. Calls are counted by an SDK interceptor on the jobs' own DynamoDB client.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use futures::stream::{self, StreamExt};
use tandem_api::App;
use tandem_domain::availability::{AvailabilityState, local_day, local_day_end};
use tandem_domain::conversation::ModerationState;
use tandem_domain::profile::{CommunicationStyle, Depth, ResponsePace};
use tandem_domain::{ConversationId, MatchId, MessageId, UserId};
use tandem_pairing::PoolUser;
use tandem_store::{ActiveDay, AvailabilityRecord, ConversationRecord, MatchRecord, MessageRecord, Store};
use tandem_tests::*;

const USERS: usize = 10_000;
const CONVERSATIONS: usize = 5_000;
const SEED_CONCURRENCY: usize = 48;

fn snapshot(id: &UserId, offset: i32) -> PoolUser {
    PoolUser {
        id: id.clone(),
        utc_offset_minutes: offset,
        values: BTreeMap::new(),
        interests: BTreeMap::new(),
        communication: CommunicationStyle { directness: 50, humour: 50, response_pace: ResponsePace::Quick },
        depth: Depth::Moderate,
        chat_hours: vec![],
        response_rate: 1.0,
        abandoned_in_a_row: 0,
        excluded: vec![],
        trust: 50,
        intent: None,
    }
}

/// `Etc/GMT-5` is UTC+5: the 24 whole-hour zones from −11 to +12.
fn zones() -> Vec<String> {
    (-11..=12).map(|h: i32| if h == 0 { "Etc/GMT".to_owned() } else { format!("Etc/GMT{:+}", -h) }).collect()
}

async fn queue(store: &Store, user: &UserId, zone: &str, at: DateTime<Utc>) -> AvailabilityRecord {
    let (day, offset) = local_day(zone, at);
    let record = AvailabilityRecord {
        user_id: user.clone(),
        day,
        state: AvailabilityState::Queued,
        utc_offset_minutes: offset,
        queued_at: at,
        snapshot: snapshot(user, offset),
        late_exclusions: vec![],
        match_id: None,
        conversation_id: None,
    };
    let active = ActiveDay { user_id: user.clone(), day, ends_at: local_day_end(zone, day) };
    seeded(|| store.queue(&record, &active, at)).await;
    record
}

/// A match and its conversation between two queued users; `writers` of them send one message.
async fn matched(store: &Store, pair: [&AvailabilityRecord; 2], at: DateTime<Utc>, writers: usize) {
    let users = [pair[0].user_id.clone(), pair[1].user_id.clone()];
    let record = MatchRecord {
        match_id: MatchId::generate(),
        conversation_id: ConversationId::generate(),
        users: users.clone(),
        days: [pair[0].day, pair[1].day],
        score: 50.0,
        breakdown: serde_json::from_value(json!({"values": 10.0, "communication": 10.0, "interests": 10.0,
            "depth": 10.0, "availability": 5.0, "responseBonus": 5.0, "ghostingPenalty": 0.0}))
        .expect("breakdown"),
        reasons: vec![],
        created_at: at,
    };
    let conversation = ConversationRecord::new(
        record.conversation_id.clone(),
        record.match_id.clone(),
        users,
        at,
        at + Duration::hours(24),
    );
    seeded(|| store.create_match(&record, &conversation, [at, at])).await;
    for (position, author) in conversation.participants.iter().enumerate().take(writers) {
        let message = MessageRecord {
            message_id: MessageId::generate(),
            conversation_id: conversation.conversation_id.clone(),
            author: author.clone(),
            client_message_id: format!("c-{position}"),
            text: "hello".into(),
            sent_at: at + Duration::minutes(1),
            moderation: ModerationState::Visible,
        };
        seeded(|| {
            store.send_message(
                &message,
                position,
                at + Duration::days(3),
                tandem_domain::limits::RateLimit::SEND_MESSAGES,
                at + Duration::minutes(1),
            )
        })
        .await;
    }
}

#[tokio::main]
async fn main() {
    let api = TestApi::start().await;
    api.pipeline.stop();
    let (app, calls) = counted(&api).await;
    let store = api.app.store.clone();
    // Reminders first, on the empty table: the streaks part's conversations would otherwise
    // sit in the reminder index too (long expired, never run through the expiry job).
    reminders(&app, &store, &calls).await;
    streaks(&app, &store, &calls).await;
}

async fn streaks(app: &App, store: &Store, calls: &Calls) {
    let at: DateTime<Utc> = "2030-03-04T12:00:00Z".parse().unwrap();
    let zones = zones();
    let started = Instant::now();
    let pairs: Vec<(usize, String)> = (0..USERS / 2).map(|p| (p, zones[p % zones.len()].clone())).collect();
    stream::iter(pairs)
        .for_each_concurrent(SEED_CONCURRENCY, |(p, zone)| async move {
            let (a, b) = (UserId::generate(), UserId::generate());
            let (ra, rb) = (queue(store, &a, &zone, at).await, queue(store, &b, &zone, at).await);
            match p % 3 {
                0 => matched(store, [&ra, &rb], at, 2).await,
                1 => matched(store, [&ra, &rb], at, 0).await,
                _ => {}
            }
        })
        .await;
    eprintln!("seeded {USERS} users in {:.0} s", started.elapsed().as_secs_f64());

    println!("\n### streaks-rewards: {USERS} users, 24 offsets, one run per hour\n");
    println!(
        "| pass | runs | runs with work | days applied | total ms | busiest run: days / ms | calls (all runs) | calls per applied day |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for pass in ["first", "again"] {
        calls.take();
        let (mut applied, mut busy, mut total_ms, mut busiest) = (0u64, 0, 0.0, (0u64, 0.0));
        for hour in 1..=26 {
            let run = at + Duration::hours(hour);
            let timer = Instant::now();
            let report = tandem_api::jobs::streaks_rewards::handle(app.clone(), run).await.expect("job");
            let ms = timer.elapsed().as_secs_f64() * 1000.0;
            let days = report["applied"].as_u64().unwrap_or(0);
            applied += days;
            total_ms += ms;
            busy += usize::from(days > 0);
            if days > busiest.0 {
                busiest = (days, ms);
            }
        }
        let all = calls.take();
        let per_day: u64 = all.values().sum();
        let per_day = if applied == 0 { "—".to_owned() } else { format!("{:.2}", per_day as f64 / applied as f64) };
        println!(
            "| {pass} | 26 | {busy} | {applied} | {total_ms:.0} | {} / {:.0} | {} | {per_day} |",
            busiest.0,
            busiest.1,
            calls_text(&all)
        );
    }
}

async fn reminders(app: &App, store: &Store, calls: &Calls) {
    let at: DateTime<Utc> = "2030-06-01T12:00:00Z".parse().unwrap();
    let started = Instant::now();
    stream::iter(0..CONVERSATIONS)
        .for_each_concurrent(SEED_CONCURRENCY, |_| async move {
            let (a, b) = (UserId::generate(), UserId::generate());
            let (ra, rb) = (queue(store, &a, "Europe/Paris", at).await, queue(store, &b, "Europe/Paris", at).await);
            matched(store, [&ra, &rb], at, 1).await;
        })
        .await;
    eprintln!("seeded {CONVERSATIONS} conversations in {:.0} s", started.elapsed().as_secs_f64());

    println!("\n### ghost-reminders: {CONVERSATIONS} active conversations, one side waiting\n");
    println!("| run | due | reminded | ms | calls |");
    println!("|---|---|---|---|---|");
    let runs = [
        ("nobody due yet (5 h)", at + Duration::hours(5)),
        ("all due (6 h 15)", at + Duration::minutes(375)),
        ("again, all reminded (6 h 30)", at + Duration::minutes(390)),
    ];
    for (label, run) in runs {
        calls.take();
        let timer = Instant::now();
        let report = tandem_api::jobs::ghost_reminders::handle(app.clone(), run).await.expect("job");
        let ms = timer.elapsed().as_secs_f64() * 1000.0;
        println!("| {label} | {} | {} | {ms:.0} | {} |", report["due"], report["reminded"], calls_text(&calls.take()));
    }
}
