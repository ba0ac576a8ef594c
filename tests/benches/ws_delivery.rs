//! WebSocket delivery latency on the local stack: send (client A) → `message.new` at the
//! peer (client B), through the gateway, the real handlers and DynamoDB Local.
//!
//! `scripts/with-emulators.sh cargo bench -p tandem-tests --bench ws_delivery`
//!
//! 100 matched conversations, 10 messages each (1,000 in all per run), both sides
//! connected. Runs at several rates: each conversation sending every 2 s, 1.1 s and 0.5 s
//! (50, ~90 and 200 messages/s in all, conversations starting spread over the interval),
//! and flat out (the next message as soon as the last one arrived). Every message is also
//! scanned by the moderation worker off the table's stream while this runs.
//!
//! Then the moderation lag: 3 messages per conversation that the rules hide (a phone number
//! in the first hours), at ~90 messages/s; the lag is send → `message.hidden` at the peer
//! (stored → stream → pipe → queue → worker → hidden → event). Last, the ~90 messages/s run
//! again with the pipeline stopped: the send path alone, without the scans' load.
//! `WS_DELIVERY_IAM_GATE=off` runs it all without the local IAM gate, for its cost.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::future::join_all;
use tandem_tests::*;

const CONVERSATIONS: usize = 100;
const MESSAGES_PER_CONVERSATION: usize = 10;
/// How long a client waits for an event before counting it missing (and moving on).
const PATIENCE: Duration = Duration::from_secs(10);

/// What one conversation's run saw: each delivered message's latency (ms), and how many
/// messages (or their acks) did not arrive within [`PATIENCE`].
#[derive(Default)]
struct Seen {
    latencies: Vec<f64>,
    missing: usize,
}

struct Pair {
    sender: Chat,
    receiver: Chat,
    conversation: String,
}

async fn setup(api: &TestApi) -> Vec<Pair> {
    let names: Vec<String> = (0..2 * CONVERSATIONS).map(|i| format!("M{i}")).collect();
    let members: Vec<Session> = join_all(names.iter().map(|name| api.member(name, "Europe/Paris"))).await;
    join_all(members.iter().map(|m| api.put("/v1/availability/today", &m.access, json!({})))).await;
    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["created"].as_u64(), Some(CONVERSATIONS as u64), "{}", report.body);
    let by_id: HashMap<&str, &Session> = members.iter().map(|m| (m.user_id.as_str(), m)).collect();
    let mut pairs = Vec::new();
    let mut taken = std::collections::HashSet::new();
    for member in &members {
        if taken.contains(&member.user_id) {
            continue;
        }
        let today = api.get("/v1/match/today", Some(&member.access)).await.body;
        let partner = by_id[today["partner"]["userId"].as_str().unwrap()];
        taken.insert(member.user_id.clone());
        taken.insert(partner.user_id.clone());
        let mut sender = Chat::connect(api, &member.access).await.unwrap();
        let mut receiver = Chat::connect(api, &partner.access).await.unwrap();
        sender.patience = PATIENCE;
        receiver.patience = PATIENCE;
        pairs.push(Pair { sender, receiver, conversation: today["conversationId"].as_str().unwrap().to_owned() });
    }
    pairs
}

/// Sends every message of one conversation, counting what arrives and what does not (a
/// late or lost event is a result, not a reason to stop). Texts differ between runs: the
/// same text a third time is spam, which the scan would hide.
async fn converse(pair: &mut Pair, run: &str, pace: Option<Duration>) -> Seen {
    let mut seen = Seen::default();
    for i in 0..MESSAGES_PER_CONVERSATION {
        let started = Instant::now();
        let client_id = format!("{}-{i}", run.replace([' ', '.', ','], ""));
        pair.sender
            .send(json!({ "action": "sendMessage", "conversationId": pair.conversation,
                          "clientMessageId": client_id, "text": format!("{run}: message {i}") }))
            .await;
        // An earlier message arriving late is passed over: this one is waited for.
        let delivered = loop {
            match pair.receiver.expect_in_time("message.new").await {
                Some(event) if event["message"]["clientMessageId"] == client_id.as_str() => break true,
                Some(_) => continue,
                None => break false,
            }
        };
        if delivered {
            seen.latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        } else {
            seen.missing += 1;
        }
        if pair.sender.expect_in_time("message.ack").await.is_none() {
            seen.missing += usize::from(delivered);
        }
        if let Some(pace) = pace {
            tokio::time::sleep(pace.saturating_sub(started.elapsed())).await;
        }
    }
    seen
}

