//! Daily availability, blocks and the pairing sweep, end to end against DynamoDB Local
//! (and moto's SQS for the push requests).

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use tandem_domain::availability::AvailabilityState;
use tandem_domain::{ConversationId, MatchId, UserId};
use tandem_store::{ConversationRecord, MatchOutcome, MatchRecord};
use tandem_tests::*;

const PARIS: &str = "Europe/Paris";

async fn queue(api: &TestApi, session: &Session) -> serde_json::Value {
    let reply = api.put("/v1/availability/today", &session.access, json!({})).await;
    assert_eq!(reply.status, 200, "queue: {}", reply.body);
    reply.body
}

#[tokio::test]
async fn availability_moves_idle_queued_idle_and_is_idempotent() {
    let api = TestApi::start().await;
    let ada = api.member("Ada", PARIS).await;
    assert_eq!(api.get("/v1/availability/today", Some(&ada.access)).await.body["state"], "idle");
    assert_eq!(queue(&api, &ada).await["state"], "queued");
    assert_eq!(queue(&api, &ada).await["state"], "queued");
    assert_eq!(
        api.count_items(&format!("USER#{}", ada.user_id)).await,
        3,
        "user + one availability record + the day filed for streaks"
    );
    assert_eq!(api.get("/v1/availability/today", Some(&ada.access)).await.body["state"], "queued");
    assert_eq!(api.delete("/v1/availability/today", &ada.access).await.status, 204);
    assert_eq!(api.get("/v1/availability/today", Some(&ada.access)).await.body["state"], "idle");
    assert_eq!(api.delete("/v1/availability/today", &ada.access).await.status, 204, "leaving twice is fine");
}

