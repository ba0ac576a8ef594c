//! Conversations and real-time chat through the local WebSocket gateway, against
//! DynamoDB Local, with a real WebSocket client.

use std::collections::HashSet;

use tandem_domain::UserId;
use tandem_local::gateway::WebSocketLimits;
use tandem_store::ConnectionRecord;
use tandem_tests::*;

fn send(conversation: &str, client_id: &str, text: &str) -> serde_json::Value {
    json!({ "action": "sendMessage", "conversationId": conversation, "clientMessageId": client_id, "text": text })
}

#[tokio::test]
async fn two_matched_users_chat_resume_and_see_the_conversation_expire() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    for s in [&a, &b] {
        api.put("/v1/availability/today", &s.access, json!({})).await;
    }
    assert_eq!(api.run_job("pairing-sweep").await.body["created"], 1);
    let matched = ana.expect("match.created").await;
    let conversation = matched["conversationId"].as_str().unwrap().to_owned();
    assert_eq!(ben.expect("match.created").await["conversationId"], conversation);

    // Send: ack to the sender, message.new to the peer.
    ana.send(send(&conversation, "a-1", "  Hello Ben!\u{0007} ")).await;
    let ack = ana.expect("message.ack").await;
    assert_eq!(ack["clientMessageId"], "a-1");
    assert_eq!(ack["message"]["text"], "Hello Ben!", "trimmed, control characters removed");
    let new = ben.expect("message.new").await;
    assert_eq!(new["message"]["messageId"], ack["message"]["messageId"]);
    assert_eq!(new["message"]["author"], a.user_id);

    // Typing and read receipts are relayed; the read position is persisted.
    ben.send(json!({ "action": "typing", "conversationId": conversation })).await;
    assert_eq!(ana.expect("typing").await["userId"], b.user_id);
    let first_id = ack["message"]["messageId"].as_str().unwrap().to_owned();
    ben.send(json!({ "action": "read", "conversationId": conversation, "messageId": first_id })).await;
    assert_eq!(ana.expect("read").await["messageId"], first_id);
    let status = api.get(&format!("/v1/conversations/{conversation}"), Some(&a.access)).await;
    assert_eq!(status.body["readPositions"][0]["userId"], b.user_id);
    assert_eq!(status.body["readPositions"][0]["messageId"], first_id);

    // Ana drops off; Ben writes three messages; Ana reconnects and resumes from her last id.
    ana.close().await;
    let mut sent = Vec::new();
    for i in 0..3 {
        ben.send(send(&conversation, &format!("b-{i}"), &format!("while you were away {i}"))).await;
        sent.push(ben.expect("message.ack").await["message"]["messageId"].as_str().unwrap().to_owned());
    }
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let missed = api.get(&format!("/v1/conversations/{conversation}/messages?after={first_id}"), Some(&a.access)).await;
    let ids: Vec<&str> =
        missed.body["messages"].as_array().unwrap().iter().map(|m| m["messageId"].as_str().unwrap()).collect();
    assert_eq!(ids, sent, "every missed message, once, in order");
    ben.send(send(&conversation, "b-live", "and now live")).await;
    assert_eq!(ana.expect("message.new").await["message"]["text"], "and now live");

    // 23 h 1 min later: one expiring notice each, once.
    api.advance_clock(23 * 3600 + 60).await;
    assert_eq!(api.run_job("conversation-expiry").await.body["expiringSent"], 1);
    assert_eq!(ana.expect("conversation.expiring").await["conversation"]["conversationId"], conversation);
    ben.expect("conversation.expiring").await;
    assert_eq!(api.run_job("conversation-expiry").await.body["expiringSent"], 0);

    // At 24 h it expires: both are told, sending is refused, messages are scheduled for deletion.
    api.advance_clock(3600).await;
    let expiry = api.run_job("conversation-expiry").await;
    assert_eq!(expiry.body["expired"], 1, "{}", expiry.body);

    assert_eq!(ana.expect("conversation.expired").await["conversation"]["state"], "expired");
    ben.expect("conversation.expired").await;
    ana.send(send(&conversation, "a-late", "still there?")).await;
    let refused = ana.expect("error").await;
    assert_eq!(refused["error"]["code"], "conversation_closed");
    let http = api
        .post_auth(
            &format!("/v1/conversations/{conversation}/messages"),
            &a.access,
            json!({"clientMessageId": "a-late2", "text": "hm"}),
        )
        .await;
    http.expect_error(409, "conversation_closed");
    let history = api.get(&format!("/v1/conversations/{conversation}/messages"), Some(&b.access)).await;
    history.expect_error(409, "conversation_closed");
    let again = api.run_job("conversation-expiry").await;
    assert_eq!((again.body["due"].as_u64(), again.body["expired"].as_u64()), (Some(0), Some(0)), "idempotent");
    assert_eq!(api.get(&format!("/v1/conversations/{conversation}"), Some(&b.access)).await.body["state"], "expired");
}

