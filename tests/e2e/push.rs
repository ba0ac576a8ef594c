//! Push notifications end to end: device tokens and preferences over HTTP, pushes derived
//! from committed writes through the notification pipe and worker to SNS platform
//! endpoints in moto, read back from the local stack's `/_local/push` view.

use serde_json::Value;
use tandem_tests::*;

fn send(conversation: &str, client_id: &str, text: &str) -> Value {
    json!({"action": "sendMessage", "conversationId": conversation, "clientMessageId": client_id, "text": text})
}

/// Queues both and runs the sweep; the conversation id.
/// Two members with one device each (Ana's iOS, Ben's Android), matched.
async fn matched_with_devices(api: &TestApi) -> (Session, Session, String, String, String) {
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let token_a = device(api, &a, "ios", &format!("{}a0", uuid_hex())).await;
    let token_b = device(api, &b, "android", &format!("fcm:{}b0", uuid_hex())).await;
    let conversation = api.match_them(&a, &b).await;
    (a, b, conversation, token_a, token_b)
}

/// How many records the notification pipe has forwarded so far.
fn forwarded(api: &TestApi) -> u64 {
    use std::sync::atomic::Ordering::Relaxed;
    api.pipeline.status.pipes.iter().filter(|p| p.name == "NotificationPipe").map(|p| p.forwarded.load(Relaxed)).sum()
}

/// Waits until the notification pipe has forwarded at least `records` and the worker has
/// handled all it forwarded.
async fn notifications_caught_up(api: &TestApi, records: u64) {
    use std::sync::atomic::Ordering::Relaxed;
    let status = api.pipeline.status.clone();
    api.eventually(15, "the notification worker caught up", || async {
        let done: u64 = status
            .workers
            .iter()
            .filter(|w| w.function == "notification-worker")
            .map(|w| w.succeeded.load(Relaxed) + w.failed.load(Relaxed))
            .sum();
        let forwarded = forwarded(api);
        (forwarded >= records && done >= forwarded).then_some(())
    })
    .await;
}

/// Waits until the message `id` is scanned clean.
async fn scanned(api: &TestApi, id: &Value) {
    api.eventually(15, "the message scanned", || async {
        let items = api.items().await;
        let item = items.iter().find(|i| i["sk"].as_s().is_ok_and(|sk| sk.ends_with(id.as_str().unwrap_or("?"))))?;
        (item["moderation"].as_s().ok()? == "scanned").then_some(())
    })
    .await;
}

#[tokio::test]
async fn tokens_register_idempotently_move_between_accounts_and_list_masked() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let token = format!("{}{}", uuid_hex(), uuid_hex());
    let body = json!({"platform": "ios", "token": token});
    let first = api.post_auth("/v1/push-tokens", &a.access, body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = api.post_auth("/v1/push-tokens", &a.access, body.clone()).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["tokenId"], first.body["tokenId"]);
    let listed = api.get("/v1/push-tokens", Some(&a.access)).await;
    assert_eq!(listed.body["tokens"].as_array().unwrap().len(), 1);
    let shown = listed.body["tokens"][0]["token"].as_str().unwrap();
    assert!(!shown.contains(&token[..20]) && shown.ends_with(&token[token.len() - 4..]), "masked: {shown}");

    // The same phone, signed in as Ben: the token moves to him.
    let moved = api.post_auth("/v1/push-tokens", &b.access, body.clone()).await;
    assert_eq!(moved.status, 201, "{}", moved.body);
    assert_eq!(api.get("/v1/push-tokens", Some(&a.access)).await.body["tokens"], json!([]));
    assert_eq!(api.get("/v1/push-tokens", Some(&b.access)).await.body["tokens"].as_array().unwrap().len(), 1);

    // Only the owner can remove it; then it is gone.
    let id = first.body["tokenId"].as_str().unwrap();
    assert_eq!(api.delete(&format!("/v1/push-tokens/{id}"), &a.access).await.status, 404);
    assert_eq!(api.delete("/v1/push-tokens/not-a-token-id", &b.access).await.status, 404);
    assert_eq!(api.delete(&format!("/v1/push-tokens/{id}"), &b.access).await.status, 204);
    assert_eq!(api.get("/v1/push-tokens", Some(&b.access)).await.body["tokens"], json!([]));

    // Bad input: 400 naming the field, nothing stored.
    for bad in [json!({"platform": "windows", "token": token}), json!({"platform": "ios", "token": "has spaces in it"})]
    {
        let reply = api.post_auth("/v1/push-tokens", &a.access, bad).await;
        assert_eq!(reply.status, 400, "{}", reply.body);
    }
    assert_eq!(api.get("/v1/push-tokens", Some(&a.access)).await.body["tokens"], json!([]));
}

