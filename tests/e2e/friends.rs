//! Friendships end to end: two "again" reflections, or two "stay friends" presses before the
//! end, make the pair friends (once); friends see each other's revealed profile and talk in a
//! conversation of their own over the same WebSocket API, and the friendship ends when either
//! ends it, blocks, or is erased.

use tandem_tests::*;

use crate::trust::{ended_between, reflect};

const DAY: i64 = 86_400;

async fn friends(api: &TestApi, session: &Session) -> Vec<serde_json::Value> {
    let reply = api.get("/v1/friends", Some(&session.access)).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["friends"].as_array().unwrap().clone()
}

/// Two members whose ended conversation both reflected "again" on.
async fn befriended(api: &TestApi) -> (Session, Session, String) {
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let origin = ended_between(api, &a, &b, chrono::Duration::hours(1), false).await;
    for session in [&a, &b] {
        let reply = reflect(api, session, &origin, json!({"vibe": 5, "outcome": "again"})).await;
        assert_eq!(reply.status, 201, "{}", reply.body);
    }
    (a, b, origin)
}

#[tokio::test]
async fn two_agains_make_friends_who_talk_in_a_conversation_of_their_own() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let origin = ended_between(&api, &a, &b, chrono::Duration::hours(1), false).await;
    let reply = reflect(&api, &a, &origin, json!({"vibe": 5, "outcome": "again"})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert!(friends(&api, &a).await.is_empty(), "one \"again\" is no friendship");
    let reply = reflect(&api, &b, &origin, json!({"vibe": 4, "outcome": "again"})).await;
    assert_eq!(reply.status, 201, "{}", reply.body);

    let (mine, theirs) = (friends(&api, &a).await, friends(&api, &b).await);
    assert_eq!((mine.len(), theirs.len()), (1, 1));
    assert_eq!(mine[0]["friend"]["userId"], b.user_id);
    assert_eq!(mine[0]["friend"]["firstName"], "Ben", "friends see the revealed profile");
    assert_eq!(theirs[0]["friend"]["firstName"], "Ana");
    assert_eq!(mine[0]["originConversationId"], origin.as_str());
    assert_eq!(mine[0]["conversationId"], theirs[0]["conversationId"]);
    let conversation = mine[0]["conversationId"].as_str().unwrap().to_owned();

    // Their own conversation: no expiry, over the same WebSocket API, moderated like any other.
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&a.access)).await;
    assert_eq!(view.status, 200, "{}", view.body);
    assert_eq!(view.body["kind"], "friendship");
    assert!(view.body["expiresAt"].as_str().unwrap().starts_with("9999-"), "{}", view.body);
    let mut a_chat = Chat::connect(&api, &a.access).await.unwrap();
    let mut b_chat = Chat::connect(&api, &b.access).await.unwrap();
    b_chat
        .send(json!({"action": "sendMessage", "conversationId": conversation, "clientMessageId": "f-1", "text": "hi friend"}))
        .await;
    assert_eq!(b_chat.expect("message.ack").await["duplicate"], false);
    assert_eq!(a_chat.expect("message.new").await["message"]["text"], "hi friend");
    let close = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &a.access, json!({})).await;
    close.expect_error(409, "friendship_conversation");

    // Unique per pair: another "again" conversation makes no second friendship.
    let again = ended_between(&api, &a, &b, chrono::Duration::hours(2), false).await;
    for session in [&a, &b] {
        assert_eq!(reflect(&api, session, &again, json!({"vibe": 5, "outcome": "again"})).await.status, 201);
    }
    assert_eq!(friends(&api, &a).await.len(), 1);

    // Either friend ends it: both sides go, the conversation closes, both are told.
    let ended = api.delete(&format!("/v1/friends/{}", b.user_id), &a.access).await;
    assert_eq!(ended.status, 204, "{}", ended.body);
    assert_eq!(b_chat.expect("conversation.closed").await["conversation"]["state"], "closed");
    assert!(friends(&api, &a).await.is_empty() && friends(&api, &b).await.is_empty());
    let path = format!("/v1/conversations/{conversation}/messages");
    let late = api.post_auth(&path, &b.access, json!({"clientMessageId": "f-2", "text": "still there?"})).await;
    late.expect_error(409, "conversation_closed");
    api.delete(&format!("/v1/friends/{}", b.user_id), &a.access).await.expect_error(404, "not_found");
    api.delete("/v1/friends/not-an-id", &a.access).await.expect_error(404, "not_found");
}

