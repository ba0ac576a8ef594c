//! Limits and hardening end to end: per-user rate limits, per-client login throttling,
//! idempotency keys, body and frame sizes, the catch-all route, CORS, and honest status
//! codes when the table cannot be reached.

use serde_json::Value;
use tandem_domain::credentials::LoginThrottlePolicy;
use tandem_domain::limits::RateLimit;
use tandem_tests::*;

async fn send(api: &TestApi, session: &Session, conversation: &str, client_id: &str, text: &str) -> Reply {
    let path = format!("/v1/conversations/{conversation}/messages");
    api.post_auth(&path, &session.access, json!({"clientMessageId": client_id, "text": text})).await
}

#[tokio::test]
async fn sends_past_the_per_user_limit_get_429_with_retry_after() {
    let api = TestApi::start_with(|c| c.send_limit = RateLimit { max: 3, window_seconds: 3600 }).await;
    let (a, b, conversation) = api.matched_pair().await;
    for i in 0..3 {
        assert_eq!(send(&api, &a, &conversation, &format!("a-{i}"), "hi").await.status, 201);
    }
    let refused = send(&api, &a, &conversation, "a-3", "hi").await;
    refused.expect_error(429, "rate_limited");
    let retry_after: i64 = refused.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry_after), "{retry_after}");
    // The limit is per user: the partner still writes.
    assert_eq!(send(&api, &b, &conversation, "b-0", "hi").await.status, 201);
    let history = api.get(&format!("/v1/conversations/{conversation}/messages"), Some(&b.access)).await;
    assert_eq!(history.body["messages"].as_array().unwrap().len(), 4, "the refused one was not stored");
}

#[tokio::test]
async fn reports_past_the_per_user_limit_get_429() {
    let api = TestApi::start_with(|c| c.report_limit = RateLimit { max: 1, window_seconds: 3600 }).await;
    let (a, b, conversation) = api.matched_pair().await;
    let report = |reason: &str| json!({"reportedUserId": b.user_id, "conversationId": conversation, "reason": reason});
    assert_eq!(api.post_auth("/v1/reports", &a.access, report("harassment")).await.status, 201);
    api.post_auth("/v1/reports", &a.access, report("hate")).await.expect_error(429, "rate_limited");
}

#[tokio::test]
async fn one_client_cannot_spray_a_password_over_many_emails() {
    let api =
        TestApi::start_with(|c| c.login_client_limit = LoginThrottlePolicy { max_failures: 3, window_seconds: 900 })
            .await;
    let victim = api.register(&unique_email()).await;
    for _ in 0..3 {
        api.login(&unique_email(), "password-spray-1").await.expect_error(401, "invalid_credentials");
    }
    // Each email failed once only, yet this client is now refused, even with a right password.
    let refused = api.login(&victim.email, PASSWORD).await;
    refused.expect_error(429, "too_many_attempts");
    assert!(refused.headers.contains_key("retry-after"));
}