#[tokio::test]
async fn outsiders_can_neither_write_nor_read_a_conversation() {
    let api = TestApi::start().await;
    let (_a, _b, conversation) = api.matched_pair().await;
    let outsider = api.member("Eve", "Europe/Paris").await;
    let mut eve = Chat::connect(&api, &outsider.access).await.unwrap();
    eve.send(send(&conversation, "e-1", "let me in")).await;
    assert_eq!(eve.expect("error").await["error"]["code"], "not_found");
    eve.send(json!({ "action": "typing", "conversationId": conversation })).await;
    assert_eq!(eve.expect("error").await["error"]["code"], "not_found");
    let base = format!("/v1/conversations/{conversation}");
    api.get(&base, Some(&outsider.access)).await.expect_error(404, "not_found");
    api.get(&format!("{base}/messages"), Some(&outsider.access)).await.expect_error(404, "not_found");
    api.post_auth(&format!("{base}/messages"), &outsider.access, json!({"clientMessageId": "e-2", "text": "hi"}))
        .await
        .expect_error(404, "not_found");
    api.post_auth(&format!("{base}/close"), &outsider.access, json!({})).await.expect_error(404, "not_found");
    api.post_auth(&format!("{base}/panic"), &outsider.access, json!({})).await.expect_error(404, "not_found");
    assert_eq!(
        api.count_items(&format!("CONV#{conversation}")).await,
        1,
        "only the conversation item: nothing written"
    );
    api.get("/v1/conversations/not-a-uuid", Some(&outsider.access)).await.expect_error(404, "not_found");
}

#[tokio::test]
async fn a_retried_send_stores_one_message() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    ana.send(send(&conversation, "same-id", "once")).await;
    let first = ana.expect("message.ack").await;
    ana.send(send(&conversation, "same-id", "once")).await;
    let second = ana.expect("message.ack").await;
    assert_eq!(second["duplicate"], true);
    assert_eq!(first["message"]["messageId"], second["message"]["messageId"]);
    // The peer hears of it on each attempt (a retry may follow a failure after the store), and
    // de-duplicates by id.
    for _ in 0..2 {
        assert_eq!(ben.expect("message.new").await["message"]["messageId"], first["message"]["messageId"]);
    }
    let path = format!("/v1/conversations/{conversation}/messages");
    let http = api.post_auth(&path, &a.access, json!({"clientMessageId": "same-id", "text": "once"})).await;
    assert_eq!(http.status, 200, "a retry is not a creation");
    assert_eq!(http.body["messageId"], first["message"]["messageId"]);
    let created = api.post_auth(&path, &a.access, json!({"clientMessageId": "other-id", "text": "twice"})).await;
    assert_eq!(created.status, 201);
    let items = api.items().await;
    let messages = items.iter().filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("MSG#"))).count();
    assert_eq!(messages, 2);
    // Each stored message is scanned, once, from the table's stream.
    api.eventually(10, "both messages scanned", || async {
        let items = api.items().await;
        let states: Vec<String> = items
            .iter()
            .filter(|i| i["sk"].as_s().is_ok_and(|sk| sk.starts_with("MSG#")))
            .filter_map(|i| i["moderation"].as_s().ok().cloned())
            .collect();
        (states == ["scanned", "scanned"]).then_some(())
    })
    .await;
}