#[tokio::test]
async fn no_friendship_unless_both_said_again() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let origin = ended_between(&api, &a, &b, chrono::Duration::hours(1), false).await;
    assert_eq!(reflect(&api, &a, &origin, json!({"vibe": 5, "outcome": "again"})).await.status, 201);
    assert_eq!(reflect(&api, &b, &origin, json!({"vibe": 4, "outcome": "maybe"})).await.status, 201);
    assert!(friends(&api, &a).await.is_empty() && friends(&api, &b).await.is_empty());
    api.get("/v1/friends", None).await.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn a_block_ends_the_friendship() {
    let api = TestApi::start().await;
    let (a, b, _) = befriended(&api).await;
    let conversation = friends(&api, &a).await[0]["conversationId"].as_str().unwrap().to_owned();
    let blocked = api.post_auth("/v1/blocks", &b.access, json!({"userId": a.user_id})).await;
    assert_eq!(blocked.status, 201, "{}", blocked.body);
    api.eventually(30, "the block ends the friendship", || async {
        (friends(&api, &a).await.is_empty() && friends(&api, &b).await.is_empty()).then_some(())
    })
    .await;
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&a.access)).await;
    assert_eq!(view.body["state"], "closed", "{}", view.body);
}

#[tokio::test]
async fn an_erased_account_s_friendships_end() {
    let api = TestApi::start().await;
    let (a, b, _) = befriended(&api).await;
    assert_eq!(api.post_auth("/v1/me/deletion", &a.access, json!({})).await.status, 202);
    api.advance_clock(7 * DAY + 3600).await;
    let purge = api.run_job("retention-purge").await;
    assert_eq!(purge.body["accountsErased"], 1, "{}", purge.body);
    assert!(friends(&api, &b).await.is_empty());
    let erased = format!("FRIEND#{}", a.user_id);
    assert!(!api.items().await.iter().any(|item| item.get("sk").and_then(|v| v.as_s().ok()) == Some(&erased)));
}

async fn stay(api: &TestApi, session: &Session, conversation: &str) -> Reply {
    api.post_auth(&format!("/v1/conversations/{conversation}/stay-friends"), &session.access, json!({})).await
}

#[tokio::test]
async fn both_pressing_stay_friends_before_the_end_makes_friends_once() {
    let api = TestApi::start().await;
    let (ana, ben, conversation) = api.matched_pair().await;
    let outsider = api.member("Sam", "Europe/Paris").await;
    stay(&api, &outsider, &conversation).await.expect_error(404, "not_found");

    // One press, even twice, makes nothing, and says nothing of the partner.
    for _ in 0..2 {
        let pressed = stay(&api, &ana, &conversation).await;
        assert_eq!(pressed.status, 200, "{}", pressed.body);
        assert_eq!((pressed.body["stayFriends"].clone(), pressed.body["friends"].clone()), (json!(true), json!(false)));
    }
    assert!(friends(&api, &ana).await.is_empty());
    let view = api.get(&format!("/v1/conversations/{conversation}"), Some(&ben.access)).await;
    assert!(!view.body.to_string().contains("stayFriends"), "the partner's press is not shown: {}", view.body);

    // The second press makes them friends; the daily conversation goes on to its end.
    let second = stay(&api, &ben, &conversation).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["friends"], true);
    let (mine, theirs) = (friends(&api, &ana).await, friends(&api, &ben).await);
    assert_eq!((mine.len(), theirs.len()), (1, 1));
    assert_eq!(mine[0]["originConversationId"], conversation.as_str());
    assert_eq!(mine[0]["friend"]["firstName"], "Ben");
    assert_eq!(stay(&api, &ana, &conversation).await.body["friends"], true, "a retry answers the same");
    let daily = api.get(&format!("/v1/conversations/{conversation}"), Some(&ana.access)).await;
    assert_eq!(daily.body["state"], "active");

    // Two "again" reflections later make no second friendship.
    let closed = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &ana.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    for session in [&ana, &ben] {
        assert_eq!(reflect(&api, session, &conversation, json!({"vibe": 5, "outcome": "again"})).await.status, 201);
    }
    assert_eq!(friends(&api, &ana).await.len(), 1);
    let friends_conversation = mine[0]["conversationId"].as_str().unwrap();
    stay(&api, &ana, friends_conversation).await.expect_error(409, "friendship_conversation");
}