#[tokio::test]
async fn queueing_needs_a_visible_profile() {
    let api = TestApi::start().await;
    let bare = api.register(&unique_email()).await;
    api.put("/v1/availability/today", &bare.access, json!({})).await.expect_error(409, "profile_incomplete");
    let hidden = api.member("Hid", PARIS).await;
    let profile = json!({"firstName": "Hid", "birthYear": 1990, "visibility": "hidden"});
    assert_eq!(api.put("/v1/me/profile", &hidden.access, profile).await.status, 200);
    api.put("/v1/availability/today", &hidden.access, json!({})).await.expect_error(409, "profile_hidden");
    api.get("/v1/availability/today", None).await.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn the_sweep_pairs_compatible_users_and_tells_them() {
    let api = TestApi::start().await;
    let ada = api.member("Ada", PARIS).await;
    let bo = api.member("Bo", "Europe/Berlin").await;
    queue(&api, &ada).await;
    queue(&api, &bo).await;
    api.post_auth("/v1/presence/heartbeat", &bo.access, json!({})).await;
    let mut ada_chat = Chat::connect(&api, &ada.access).await.unwrap();
    let mut bo_chat = Chat::connect(&api, &bo.access).await.unwrap();

    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.status, 200, "{}", report.body);
    assert_eq!(report.body["pool"], 2);
    assert_eq!(report.body["created"], 1);
    assert_eq!(report.body["unmatched"], 0);

    let mine = api.get("/v1/match/today", Some(&ada.access)).await;
    assert_eq!(mine.status, 200, "{}", mine.body);
    assert_eq!(mine.body["partner"]["userId"], bo.user_id);
    // Anonymous first: a pseudonym, no first name, city or photo until both consent.
    assert!(!mine.body["partner"]["pseudonym"].as_str().unwrap().is_empty());
    assert_eq!(mine.body["partner"]["revealed"], false);
    assert_eq!(mine.body["partner"]["revealedFields"], json!([]));
    for hidden in ["firstName", "city", "photoUrl"] {
        assert!(mine.body["partner"].get(hidden).is_none(), "{hidden} before the reveal: {}", mine.body);
    }
    assert!(mine.body["partner"]["age"].as_i64().unwrap() >= 18);
    assert_eq!(mine.body["partner"]["online"], true);
    assert_eq!(mine.body["partner"]["sharedInterests"], json!(["books", "hiking", "music"]));
    assert!(mine.body["partner"].get("email").is_none(), "only the public subset");
    assert!(mine.body["score"].as_f64().unwrap() > 50.0);
    assert!(mine.body["breakdown"]["values"].as_f64().unwrap() > 0.0);
    assert!(mine.body["reasons"].as_array().unwrap().contains(&json!("you both value honesty")));
    let started = chrono::DateTime::parse_from_rfc3339(mine.body["startedAt"].as_str().unwrap()).unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(mine.body["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!((expires - started).num_hours(), 24);

    let theirs = api.get("/v1/match/today", Some(&bo.access)).await;
    assert_eq!(theirs.body["conversationId"], mine.body["conversationId"]);
    assert_eq!(theirs.body["partner"]["userId"], ada.user_id);

    let state = api.get("/v1/availability/today", Some(&ada.access)).await;
    assert_eq!(state.body["state"], "matched");
    assert_eq!(state.body["match"]["matchId"], mine.body["matchId"]);
    api.delete("/v1/availability/today", &ada.access).await.expect_error(409, "already_matched");
    assert_eq!(queue(&api, &ada).await["state"], "matched", "queueing again keeps the match");

    // Both hear of the match from the committed match item (stream → notification worker).
    for chat in [&mut ada_chat, &mut bo_chat] {
        let event = chat.expect("match.created").await;
        assert_eq!(event["matchId"], mine.body["matchId"]);
        assert_eq!(event["conversationId"], mine.body["conversationId"]);
    }

    // Already matched: a second sweep changes nothing and notifies nobody.
    let again = api.run_job("pairing-sweep").await;
    assert_eq!(again.body["pool"], 0);
    assert!(ada_chat.quiet_for(500).await, "no second match.created");
    assert_eq!(api.count_items("MATCH#").await, 1);

    // They are each other's recent partners now: excluded for 30 days.
    let exclusions = api.app.store.exclusions(&UserId::parse(&ada.user_id).unwrap(), Utc::now()).await.unwrap();
    assert_eq!(exclusions.recent_partners, vec![UserId::parse(&bo.user_id).unwrap()]);
}

#[tokio::test]
async fn a_lone_user_waits_and_far_time_zones_are_not_paired() {
    let api = TestApi::start().await;
    let paris = api.member("Pia", PARIS).await;
    queue(&api, &paris).await;
    let alone = api.run_job("pairing-sweep").await;
    assert_eq!((alone.body["pool"].as_u64(), alone.body["created"].as_u64()), (Some(1), Some(0)));
    let new_york = api.member("Ned", "America/New_York").await;
    queue(&api, &new_york).await;
    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["pool"], 2);
    assert_eq!(report.body["created"], 0, "6 h apart");
    assert_eq!(api.get("/v1/availability/today", Some(&paris.access)).await.body["state"], "queued");
    api.get("/v1/match/today", Some(&paris.access)).await.expect_error(404, "no_match_today");
}

#[tokio::test]
async fn blocked_users_are_never_paired_whenever_the_block_happens() {
    let api = TestApi::start().await;
    // Blocked before queueing.
    let (a, b) = (api.member("Al", PARIS).await, api.member("Bea", PARIS).await);
    let blocked = api.post_auth("/v1/blocks", &a.access, json!({ "userId": b.user_id, "reason": "rude" })).await;
    assert_eq!(blocked.status, 201, "{}", blocked.body);
    queue(&api, &a).await;
    queue(&api, &b).await;
    assert_eq!(api.run_job("pairing-sweep").await.body["created"], 0);

    // Blocked after both queued: the blocked side asked, too (bilateral).
    let (c, d) = (api.member("Cy", PARIS).await, api.member("Di", PARIS).await);
    let api_ref = &api;
    queue(api_ref, &c).await;
    queue(api_ref, &d).await;
    assert_eq!(api.post_auth("/v1/blocks", &d.access, json!({ "userId": c.user_id })).await.status, 201);
    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["pool"], 4);
    // Only cross pairs are allowed (a-c, a-d, b-c, b-d): two pairs, none blocked.
    assert_eq!(report.body["created"], 2);
    for (x, y) in [(&a, &b), (&c, &d)] {
        let partner = api.get("/v1/match/today", Some(&x.access)).await.body["partner"]["userId"].clone();
        assert_ne!(partner, json!(y.user_id));
    }

    let list = api.get("/v1/blocks", Some(&a.access)).await;
    assert_eq!(list.body["blocks"][0]["userId"], b.user_id);
    assert_eq!(list.body["blocks"][0]["reason"], "rude");
    assert_eq!(
        api.get("/v1/blocks", Some(&b.access)).await.body["blocks"],
        json!([]),
        "the blocked user sees no block of theirs"
    );
    assert_eq!(api.delete(&format!("/v1/blocks/{}", b.user_id), &a.access).await.status, 204);
    api.delete(&format!("/v1/blocks/{}", b.user_id), &a.access).await.expect_error(404, "not_found");
    assert_eq!(api.count_items(&format!("AUDIT#{}", a.user_id)).await, 2, "block and unblock audited");
}

