//! Anti-ghosting and rewards end to end: reminders from the `ghost-reminders` job on the
//! test clock, a conversation's end counted in both histories through the pipe and worker,
//! suspension after three abandons and its acknowledgement, streaks applied per time zone
//! by `streaks-rewards`, and the history changing the pairing score.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::Value;
use tandem_api::services::{availability, conversations, ghosting, matchmaking};
use tandem_domain::UserId;
use tandem_domain::engagement::ParticipantActivity;
use tandem_store::{ConversationRecord, ConversationState};
use tandem_tests::*;

const SIX_HOURS: i64 = 6 * 3600;

async fn send(api: &TestApi, session: &Session, conversation: &str, client_id: &str) {
    let path = format!("/v1/conversations/{conversation}/messages");
    let reply = api.post_auth(&path, &session.access, json!({"clientMessageId": client_id, "text": "hello"})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
}

fn count_with(items: &[std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>], sk: &str) -> usize {
    items.iter().filter(|i| i.get("sk").and_then(|v| v.as_s().ok()).is_some_and(|s| s.starts_with(sk))).count()
}

#[tokio::test]
async fn a_silent_participant_gets_exactly_one_reminder_and_one_who_wrote_none() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let token_b = device(&api, &b, "android", &format!("fcm:{}", uuid_hex())).await;
    let mut chat_b = Chat::connect(&api, &b.access).await.expect("b connects");
    send(&api, &a, &conversation, "a-1").await;
    chat_b.expect("message.new").await;

    // Not yet: 6 hours have not passed.
    api.advance_clock(SIX_HOURS - 120).await;
    assert_eq!(api.run_job("ghost-reminders").await.body["reminded"], 0);
    api.advance_clock(180).await;
    let report = api.run_job("ghost-reminders").await;
    assert_eq!(report.body["reminded"], 1, "{}", report.body);
    let event = chat_b.expect("conversation.reminder").await;
    assert_eq!(event["conversationId"], conversation.as_str());
    until_pushed(&api, &token_b, "reminder", 1).await;

    // Retries, more messages from A, later runs: never a second reminder for B.
    assert_eq!(api.run_job("ghost-reminders").await.body["reminded"], 0);
    send(&api, &a, &conversation, "a-2").await;
    api.advance_clock(SIX_HOURS + 60).await;
    assert_eq!(api.run_job("ghost-reminders").await.body["reminded"], 0);
    let items = api.items().await;
    assert_eq!(count_with(&items, "REMINDER#"), 1, "one reminder item, for B");
    assert_eq!(push_count(&pushes(&api).await, &token_b, "reminder"), 1);

    // B answers: the conversation keeps each side's activity.
    send(&api, &b, &conversation, "b-1").await;
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&a.access)).await;
    let activity = &view.body["activity"];
    let position = |user: &str| view.body["participants"].as_array().unwrap().iter().position(|p| p == user).unwrap();
    assert_eq!(activity[position(&a.user_id)]["messages"], 2);
    assert_eq!(activity[position(&b.user_id)]["messages"], 1);
    assert!(activity[position(&b.user_id)]["firstMessageAt"].is_string());
    chat_b.close().await;
}

#[tokio::test]
async fn the_one_who_answered_is_not_reminded_but_their_partner_later_is() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    send(&api, &a, &conversation, "a-1").await;
    send(&api, &b, &conversation, "b-1").await;
    api.advance_clock(SIX_HOURS + 60).await;
    let report = api.run_job("ghost-reminders").await;
    // B answered: only A, silent since B's answer, is due.
    assert_eq!(report.body["reminded"], 1, "{}", report.body);
    let items = api.items().await;
    let reminded: Vec<String> = items
        .iter()
        .filter_map(|i| i.get("sk").and_then(|v| v.as_s().ok()).and_then(|s| s.strip_prefix("REMINDER#")))
        .map(str::to_owned)
        .collect();
    assert_eq!(reminded, std::slice::from_ref(&a.user_id));
}

