use chrono::Utc;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tandem_api::config::SigningKeys;
use tandem_tests::*;

#[tokio::test]
async fn register_login_and_read_me() {
    let api = TestApi::start().await;
    let email = unique_email();
    let registered = api.register(&email.to_uppercase()).await;
    assert_eq!(registered.email, email.to_uppercase());

    let login = api.login(&email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    assert_eq!(login.body["tokenType"], "Bearer");
    assert_eq!(login.body["expiresIn"], 900);
    let session = session(&login.body, &email);
    assert_eq!(session.user_id, registered.user_id);

    let me = api.get("/v1/me", Some(&session.access)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], email, "email is case-folded");
    assert_eq!(me.body["id"], registered.user_id);
    assert!(me.body.get("passwordHash").is_none(), "no credentials in /v1/me");
    assert!(!me.body.to_string().contains("argon2"));
}

#[tokio::test]
async fn passwords_are_stored_only_as_argon2id_hashes() {
    let api = TestApi::start().await;
    let email = unique_email();
    api.register(&email).await;
    let items = api.items().await;
    let dump = format!("{items:?}");
    assert!(!dump.contains(PASSWORD), "plaintext password stored");
    assert!(dump.contains("$argon2id$"));
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_whole_family() {
    let api = TestApi::start().await;
    let first = api.register(&unique_email()).await;

    let rotated = api.post("/v1/auth/refresh", json!({ "refreshToken": first.refresh })).await;
    assert_eq!(rotated.status, 200, "{}", rotated.body);
    let second_refresh = rotated.body["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(second_refresh, first.refresh, "rotated on every use");
    let access = rotated.body["accessToken"].as_str().unwrap();
    assert_eq!(api.get("/v1/me", Some(access)).await.status, 200);

    // Replaying the first token is reuse: it fails and revokes the family...
    let replay = api.post("/v1/auth/refresh", json!({ "refreshToken": first.refresh })).await;
    replay.expect_error(401, "invalid_refresh_token");
    // ...so even the latest, never-used token of that family is now dead.
    let after = api.post("/v1/auth/refresh", json!({ "refreshToken": second_refresh })).await;
    after.expect_error(401, "invalid_refresh_token");

    // Another session (a separate login) is unaffected.
    let other = api.login(&first.email, PASSWORD).await;
    let other_refresh = other.body["refreshToken"].as_str().unwrap();
    assert_eq!(api.post("/v1/auth/refresh", json!({ "refreshToken": other_refresh })).await.status, 200);
}

#[tokio::test]
async fn logout_revokes_the_family_and_is_idempotent() {
    let api = TestApi::start().await;
    let session = api.register(&unique_email()).await;
    let rotated = api.post("/v1/auth/refresh", json!({ "refreshToken": session.refresh })).await;
    let latest = rotated.body["refreshToken"].as_str().unwrap().to_owned();

    let logout = api.post("/v1/auth/logout", json!({ "refreshToken": latest })).await;
    assert_eq!(logout.status, 204);
    api.post("/v1/auth/refresh", json!({ "refreshToken": latest })).await.expect_error(401, "invalid_refresh_token");
    assert_eq!(api.post("/v1/auth/logout", json!({ "refreshToken": latest })).await.status, 204);
    assert_eq!(api.post("/v1/auth/logout", json!({ "refreshToken": "never-issued" })).await.status, 204);
}

#[tokio::test]
async fn unknown_refresh_tokens_are_rejected() {
    let api = TestApi::start().await;
    api.post("/v1/auth/refresh", json!({ "refreshToken": "made-up" })).await.expect_error(401, "invalid_refresh_token");
}

#[tokio::test]
async fn duplicate_email_is_rejected_case_insensitively() {
    let api = TestApi::start().await;
    let email = unique_email();
    api.register(&email).await;
    let again =
        api.post("/v1/auth/register", json!({ "email": email.to_uppercase(), "password": "another password" })).await;
    again.expect_error(409, "email_taken");
    assert_eq!(api.count_items("USER#").await, 1);
}

#[tokio::test]
async fn concurrent_registrations_create_exactly_one_account() {
    let api = TestApi::start().await;
    let email = unique_email();
    let attempts = (0..12).map(|i| {
        let variant = if i % 2 == 0 { email.clone() } else { email.to_uppercase() };
        api.post("/v1/auth/register", json!({ "email": variant, "password": PASSWORD }))
    });
    let replies = futures::future::join_all(attempts).await;
    let created = replies.iter().filter(|r| r.status == 201).count();
    let conflicts = replies.iter().filter(|r| r.status == 409).count();
    assert_eq!((created, conflicts), (1, 11), "statuses: {:?}", replies.iter().map(|r| r.status).collect::<Vec<_>>());
    assert_eq!(api.count_items("USER#").await, 1);
    assert_eq!(api.count_items("EMAIL#").await, 1);
}

#[tokio::test]
async fn wrong_password_and_unknown_email_look_identical() {
    let api = TestApi::start().await;
    let email = unique_email();
    api.register(&email).await;
    let wrong = api.login(&email, "not the password").await;
    let unknown = api.login(&unknown_domain_email(), "not the password").await;
    wrong.expect_error(401, "invalid_credentials");
    unknown.expect_error(401, "invalid_credentials");
    let strip = |mut body: serde_json::Value| {
        body["error"]["requestId"] = json!(null);
        body
    };
    assert_eq!(strip(wrong.body), strip(unknown.body));
}

fn unknown_domain_email() -> String {
    format!("nobody-{}@example.org", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn repeated_failures_are_throttled_with_retry_after() {
    let api = TestApi::start().await;
    let email = unique_email();
    api.register(&email).await;
    for _ in 0..5 {
        api.login(&email, "not the password").await.expect_error(401, "invalid_credentials");
    }
    // Locked now, even with the right password.
    let locked = api.login(&email, PASSWORD).await;
    let details = locked.expect_error(429, "too_many_attempts");
    let retry_after: i64 = locked.headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=900).contains(&retry_after), "{retry_after}");
    assert_eq!(details["retryAfterSeconds"], retry_after);
    // Unknown emails are throttled the same way, so the throttle reveals nothing either.
    let stranger = unknown_domain_email();
    for _ in 0..5 {
        api.login(&stranger, "whatever password").await.expect_error(401, "invalid_credentials");
    }
    api.login(&stranger, "whatever password").await.expect_error(429, "too_many_attempts");
    // Other accounts are unaffected.
    let other = unique_email();
    api.register(&other).await;
    assert_eq!(api.login(&other, PASSWORD).await.status, 200);
}

#[tokio::test]
async fn a_successful_login_resets_the_failure_count() {
    let api = TestApi::start().await;
    let email = unique_email();
    api.register(&email).await;
    for _ in 0..4 {
        api.login(&email, "not the password").await;
    }
    assert_eq!(api.login(&email, PASSWORD).await.status, 200);
    for _ in 0..4 {
        api.login(&email, "not the password").await.expect_error(401, "invalid_credentials");
    }
    assert_eq!(api.login(&email, PASSWORD).await.status, 200);
}

fn forge(kid: &str, secret: &[u8], sub: &str, exp: i64) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(kid.to_owned());
    let claims =
        json!({ "sub": sub, "role": "user", "iss": "tandem", "aud": "tandem-api", "iat": exp - 900, "exp": exp });
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret)).unwrap()
}