#[tokio::test]
async fn preferences_default_round_trip_and_refuse_nonsense() {
    let api = TestApi::start().await;
    let a = api.member("Ana", "Europe/Paris").await;
    let defaults = api.get("/v1/me/notifications", Some(&a.access)).await;
    assert_eq!(defaults.status, 200);
    assert_eq!(defaults.body["kinds"]["match"], true);
    assert_eq!(defaults.body["quietHours"], Value::Null);
    let wanted = json!({"kinds": {"match": true, "message": false, "expiring": true, "reminder": true, "safety": true},
                        "quietHours": {"start": "22:00", "end": "07:30"}});
    let put = api.put("/v1/me/notifications", &a.access, wanted.clone()).await;
    assert_eq!(put.status, 200, "{}", put.body);
    // A kind left out (badges: `reward`) keeps its default, on.
    let mut stored = wanted.clone();
    stored["kinds"]["reward"] = json!(true);
    assert_eq!(api.get("/v1/me/notifications", Some(&a.access)).await.body, stored);
    for bad in [
        json!({"quietHours": {"start": "25:00", "end": "07:00"}}),
        json!({"quietHours": {"start": "07:00", "end": "07:00"}}),
        json!({"kinds": {"match": "yes"}}),
    ] {
        let reply = api.put("/v1/me/notifications", &a.access, bad).await;
        assert_eq!(reply.status, 400, "{}", reply.body);
    }
    assert_eq!(api.get("/v1/me/notifications", Some(&a.access)).await.body, stored, "unchanged");

    // Turned off, `reward` stays off when a later update leaves it out (as documented).
    let mut without_badges = wanted.clone();
    without_badges["kinds"]["reward"] = json!(false);
    assert_eq!(api.put("/v1/me/notifications", &a.access, without_badges.clone()).await.status, 200);
    let kept = api.put("/v1/me/notifications", &a.access, wanted.clone()).await;
    assert_eq!(kept.body["kinds"]["reward"], false, "{}", kept.body);
    assert_eq!(api.get("/v1/me/notifications", Some(&a.access)).await.body, without_badges);
}

#[tokio::test]
async fn a_match_pushes_both_and_a_redelivery_pushes_nobody_twice() {
    let api = TestApi::start().await;
    let (a, _b, conversation, token_a, token_b) = matched_with_devices(&api).await;
    until_pushed(&api, &token_a, "match", 1).await;
    let all = until_pushed(&api, &token_b, "match", 1).await;
    let to_a = all.iter().find(|p| p["tokenId"] == token_a).unwrap();
    assert_eq!(to_a["userId"], a.user_id);
    assert_eq!(to_a["data"]["conversationId"], conversation);
    assert_eq!(to_a["platform"], "ios");
    assert_eq!(all.iter().find(|p| p["tokenId"] == token_b).unwrap()["platform"], "android");

    // The same queue message again (SQS is at-least-once): nobody is pushed twice.
    let today = api.get("/v1/match/today", Some(&a.access)).await;
    let match_id = today.body["matchId"].as_str().unwrap().to_owned();
    let body = json!({"eventName": "INSERT", "pk": format!("MATCH#{match_id}"), "sk": "MATCH"}).to_string();
    let mut record = aws_lambda_events::sqs::SqsMessage::default();
    record.message_id = Some("redelivered".into());
    record.body = Some(body);
    let mut event = aws_lambda_events::sqs::SqsEvent::default();
    event.records = vec![record.clone(), record];
    let response = tandem_api::workers::notifications::handle(api.app.clone(), event).await;
    assert!(response.batch_item_failures.is_empty());
    let all = pushes(&api).await;
    assert_eq!((push_count(&all, &token_a, "match"), push_count(&all, &token_b, "match")), (1, 1));
}