#[tokio::test]
async fn bad_messages_are_refused_with_clear_errors() {
    let api = TestApi::start().await;
    let (a, _b, conversation) = api.matched_pair().await;
    let path = format!("/v1/conversations/{conversation}/messages");
    let long = "x".repeat(2_001);
    for (body, field) in [
        (json!({"clientMessageId": "c1", "text": "   "}), "text"),
        (json!({"clientMessageId": "c2", "text": long}), "text"),
        (json!({"clientMessageId": "bad id!", "text": "hi"}), "clientMessageId"),
    ] {
        let reply = api.post_auth(&path, &a.access, body).await;
        let details = reply.expect_error(400, "validation_failed");
        assert_eq!(details[0]["field"], field);
    }
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    ana.send(json!({"action": "sendMessage", "conversationId": conversation})).await;
    assert_eq!(ana.expect("error").await["error"]["code"], "invalid_body");
    ana.send(json!({"action": "dance"})).await;
    let unknown = ana.expect("error").await;
    assert_eq!(unknown["error"]["code"], "unknown_action");
    assert!(unknown["error"]["message"].as_str().unwrap().contains("sendMessage"));
    ana.send(json!({"action": "ping"})).await;
    ana.expect("pong").await;
    assert_eq!(api.count_items(&format!("CONV#{conversation}")).await, 1, "nothing stored");
}

#[tokio::test]
async fn connecting_needs_a_valid_token() {
    let api = TestApi::start().await;
    let a = api.member("Ana", "Europe/Paris").await;
    assert_eq!(Chat::connect(&api, "").await.err(), Some(401));
    assert_eq!(Chat::connect(&api, "garbage").await.err(), Some(401));
    let mut tampered = a.access.clone();
    tampered.pop();
    assert_eq!(Chat::connect(&api, &tampered).await.err(), Some(401));
    let _open = Chat::connect(&api, &a.access).await.expect("a valid token connects");
    assert_eq!(api.count_items("CONN#").await, 1, "only the accepted connection is recorded");
}

#[tokio::test]
async fn a_connection_that_answers_410_is_cleaned_up() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    // A connection API Gateway has closed but whose $disconnect never ran.
    let stale = ConnectionRecord {
        connection_id: "stale0123456789a".into(),
        user_id: UserId::parse(&b.user_id).unwrap(),
        connected_at: chrono::Utc::now(),
    };
    api.app.store.add_connection(&stale).await.unwrap();
    let path = format!("/v1/conversations/{conversation}/messages");
    assert_eq!(api.post_auth(&path, &a.access, json!({"clientMessageId": "m1", "text": "hi"})).await.status, 201);
    assert_eq!(ben.expect("message.new").await["message"]["text"], "hi", "the live device still gets it");
    assert!(
        api.app.store.connection("stale0123456789a", chrono::Utc::now()).await.unwrap().is_none(),
        "removed on 410"
    );
}