#[tokio::test]
async fn stay_friends_makes_no_friendship_after_a_report_or_after_the_end() {
    let api = TestApi::start().await;
    let (ana, ben, conversation) = api.matched_pair().await;
    let report = json!({"reportedUserId": ben.user_id, "conversationId": conversation, "reason": "harassment"});
    assert_eq!(api.post_auth("/v1/reports", &ana.access, report).await.status, 201);
    assert_eq!(stay(&api, &ben, &conversation).await.body["friends"], false);
    let second = stay(&api, &ana, &conversation).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["friends"], false, "never friends with someone reported");
    assert!(friends(&api, &ana).await.is_empty() && friends(&api, &ben).await.is_empty());

    let (cleo, dan, ended) = api.matched_pair().await;
    assert_eq!(api.post_auth(&format!("/v1/conversations/{ended}/close"), &cleo.access, json!({})).await.status, 200);
    stay(&api, &dan, &ended).await.expect_error(409, "conversation_closed");
    assert!(friends(&api, &cleo).await.is_empty());
}

#[tokio::test]
async fn two_agains_make_no_friendship_when_the_second_author_reported_the_first() {
    let api = TestApi::start().await;
    let (a, b, origin) = api.matched_pair().await;
    let closed = api.post_auth(&format!("/v1/conversations/{origin}/close"), &a.access, json!({})).await;
    assert_eq!(closed.status, 200, "{}", closed.body);
    let report = json!({"reportedUserId": b.user_id, "reason": "harassment"});
    let filed = api.post_auth("/v1/reports", &a.access, report).await;
    assert_eq!(filed.status, 201, "{}", filed.body);
    // Ben's "again" first, then the reporter's own: either side's report keeps them apart.
    assert_eq!(reflect(&api, &b, &origin, json!({"vibe": 5, "outcome": "again"})).await.status, 201);
    assert_eq!(reflect(&api, &a, &origin, json!({"vibe": 5, "outcome": "again"})).await.status, 201);
    assert!(friends(&api, &a).await.is_empty() && friends(&api, &b).await.is_empty());
}

/// Records the notification worker failed so far.
fn notification_failures(api: &TestApi) -> u64 {
    use std::sync::atomic::Ordering::Relaxed;
    let workers = &api.pipeline.status.workers;
    workers.iter().filter(|w| w.function == "notification-worker").map(|w| w.failed.load(Relaxed)).sum()
}

/// `conversation.closed` events received for `conversation` until the socket is quiet.
async fn closed_events(chat: &mut Chat, conversation: &str) -> usize {
    let mut count = 0;
    while let Ok(Some(event)) = tokio::time::timeout(std::time::Duration::from_secs(3), chat.next()).await {
        if event["type"] == "conversation.closed" && event["conversation"]["conversationId"] == conversation {
            count += 1;
        }
    }
    count
}

