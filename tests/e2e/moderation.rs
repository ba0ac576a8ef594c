//! The asynchronous moderation path end to end: a stored message reaches the moderation
//! worker from the table's stream, and what the rules flag is hidden for both participants
//! within seconds and reported for admins to triage.

use tandem_tests::*;

fn send(conversation: &str, client_id: &str, text: &str) -> serde_json::Value {
    json!({"action": "sendMessage", "conversationId": conversation, "clientMessageId": client_id, "text": text})
}

/// Makes `session` an admin the way the operator command does, and signs in again.
pub async fn admin(api: &TestApi) -> Session {
    let session = api.register(&unique_email()).await;
    let email = tandem_domain::Email::parse(&session.email, "email").unwrap();
    api.app.store.grant_admin(&email, chrono::Utc::now()).await.expect("grant admin");
    let reply = api.login(&session.email, PASSWORD).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    tandem_tests::session(&reply.body, &session.email)
}

#[tokio::test]
async fn contact_details_early_and_abuse_are_hidden_for_both_within_seconds_and_reported() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();

    ana.send(send(&conversation, "clean", "hi! how was the hike on sunday?")).await;
    let clean = ana.expect("message.ack").await["message"]["messageId"].clone();
    ana.send(send(&conversation, "phone", "text me on whatsapp: +33 6 12 34 56 78")).await;
    let phone = ana.expect("message.ack").await["message"]["messageId"].clone();
    ana.send(send(&conversation, "abuse", "F U C K   y0u")).await;
    let abuse = ana.expect("message.ack").await["message"]["messageId"].clone();
    for chat in [&mut ana, &mut ben] {
        let mut hidden = [chat.expect("message.hidden").await, chat.expect("message.hidden").await];
        hidden.sort_by_key(|e| e["messageId"].as_str().unwrap().to_owned());
        assert_eq!(hidden.iter().map(|e| e["messageId"].clone()).collect::<Vec<_>>(), [phone.clone(), abuse.clone()]);
        assert!(hidden.iter().all(|e| e["conversationId"] == conversation));
    }

    // History shows both hidden, without their text, to both sides; the clean one intact.
    for session in [&a, &b] {
        let history = api.get(&format!("/v1/conversations/{conversation}/messages"), Some(&session.access)).await;
        let messages = history.body["messages"].as_array().unwrap();
        for message in messages {
            let hidden = message["messageId"] == phone || message["messageId"] == abuse;
            assert_eq!(message["hidden"], hidden, "{message}");
            assert_eq!(message["text"].as_str().unwrap().is_empty(), hidden, "{message}");
        }
    }
    api.eventually(10, "the clean message scanned", || async {
        let items = api.items().await;
        let item = items.iter().find(|i| i["sk"].as_s().is_ok_and(|sk| sk.ends_with(clean.as_str().unwrap())))?;
        (item["moderation"].as_s().ok()? == "scanned").then_some(())
    })
    .await;

    // One automatic report per hidden message, for admins to triage.
    let boss = admin(&api).await;
    let queue = api.get("/v1/admin/reports", Some(&boss.access)).await;
    assert_eq!(queue.status, 200, "{}", queue.body);
    let reports = queue.body["reports"].as_array().unwrap();
    assert_eq!(reports.len(), 2, "{}", queue.body);
    assert!(reports.iter().all(|r| r["source"] == "moderation" && r["reportedUserId"] == a.user_id.as_str()));
    let labels: Vec<&str> = reports.iter().map(|r| r["findings"][0]["label"].as_str().unwrap()).collect();
    assert!(labels.contains(&"contact_details") && labels.contains(&"harassment"), "{labels:?}");
    // Most severe first.
    let ranks: Vec<u8> = reports
        .iter()
        .map(|r| match r["severity"].as_str().unwrap() {
            "high" => 0,
            "medium" => 1,
            _ => 2,
        })
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] <= w[1]), "{ranks:?}");

    // The admin opens one (triaged, with the message text they must judge) and warns.
    let id = reports[0]["reportId"].as_str().unwrap();
    let context = api.get(&format!("/v1/admin/reports/{id}"), Some(&boss.access)).await;
    assert_eq!(context.status, 200, "{}", context.body);
    assert_eq!(context.body["report"]["status"], "triaged");
    assert!(context.body["messages"].as_array().unwrap().iter().any(|m| m["moderation"] == "hidden"));
    assert_eq!(context.body["earlierReports"].as_array().unwrap().len(), 1);
    let action = json!({"action": "warn", "note": "contact details in the first hour"});
    let warned = api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, action.clone()).await;
    assert_eq!(warned.status, 200, "{}", warned.body);
    assert_eq!(warned.body["status"], "actioned");
    assert_eq!(warned.body["resolution"]["action"], "warn");
    let warning = ana.expect("account.warning").await;
    assert_eq!(warning["notice"]["kind"], "warning");
    assert!(warning["notice"].get("note").is_none(), "the admin's note stays internal");
    // Repeating the same action is accepted and changes nothing; another action is refused.
    let again = api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, action).await;
    assert_eq!(again.status, 200);
    assert!(ana.quiet_for(1_000).await, "no second warning");
    let other = json!({"action": "dismiss", "note": ""});
    api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, other)
        .await
        .expect_error(409, "report_resolved");
    let review = api.get(&format!("/v1/admin/users/{}", a.user_id), Some(&boss.access)).await;
    assert_eq!(review.body["actions"].as_array().unwrap().len(), 1, "one audit entry: {}", review.body);
    assert_eq!(review.body["actions"][0]["action"], "warn");
}