#[tokio::test]
async fn the_management_api_speaks_aws_to_the_sdk() {
    use aws_sdk_apigatewaymanagement::primitives::Blob;
    let api = TestApi::start().await;
    let a = api.member("Ana", "Europe/Paris").await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let user = UserId::parse(&a.user_id).unwrap();
    let connection = api.app.store.connections_of(&user, chrono::Utc::now()).await.unwrap().remove(0).connection_id;
    let sdk = sdk_config().await;
    let config = aws_sdk_apigatewaymanagement::config::Builder::from(&sdk).endpoint_url(&api.base).build();
    let client = aws_sdk_apigatewaymanagement::Client::from_conf(config);
    let info = client.get_connection().connection_id(&connection).send().await.expect("GetConnection");
    assert!(info.connected_at().is_some() && info.last_active_at().is_some());
    client
        .post_to_connection()
        .connection_id(&connection)
        .data(Blob::new(br#"{"type":"pong","at":"2026-11-21T12:00:00Z"}"#.to_vec()))
        .send()
        .await
        .unwrap();
    assert_eq!(ana.expect("pong").await["at"], "2026-11-21T12:00:00Z");
    client.delete_connection().connection_id(&connection).send().await.expect("DeleteConnection");
    assert!(ana.next().await.is_none(), "closed by the server");
    let gone = client.post_to_connection().connection_id(&connection).data(Blob::new(b"x".to_vec())).send().await;
    assert!(gone.unwrap_err().into_service_error().is_gone_exception());
}

#[tokio::test]
async fn idle_and_overlong_connections_are_closed() {
    let limits = WebSocketLimits {
        max_connection: std::time::Duration::from_secs(3),
        idle_timeout: std::time::Duration::from_millis(700),
    };
    let api = TestApi::start_full(|_| {}, limits).await;
    let a = api.member("Ana", "Europe/Paris").await;
    let mut idle = Chat::connect(&api, &a.access).await.unwrap();
    assert!(idle.next().await.is_none(), "closed after 700 ms idle");
    let mut busy = Chat::connect(&api, &a.access).await.unwrap();
    let started = std::time::Instant::now();
    loop {
        busy.send(json!({"action": "ping"})).await;
        match busy.next().await {
            Some(event) => assert_eq!(event["type"], "pong"),
            None => break,
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    }
    assert!(started.elapsed() >= std::time::Duration::from_millis(2_500), "closed at the 3 s cap, not before");
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(api.count_items("CONN#").await, 0, "$disconnect ran for both");
}

#[tokio::test]
async fn pages_return_every_message_exactly_once_while_new_ones_arrive() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let path = format!("/v1/conversations/{conversation}/messages");
    let mut originals = Vec::new();
    for i in 0..25 {
        let author = if i % 2 == 0 { &a } else { &b };
        let reply = api
            .post_auth(&path, &author.access, json!({"clientMessageId": format!("p{i}"), "text": format!("m{i}")}))
            .await;
        originals.push(reply.body["messageId"].as_str().unwrap().to_owned());
    }
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut page_count = 0;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=10&before={c}"),
            None => format!("{path}?limit=10"),
        };
        let page = api.get(&url, Some(&a.access)).await;
        assert_eq!(page.status, 200, "{}", page.body);
        seen.extend(
            page.body["messages"].as_array().unwrap().iter().map(|m| m["messageId"].as_str().unwrap().to_owned()),
        );
        // New messages keep arriving between pages.
        api.post_auth(&path, &b.access, json!({"clientMessageId": format!("late{page_count}"), "text": "late"})).await;
        page_count += 1;
        match page.body["nextCursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    let mut expected = originals.clone();
    expected.reverse();
    assert_eq!(seen, expected, "newest first, each exactly once, none of the late ones");
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), 25);
    api.get(&format!("{path}?limit=0"), Some(&a.access)).await.expect_error(400, "validation_failed");
    api.get(&format!("{path}?before=nope"), Some(&a.access)).await.expect_error(400, "validation_failed");
}