async fn measure(api: &TestApi, pairs: &mut [Pair], run: &str, pace: Option<Duration>) {
    let started = Instant::now();
    // Conversations start spread over one interval, as independent users would, rather
    // than all in the same instant.
    let count = pairs.len() as u32;
    let results = join_all(pairs.iter_mut().enumerate().map(|(k, pair)| async move {
        if let Some(pace) = pace {
            tokio::time::sleep(pace * k as u32 / count).await;
        }
        converse(pair, run, pace).await
    }))
    .await;
    let elapsed = started.elapsed().as_secs_f64();
    let missing: usize = results.iter().map(|seen| seen.missing).sum();
    let latencies = results.into_iter().flat_map(|seen| seen.latencies).collect();
    print_row(run, latencies, elapsed, &format!("{missing} | {}", scans_behind(api)));
}

/// Messages the pipe has queued for scanning that the moderation worker has not finished.
fn scans_behind(api: &TestApi) -> u64 {
    use std::sync::atomic::Ordering::Relaxed;
    let status = &api.pipeline.status;
    let queued: u64 =
        status.pipes.iter().filter(|p| p.name == "MessageScanPipe").map(|p| p.forwarded.load(Relaxed)).sum();
    let scanned: u64 =
        status.workers.iter().filter(|w| w.function == "moderation-worker").map(|w| w.succeeded.load(Relaxed)).sum();
    queued.saturating_sub(scanned)
}

/// One table row: count, rate and percentiles of `samples` (ms) taken over `elapsed` s.
fn print_row(run: &str, mut samples: Vec<f64>, elapsed: f64, last_column: &str) {
    if samples.is_empty() {
        println!("| {run} | 0 | 0 | – | – | – | – | {last_column} |");
        return;
    }
    samples.sort_by(f64::total_cmp);
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "| {run} | {} | {:.0} | {:.1} | {:.1} | {:.1} | {:.1} | {last_column} |",
        samples.len(),
        samples.len() as f64 / elapsed,
        at(0.5),
        at(0.95),
        at(0.99),
        samples[samples.len() - 1]
    );
}