#[tokio::test]
async fn reports_are_filed_once_only_about_partners_and_only_their_reporter_sees_them() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let stranger = api.member("Sam", "Europe/Paris").await;

    let report = json!({"reportedUserId": b.user_id, "conversationId": conversation, "reason": "harassment",
                        "details": "kept insulting me"});
    let first = api.post_auth("/v1/reports", &a.access, report.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["status"], "open");
    let again = api.post_auth("/v1/reports", &a.access, report).await;
    assert_eq!(again.status, 200, "the same report again is the first one");
    assert_eq!(again.body["reportId"], first.body["reportId"]);

    // Someone never shared a conversation with: 404, as if they did not exist.
    let about_stranger = json!({"reportedUserId": stranger.user_id, "reason": "spam_or_scam"});
    api.post_auth("/v1/reports", &a.access, about_stranger).await.expect_error(404, "not_found");
    let by_stranger = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "hate"});
    api.post_auth("/v1/reports", &stranger.access, by_stranger).await.expect_error(404, "not_found");
    // Without a conversation: a recent partner may be reported.
    let no_conversation = json!({"reportedUserId": a.user_id, "reason": "other", "details": "odd"});
    assert_eq!(api.post_auth("/v1/reports", &b.access, no_conversation).await.status, 201);

    for (body, field) in [
        (json!({"reportedUserId": a.user_id, "reason": "other"}), "reportedUserId"),
        (json!({"reportedUserId": b.user_id, "reason": "other", "details": "x".repeat(1_001)}), "details"),
        (json!({"reportedUserId": b.user_id, "reason": "other", "messageId": conversation}), "conversationId"),
        (json!({"reportedUserId": "nope", "reason": "other"}), "reportedUserId"),
    ] {
        let reply = api.post_auth("/v1/reports", &a.access, body).await;
        assert_eq!(reply.expect_error(400, "validation_failed")[0]["field"], field);
    }
    let bad_reason = json!({"reportedUserId": b.user_id, "reason": "rude"});
    api.post_auth("/v1/reports", &a.access, bad_reason).await.expect_error(400, "invalid_body");

    let mine = api.get("/v1/reports", Some(&a.access)).await;
    assert_eq!(mine.body["reports"].as_array().unwrap().len(), 1);
    let id = first.body["reportId"].as_str().unwrap();
    let one = api.get(&format!("/v1/reports/{id}"), Some(&a.access)).await;
    assert_eq!(one.body["details"], "kept insulting me");
    assert!(one.body.get("reporter").is_none() && one.body.get("resolution").is_none());
    api.get(&format!("/v1/reports/{id}"), Some(&b.access)).await.expect_error(404, "not_found");
    api.get("/v1/admin/reports", Some(&a.access)).await.expect_error(403, "admin_only");
    api.get(&format!("/v1/admin/users/{}", b.user_id), Some(&a.access)).await.expect_error(403, "admin_only");
    api.put(&format!("/v1/admin/users/{}/premium", a.user_id), &a.access, json!({"premium": true}))
        .await
        .expect_error(403, "admin_only");
}

