//! OIDC exchange against a JWKS served by the test, with a key pair the test generates.

use aws_lc_rs::signature::{Ed25519KeyPair, KeyPair};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use tandem_api::config::OidcConfig;
use tandem_tests::*;

const ISSUER: &str = "https://id.example.test";
const AUDIENCE: &str = "tandem-mobile";

struct Provider {
    kid: String,
    key: EncodingKey,
}

impl Provider {
    fn generate(kid: &str) -> (Self, serde_json::Value) {
        let pkcs8 = Ed25519KeyPair::generate_pkcs8(&aws_lc_rs::rand::SystemRandom::new()).unwrap();
        let pair = Ed25519KeyPair::from_pkcs8(pkcs8.as_ref()).unwrap();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(pair.public_key().as_ref());
        let jwk = json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" });
        (Self { kid: kid.to_owned(), key: EncodingKey::from_ed_der(pkcs8.as_ref()) }, jwk)
    }

    fn id_token(&self, claims: serde_json::Value) -> String {
        let mut header = Header::new(Algorithm::EdDSA);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, &claims, &self.key).unwrap()
    }
}

fn claims(subject: &str, email: &str) -> serde_json::Value {
    let now = chrono::Utc::now().timestamp();
    json!({ "iss": ISSUER, "aud": AUDIENCE, "sub": subject, "email": email, "email_verified": true, "iat": now, "exp": now + 300 })
}

/// Serves `{"keys": [jwk]}` on a free port; returns its URL.
async fn serve_jwks(jwk: serde_json::Value) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/jwks.json", listener.local_addr().unwrap());
    let keys = json!({ "keys": [jwk] });
    let router = axum::Router::new().route("/jwks.json", axum::routing::get(move || async move { axum::Json(keys) }));
    tokio::spawn(async move { axum::serve(listener, router).await });
    url
}

async fn api_with_provider() -> (TestApi, Provider) {
    let (provider, jwk) = Provider::generate("idp-key-1");
    let jwks_url = serve_jwks(jwk).await;
    let api = TestApi::start_with(|config| {
        config.oidc = Some(OidcConfig { issuer: ISSUER.into(), audience: AUDIENCE.into(), jwks_url });
    })
    .await;
    (api, provider)
}

#[tokio::test]
async fn first_exchange_creates_the_account_and_later_ones_sign_in() {
    let (api, provider) = api_with_provider().await;
    let email = unique_email();
    let token = provider.id_token(claims("subject-1", &email));
    let first = api.post("/v1/auth/oidc", json!({ "idToken": token })).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.body["created"], true);
    let user_id = first.body["user"]["id"].clone();

    let again = api.post("/v1/auth/oidc", json!({ "idToken": provider.id_token(claims("subject-1", &email)) })).await;
    assert_eq!(again.status, 200, "{}", again.body);
    assert_eq!(again.body["created"], false);
    assert_eq!(again.body["user"]["id"], user_id);
    let access = again.body["accessToken"].as_str().unwrap();
    assert_eq!(api.get("/v1/me", Some(access)).await.body["email"], email);
    // An OIDC-only account has no password to log in with.
    api.login(&email, PASSWORD).await.expect_error(401, "invalid_credentials");
}

#[tokio::test]
async fn bad_id_tokens_are_rejected() {
    let (api, provider) = api_with_provider().await;
    let email = unique_email();
    let (stranger, _) = Provider::generate("idp-key-1");
    let now = chrono::Utc::now().timestamp();
    let with = |patch: serde_json::Value| {
        let mut c = claims("subject-2", &email);
        for (k, v) in patch.as_object().unwrap() {
            c[k] = v.clone();
        }
        c
    };
    let hmac = {
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("idp-key-1".into());
        jsonwebtoken::encode(&header, &claims("subject-2", &email), &EncodingKey::from_secret(b"guessable")).unwrap()
    };
    let cases = [
        ("wrong audience", provider.id_token(with(json!({ "aud": "someone-else" })))),
        ("wrong issuer", provider.id_token(with(json!({ "iss": "https://evil.example" })))),
        ("expired", provider.id_token(with(json!({ "exp": now - 3600 })))),
        ("unverified email", provider.id_token(with(json!({ "email_verified": false })))),
        ("unknown signer", stranger.id_token(claims("subject-2", &email))),
        ("hmac algorithm", hmac),
        ("garbage", "not-a-token".to_owned()),
    ];
    for (name, token) in cases {
        let reply = api.post("/v1/auth/oidc", json!({ "idToken": token })).await;
        assert_eq!(reply.status, 401, "{name}: {}", reply.body);
        reply.expect_error(401, "invalid_identity_token");
    }
    assert_eq!(api.count_items("USER#").await, 0, "no rejected token created an account");
}

#[tokio::test]
async fn an_email_registered_with_a_password_is_not_silently_linked() {
    let (api, provider) = api_with_provider().await;
    let email = unique_email();
    api.register(&email).await;
    let reply = api.post("/v1/auth/oidc", json!({ "idToken": provider.id_token(claims("subject-3", &email)) })).await;
    reply.expect_error(409, "email_taken");
    assert_eq!(api.count_items("USER#").await, 1);
}

#[tokio::test]
async fn oidc_is_refused_cleanly_when_not_configured() {
    let api = TestApi::start().await;
    api.post("/v1/auth/oidc", json!({ "idToken": "x" })).await.expect_error(501, "not_configured");
}