#[tokio::test]
async fn tampered_expired_and_wrong_kid_tokens_are_rejected() {
    let api = TestApi::start().await;
    let session = api.register(&unique_email()).await;
    let keys = &api.signing_keys;
    let secret = &keys.keys[&keys.current];
    let now = Utc::now().timestamp();

    // A correctly forged token with the real key works: the cases below fail for their reason only.
    let valid = forge(&keys.current, secret, &session.user_id, now + 600);
    assert_eq!(api.get("/v1/me", Some(&valid)).await.status, 200);

    let expired = forge(&keys.current, secret, &session.user_id, now - 1);
    let wrong_kid = forge("other-kid", secret, &session.user_id, now + 600);
    let foreign_key = forge(&keys.current, &SigningKeys::generate("x").keys["x"], &session.user_id, now + 600);
    let (head, rest) = session.access.split_once('.').unwrap();
    let (payload, signature) = rest.split_once('.').unwrap();
    let tampered_payload = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let mut claims: serde_json::Value = serde_json::from_slice(&engine.decode(payload).unwrap()).unwrap();
        claims["role"] = json!("admin");
        format!("{head}.{}.{signature}", engine.encode(claims.to_string()))
    };
    let mut bad_signature = session.access.clone();
    let last = bad_signature.pop().unwrap();
    bad_signature.push(if last == 'A' { 'B' } else { 'A' });
    let none_alg = {
        use base64::Engine;
        let engine = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        format!("{}.{payload}.", engine.encode(r#"{"alg":"none","typ":"JWT","kid":"test-1"}"#))
    };
    for (name, token) in [
        ("expired", expired),
        ("wrong kid", wrong_kid),
        ("foreign key", foreign_key),
        ("tampered payload", tampered_payload),
        ("bad signature", bad_signature),
        ("alg none", none_alg),
        ("garbage", "abc".to_owned()),
    ] {
        let reply = api.get("/v1/me", Some(&token)).await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        reply.expect_error(401, "unauthenticated");
    }
    // Missing header and a non-bearer scheme.
    api.get("/v1/me", None).await.expect_error(401, "unauthenticated");
    let basic = api.send(api.http.get(format!("{}/v1/me", api.base)).basic_auth("a", Some("b"))).await;
    basic.expect_error(401, "unauthenticated");
}

#[tokio::test]
async fn registration_validates_email_and_password_together() {
    let api = TestApi::start().await;
    let reply = api.post("/v1/auth/register", json!({ "email": "not-an-email", "password": "short" })).await;
    let details = reply.expect_error(400, "validation_failed");
    let fields: Vec<&str> = details.as_array().unwrap().iter().map(|d| d["field"].as_str().unwrap()).collect();
    assert_eq!(fields, ["email", "password"]);
    assert!(api.items().await.is_empty(), "a rejected registration writes nothing");
}