#[tokio::test]
async fn a_ban_ends_the_conversation_closes_the_sockets_and_refuses_every_later_request() {
    // Each function keeps the statuses it read for the cache window (30 s deployed, 1 s
    // here): another warm function refuses the banned token once its entry is older.
    let api = TestApi::start_with(|config| config.status_cache_seconds = 1).await;
    let (a, b, conversation) = api.matched_pair().await;
    let boss = admin(&api).await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let mut ben = Chat::connect(&api, &b.access).await.unwrap();
    let report = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "hate"});
    let filed = api.post_auth("/v1/reports", &b.access, report).await;
    let id = filed.body["reportId"].as_str().unwrap();
    assert_eq!(api.get("/v1/me", Some(&a.access)).await.status, 200, "active until banned");

    let ban = json!({"action": "ban", "note": "hate speech"});
    let banned = api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, ban.clone()).await;
    assert_eq!(banned.status, 200, "{}", banned.body);
    assert_eq!(ben.expect("conversation.closed").await["conversation"]["state"], "closed");
    assert!(ana.next().await.is_none_or(|e| e["type"] == "conversation.closed"), "socket closed");
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;
    api.get("/v1/me", Some(&a.access)).await.expect_error(403, "account_banned");
    let refresh = api.post("/v1/auth/refresh", json!({"refreshToken": a.refresh})).await;
    assert_eq!(refresh.status, 401, "sessions revoked: {}", refresh.body);
    assert_eq!(Chat::connect(&api, &a.access).await.err(), Some(403));
    let status = api.get(&format!("/v1/reports/{id}"), Some(&b.access)).await;
    assert_eq!(status.body["status"], "actioned");
    // A retried ban is the same answer.
    let retried = api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, ban).await;
    assert_eq!(retried.status, 200);
    let review = api.get(&format!("/v1/admin/users/{}", a.user_id), Some(&boss.access)).await;
    assert_eq!(review.body["user"]["status"], "banned");
}

/// The ban stays, and the banned account keeps its rights of access and erasure: it signs
/// in to a session restricted to the export and the deletion request (and its
/// cancellation), and every other route refuses it, while its deletion is pending too.
#[tokio::test]
async fn a_banned_account_can_still_export_and_ask_for_its_deletion_and_nothing_else() {
    // A 1 s status cache, so every function knows of the ban soon (30 s deployed).
    let api = TestApi::start_with(|config| config.status_cache_seconds = 1).await;
    let (a, b, conversation) = api.matched_pair().await;
    let boss = admin(&api).await;
    let report = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "hate"});
    let id = api.post_auth("/v1/reports", &b.access, report).await.body["reportId"].as_str().unwrap().to_owned();
    let ban = json!({"action": "ban", "note": "hate speech"});
    assert_eq!(api.post_auth(&format!("/v1/admin/reports/{id}/actions"), &boss.access, ban).await.status, 200);
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let signed_in = api.login(&a.email, PASSWORD).await;
    assert_eq!(signed_in.status, 200, "{}", signed_in.body);
    assert_eq!(
        signed_in.body["restrictedTo"],
        json!(["POST /v1/me/export", "POST /v1/me/deletion", "DELETE /v1/me/deletion"])
    );
    let token = signed_in.body["accessToken"].as_str().unwrap().to_owned();
    let refused = |reply: Reply| {
        reply.expect_error(403, "account_banned");
    };
    refused(api.get("/v1/me", Some(&token)).await);
    refused(api.put("/v1/availability/today", &token, json!({})).await);
    refused(api.put("/v1/me/intent", &token, json!({"intent": "light_chat"})).await);
    assert_eq!(Chat::connect(&api, &token).await.err(), Some(403));

    let export = api.post_auth("/v1/me/export", &token, json!({})).await;
    assert_eq!(export.status, 200, "{}", export.body);
    assert_eq!(export.body["account"]["email"], a.email.as_str());
    let asked = api.post_auth("/v1/me/deletion", &token, json!({})).await;
    assert_eq!(asked.status, 202, "{}", asked.body);
    refused(api.get("/v1/me", Some(&token)).await);
    let refreshed = api.post("/v1/auth/refresh", json!({"refreshToken": signed_in.body["refreshToken"]})).await;
    assert_eq!(refreshed.status, 200, "{}", refreshed.body);
    assert!(refreshed.body["restrictedTo"].is_array(), "still restricted while the deletion is pending");
    refused(api.get("/v1/me", Some(refreshed.body["accessToken"].as_str().unwrap())).await);
    let cancelled = api.delete("/v1/me/deletion", &token).await;
    assert_eq!(cancelled.status, 200, "{}", cancelled.body);
    assert_eq!(cancelled.body["status"], "banned", "cancelling restores the ban");
    refused(api.get("/v1/me", Some(&token)).await);
    let member = api.login(&b.email, PASSWORD).await;
    assert!(member.body.get("restrictedTo").is_none(), "{}", member.body);
}