#[tokio::test]
async fn a_burst_to_an_offline_user_is_one_push_and_an_online_user_gets_none() {
    let api = TestApi::start().await;
    // Counted from this stack's start: the match may not have reached the pipe yet.
    let start = forwarded(&api);
    let (a, _b, conversation, _token_a, token_b) = matched_with_devices(&api).await;
    let mut ana = Chat::connect(&api, &a.access).await.unwrap();
    let mut last = Value::Null;
    for i in 0..5 {
        ana.send(send(&conversation, &format!("burst-{i}"), &format!("are you there? ({i})"))).await;
        last = ana.expect("message.ack").await["message"]["messageId"].clone();
    }
    until_pushed(&api, &token_b, "message", 1).await;
    scanned(&api, &last).await;
    // The match and the five scanned messages.
    notifications_caught_up(&api, start + 6).await;
    let all = pushes(&api).await;
    assert_eq!(push_count(&all, &token_b, "message"), 1, "coalesced: {all:?}");
    let push = all.iter().find(|p| p["tokenId"] == token_b && p["kind"] == "message").unwrap();
    assert_eq!(push["data"]["conversationId"], conversation);
    assert!(!push.to_string().contains("are you there"), "no message text in a push: {push}");

    // Dan online: no push for a message he sees live.
    let (c, d, other, _token_c, token_d) = matched_with_devices(&api).await;
    let mut cleo = Chat::connect(&api, &c.access).await.unwrap();
    let mut dan = Chat::connect(&api, &d.access).await.unwrap();
    // The second match too: then nothing else is on its way.
    notifications_caught_up(&api, start + 7).await;
    let before = forwarded(&api);
    cleo.send(send(&other, "live", "hello there")).await;
    let id = cleo.expect("message.ack").await["message"]["messageId"].clone();
    dan.expect("message.new").await;
    scanned(&api, &id).await;
    // The scan noted Dan online, so the clean scan travels no further: nothing to push.
    let items = api.items().await;
    let item = items.iter().find(|i| i["sk"].as_s().is_ok_and(|sk| sk.ends_with(id.as_str().unwrap()))).unwrap();
    assert_eq!(item["recipientOffline"].as_bool().ok(), Some(&false));
    assert_eq!(forwarded(&api), before, "nothing passed the notification pipe");
    assert_eq!(push_count(&pushes(&api).await, &token_d, "message"), 0);
}

#[tokio::test]
async fn a_disabled_endpoint_disables_the_token_until_the_device_registers_again() {
    use tandem_api::services::push::{PushOutcome, push_to};
    use tandem_domain::notifications::Push;
    let api = TestApi::start().await;
    let (_a, b, _conversation, _token_a, token_b) = matched_with_devices(&api).await;
    until_pushed(&api, &token_b, "match", 1).await;
    let second = device(&api, &b, "ios", &format!("{}b1", uuid_hex())).await;
    let reply = api.post("/_local/push/disable", json!({"tokenId": token_b})).await;
    assert_eq!(reply.status, 200, "{}", reply.body);

    // The last hour: the disabled endpoint refuses, its token is disabled, Ben's other
    // device gets the push.
    api.advance_clock(23 * 3600 + 60).await;
    let expiry = api.run_job("conversation-expiry").await;
    assert_eq!(expiry.body["expiringSent"], 1, "{}", expiry.body);
    until_pushed(&api, &second, "expiring", 1).await;
    let status = |list: &Value, id: &str| {
        list["tokens"].as_array().unwrap().iter().find(|t| t["tokenId"] == id).map(|t| t["status"].clone())
    };
    let tokens = api
        .eventually(15, "the refused token disabled", || async {
            let list = api.get("/v1/push-tokens", Some(&b.access)).await.body;
            (status(&list, &token_b) == Some(json!("disabled"))).then_some(list)
        })
        .await;
    assert_eq!(status(&tokens, &second), Some(json!("active")));
    assert_eq!(push_count(&pushes(&api).await, &token_b, "expiring"), 0);

    // The next push skips it.
    let ben: tandem_domain::UserId = b.user_id.parse().unwrap();
    let now = chrono::Utc::now();
    let outcome = push_to(&api.app, &ben, &Push::warning(&b.user_id, "notice-1"), false, now).await.unwrap();
    assert_eq!(outcome, PushOutcome::Sent(1));

    // The app registers the token afresh: active again, its endpoint enabled again.
    let raw_token = api
        .items()
        .await
        .iter()
        .find(|i| i.get("tokenId").and_then(|t| t.as_s().ok()).is_some_and(|t| *t == token_b))
        .and_then(|i| i.get("token").and_then(|t| t.as_s().ok()).cloned())
        .unwrap();
    let again = api.post_auth("/v1/push-tokens", &b.access, json!({"platform": "android", "token": raw_token})).await;
    assert_eq!((again.status.as_u16(), again.body["status"].clone()), (200, json!("active")), "{}", again.body);
    let outcome = push_to(&api.app, &ben, &Push::warning(&b.user_id, "notice-2"), false, now).await.unwrap();
    assert_eq!(outcome, PushOutcome::Sent(2));
    let all = pushes(&api).await;
    assert_eq!((push_count(&all, &token_b, "safety"), push_count(&all, &second, "safety")), (1, 2));
}