#[tokio::test]
async fn panic_exit_is_all_or_nothing() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    let reply = api.post_auth(&format!("/v1/conversations/{conversation}/panic"), &a.access, json!({})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(ben.expect("conversation.closed").await["conversation"]["state"], "ended_by_panic");
    assert_eq!(api.count_items("REPORT#").await, 1);
    let report =
        api.items().await.into_iter().find(|i| i["pk"].as_s().is_ok_and(|pk| pk.starts_with("REPORT#"))).unwrap();
    assert_eq!(report["severity"].as_s().unwrap(), "high");
    assert_eq!(report["reporter"].as_s().unwrap(), &a.user_id);
    let a_blocks = api.get("/v1/blocks", Some(&a.access)).await.body["blocks"].clone();
    let b_blocks = api.get("/v1/blocks", Some(&b.access)).await.body["blocks"].clone();
    assert_eq!(
        (a_blocks[0]["userId"].clone(), b_blocks[0]["userId"].clone()),
        (json!(b.user_id), json!(a.user_id)),
        "both ways"
    );
    assert_eq!(api.count_items(&format!("AUDIT#{}", a.user_id)).await, 1);
    // Again: the conversation is over, so nothing at all is written.
    let again = api.post_auth(&format!("/v1/conversations/{conversation}/panic"), &b.access, json!({})).await;
    again.expect_error(409, "conversation_closed");
    assert_eq!(api.count_items("REPORT#").await, 1);
    assert_eq!(api.count_items(&format!("AUDIT#{}", b.user_id)).await, 0);

    // A panic on a closed conversation writes no block or report either.
    let (c, d, other) = api.matched_pair().await;
    assert_eq!(api.post_auth(&format!("/v1/conversations/{other}/close"), &c.access, json!({})).await.status, 200);
    api.post_auth(&format!("/v1/conversations/{other}/panic"), &d.access, json!({}))
        .await
        .expect_error(409, "conversation_closed");
    assert_eq!(api.get("/v1/blocks", Some(&d.access)).await.body["blocks"], json!([]));
    assert_eq!(api.count_items("REPORT#").await, 1);
}

#[tokio::test]
async fn closing_tells_both_and_stops_the_chat() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let reply = api.post_auth(&format!("/v1/conversations/{conversation}/close"), &b.access, json!({})).await;
    assert_eq!(reply.body["state"], "closed");
    assert_eq!(ana.expect("conversation.closed").await["conversation"]["state"], "closed");
    ana.send(send(&conversation, "x", "hello?")).await;
    assert_eq!(ana.expect("error").await["error"]["code"], "conversation_closed");
    api.post_auth(&format!("/v1/conversations/{conversation}/close"), &a.access, json!({}))
        .await
        .expect_error(409, "conversation_closed");
    assert_eq!(api.run_job("conversation-expiry").await.body["due"], 0, "closed conversations leave the due index");
}

#[tokio::test]
async fn extension_needs_both_a_premium_member_and_happens_once() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let path = format!("/v1/conversations/{conversation}/extend");
    api.post_auth(&path, &a.access, json!({})).await.expect_error(403, "premium_required");
    api.set_account_attribute(&a.user_id, "premium", aws_sdk_dynamodb::types::AttributeValue::Bool(true)).await;
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    let before = api.get(&format!("/v1/conversations/{conversation}"), Some(&a.access)).await.body["expiresAt"].clone();
    let first = api.post_auth(&path, &a.access, json!({})).await;
    assert_eq!(first.status, 202, "{}", first.body);
    assert_eq!(first.body["extensionRequests"], json!([a.user_id]));
    assert_eq!(api.post_auth(&path, &a.access, json!({})).await.status, 202, "asking twice changes nothing");
    let second = api.post_auth(&path, &b.access, json!({})).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_eq!(second.body["extended"], true);
    let old = chrono::DateTime::parse_from_rfc3339(before.as_str().unwrap()).unwrap();
    let new = chrono::DateTime::parse_from_rfc3339(second.body["expiresAt"].as_str().unwrap()).unwrap();
    assert_eq!((new - old).num_hours(), 24);
    assert_eq!(ben.expect("conversation.extended").await["conversation"]["extended"], true);
    api.post_auth(&path, &b.access, json!({})).await.expect_error(409, "already_extended");
    // The expiring notice now waits for the new end: 24 h from now is not due yet.
    api.advance_clock(24 * 3600).await;
    assert_eq!(api.run_job("conversation-expiry").await.body["due"], 0);
}