#[tokio::test]
async fn a_suspension_keeps_the_user_out_of_matching_and_premium_is_an_admin_grant() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let boss = admin(&api).await;
    let report = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "spam_or_scam"});
    let id = api.post_auth("/v1/reports", &b.access, report).await.body["reportId"].as_str().unwrap().to_owned();
    let path = format!("/v1/admin/reports/{id}/actions");
    let no_days = api.post_auth(&path, &boss.access, json!({"action": "suspend", "note": ""})).await;
    assert_eq!(no_days.expect_error(400, "validation_failed")[0]["field"], "days");
    let suspended = api.post_auth(&path, &boss.access, json!({"action": "suspend", "note": "spam", "days": 7})).await;
    assert_eq!(suspended.status, 200, "{}", suspended.body);
    api.put("/v1/availability/today", &a.access, json!({})).await.expect_error(403, "matching_suspended");
    assert_eq!(api.get("/v1/me", Some(&a.access)).await.status, 200, "a suspension is not a ban");

    let premium =
        api.put(&format!("/v1/admin/users/{}/premium", b.user_id), &boss.access, json!({"premium": true})).await;
    assert_eq!(premium.status, 200, "{}", premium.body);
    assert_eq!(premium.body["user"]["premium"], true);
    assert_eq!(premium.body["actions"][0]["action"], "premium");
    assert_eq!(api.get("/v1/me", Some(&b.access)).await.body["premium"], true);
    let unknown = format!("/v1/admin/users/{}/premium", tandem_domain::UserId::generate());
    api.put(&unknown, &boss.access, json!({"premium": true})).await.expect_error(404, "not_found");
}

/// A triage-queue cursor pages on only under the filter it came from: another status or
/// severity, a forged or an oversized cursor is 400 naming `cursor` (it reached DynamoDB as
/// a start key outside the query's range, a 500).
#[tokio::test]
async fn a_queue_cursor_works_only_for_the_query_it_came_from() {
    let api = TestApi::start().await;
    let boss = admin(&api).await;
    for _ in 0..2 {
        let (a, b, conversation) = api.matched_pair().await;
        let report = json!({"reportedUserId": a.user_id, "conversationId": conversation, "reason": "hate"});
        assert_eq!(api.post_auth("/v1/reports", &b.access, report).await.status, 201);
    }
    let first = api.get("/v1/admin/reports?limit=1", Some(&boss.access)).await;
    let cursor = first.body["nextCursor"].as_str().expect("a second page").to_owned();
    let second = api.get(&format!("/v1/admin/reports?limit=1&cursor={cursor}"), Some(&boss.access)).await;
    assert_eq!(second.status, 200, "{}", second.body);
    assert_ne!(second.body["reports"][0]["reportId"], first.body["reports"][0]["reportId"]);
    let forged = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, "open|any|9#x#y");
    for query in [
        format!("cursor={cursor}&severity=low"),
        format!("cursor={cursor}&status=triaged"),
        "cursor=!!!".to_owned(),
        format!("cursor={forged}"),
        format!("cursor={}", "A".repeat(4000)),
    ] {
        let reply = api.get(&format!("/v1/admin/reports?limit=1&{query}"), Some(&boss.access)).await;
        let details = reply.expect_error(400, "validation_failed");
        assert_eq!(details[0]["field"], "cursor", "{query}: {}", reply.body);
    }
}
