//! Access-token keys come from Secrets Manager (moto here) and follow a rotation of the
//! secret with no redeploy: signers pick up the new current key within the maximum age,
//! verifiers at once when a token names a key id they have not seen, a retired key stops
//! verifying, and a function that cannot read its keys answers 503 without writing anything.

use std::time::Duration;

use serde_json::json;
use tandem_api::App;
use tandem_api::config::{KeySource, SigningKeys};
use tandem_local::provision;
use tandem_tests::{PASSWORD, TestApi, sdk_config, unique_email};

fn kid(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

/// The keys `kids` of `sets`, signing with `current`: the secret's value after a rotation step.
fn key_set(current: &str, sets: &[(&str, &SigningKeys)]) -> SigningKeys {
    let keys = sets.iter().map(|(kid, set)| ((*kid).to_owned(), set.keys[*kid].clone())).collect();
    SigningKeys { current: current.to_owned(), keys }
}

/// Stores the keys as the stack stores its own (created, or a new current version).
async fn put(secrets: &aws_sdk_secretsmanager::Client, name: &str, keys: SigningKeys) {
    provision::put_signing_keys_secret(secrets, name, &keys).await.unwrap();
}

#[tokio::test]
async fn a_rotation_of_the_secret_reaches_signers_and_verifiers_without_a_redeploy() {
    let sdk = sdk_config().await;
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    let name = format!("test-keys-{}", uuid::Uuid::new_v4());
    let (k1, k2) = (SigningKeys::generate("k1"), SigningKeys::generate("k2"));
    put(&secrets, &name, key_set("k1", &[("k1", &k1)])).await;

    // The API's functions reread the keys after 1 s; the separate verifier (another warm
    // function) only after 5 minutes, so only an unknown key id makes it reread.
    let secret = name.clone();
    let api = TestApi::start_with(move |config| {
        config.signing_keys = KeySource::Secret(secret);
        config.key_max_age_seconds = 1;
    })
    .await;
    let mut verifier_config = (*api.app.config).clone();
    verifier_config.key_max_age_seconds = 300;
    let verifier = App::new(verifier_config, &sdk);

    let email = unique_email();
    let first = api.register(&email).await;
    assert_eq!(kid(&first.access), "k1");
    assert!(verifier.tokens.verify(&first.access, chrono::Utc::now()).await.is_ok());

    // Rotate: k2 signs from now on, k1 still verifies.
    put(&secrets, &name, key_set("k2", &[("k1", &k1), ("k2", &k2)])).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let login = api.login(&email, PASSWORD).await;
    assert_eq!(login.status, 200, "{}", login.body);
    let second = login.body["accessToken"].as_str().unwrap().to_owned();
    assert_eq!(kid(&second), "k2", "signers use the new current key within the maximum age");
    let caller = verifier.tokens.verify(&second, chrono::Utc::now()).await;
    assert!(caller.is_ok(), "a verifier holding only k1 rereads the secret for the unknown k2");
    assert_eq!(api.get("/v1/me", Some(&first.access)).await.status, 200, "k1 tokens verify during the overlap");

    // Retire k1: its tokens stop verifying once the keys are reread.
    put(&secrets, &name, key_set("k2", &[("k2", &k2)])).await;
    tokio::time::sleep(Duration::from_millis(1100)).await;
    api.get("/v1/me", Some(&first.access)).await.expect_error(401, "unauthenticated");
    assert_eq!(api.get("/v1/me", Some(&second)).await.status, 200);
}

#[tokio::test]
async fn a_function_that_cannot_read_its_keys_answers_503_and_creates_nothing() {
    let api = TestApi::start_with(|config| {
        config.signing_keys = KeySource::Secret(format!("missing-{}", uuid::Uuid::new_v4()));
    })
    .await;
    let email = unique_email();
    let reply = api.post("/v1/auth/register", json!({"email": email, "password": PASSWORD})).await;
    reply.expect_error(503, "service_unavailable");
    assert!(api.items().await.is_empty(), "no account without its session");
    let forged = SigningKeys::generate("k1");
    let token = jsonwebtoken::encode(
        &jsonwebtoken::Header { kid: Some("k1".into()), ..Default::default() },
        &json!({"sub": "x", "exp": 4_000_000_000_i64}),
        &jsonwebtoken::EncodingKey::from_secret(&forged.keys["k1"]),
    )
    .unwrap();
    api.get("/v1/me", Some(&token)).await.expect_error(503, "service_unavailable");
}
