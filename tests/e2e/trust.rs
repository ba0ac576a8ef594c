//! Reflections and trust end to end: a reflection once per participant after the end and
//! within the window, the partner's score moved by what the rules allow (new accounts,
//! repeat pairs, retaliation, the daily cap), penalties from abandons, cooldowns and
//! confirmed reports, and nobody reading another user's trust or learning who moved theirs.

use chrono::{Duration, Utc};
use serde_json::Value;
use tandem_api::services::ghosting;
use tandem_domain::engagement::ParticipantActivity;
use tandem_domain::{ConversationId, MatchId, UserId};
use tandem_store::{ConversationRecord, ConversationState};
use tandem_tests::*;

use crate::moderation::admin;

fn id(session: &Session) -> UserId {
    UserId::parse(&session.user_id).unwrap()
}

pub(crate) async fn reflect(api: &TestApi, session: &Session, conversation: &str, body: Value) -> Reply {
    api.post_auth(&format!("/v1/conversations/{conversation}/reflection"), &session.access, body).await
}

fn great() -> Value {
    json!({"vibe": 5, "outcome": "again", "tags": ["kind", "curious"]})
}

async fn trust(api: &TestApi, session: &Session) -> Value {
    let reply = api.get("/v1/me/trust", Some(&session.access)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

fn rules(trust: &Value) -> Vec<String> {
    trust["ledger"].as_array().unwrap().iter().map(|e| e["rule"].as_str().unwrap().to_owned()).collect()
}

/// Makes an account look 90 days old (reflections of accounts younger than 14 days weigh half).
async fn backdate(api: &TestApi, session: &Session) {
    let created = (Utc::now() - Duration::days(90)).to_rfc3339_opts(chrono::SecondsFormat::Micros, true);
    api.set_account_attribute(&session.user_id, "createdAt", aws_sdk_dynamodb::types::AttributeValue::S(created)).await;
}

/// A conversation between `a` and `b` that ended `ago`, as the end worker records it (both
/// wrote unless `b_silent`): each participant can reflect on it from then on.
pub(crate) async fn ended_between(api: &TestApi, a: &Session, b: &Session, ago: Duration, b_silent: bool) -> String {
    let ended = Utc::now() - ago;
    let started = ended - Duration::hours(24);
    let mut record =
        ConversationRecord::new(ConversationId::generate(), MatchId::generate(), [id(a), id(b)], started, ended);
    record.state = ConversationState::Expired;
    record.ended_at = Some(ended);
    let wrote = |minutes| ParticipantActivity {
        first_message_at: Some(started + Duration::minutes(minutes)),
        last_message_at: Some(started + Duration::minutes(minutes + 5)),
        messages: 3,
    };
    record.activity[0] = wrote(1);
    if !b_silent {
        record.activity[1] = wrote(2);
    }
    ghosting::conversation_ended(&api.app, &record, Utc::now()).await.expect("the end is recorded");
    record.conversation_id.to_string()
}

#[tokio::test]
async fn a_reflection_is_left_once_after_the_end_and_moves_only_the_partners_own_score() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    reflect(&api, &a, &conversation, great()).await.expect_error(409, "conversation_not_ended");
    for (session, client_id) in [(&a, "a-1"), (&b, "b-1")] {
        let path = format!("/v1/conversations/{conversation}/messages");
        let sent = api.post_auth(&path, &session.access, json!({"clientMessageId": client_id, "text": "hi"})).await;
        assert_eq!(sent.status, 201, "{}", sent.body);
    }
    let closed = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &a.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);

    // Bad input is refused whole and changes nothing.
    for (body, code) in [
        (json!({"vibe": 0, "outcome": "again"}), "validation_failed"),
        (json!({"vibe": 6, "outcome": "again"}), "validation_failed"),
        (json!({"vibe": 4, "outcome": "again", "tags": ["kind", "kind"]}), "validation_failed"),
        (json!({"vibe": 4, "outcome": "again", "tags": ["gorgeous"]}), "invalid_body"),
        (json!({"vibe": 4, "outcome": "forever"}), "invalid_body"),
        (json!({"vibe": 4, "outcome": "again", "partner": "x"}), "invalid_body"),
        (json!({"outcome": "again"}), "invalid_body"),
    ] {
        reflect(&api, &a, &conversation, body).await.expect_error(400, code);
    }
    assert_eq!(trust(&api, &b).await["ledger"], json!([]), "nothing changed");
    // Someone who was not in it, and a conversation that does not exist: 404.
    let stranger = api.member("Sam", "Europe/Paris").await;
    reflect(&api, &stranger, &conversation, great()).await.expect_error(404, "not_found");
    reflect(&api, &a, ConversationId::generate().as_str(), great()).await.expect_error(404, "not_found");

    let first = reflect(&api, &a, &conversation, great()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(
        (first.body["conversationId"].as_str(), first.body["vibe"].as_u64()),
        (Some(conversation.as_str()), Some(5))
    );
    assert!(!first.body.to_string().contains(&b.user_id), "the reflection does not name the partner");
    // A second one, even a different one, is refused.
    let worse = json!({"vibe": 1, "outcome": "pass", "tags": ["rude"]});
    reflect(&api, &a, &conversation, worse).await.expect_error(409, "already_reflected");

    // B's score moved (A's account is new: half of +3), with a ledger line that never says who.
    let ben = trust(&api, &b).await;
    assert_eq!((ben["score"].as_i64(), ben["neutral"].as_i64()), (Some(51), Some(50)), "{ben}");
    assert_eq!(ben["components"]["reflections"], 1);
    assert_eq!(rules(&ben), ["new_account"]);
    assert_eq!(ben["ledger"][0]["source"], "reflection");
    assert!(!ben.to_string().contains(&a.user_id), "{ben}");
    // A's own score is untouched, and there is no route to anyone else's.
    assert_eq!(trust(&api, &a).await["score"], 50);
    let other = api.get(&format!("/v1/users/{}/trust", b.user_id), Some(&a.access)).await;
    assert_eq!(other.status, 404, "{}", other.body);
    api.get("/v1/me/trust", None).await.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn one_user_cannot_pump_a_score_and_a_burst_of_praise_is_spread_over_days() {
    let api = TestApi::start().await;
    let target = api.member("Tia", "Europe/Paris").await;
    let pumper = api.member("Pat", "Europe/Paris").await;
    backdate(&api, &pumper).await;
    // Three conversations with the same person: only the first reflection counts.
    for _ in 0..3 {
        let conversation = ended_between(&api, &pumper, &target, Duration::hours(1), false).await;
        assert_eq!(reflect(&api, &pumper, &conversation, great()).await.status, 201);
    }
    let after_pumper = trust(&api, &target).await;
    assert_eq!(after_pumper["score"], 53, "{after_pumper}");
    assert_eq!(rules(&after_pumper).iter().filter(|r| *r == "repeat_pair").count(), 2);
    // Four more long-standing users praise her today: the daily cap already reached.
    for name in ["Ada", "Bo", "Cy", "Di"] {
        let fan = api.member(name, "Europe/Paris").await;
        backdate(&api, &fan).await;
        let conversation = ended_between(&api, &fan, &target, Duration::hours(1), false).await;
        assert_eq!(reflect(&api, &fan, &conversation, great()).await.status, 201);
    }
    let after_fans = trust(&api, &target).await;
    assert_eq!(after_fans["score"], 53, "{after_fans}");
    assert_eq!(rules(&after_fans).iter().filter(|r| *r == "daily_cap").count(), 4, "{after_fans}");
    assert_eq!(after_fans["ledger"].as_array().unwrap().len(), 7, "every reflection is in the ledger");
}

#[tokio::test]
async fn reflections_from_someone_the_subject_blocked_or_reported_count_for_nothing() {
    let api = TestApi::start().await;
    let subject = api.member("Sol", "Europe/Paris").await;
    let blocked = api.member("Bea", "Europe/Paris").await;
    backdate(&api, &blocked).await;
    let conversation = ended_between(&api, &blocked, &subject, Duration::hours(2), false).await;
    let block = api.post_auth("/v1/blocks", &subject.access, json!({"userId": blocked.user_id})).await;
    assert!(block.status.is_success(), "{}", block.body);
    let revenge = json!({"vibe": 1, "outcome": "pass", "tags": ["rude", "inappropriate"]});
    assert_eq!(reflect(&api, &blocked, &conversation, revenge.clone()).await.status, 201);
    let after_block = trust(&api, &subject).await;
    assert_eq!((after_block["score"].as_i64(), rules(&after_block)), (Some(50), vec!["retaliation".to_owned()]));

    // A real conversation in which the subject reported the other: the same.
    let (a, b, conversation) = api.matched_pair().await;
    backdate(&api, &a).await;
    let report = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "harassment"});
    assert_eq!(api.post_auth("/v1/reports", &b.access, report).await.status, 201);
    let closed = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &b.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    assert_eq!(reflect(&api, &a, &conversation, revenge).await.status, 201);
    let ben = trust(&api, &b).await;
    assert_eq!(ben["components"]["reflections"], 0, "{ben}");
    assert!(rules(&ben).contains(&"retaliation".to_owned()), "{ben}");
}