#[tokio::test]
async fn bad_block_requests_are_refused() {
    let api = TestApi::start().await;
    let a = api.member("Al", PARIS).await;
    api.post_auth("/v1/blocks", &a.access, json!({ "userId": a.user_id })).await.expect_error(400, "validation_failed");
    api.post_auth("/v1/blocks", &a.access, json!({ "userId": "not-an-id" }))
        .await
        .expect_error(400, "validation_failed");
    let stranger = uuid::Uuid::now_v7().to_string();
    api.post_auth("/v1/blocks", &a.access, json!({ "userId": stranger })).await.expect_error(404, "not_found");
    api.delete("/v1/blocks/not-an-id", &a.access).await.expect_error(404, "not_found");
    assert_eq!(api.count_items("AUDIT#").await, 0);
}

#[tokio::test]
async fn overlapping_sweeps_never_match_anyone_twice() {
    let api = TestApi::start().await;
    let mut members = Vec::new();
    for i in 0..24 {
        members.push(api.member(&format!("M{i}"), if i % 2 == 0 { PARIS } else { "Europe/London" }).await);
    }
    for member in &members {
        queue(&api, member).await;
    }
    let (first, second, third) =
        tokio::join!(api.run_job("pairing-sweep"), api.run_job("pairing-sweep"), api.run_job("pairing-sweep"));
    // Concurrent sweeps race for the same pairs; a pair whose transaction lost (or
    // conflicted) stays queued for the next sweep, which this one stands for.
    let follow_up = api.run_job("pairing-sweep").await;
    let created: u64 =
        [&first, &second, &third, &follow_up].iter().map(|r| r.body["created"].as_u64().unwrap_or(0)).sum();

    let mut seen: HashMap<String, usize> = HashMap::new();
    let items = api.items().await;
    let matches: Vec<_> = items.iter().filter(|i| i["pk"].as_s().is_ok_and(|pk| pk.starts_with("MATCH#"))).collect();
    for item in &matches {
        for user in item["users"].as_l().unwrap() {
            *seen.entry(user.as_s().unwrap().clone()).or_default() += 1;
        }
    }
    assert!(seen.values().all(|count| *count == 1), "someone matched twice: {seen:?}");
    assert_eq!(matches.len() as u64, created, "every created match reported once");
    assert_eq!(matches.len(), 12, "all 24 paired once the races settle");
    assert_eq!(api.count_items("CONV#").await, 12, "one conversation per match");
    // One notification per committed match, derived from the stream, none failed.
    let status = api.pipeline.status.clone();
    let worker = status.workers.iter().find(|w| w.function == "notification-worker").expect("worker").clone();
    api.eventually(15, "every match notified", || {
        let worker = worker.clone();
        async move { (worker.succeeded.load(std::sync::atomic::Ordering::Relaxed) == 12).then_some(()) }
    })
    .await;
    assert_eq!(worker.failed.load(std::sync::atomic::Ordering::Relaxed), 0);
}

#[tokio::test]
async fn a_sweep_out_of_time_commits_what_it_has_and_the_next_one_pairs_the_rest() {
    use tandem_api::services::matchmaking;
    let api = TestApi::start().await;
    let mut members = Vec::new();
    for i in 0..8 {
        members.push(api.member(&format!("T{i}"), PARIS).await);
    }
    for member in &members {
        queue(&api, member).await;
    }
    // No time left: the engine pairs everyone, no write starts, nobody is half-matched.
    let report = matchmaking::sweep_within(&api.app, Utc::now(), std::time::Duration::ZERO).await.unwrap();
    assert_eq!((report.pairs, report.created, report.deferred), (4, 0, 4), "{report:?}");
    assert_eq!(api.count_items("MATCH#").await, 0);
    for member in &members {
        assert_eq!(api.get("/v1/availability/today", Some(&member.access)).await.body["state"], "queued");
    }
    let report = matchmaking::sweep(&api.app, Utc::now()).await.unwrap();
    assert_eq!((report.created, report.deferred, report.unmatched), (4, 0, 0), "{report:?}");
    for member in &members {
        assert_eq!(api.get("/v1/availability/today", Some(&member.access)).await.body["state"], "matched");
    }
}