/// What follows a panic exit is derived from its committed change: the step after the commit
/// fails (the notification worker's transactions are cancelled past their attempts) and,
/// once the record comes back, the friendship still ends, the messages still get their
/// deadline and both are still told — exactly once.
#[tokio::test]
async fn what_follows_a_panic_exit_survives_a_failure_after_its_commit() {
    let api = TestApi::start().await;
    let (ana, ben, conversation) = api.matched_pair().await;
    assert_eq!(stay(&api, &ana, &conversation).await.status, 200);
    assert_eq!(stay(&api, &ben, &conversation).await.body["friends"], true);
    let friends_conversation = friends(&api, &ana).await[0]["conversationId"].as_str().unwrap().to_owned();
    let sent = api
        .post_auth(
            &format!("/v1/conversations/{conversation}/messages"),
            &ben.access,
            json!({"clientMessageId": "p-1", "text": "hello"}),
        )
        .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let (mut a_chat, mut b_chat) =
        (Chat::connect(&api, &ana.access).await.unwrap(), Chat::connect(&api, &ben.access).await.unwrap());
    // Written with the latest deadline the conversation allows (two days after its 24 h).
    let written = api.message_deadlines(&conversation).await;

    let iam = api.functions.iam().unwrap().clone();
    let failures = notification_failures(&api);
    iam.inject_transaction_conflicts("notification-worker", u32::MAX);
    let panic = api.post_auth(&format!("/v1/conversations/{conversation}/panic"), &ana.access, json!({})).await;
    assert_eq!(panic.status, 200, "{}", panic.body);
    api.eventually(30, "the worker fails the panic exit's record", || async {
        (notification_failures(&api) > failures).then_some(())
    })
    .await;
    assert_eq!(friends(&api, &ana).await.len(), 1, "the failed step ended nothing");
    assert_eq!(api.message_deadlines(&conversation).await, written, "nor moved the deadline");
    iam.inject_transaction_conflicts("notification-worker", 0);

    api.eventually(60, "the friendship ends once the record comes back", || async {
        (friends(&api, &ana).await.is_empty() && friends(&api, &ben).await.is_empty()).then_some(())
    })
    .await;
    let two_days_from_now = (chrono::Utc::now() + chrono::Duration::days(2)).timestamp();
    let deadlines = api
        .eventually(30, "the messages' deadline moves to two days after the panic exit", || async {
            let deadlines = api.message_deadlines(&conversation).await;
            (deadlines != written).then_some(deadlines)
        })
        .await;
    let deadline = deadlines[0].expect("a deadline");
    assert!((two_days_from_now - 120..=two_days_from_now).contains(&deadline), "{deadline} vs {two_days_from_now}");
    assert_eq!(closed_events(&mut a_chat, &conversation).await, 1, "Ana is told once");
    assert_eq!(closed_events(&mut b_chat, &conversation).await, 1, "Ben is told once");
    let view = api.get(&format!("/v1/conversations/{friends_conversation}"), Some(&ben.access)).await;
    assert_eq!(view.body["state"], "closed", "{}", view.body);
}

/// A block's consequences come from its insert in the same way: the worker fails first, and
/// the conversation between the two still closes and their friendship still ends.
#[tokio::test]
async fn what_follows_a_block_survives_a_failure_after_its_commit() {
    let api = TestApi::start().await;
    let (ana, ben, conversation) = api.matched_pair().await;
    assert_eq!(stay(&api, &ana, &conversation).await.status, 200);
    assert_eq!(stay(&api, &ben, &conversation).await.body["friends"], true);
    let mut a_chat = Chat::connect(&api, &ana.access).await.unwrap();

    let iam = api.functions.iam().unwrap().clone();
    let failures = notification_failures(&api);
    iam.inject_transaction_conflicts("notification-worker", u32::MAX);
    let blocked = api.post_auth("/v1/blocks", &ben.access, json!({"userId": ana.user_id})).await;
    assert_eq!(blocked.status, 201, "{}", blocked.body);
    api.eventually(30, "the worker fails the block's record", || async {
        (notification_failures(&api) > failures).then_some(())
    })
    .await;
    assert_eq!(friends(&api, &ana).await.len(), 1, "the failed step ended no friendship");
    iam.inject_transaction_conflicts("notification-worker", 0);

    api.eventually(60, "the friendship ends once the record comes back", || async {
        (friends(&api, &ana).await.is_empty() && friends(&api, &ben).await.is_empty()).then_some(())
    })
    .await;
    let daily = api.get(&format!("/v1/conversations/{conversation}"), Some(&ana.access)).await;
    assert_eq!(daily.body["state"], "closed", "{}", daily.body);
    assert_eq!(closed_events(&mut a_chat, &conversation).await, 1, "Ana is told once");
}
