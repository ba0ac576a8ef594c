//! Push lag on the local stack: a committed message → its "new message" push published to
//! the recipient's device (stored → stream → scan → `visible → scanned` → stream → pipe →
//! queue → notification worker → SNS `Publish` in moto).
//!
//! `scripts/with-emulators.sh cargo bench -p tandem-tests --bench push_lag`
//!
//! Three rounds of 50 fresh matched conversations (fresh, so no coalescing window is open),
//! every recipient offline with one device; each sender posts one message over HTTP, the
//! conversations spread over one second. A single poller reads `/_local/push` every 25 ms
//! and notes when each conversation's push first appears; the lag is that moment minus the
//! moment the send was answered (the write committed), so it includes up to one poll.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::future::join_all;
use tandem_tests::*;

const PAIRS: usize = 50;
const ROUNDS: usize = 3;

#[tokio::main]
async fn main() {
    let api = TestApi::start().await;
    let mut lags = Vec::new();
    for round in 0..ROUNDS {
        lags.extend(round_lags(&api, round).await);
    }
    lags.sort_by(f64::total_cmp);
    let at = |p: f64| lags[((lags.len() as f64 - 1.0) * p).round() as usize];
    println!("| pushes | p50 ms | p95 ms | p99 ms | max ms |");
    println!("|---|---|---|---|---|");
    println!("| {} | {:.0} | {:.0} | {:.0} | {:.0} |", lags.len(), at(0.5), at(0.95), at(0.99), lags[lags.len() - 1]);
}

/// One round: fresh pairs (recipients offline, one device each), one message each.
async fn round_lags(api: &TestApi, round: usize) -> Vec<f64> {
    let names: Vec<String> = (0..2 * PAIRS).map(|i| format!("P{round}x{i}")).collect();
    let members: Vec<Session> = join_all(names.iter().map(|name| api.member(name, "Europe/Paris"))).await;
    join_all(members.iter().enumerate().map(|(i, m)| {
        api.post_auth(
            "/v1/push-tokens",
            &m.access,
            json!({"platform": "ios", "token": format!("{}{i:04}", uuid::Uuid::new_v4().simple())}),
        )
    }))
    .await;
    join_all(members.iter().map(|m| api.put("/v1/availability/today", &m.access, json!({})))).await;
    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["created"].as_u64(), Some(PAIRS as u64), "{}", report.body);
    // Senders: one per conversation (the match pushes of this round are published first).
    let mut senders = Vec::new();
    let mut seen_conversations = std::collections::HashSet::new();
    for member in &members {
        let today = api.get("/v1/match/today", Some(&member.access)).await.body;
        let conversation = today["conversationId"].as_str().unwrap().to_owned();
        if seen_conversations.insert(conversation.clone()) {
            senders.push((member.access.clone(), conversation));
        }
    }
    tokio::time::sleep(Duration::from_secs(3)).await;

    let ours: std::collections::HashSet<&str> = senders.iter().map(|(_, c)| c.as_str()).collect();
    let started = Instant::now();
    let poller = async {
        let mut first_seen: HashMap<String, Instant> = HashMap::new();
        while first_seen.len() < PAIRS && started.elapsed() < Duration::from_secs(60) {
            let pushes = api.get("/_local/push", None).await.body["pushes"].as_array().cloned().unwrap_or_default();
            let now = Instant::now();
            for push in pushes.iter().filter(|p| p["kind"] == "message") {
                if let Some(conversation) = push["data"]["conversationId"].as_str().filter(|c| ours.contains(c)) {
                    first_seen.entry(conversation.to_owned()).or_insert(now);
                }
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        first_seen
    };
    let sends = join_all(senders.iter().enumerate().map(|(k, (access, conversation))| async move {
        tokio::time::sleep(Duration::from_millis(1000 * k as u64 / PAIRS as u64)).await;
        let reply = api
            .post_auth(
                &format!("/v1/conversations/{conversation}/messages"),
                access,
                json!({"clientMessageId": format!("lag-{k}"), "text": "are you free tonight?"}),
            )
            .await;
        assert_eq!(reply.status, 201, "{}", reply.body);
        (conversation.clone(), Instant::now())
    }));
    let (first_seen, committed) = tokio::join!(poller, sends);
    committed
        .into_iter()
        .map(|(conversation, at)| {
            let seen = first_seen.get(&conversation).unwrap_or_else(|| panic!("no push for {conversation}"));
            seen.saturating_duration_since(at).as_secs_f64() * 1000.0
        })
        .collect()
}