#[tokio::test]
async fn blocking_your_partner_ends_the_conversation() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    assert_eq!(api.post_auth("/v1/blocks", &a.access, json!({ "userId": b.user_id })).await.status, 201);
    assert_eq!(ben.expect("conversation.closed").await["conversation"]["state"], "closed");
    let status = api.get(&format!("/v1/conversations/{conversation}"), Some(&b.access)).await;
    assert_eq!(status.body["state"], "closed");
    // Blocking again changes nothing more.
    assert_eq!(api.post_auth("/v1/blocks", &a.access, json!({ "userId": b.user_id })).await.status, 201);
    assert!(ben.quiet_for(300).await);
}

/// A panic exit while the partner sends a burst: the sends' transactions touch the same
/// conversation item, and a conflict with one of them is not a refusal. The panic exit is
/// never answered 409 while the conversation was active, and nothing answers 5xx.
#[tokio::test]
async fn a_panic_exit_racing_a_burst_of_sends_is_never_refused_while_active() {
    let api = TestApi::start().await;
    for round in 0..4 {
        let (a, b, conversation) = api.matched_pair().await;
        let (messages, panic_path) =
            (format!("/v1/conversations/{conversation}/messages"), format!("/v1/conversations/{conversation}/panic"));
        let sends = (0..10).map(|i| {
            let body = json!({"clientMessageId": format!("burst-{round}-{i}"), "text": "still there?"});
            api.post_auth(&messages, &b.access, body)
        });
        let (panic, sent) =
            tokio::join!(api.post_auth(&panic_path, &a.access, json!({})), futures::future::join_all(sends));
        assert_eq!(panic.status, 200, "round {round}: the panic exit of an active conversation: {}", panic.body);
        for reply in sent {
            let status = reply.status.as_u16();
            assert!(
                status < 300 || status == 409 || status == 429,
                "round {round}: a send answered {status}: {}",
                reply.body
            );
        }
    }
}

/// DynamoDB cancels a transaction that meets another one on an item (`TransactionConflict`,
/// which DynamoDB Local never does: the gate injects it). That is no refusal: the panic exit
/// is tried again and commits; conflicts that outlast the attempts answer 503, writing nothing.
#[tokio::test]
async fn a_conflicting_transaction_is_retried_not_refused() {
    let api = TestApi::start().await;
    let iam = api.functions.iam().unwrap().clone();
    let (a, b, conversation) = api.matched_pair().await;
    iam.inject_transaction_conflicts("conversations-panic", 2);
    let panic = api.post_auth(&format!("/v1/conversations/{conversation}/panic"), &a.access, json!({})).await;
    assert_eq!(panic.status, 200, "two conflicts, then the commit: {}", panic.body);
    assert_eq!(api.get("/v1/blocks", Some(&b.access)).await.body["blocks"][0]["userId"], json!(a.user_id));

    let (c, d, other) = api.matched_pair().await;
    iam.inject_transaction_conflicts("conversations-panic", 100);
    let busy = api.post_auth(&format!("/v1/conversations/{other}/panic"), &c.access, json!({})).await;
    busy.expect_error(503, "service_busy");
    assert!(busy.headers.contains_key("retry-after"));
    assert_eq!(api.get("/v1/blocks", Some(&d.access)).await.body["blocks"], json!([]), "nothing written");
    iam.inject_transaction_conflicts("conversations-panic", 0);
    let retried = api.post_auth(&format!("/v1/conversations/{other}/panic"), &c.access, json!({})).await;
    assert_eq!(retried.status, 200, "the client's retry: {}", retried.body);
}