#[tokio::test]
async fn abandons_cooldowns_and_confirmed_reports_cost_trust_once_each() {
    let api = TestApi::start().await;
    let ghost = api.member("Gus", "Europe/Paris").await;
    let partner = api.member("Pia", "Europe/Paris").await;
    let mut ended = Vec::new();
    for _ in 0..3 {
        ended.push(ended_between(&api, &partner, &ghost, Duration::hours(3), true).await);
    }
    let gus = trust(&api, &ghost).await;
    // Three abandons (−2 each) and the cooldown the third one started (−5).
    assert_eq!(gus["components"]["abandons"], -6, "{gus}");
    assert_eq!(gus["components"]["cooldowns"], -5, "{gus}");
    assert_eq!(gus["score"], 50 - 6 - 5);
    let sources: Vec<&str> = gus["ledger"].as_array().unwrap().iter().map(|e| e["source"].as_str().unwrap()).collect();
    assert_eq!(sources.iter().filter(|s| **s == "abandon").count(), 3);
    assert_eq!(sources.iter().filter(|s| **s == "cooldown").count(), 1);
    assert_eq!(trust(&api, &partner).await["score"], 50, "the one who wrote loses nothing");

    // A redelivered end costs nothing twice.
    let first: ConversationId = ended[0].parse().unwrap();
    let stored = api.app.store.reflectable(&id(&ghost), &first, Utc::now()).await.unwrap().expect("reflectable");
    let mut again = ConversationRecord::new(
        first,
        MatchId::generate(),
        [id(&partner), id(&ghost)],
        stored.ended_at - Duration::hours(24),
        stored.ended_at,
    );
    again.state = ConversationState::Expired;
    again.ended_at = Some(stored.ended_at);
    ghosting::conversation_ended(&api.app, &again, Utc::now()).await.unwrap();
    assert_eq!(trust(&api, &ghost).await["score"], 39);

    // An admin acts on a report from a real conversation: confirmed, −10, once.
    let (reporter, reported, conversation) = api.matched_pair().await;
    let report = json!({"reportedUserId": reported.user_id, "conversationId": conversation, "reason": "spam_or_scam"});
    let filed = api.post_auth("/v1/reports", &reporter.access, report).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    let boss = admin(&api).await;
    let report_id = filed.body["reportId"].as_str().unwrap();
    let path = format!("/v1/admin/reports/{report_id}/actions");
    let warned = api.post_auth(&path, &boss.access, json!({"action": "warn", "note": "spam"})).await;
    assert_eq!(warned.status, 200, "{}", warned.body);
    // Repeating the action applies nothing twice.
    assert_eq!(api.post_auth(&path, &boss.access, json!({"action": "warn", "note": "spam"})).await.status, 200);
    let warned_trust = trust(&api, &reported).await;
    let confirmed = (warned_trust["score"].as_i64(), warned_trust["components"]["reportsConfirmed"].as_i64());
    assert_eq!(confirmed, (Some(40), Some(-10)), "{warned_trust}");
    assert_eq!(trust(&api, &reporter).await["score"], 50);
}

#[tokio::test]
async fn the_window_closes_seven_days_after_the_end() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Ida", "Europe/Paris").await, api.member("Jon", "Europe/Paris").await);
    let late = ended_between(&api, &a, &b, Duration::days(8), false).await;
    reflect(&api, &a, &late, great()).await.expect_error(404, "not_found");
    // Six days on, the conversation itself is purged, but the reflection is still open.
    let recent = ended_between(&api, &a, &b, Duration::days(6), false).await;
    assert_eq!(reflect(&api, &a, &recent, great()).await.status, 201);
    assert_eq!(reflect(&api, &b, &recent, great()).await.status, 201);
}
