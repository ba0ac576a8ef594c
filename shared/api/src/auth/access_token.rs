//! Short-lived access tokens: HS256 JWTs whose `kid` names the signing key.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tandem_domain::{Role, UserId};

use super::keys::KeyRing;
use crate::ApiError;
#[cfg(test)]
use crate::config::SigningKeys;

const ISSUER: &str = "tandem";
const AUDIENCE: &str = "tandem-api";
/// Clocks differ a little between functions; a token "issued" further in the future than
/// this was not issued by us.
const CLOCK_SKEW_SECONDS: i64 = 60;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: String,
    pub role: Role,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub exp: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nbf: Option<i64>,
}

/// Who is calling, as proven by a valid access token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub user_id: UserId,
    pub role: Role,
}

pub struct AccessTokens {
    keys: KeyRing,
    lifetime_seconds: i64,
}

impl AccessTokens {
    pub fn new(keys: KeyRing, lifetime_seconds: i64) -> Self {
        Self { keys, lifetime_seconds }
    }

    pub fn lifetime_seconds(&self) -> i64 {
        self.lifetime_seconds
    }

    /// Loads the keys at cold start (see [`KeyRing::preload`]).
    pub async fn preload(&self) {
        self.keys.preload().await;
    }

    /// Whether tokens can be signed now (the keys are held or readable): checked before a
    /// session is written, so a write is never left without its answer.
    pub async fn ready(&self) -> Result<(), ApiError> {
        self.keys.current().await.map(|_| ())
    }

    pub async fn issue(&self, user_id: &UserId, role: Role, now: DateTime<Utc>) -> Result<String, ApiError> {
        let keys = self.keys.current().await?;
        let claims = AccessClaims {
            sub: user_id.to_string(),
            role,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat: now.timestamp(),
            exp: now.timestamp() + self.lifetime_seconds,
            nbf: None,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some(keys.current.clone());
        let secret = keys.keys.get(&keys.current).ok_or_else(|| ApiError::Internal("no current key".into()))?;
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret))
            .map_err(|e| ApiError::Internal(format!("signing access token: {e}")))
    }

    /// The caller, if the token is well-formed, signed by a known key, unexpired and ours,
    /// and shaped as we issue them: a lifetime no longer than the configured one and an
    /// issue (or not-before) time not in the future, so a leaked key cannot mint
    /// long-lived tokens unnoticed. 401 otherwise; 503 when the keys cannot be read.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Caller, ApiError> {
        let kid = jsonwebtoken::decode_header(token)
            .ok()
            .filter(|header| header.alg == Algorithm::HS256)
            .and_then(|header| header.kid)
            .ok_or(ApiError::Unauthenticated)?;
        let secret = self.keys.verifying_key(&kid).await?.ok_or(ApiError::Unauthenticated)?;
        self.check(token, &secret, now).ok_or(ApiError::Unauthenticated)
    }

    fn check(&self, token: &str, secret: &[u8], now: DateTime<Utc>) -> Option<Caller> {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "iss", "aud", "sub"]);
        validation.validate_nbf = false;
        // Expiry is checked below against `now`, so tests and callers share one clock.
        validation.validate_exp = false;
        validation.leeway = 0;
        let data = jsonwebtoken::decode::<AccessClaims>(token, &DecodingKey::from_secret(secret), &validation).ok()?;
        let claims = &data.claims;
        let latest_start = now.timestamp() + CLOCK_SKEW_SECONDS;
        if claims.exp <= now.timestamp()
            || claims.exp - claims.iat > self.lifetime_seconds
            || claims.iat > latest_start
            || claims.nbf.is_some_and(|nbf| nbf > latest_start)
        {
            return None;
        }
        Some(Caller { user_id: UserId::parse(&data.claims.sub)?, role: data.claims.role })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    fn tokens() -> (AccessTokens, SigningKeys) {
        let keys = SigningKeys::generate("k1");
        (AccessTokens::new(KeyRing::fixed(keys.clone()), 900), keys)
    }

    #[tokio::test]
    async fn issued_tokens_verify_until_they_expire() {
        let (tokens, _) = tokens();
        let user = UserId::generate();
        let now = Utc::now();
        let token = tokens.issue(&user, Role::User, now).await.unwrap();
        assert_eq!(tokens.verify(&token, now).await.map(|c| c.user_id).ok(), Some(user));
        assert!(tokens.verify(&token, now + Duration::seconds(899)).await.is_ok());
        assert!(matches!(tokens.verify(&token, now + Duration::seconds(900)).await, Err(ApiError::Unauthenticated)));
    }

    /// A token signed with our key but shaped as we never issue it.
    fn minted(keys: &SigningKeys, iat: i64, exp: i64, nbf: Option<i64>) -> String {
        let claims = AccessClaims {
            sub: UserId::generate().to_string(),
            role: Role::User,
            iss: ISSUER.into(),
            aud: AUDIENCE.into(),
            iat,
            exp,
            nbf,
        };
        let mut header = Header::new(Algorithm::HS256);
        header.kid = Some("k1".into());
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&keys.keys["k1"])).unwrap()
    }

    #[tokio::test]
    async fn refuses_lifetimes_longer_than_configured_and_tokens_from_the_future() {
        let (tokens, keys) = tokens();
        let now = Utc::now().timestamp();
        let at = Utc::now();
        let accepted = async |token: String| tokens.verify(&token, at).await.is_ok();
        assert!(accepted(minted(&keys, now, now + 900, None)).await, "as issued");
        assert!(!accepted(minted(&keys, now, now + 10 * 365 * 86_400, None)).await, "ten years");
        assert!(!accepted(minted(&keys, now, now + 901, None)).await, "one second too long");
        assert!(accepted(minted(&keys, now + 30, now + 900, None)).await, "within the skew");
        assert!(!accepted(minted(&keys, now + 600, now + 1400, None)).await, "issued in the future");
        assert!(!accepted(minted(&keys, now, now + 900, Some(now + 600))).await, "not yet valid");
    }

    #[tokio::test]
    async fn rejects_tampering_unknown_kids_and_foreign_keys() {
        let (tokens, keys) = tokens();
        let now = Utc::now();
        let token = tokens.issue(&UserId::generate(), Role::User, now).await.unwrap();
        let mut tampered = token.clone();
        tampered.insert(token.len() - 3, 'x');
        assert!(tokens.verify(&tampered, now).await.is_err());
        assert!(tokens.verify("not.a.jwt", now).await.is_err());
        let (other, _) = self::tokens();
        assert!(other.verify(&token, now).await.is_err(), "same kid, different secret");
        let renamed = AccessTokens::new(
            KeyRing::fixed(SigningKeys {
                current: "k2".into(),
                keys: [("k2".to_owned(), keys.keys["k1"].clone())].into(),
            }),
            900,
        );
        assert!(renamed.verify(&token, now).await.is_err(), "kid k1 unknown to this key set");
    }
}