#[tokio::test]
async fn an_idempotency_key_replays_the_first_answer_and_refuses_another_request() {
    let api = TestApi::start().await;
    let (a, b, conversation) = api.matched_pair().await;
    let request = |body: Value, key: &str| {
        api.http
            .post(format!("{}/v1/reports", api.base))
            .bearer_auth(&a.access)
            .header("Idempotency-Key", key)
            .json(&body)
    };
    let body = json!({"reportedUserId": b.user_id, "conversationId": conversation, "reason": "harassment"});
    let first = api.send(request(body.clone(), "report-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = api.send(request(body.clone(), "report-1")).await;
    assert_eq!(again.status, 201, "the first answer, replayed");
    assert_eq!(again.body, first.body);
    assert_eq!(again.headers["idempotent-replayed"], "true");
    let other = json!({"reportedUserId": b.user_id, "conversationId": conversation, "reason": "hate"});
    api.send(request(other, "report-1")).await.expect_error(422, "idempotency_key_reused");
    api.send(request(body, "not a key!")).await.expect_error(400, "validation_failed");
    let reports = api.get("/v1/reports", Some(&a.access)).await;
    assert_eq!(reports.body["reports"].as_array().unwrap().len(), 1, "one report filed");

    // A block retried with its key answers the same and blocks once.
    let block = |key: &str| {
        api.http
            .post(format!("{}/v1/blocks", api.base))
            .bearer_auth(&a.access)
            .header("Idempotency-Key", key)
            .json(&json!({"userId": b.user_id}))
    };
    let first = api.send(block("block-1")).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(api.send(block("block-1")).await.body, first.body);
}

#[tokio::test]
async fn the_longest_legal_message_fits_however_the_client_escapes_it() {
    let api = TestApi::start().await;
    let (a, _b, conversation) = api.matched_pair().await;
    // 2,000 emoji, each escaped as a surrogate pair: 24,000 bytes of JSON text.
    let escaped = "\\ud83d\\ude00".repeat(2000);
    let raw = format!(r#"{{"clientMessageId":"emoji-1","text":"{escaped}"}}"#);
    assert!(raw.len() > 24_000);
    let reply = api
        .send(
            api.http
                .post(format!("{}/v1/conversations/{conversation}/messages", api.base))
                .bearer_auth(&a.access)
                .header("content-type", "application/json")
                .body(raw),
        )
        .await;
    assert_eq!(reply.status, 201, "{}", reply.body);
    assert_eq!(reply.body["text"].as_str().unwrap().chars().count(), 2000);
}

#[tokio::test]
async fn websocket_frames_that_are_not_json_or_too_big_are_answered_as_documented() {
    let api = TestApi::start().await;
    let a = api.member("Ana", "Europe/Paris").await;
    let mut chat = Chat::connect(&api, &a.access).await.expect("connects");
    chat.send_text("this is not json".into()).await;
    let error = chat.expect("error").await;
    assert_eq!(error["error"]["code"], "invalid_json", "{error}");
    // Over API Gateway's 128 KB message limit: the socket closes with 1009.
    chat.send_text("x".repeat(129 * 1024)).await;
    assert_eq!(chat.close_code().await, Some(1009));
}

#[tokio::test]
async fn unknown_routes_get_the_error_shape_from_the_default_route() {
    let api = TestApi::start().await;
    let reply = api.get("/v2/anything", None).await;
    reply.expect_error(404, "route_not_found");
    assert!(reply.body["error"]["requestId"].is_string());
}

#[tokio::test]
async fn browsers_from_allowed_origins_get_cors_headers_and_others_do_not() {
    let api = TestApi::start().await;
    let preflight = api
        .http
        .request(reqwest::Method::OPTIONS, format!("{}/v1/me", api.base))
        .header("Origin", "http://localhost:3000")
        .header("Access-Control-Request-Method", "GET")
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(preflight.headers()["access-control-allow-origin"], "http://localhost:3000");
    assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
    let simple = api.http.get(format!("{}/v1/healthz", api.base)).header("Origin", "http://localhost:3000").send();
    let simple = simple.await.unwrap();
    assert_eq!(simple.headers()["access-control-allow-origin"], "http://localhost:3000");
    let foreign = api.http.get(format!("{}/v1/healthz", api.base)).header("Origin", "https://evil.example").send();
    assert!(!foreign.await.unwrap().headers().contains_key("access-control-allow-origin"));
}

#[tokio::test]
async fn an_unreachable_table_answers_503_with_retry_after_over_http_and_websocket() {
    let api = TestApi::start_with(|config| config.table_name = "no-such-table".into()).await;
    let user = tandem_domain::UserId::generate();
    let token = api.app.tokens.issue(&user, tandem_domain::Role::User, chrono::Utc::now()).await.unwrap();
    let me = api.get("/v1/me", Some(&token)).await;
    me.expect_error(503, "service_unavailable");
    assert!(me.headers.contains_key("retry-after"));
    let login = api.login("someone@example.com", "whatever-password").await;
    login.expect_error(503, "service_unavailable");
    // A refused handshake carries the error shape too.
    let url = format!("{}/ws?token={token}", api.base.replacen("http://", "ws://", 1));
    match tokio_tungstenite::connect_async(url).await {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status().as_u16(), 503);
            let body: Value = serde_json::from_slice(response.body().as_deref().unwrap_or_default()).unwrap();
            assert_eq!(body["error"]["code"], "service_unavailable", "{body}");
        }
        other => panic!("expected a refused handshake, got {:?}", other.map(|_| ())),
    }
}