#[tokio::test]
async fn quiet_hours_defer_a_push_to_their_end_and_a_kind_turned_off_is_not_pushed() {
    let api = TestApi::start().await;
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let token_a = device(&api, &a, "ios", &format!("{}a0", uuid_hex())).await;
    let token_b = device(&api, &b, "ios", &format!("{}b0", uuid_hex())).await;
    // Ben's quiet hours: from an hour ago to an hour from now, in his time zone.
    let paris = chrono::Utc::now().with_timezone(&chrono_tz::Europe::Paris);
    let hh_mm = |t: chrono::DateTime<chrono_tz::Tz>| t.format("%H:%M").to_string();
    let window =
        json!({"start": hh_mm(paris - chrono::Duration::hours(1)), "end": hh_mm(paris + chrono::Duration::hours(1))});
    assert_eq!(api.put("/v1/me/notifications", &b.access, json!({"quietHours": window})).await.status, 200);
    let before = forwarded(&api);
    api.match_them(&a, &b).await;

    until_pushed(&api, &token_a, "match", 1).await;
    notifications_caught_up(&api, before + 1).await;
    assert_eq!(push_count(&pushes(&api).await, &token_b, "match"), 0, "nothing during quiet hours");
    let early = api.run_job("push-release").await;
    assert_eq!(early.body["released"], 0, "{}", early.body);

    // The window ends: the release job lets it go, and it arrives, once.
    api.advance_clock(2 * 3600).await;
    let release = api.run_job("push-release").await;
    assert_eq!(release.body["released"], 1, "{}", release.body);
    until_pushed(&api, &token_b, "match", 1).await;
    assert_eq!(api.run_job("push-release").await.body["released"], 0, "released once");

    // Ana turns "expiring" off: the last-hour push never reaches her.
    let off = json!({"kinds": {"match": true, "message": true, "expiring": false, "reminder": true, "safety": true}});
    assert_eq!(api.put("/v1/me/notifications", &a.access, off).await.status, 200);
    api.advance_clock(21 * 3600 + 1800).await;
    let before = forwarded(&api);
    let expiry = api.run_job("conversation-expiry").await;
    assert_eq!(expiry.body["expiringSent"], 1, "{}", expiry.body);
    notifications_caught_up(&api, before + 1).await;
    assert_eq!(push_count(&pushes(&api).await, &token_a, "expiring"), 0);
}

