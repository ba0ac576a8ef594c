//! OIDC id_token verification against a configured issuer, audience and JWKS.

use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde::Deserialize;
use tandem_domain::Email;
use tokio::sync::RwLock;

use crate::ApiError;
use crate::config::OidcConfig;

/// Keys are re-fetched when a token names an unknown `kid` (the provider rotated), but
/// not more often than this, so bad tokens cannot make us hammer the provider.
const MIN_REFRESH_INTERVAL: Duration = Duration::from_secs(60);
const MAX_KEY_AGE: Duration = Duration::from_secs(6 * 60 * 60);

/// A verified identity from the provider.
#[derive(Debug, Clone)]
pub struct OidcIdentity {
    pub issuer: String,
    pub subject: String,
    pub email: Email,
}

#[derive(Deserialize)]
struct IdTokenClaims {
    sub: String,
    email: Option<String>,
    /// Some providers send a boolean, others the string "true".
    email_verified: Option<serde_json::Value>,
}

pub struct OidcVerifier {
    config: OidcConfig,
    http: reqwest::Client,
    keys: RwLock<Option<(JwkSet, Instant)>>,
}

impl OidcVerifier {
    pub fn new(config: OidcConfig) -> Self {
        let http = reqwest::Client::builder().timeout(Duration::from_secs(5)).build().unwrap_or_default();
        Self { config, http, keys: RwLock::new(None) }
    }

    pub async fn verify(&self, id_token: &str) -> Result<OidcIdentity, ApiError> {
        let reject = |why: &str| ApiError::InvalidIdentityToken(why.to_owned());
        let header = jsonwebtoken::decode_header(id_token).map_err(|_| reject("malformed token"))?;
        // Only asymmetric algorithms: an HMAC "signed" with the public key must not pass.
        let allowed = [
            Algorithm::RS256,
            Algorithm::RS384,
            Algorithm::RS512,
            Algorithm::PS256,
            Algorithm::PS384,
            Algorithm::PS512,
            Algorithm::ES256,
            Algorithm::ES384,
            Algorithm::EdDSA,
        ];
        if !allowed.contains(&header.alg) {
            return Err(reject("unsupported signing algorithm"));
        }
        let kid = header.kid.ok_or_else(|| reject("token has no key id"))?;
        let key = self.decoding_key(&kid).await?.ok_or_else(|| reject("unknown signing key"))?;
        let mut validation = Validation::new(header.alg);
        validation.set_issuer(&[&self.config.issuer]);
        validation.set_audience(&[&self.config.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        let claims = jsonwebtoken::decode::<IdTokenClaims>(id_token, &key, &validation)
            .map_err(|e| reject(&format!("{:?}", e.kind())))?
            .claims;
        let verified = matches!(&claims.email_verified, Some(serde_json::Value::Bool(true)))
            || matches!(&claims.email_verified, Some(serde_json::Value::String(s)) if s == "true");
        let email = claims.email.filter(|_| verified).ok_or_else(|| reject("the token has no verified email"))?;
        let email = Email::parse(&email, "email").map_err(|_| reject("the token's email is malformed"))?;
        Ok(OidcIdentity { issuer: self.config.issuer.clone(), subject: claims.sub, email })
    }

    async fn decoding_key(&self, kid: &str) -> Result<Option<DecodingKey>, ApiError> {
        let stale = {
            let cached = self.keys.read().await;
            match cached.as_ref() {
                Some((set, fetched)) => {
                    if let Some(jwk) = set.find(kid).filter(|_| fetched.elapsed() < MAX_KEY_AGE) {
                        return Ok(DecodingKey::from_jwk(jwk).ok());
                    }
                    fetched.elapsed() >= MIN_REFRESH_INTERVAL
                }
                None => true,
            }
        };
        if !stale {
            return Ok(None);
        }
        let set = self.fetch_keys().await?;
        let key = set.find(kid).and_then(|jwk| DecodingKey::from_jwk(jwk).ok());
        *self.keys.write().await = Some((set, Instant::now()));
        Ok(key)
    }

    async fn fetch_keys(&self) -> Result<JwkSet, ApiError> {
        let response = self.http.get(&self.config.jwks_url).send().await.map_err(|e| {
            tracing::warn!(error = %e, "fetching JWKS failed");
            ApiError::Busy
        })?;
        let response = response.error_for_status().map_err(|e| {
            tracing::warn!(error = %e, "JWKS endpoint answered an error");
            ApiError::Busy
        })?;
        response.json::<JwkSet>().await.map_err(|e| ApiError::Internal(format!("JWKS is not a key set: {e}")))
    }
}
