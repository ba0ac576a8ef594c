//! Short-lived access tokens: HS256 JWTs whose `kid` names the signing key.

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tandem_domain::{Role, UserId};

use crate::ApiError;
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
    keys: SigningKeys,
    lifetime_seconds: i64,
}

impl AccessTokens {
    pub fn new(keys: SigningKeys, lifetime_seconds: i64) -> Self {
        Self { keys, lifetime_seconds }
    }

    pub fn lifetime_seconds(&self) -> i64 {
        self.lifetime_seconds
    }

    pub fn issue(&self, user_id: &UserId, role: Role, now: DateTime<Utc>) -> Result<String, ApiError> {
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
        header.kid = Some(self.keys.current.clone());
        let secret =
            self.keys.keys.get(&self.keys.current).ok_or_else(|| ApiError::Internal("no current key".into()))?;
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret))
            .map_err(|e| ApiError::Internal(format!("signing access token: {e}")))
    }

    /// The caller, if the token is well-formed, signed by a known key, unexpired and ours,
    /// and shaped as we issue them: a lifetime no longer than the configured one and an
    /// issue (or not-before) time not in the future, so a leaked key cannot mint
    /// long-lived tokens unnoticed.
    pub fn verify(&self, token: &str, now: DateTime<Utc>) -> Option<Caller> {
        let header = jsonwebtoken::decode_header(token).ok()?;
        if header.alg != Algorithm::HS256 {
            return None;
        }
        let secret = self.keys.keys.get(header.kid.as_deref()?)?;
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

    fn tokens() -> AccessTokens {
        AccessTokens::new(SigningKeys::generate("k1"), 900)
    }

    #[test]
    fn issued_tokens_verify_until_they_expire() {
        let tokens = tokens();
        let user = UserId::generate();
        let now = Utc::now();
        let token = tokens.issue(&user, Role::User, now).unwrap();
        assert_eq!(tokens.verify(&token, now).map(|c| c.user_id), Some(user));
        assert!(tokens.verify(&token, now + Duration::seconds(899)).is_some());
        assert!(tokens.verify(&token, now + Duration::seconds(900)).is_none());
    }

    /// A token signed with our key but shaped as we never issue it.
    fn minted(tokens: &AccessTokens, iat: i64, exp: i64, nbf: Option<i64>) -> String {
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
        jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(&tokens.keys.keys["k1"])).unwrap()
    }

    #[test]
    fn refuses_lifetimes_longer_than_configured_and_tokens_from_the_future() {
        let tokens = tokens();
        let now = Utc::now().timestamp();
        let at = Utc::now();
        assert!(tokens.verify(&minted(&tokens, now, now + 900, None), at).is_some(), "as issued");
        assert!(tokens.verify(&minted(&tokens, now, now + 10 * 365 * 86_400, None), at).is_none(), "ten years");
        assert!(tokens.verify(&minted(&tokens, now, now + 901, None), at).is_none(), "one second too long");
        assert!(tokens.verify(&minted(&tokens, now + 30, now + 900, None), at).is_some(), "within the skew");
        assert!(tokens.verify(&minted(&tokens, now + 600, now + 1400, None), at).is_none(), "issued in the future");
        assert!(tokens.verify(&minted(&tokens, now, now + 900, Some(now + 600)), at).is_none(), "not yet valid");
    }

    #[test]
    fn rejects_tampering_unknown_kids_and_foreign_keys() {
        let tokens = tokens();
        let now = Utc::now();
        let token = tokens.issue(&UserId::generate(), Role::User, now).unwrap();
        let mut tampered = token.clone();
        tampered.insert(token.len() - 3, 'x');
        assert!(tokens.verify(&tampered, now).is_none());
        assert!(tokens.verify("not.a.jwt", now).is_none());
        let other = AccessTokens::new(SigningKeys::generate("k1"), 900);
        assert!(other.verify(&token, now).is_none(), "same kid, different secret");
        let renamed = AccessTokens::new(
            SigningKeys { current: "k2".into(), keys: [("k2".to_owned(), tokens.keys.keys["k1"].clone())].into() },
            900,
        );
        assert!(renamed.verify(&token, now).is_none(), "kid k1 unknown to this key set");
    }
}