#[tokio::main]
async fn main() {
    // `WS_DELIVERY_IAM_GATE=off`: the same runs with every function calling the emulators
    // directly, to measure what the local IAM gate (a proxy hop per call) costs.
    let gated = std::env::var("WS_DELIVERY_IAM_GATE").map_or(true, |v| v != "off");
    let api = if gated { TestApi::start().await } else { TestApi::start_without_iam_gate().await };
    println!("(IAM gate {})", if gated { "on: every call through the policy check" } else { "off" });
    let mut pairs = setup(&api).await;
    // Warm-up: connections, caches and the JIT of DynamoDB Local.
    join_all(pairs.iter_mut().map(|pair| converse(pair, "warmup", Some(Duration::from_secs(2))))).await;
    println!(
        "| run | messages | messages/s | p50 ms | p95 ms | p99 ms | max ms | missing (not in {} s) | scans behind at the end |",
        PATIENCE.as_secs()
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    measure(&api, &mut pairs, "every 2 s", Some(Duration::from_secs(2))).await;
    measure(&api, &mut pairs, "every 1.1 s", Some(Duration::from_millis(1_100))).await;
    measure(&api, &mut pairs, "every 0.5 s", Some(Duration::from_millis(500))).await;
    measure(&api, &mut pairs, "flat out", None).await;
    // The lag of a message scanned behind a backlog is the backlog's: measure from idle.
    wait_for_idle_scans(&api).await;
    moderation_lag(&mut pairs, Duration::from_millis(1_100)).await;
    service_alone(&api, &pairs).await;
    // The send path alone, for comparison: the same pace with no scans sharing the machine.
    api.pipeline.stop();
    println!();
    println!(
        "| without the pipeline (no scans) | messages | messages/s | p50 ms | p95 ms | p99 ms | max ms | missing | |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    measure(&api, &mut pairs, "every 1.1 s, no scans", Some(Duration::from_millis(1_100))).await;
}

/// Waits until the moderation worker has finished with everything sent so far.
async fn wait_for_idle_scans(api: &TestApi) {
    use std::sync::atomic::Ordering::Relaxed;
    let worker = api.pipeline.status.workers.iter().find(|w| w.function == "moderation-worker").unwrap().clone();
    let started = Instant::now();
    let mut last = u64::MAX;
    loop {
        tokio::time::sleep(Duration::from_secs(2)).await;
        let done = worker.succeeded.load(Relaxed);
        if done == last {
            break;
        }
        last = done;
    }
    println!();
    println!(
        "(moderation backlog of the delivery runs drained {:.0} s after the flat-out run: {last} scans)",
        started.elapsed().as_secs_f64()
    );
}

/// Sends messages the rules hide; returns each one's send → `message.hidden` time (ms).
async fn hidden_after(pair: &mut Pair, pace: Duration) -> Seen {
    let mut seen = Seen::default();
    for i in 0..3 {
        let started = Instant::now();
        let client_id = format!("hide-{i}");
        pair.sender
            .send(json!({ "action": "sendMessage", "conversationId": pair.conversation,
                          "clientMessageId": client_id, "text": format!("call me on 06 12 34 56 7{i}") }))
            .await;
        let Some(ack) = pair.sender.expect_in_time("message.ack").await else {
            seen.missing += 1;
            continue;
        };
        let id = ack["message"]["messageId"].clone();
        // Taken off the peer's backlog so that later runs read their own messages.
        pair.receiver.expect_in_time("message.new").await;
        let hidden = loop {
            match pair.receiver.expect_in_time("message.hidden").await {
                Some(hidden) if hidden["messageId"] == id => break true,
                Some(_) => continue,
                None => break false,
            }
        };
        if hidden {
            seen.latencies.push(started.elapsed().as_secs_f64() * 1000.0);
        } else {
            seen.missing += 1;
        }
        tokio::time::sleep(pace.saturating_sub(started.elapsed())).await;
    }
    seen
}

async fn moderation_lag(pairs: &mut [Pair], pace: Duration) {
    let count = pairs.len() as u32;
    let started = Instant::now();
    let results = join_all(pairs.iter_mut().enumerate().map(|(k, pair)| async move {
        tokio::time::sleep(pace * k as u32 / count).await;
        hidden_after(pair, pace).await
    }))
    .await;
    println!();
    println!(
        "| moderation lag (send → message.hidden) | messages | messages/s | p50 ms | p95 ms | p99 ms | max ms | missing | |"
    );
    println!("|---|---|---|---|---|---|---|---|---|");
    let missing: usize = results.iter().map(|seen| seen.missing).sum();
    let lags = results.into_iter().flat_map(|seen| seen.latencies).collect();
    print_row("every 1.1 s", lags, started.elapsed().as_secs_f64(), &format!("{missing} | "));
}

/// Where a send's time goes: the send service called directly (its DynamoDB calls and the
/// handler's own code, no gateway, no sockets, no fan-out), one message at a time, next to
/// one bare `GetItem` on the same engine (the floor of any call).
async fn service_alone(api: &TestApi, pairs: &[Pair]) {
    use tandem_api::services::conversations::send_message;
    let mut sends = Vec::new();
    let mut reads = Vec::new();
    for (k, pair) in pairs.iter().take(20).enumerate() {
        let conversation = pair.conversation.parse().unwrap();
        let record = api.app.store.conversation(&conversation, chrono::Utc::now()).await.unwrap().unwrap();
        let author = record.participants[0].clone();
        for i in 0..5 {
            let started = Instant::now();
            let sent = send_message(
                &api.app,
                &conversation,
                &author,
                &format!("alone-{k}-{i}"),
                "measured",
                chrono::Utc::now(),
            )
            .await;
            sends.push(started.elapsed().as_secs_f64() * 1000.0);
            assert!(sent.is_ok(), "the send service refused");
            let started = Instant::now();
            api.app.store.conversation(&conversation, chrono::Utc::now()).await.unwrap();
            reads.push(started.elapsed().as_secs_f64() * 1000.0);
        }
    }
    println!();
    println!("| where a send's time goes (one at a time) | calls | calls/s | p50 ms | p95 ms | p99 ms | max ms | | |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let total: f64 = sends.iter().sum::<f64>() / 1000.0;
    print_row("send service (DynamoDB calls + handler code)", sends, total, " | ");
    let total: f64 = reads.iter().sum::<f64>() / 1000.0;
    print_row("one GetItem (the engine's floor)", reads, total, " | ");
}