#[tokio::test]
async fn a_pair_is_written_only_while_both_are_still_queued() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Al", PARIS).await, api.member("Bea", PARIS).await);
    queue(&api, &a).await;
    queue(&api, &b).await;
    assert_eq!(api.delete("/v1/availability/today", &b.access).await.status, 204);
    let now = Utc::now();
    let (ua, ub) = (UserId::parse(&a.user_id).unwrap(), UserId::parse(&b.user_id).unwrap());
    let day = tandem_domain::availability::local_day(PARIS, now).0;
    let record = MatchRecord {
        match_id: MatchId::generate(),
        conversation_id: ConversationId::generate(),
        users: [ua.clone(), ub.clone()],
        days: [day, day],
        score: 80.0,
        breakdown: serde_json::from_value(json!({"values": 1.0, "communication": 1.0, "interests": 1.0, "depth": 1.0,
            "availability": 1.0, "responseBonus": 0.0, "ghostingPenalty": 0.0}))
        .unwrap(),
        reasons: vec![],
        created_at: now,
    };
    let conversation = ConversationRecord::new(
        record.conversation_id.clone(),
        record.match_id.clone(),
        [ua.clone(), ub],
        now,
        now + chrono::Duration::hours(24),
    );
    assert_eq!(
        api.app.store.create_match(&record, &conversation, [record.created_at; 2]).await.unwrap(),
        MatchOutcome::Skipped
    );
    assert_eq!(api.count_items("MATCH#").await + api.count_items("CONV#").await, 0, "all or nothing");
    let a_state = api.app.store.availability(&ua, day, now).await.unwrap().unwrap();
    assert_eq!(a_state.state, AvailabilityState::Queued, "the other side stays queued");
}

#[tokio::test]
async fn records_from_a_day_that_has_ended_leave_the_pool() {
    let api = TestApi::start().await;
    let a = api.member("Al", PARIS).await;
    let body = queue(&api, &a).await;
    let now = Utc::now();
    let ua = UserId::parse(&a.user_id).unwrap();
    let today: chrono::NaiveDate = body["day"].as_str().unwrap().parse().unwrap();
    let mut record = api.app.store.availability(&ua, today, now).await.unwrap().unwrap();
    record.day = today.pred_opt().unwrap();
    let active_day = tandem_store::ActiveDay {
        user_id: ua.clone(),
        day: record.day,
        ends_at: tandem_domain::availability::local_day_end(PARIS, record.day),
    };
    api.app.store.queue(&record, &active_day, now).await.unwrap();
    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["staleDropped"], 1);
    assert_eq!(report.body["pool"], 1, "today's record only");
    let ids: HashSet<String> = api.app.store.read_pool().await.unwrap().iter().map(|r| r.day.to_string()).collect();
    assert_eq!(ids, HashSet::from([today.to_string()]));
}

/// A zone whose local date differs from Paris's now (one of the two always does).
fn zone_on_another_date() -> &'static str {
    let date_in = |zone: &str| tandem_domain::availability::local_day(zone, chrono::Utc::now()).0;
    let paris = date_in("Europe/Paris");
    ["Pacific/Kiritimati", "Pacific/Pago_Pago"].into_iter().find(|zone| date_in(zone) != paris).expect("a zone")
}

#[tokio::test]
async fn one_conversation_a_day_survives_a_time_zone_change() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let moved = json!({"firstName": "Ana", "birthYear": 1994, "city": "Lyon", "interests": {"hiking": 80},
                       "communication": {"directness": 60, "humour": 70, "responsePace": "quick"},
                       "timezone": zone_on_another_date()});
    let reply = api.put("/v1/me/profile", &a.access, moved).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // A new local day, but yesterday's conversation is still open: not two at once.
    api.put("/v1/availability/today", &a.access, json!({})).await.expect_error(409, "conversation_active");
    // Closed: the match still fell on this local day as the new zone counts it.
    let closed = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &a.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    api.put("/v1/availability/today", &a.access, json!({})).await.expect_error(409, "already_matched_today");
    // The partner, who stayed put, still sees today's match.
    let today = api.put("/v1/availability/today", &b.access, json!({})).await;
    assert_eq!(today.status, 200, "{}", today.body);
    assert_eq!(today.body["state"], "matched");
}