async fn me(api: &TestApi, session: &Session) -> Value {
    let reply = api.get("/v1/me", Some(&session.access)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

async fn rewards(api: &TestApi, session: &Session, query: &str) -> Value {
    let reply = api.get(&format!("/v1/me/rewards{query}"), Some(&session.access)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

#[tokio::test]
async fn an_ended_conversation_counts_once_in_both_histories_with_its_rewards() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut chat_a = Chat::connect(&api, &a.access).await.expect("a connects");
    send(&api, &a, &conversation, "a-1").await;
    let closed = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &a.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    // The end reaches the worker through the pipe: A answered (quickly), B abandoned it.
    let history_b = api
        .eventually(15, "B's history counts the conversation", || async {
            let body = me(&api, &b).await;
            (body["engagement"]["conversations"] == 1).then_some(body["engagement"].clone())
        })
        .await;
    assert_eq!(history_b["abandonedInARow"], 1);
    assert_eq!(history_b["answered"], 0);
    let history_a = me(&api, &a).await["engagement"].clone();
    assert_eq!((history_a["answered"].as_u64(), history_a["quickReplies"].as_u64()), (Some(1), Some(1)));
    let badge = chat_a.expect("reward.badge").await;
    assert_eq!(badge["badge"]["badge"], "first_conversation");
    let mine = rewards(&api, &a, "").await;
    let kinds: Vec<&str> = mine["ledger"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"fast_reply") && kinds.contains(&"badge"), "{mine}");
    assert_eq!(mine["points"], 10 + 50, "fast reply and a badge, at the shipped points");
    assert_eq!(rewards(&api, &b, "").await["points"], 0);

    // A redelivered end records nothing twice.
    let id = conversation.parse().unwrap();
    let record = api.app.store.conversation(&id, Utc::now()).await.unwrap().unwrap();
    ghosting::conversation_ended(&api.app, &record, Utc::now()).await.unwrap();
    assert_eq!(me(&api, &b).await["engagement"]["conversations"], 1);
    assert_eq!(rewards(&api, &a, "").await["points"], 60);

    // The ledger pages, and a cursor that is not one is refused.
    let first = rewards(&api, &a, "?limit=1").await;
    let cursor = first["nextCursor"].as_str().expect("a second page").to_owned();
    let second = rewards(&api, &a, &format!("?limit=1&cursor={}", cursor.replace('#', "%23"))).await;
    assert_eq!(second["ledger"].as_array().unwrap().len(), 1);
    assert_ne!(first["ledger"][0], second["ledger"][0]);
    let bad = api.get("/v1/me/rewards?cursor=nope", Some(&a.access)).await;
    bad.expect_error(400, "validation_failed");
    chat_a.close().await;
}

/// An ended conversation `user` never wrote in (their partner did), as the end worker sees it.
fn abandoned_by(user: &UserId, day: i64) -> ConversationRecord {
    let started = Utc::now() - Duration::days(10 - day);
    let mut record = ConversationRecord::new(
        tandem_domain::ConversationId::generate(),
        tandem_domain::MatchId::generate(),
        [user.clone(), UserId::generate()],
        started,
        started + Duration::hours(24),
    );
    record.state = ConversationState::Expired;
    record.ended_at = Some(started + Duration::hours(24));
    record.activity[1] = ParticipantActivity {
        first_message_at: Some(started + Duration::minutes(5)),
        last_message_at: Some(started + Duration::minutes(9)),
        messages: 3,
    };
    record
}

#[tokio::test]
async fn three_abandons_suspend_matching_until_acknowledged() {
    let api = TestApi::start().await;
    let ghost = api.member("Gus", "Europe/Paris").await;
    let id = UserId::parse(&ghost.user_id).unwrap();
    for day in 0..3 {
        let ended = abandoned_by(&id, day);
        ghosting::conversation_ended(&api.app, &ended, Utc::now()).await.unwrap();
        // A redelivery of the same end counts nothing twice.
        ghosting::conversation_ended(&api.app, &ended, Utc::now()).await.unwrap();
    }
    let account = me(&api, &ghost).await;
    assert_eq!(account["status"], "suspended_from_matching");
    assert_eq!(account["suspension"]["reason"], "ghosting");
    assert_eq!(account["engagement"]["abandonedInARow"], 3);
    let refused = api.put("/v1/availability/today", &ghost.access, json!({})).await;
    refused.expect_error(403, "matching_suspended");

    let lifted = api.post_auth("/v1/me/ghosting/acknowledge", &ghost.access, json!({})).await;
    assert_eq!(lifted.status, 200, "{}", lifted.body);
    assert_eq!(lifted.body["status"], "active");
    assert!(lifted.body.get("suspension").is_none());
    let again = api.post_auth("/v1/me/ghosting/acknowledge", &ghost.access, json!({})).await;
    assert_eq!(again.status, 200, "saying it twice changes nothing");
    let queued = api.put("/v1/availability/today", &ghost.access, json!({})).await;
    assert_eq!(queued.status, 200, "{}", queued.body);
    let audit = api.app.store.audit_entries_about(&id, 10).await.unwrap();
    assert_eq!(audit.iter().filter(|e| e.action == "ghosting_acknowledge").count(), 1);
}

/// Queues `user` and a fresh partner at `at`, pairs them and has `user` write (when
/// `answer`): one active local day.
async fn day_with_a_match(api: &TestApi, user: &Session, timezone: &str, at: DateTime<Utc>, answer: bool) {
    let partner = api.member("Pat", timezone).await;
    for session in [user, &partner] {
        availability::queue_today(&api.app, &UserId::parse(&session.user_id).unwrap(), at).await.unwrap();
    }
    let report = matchmaking::sweep(&api.app, at).await.unwrap();
    assert_eq!(report.created, 1, "{report:?}");
    if answer {
        let me = UserId::parse(&user.user_id).unwrap();
        let today = availability::match_today(&api.app, &me, at).await.unwrap().expect("matched");
        let client_id = format!("c-{}", at.timestamp());
        conversations::send_message(&api.app, &today.conversation_id, &me, &client_id, "hi", at + Duration::minutes(1))
            .await
            .unwrap();
    }
}

async fn summary(api: &TestApi, session: &Session) -> tandem_store::RewardsSummary {
    api.app.store.rewards_summary(&UserId::parse(&session.user_id).unwrap(), Utc::now()).await.unwrap()
}

async fn run_streaks(api: &TestApi, at: DateTime<Utc>) -> Value {
    tandem_api::jobs::streaks_rewards::handle(api.app.clone(), at).await.unwrap()
}

#[tokio::test]
async fn consecutive_answered_days_build_a_streak_and_a_missed_day_resets_it() {
    let api = TestApi::start().await;
    let zone = "Europe/Paris";
    let user = api.member("Sam", zone).await;
    // Noon in Paris on three consecutive days, then a gap, then one more day.
    let noon = |day: u32| -> DateTime<Utc> {
        let date = NaiveDate::from_ymd_opt(2030, 3, 4).unwrap() + chrono::Days::new(u64::from(day));
        date.and_hms_opt(11, 0, 0).unwrap().and_utc()
    };
    for day in 0..3 {
        day_with_a_match(&api, &user, zone, noon(day), true).await;
        // The job runs each hour; the day is applied by the run after Paris's midnight.
        let before_midnight = run_streaks(&api, noon(day) + Duration::hours(11)).await;
        assert_eq!(before_midnight["applied"], 0, "{before_midnight}");
        let after = run_streaks(&api, noon(day) + Duration::hours(12)).await;
        assert_eq!(after["applied"], 2, "Sam and the day's partner: {after}");
        assert_eq!(summary(&api, &user).await.streak.current, day + 1);
    }
    let built = summary(&api, &user).await;
    assert_eq!((built.streak.current, built.streak.best), (3, 3));
    assert_eq!(built.points, 2 * 5, "streak points on the second and third days (the conversations are still open)");
    // Running again changes nothing.
    assert_eq!(run_streaks(&api, noon(2) + Duration::hours(12)).await["applied"], 0);
    assert_eq!(summary(&api, &user).await, built);

    // Day 3 missed: day 4 starts again from one, the best stays.
    day_with_a_match(&api, &user, zone, noon(4), true).await;
    run_streaks(&api, noon(4) + Duration::hours(13)).await;
    let reset = summary(&api, &user).await;
    assert_eq!((reset.streak.current, reset.streak.best), (1, 3));

    // A matched day left silent breaks it too.
    day_with_a_match(&api, &user, zone, noon(5), false).await;
    run_streaks(&api, noon(5) + Duration::hours(13)).await;
    assert_eq!(summary(&api, &user).await.streak.current, 0);
}

#[tokio::test]
async fn users_in_utc_plus_13_and_utc_minus_10_are_each_processed_once_for_their_own_day() {
    let api = TestApi::start().await;
    let (tonga, hawaii) = (api.member("Tui", "Pacific/Tongatapu").await, api.member("Kai", "Pacific/Honolulu").await);
    // 18:00 UTC: already the 5th in Tonga (07:00), still the 4th in Hawaii (08:00).
    let at = "2030-03-04T18:00:00Z".parse::<DateTime<Utc>>().unwrap();
    for session in [&tonga, &hawaii] {
        availability::queue_today(&api.app, &UserId::parse(&session.user_id).unwrap(), at).await.unwrap();
    }
    // Hawaii's 4th ends at 10:00 UTC on the 5th, Tonga's 5th at 11:00 UTC on the 5th.
    let mut applied_at = Vec::new();
    for hour in 1..=24 {
        let run = at + Duration::hours(hour);
        let report = run_streaks(&api, run).await;
        for _ in 0..report["applied"].as_u64().unwrap() {
            applied_at.push(run);
        }
        // A second run in the same hour finds nothing left.
        assert_eq!(run_streaks(&api, run).await["applied"], 0);
    }
    let hour = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
    assert_eq!(applied_at, [hour("2030-03-05T10:00:00Z"), hour("2030-03-05T11:00:00Z")]);
    let day = |s: &str| Some(s.parse::<NaiveDate>().unwrap());
    assert_eq!(summary(&api, &hawaii).await.streak.last_day, day("2030-03-04"));
    assert_eq!(summary(&api, &tonga).await.streak.last_day, day("2030-03-05"));
}

#[tokio::test]
async fn a_history_of_abandons_scores_below_an_otherwise_identical_reliable_user() {
    let api = TestApi::start().await;
    let zone = "Europe/Paris";
    let (reliable, ghost, chooser) =
        (api.member("Rae", zone).await, api.member("Gil", zone).await, api.member("Cy", zone).await);
    // Same profiles; Gil left his last two conversations without a word (not yet suspended).
    let ghost_id = UserId::parse(&ghost.user_id).unwrap();
    for day in 0..2 {
        ghosting::conversation_ended(&api.app, &abandoned_by(&ghost_id, day), Utc::now()).await.unwrap();
    }
    assert_eq!(me(&api, &ghost).await["status"], "active");
    for session in [&reliable, &ghost, &chooser] {
        let reply = api.put("/v1/availability/today", &session.access, json!({})).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }
    // The queue snapshot carries the history: the sweep needs no call per user.
    let now = Utc::now();
    let (day, _) = tandem_domain::availability::local_day(zone, now);
    let snapshot = api.app.store.availability(&ghost_id, day, now).await.unwrap().unwrap().snapshot;
    assert_eq!(snapshot.abandoned_in_a_row, 2);
    assert_eq!(snapshot.response_rate, 0.0);

    let report = api.run_job("pairing-sweep").await;
    assert_eq!(report.body["created"], 1, "{}", report.body);
    let matched = api.get("/v1/match/today", Some(&chooser.access)).await;
    assert_eq!(matched.body["partner"]["userId"], reliable.user_id.as_str(), "{}", matched.body);
    assert_eq!(matched.body["breakdown"]["ghostingPenalty"], 0.0);
    let left_out = api.get("/v1/availability/today", Some(&ghost.access)).await;
    assert_eq!(left_out.body["state"], "queued");

    // The same three through the engine alone: the reliable pair outscores the other.
    let features = |session: &Session| {
        let id = UserId::parse(&session.user_id).unwrap();
        let mut user = snapshot.clone();
        user.id = id;
        if session.user_id != ghost.user_id {
            user.abandoned_in_a_row = 0;
            user.response_rate = 1.0;
        }
        tandem_pairing::Features::from(&user)
    };
    let weights = tandem_pairing::ScoreWeights::default();
    let with_reliable = tandem_pairing::score::total(&features(&chooser), &features(&reliable), &weights);
    let with_ghost = tandem_pairing::score::total(&features(&chooser), &features(&ghost), &weights);
    assert!(with_ghost < with_reliable, "{with_ghost} < {with_reliable}");
}