/// A missing platform application (deleted, or a wrong ARN deployed) is the configuration's
/// fault: the push is retried and no device is disabled; once the application is back the
/// push goes out, once.
#[tokio::test]
async fn a_missing_platform_application_disables_no_device_and_the_push_follows_its_return() {
    use std::sync::atomic::Ordering::Relaxed;
    let api = TestApi::start().await;
    let sns = aws_sdk_sns::Client::new(&sdk_config().await);
    let ios = api.app.config.push_applications.ios.clone().unwrap();
    let name = ios.rsplit('/').next().unwrap().to_owned();
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let token_a = device(&api, &a, "ios", &format!("{}a0", uuid_hex())).await;
    sns.delete_platform_application().platform_application_arn(&ios).send().await.unwrap();
    api.match_them(&a, &b).await;

    let failed = || api.pipeline.status.workers.iter().map(|w| w.failed.load(Relaxed)).sum::<u64>();
    api.eventually(15, "the match's push failed and was kept for a retry", || async { (failed() > 0).then_some(()) })
        .await;
    let status = |list: Value| {
        list["tokens"].as_array().unwrap().iter().find(|t| t["tokenId"] == token_a).unwrap()["status"].clone()
    };
    assert_eq!(status(api.get("/v1/push-tokens", Some(&a.access)).await.body), "active", "the device is not blamed");
    assert_eq!(push_count(&pushes(&api).await, &token_a, "match"), 0);

    let created = sns.create_platform_application().name(&name).platform("APNS");
    created.attributes("PlatformCredential", "local-credential").send().await.unwrap();
    until_pushed(&api, &token_a, "match", 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(push_count(&pushes(&api).await, &token_a, "match"), 1, "once");
    assert_eq!(status(api.get("/v1/push-tokens", Some(&a.access)).await.body), "active");
}

/// The "new message" push is keyed on the message: a publish that fails (the platform
/// application missing) takes no window away, so the retry pushes once the application is
/// back — once.
#[tokio::test]
async fn a_message_push_that_failed_to_publish_goes_out_once_on_the_retry() {
    let api = TestApi::start().await;
    let sns = aws_sdk_sns::Client::new(&sdk_config().await);
    let ios = api.app.config.push_applications.ios.clone().unwrap();
    let name = ios.rsplit('/').next().unwrap().to_owned();
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let start = forwarded(&api);
    let conversation = api.match_them(&a, &b).await;
    notifications_caught_up(&api, start + 1).await;
    // Ben's device comes after the match: the message's push is the only one to fail.
    let token_b = device(&api, &b, "ios", &format!("{}b0", uuid_hex())).await;
    sns.delete_platform_application().platform_application_arn(&ios).send().await.unwrap();
    let before = notification_failures(&api);
    let path = format!("/v1/conversations/{conversation}/messages");
    let sent = api.post_auth(&path, &a.access, json!({"clientMessageId": "m-1", "text": "hello?"})).await;
    assert_eq!(sent.status, 201, "{}", sent.body);

    let failed = || notification_failures(&api);
    api.eventually(15, "the message's push failed and was kept for a retry", || async {
        (failed() > before).then_some(())
    })
    .await;
    assert_eq!(push_count(&pushes(&api).await, &token_b, "message"), 0);
    let created = sns.create_platform_application().name(&name).platform("APNS");
    created.attributes("PlatformCredential", "local-credential").send().await.unwrap();
    until_pushed(&api, &token_b, "message", 1).await;
    notifications_caught_up(&api, start + 2).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(push_count(&pushes(&api).await, &token_b, "message"), 1, "once");
}

/// A change redelivered after the coalescing window (a replayed stream, a visibility timeout
/// passed, a dead-letter redrive) pushes nothing twice: the push is named by the message.
#[tokio::test]
async fn a_message_change_redelivered_after_the_window_pushes_nothing_twice() {
    let api = TestApi::start_with(|config| config.message_push_coalesce_minutes = 0).await;
    let (a, _b, conversation, _token_a, token_b) = matched_with_devices(&api).await;
    let path = format!("/v1/conversations/{conversation}/messages");
    let sent = api.post_auth(&path, &a.access, json!({"clientMessageId": "m-1", "text": "hello?"})).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let message_id = sent.body["messageId"].as_str().unwrap().to_owned();
    until_pushed(&api, &token_b, "message", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(1100)).await;

    let body = json!({"eventName": "MODIFY", "pk": format!("CONV#{conversation}"), "sk": format!("MSG#{message_id}")});
    let mut record = aws_lambda_events::sqs::SqsMessage::default();
    record.message_id = Some("redelivered".into());
    record.body = Some(body.to_string());
    let mut event = aws_lambda_events::sqs::SqsEvent::default();
    event.records = vec![record];
    let response = tandem_api::workers::notifications::handle(api.app.clone(), event).await;
    assert!(response.batch_item_failures.is_empty());
    assert_eq!(push_count(&pushes(&api).await, &token_b, "message"), 1, "the redelivery pushed again");
}

/// Records the notification worker failed so far.
fn notification_failures(api: &TestApi) -> u64 {
    use std::sync::atomic::Ordering::Relaxed;
    let workers = &api.pipeline.status.workers;
    workers.iter().filter(|w| w.function == "notification-worker").map(|w| w.failed.load(Relaxed)).sum()
}

/// A restarted moto has lost the platform applications the stack created: the local stack
/// provisions them again under the same names (so the ARNs the functions hold work again),
/// and the push that failed meanwhile goes out, once, with no device disabled.
#[tokio::test]
async fn the_local_stack_provisions_lost_platform_applications_again() {
    let api = TestApi::start().await;
    let sns = aws_sdk_sns::Client::new(&sdk_config().await);
    let ios = api.app.config.push_applications.ios.clone().unwrap();
    let (a, b) = (api.member("Ana", "Europe/Paris").await, api.member("Ben", "Europe/Paris").await);
    let token_a = device(&api, &a, "ios", &format!("{}a0", uuid_hex())).await;
    sns.delete_platform_application().platform_application_arn(&ios).send().await.unwrap();
    let before = notification_failures(&api);
    api.match_them(&a, &b).await;
    api.eventually(15, "the match's push failed", || async { (notification_failures(&api) > before).then_some(()) })
        .await;

    let _keeper = api.keep_moto_provisioned(std::time::Duration::from_millis(500));
    api.eventually(15, "the platform application is back under its ARN", || async {
        sns.get_platform_application_attributes().platform_application_arn(&ios).send().await.ok()
    })
    .await;
    until_pushed(&api, &token_a, "match", 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(push_count(&pushes(&api).await, &token_a, "match"), 1, "once");
    let tokens = api.get("/v1/push-tokens", Some(&a.access)).await;
    assert!(tokens.body["tokens"].as_array().unwrap().iter().all(|t| t["status"] == "active"), "{}", tokens.body);
}
