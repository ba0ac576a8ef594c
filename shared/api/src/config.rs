//! Configuration read once per cold start from the environment. Secrets are not in it: the
//! functions that sign or verify access tokens are given the signing keys' secret id and read
//! the keys from Secrets Manager themselves (`auth::keys`).

use std::collections::HashMap;

use base64::Engine;
use tandem_domain::credentials::LoginThrottlePolicy;
use tandem_domain::moderation::RulesConfig;
use tandem_domain::rewards::RewardRules;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("environment variable {0} is not set")]
    Missing(&'static str),
    #[error("environment variable {name} is invalid: {reason}")]
    Invalid { name: &'static str, reason: String },
}

/// HMAC keys for access tokens, by key id. `current` signs; every listed key verifies,
/// so keys can be rotated without logging anyone out.
#[derive(Clone)]
pub struct SigningKeys {
    pub current: String,
    pub keys: HashMap<String, Vec<u8>>,
}

impl std::fmt::Debug for SigningKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SigningKeys").field("current", &self.current).field("kids", &self.keys.keys()).finish()
    }
}

pub const MIN_KEY_BYTES: usize = 32;

impl SigningKeys {
    /// Parses `{"current": "<kid>", "<kid>": "<secret>", ...}`: the shape of the generated
    /// Secrets Manager secret. Each secret is used as raw bytes and must be ≥ 32 of them.
    pub fn from_json(raw: &str) -> Result<Self, String> {
        let mut members: HashMap<String, String> = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        let current = members.remove("current").ok_or("no \"current\" key id")?;
        let mut keys = HashMap::new();
        for (kid, secret) in members {
            if secret.len() < MIN_KEY_BYTES {
                return Err(format!("key {kid} is shorter than {MIN_KEY_BYTES} bytes"));
            }
            keys.insert(kid, secret.into_bytes());
        }
        if !keys.contains_key(&current) {
            return Err(format!("current key {current} is not among the keys"));
        }
        Ok(Self { current, keys })
    }

    /// A fresh random key set for local development and tests.
    pub fn generate(kid: &str) -> Self {
        let secret: [u8; 32] = rand::random();
        let secret = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(secret);
        Self { current: kid.to_owned(), keys: HashMap::from([(kid.to_owned(), secret.into_bytes())]) }
    }

    pub fn to_json(&self) -> String {
        let mut members: HashMap<&str, String> =
            self.keys.iter().map(|(kid, bytes)| (kid.as_str(), String::from_utf8_lossy(bytes).into_owned())).collect();
        members.insert("current", self.current.clone());
        serde_json::json!(members).to_string()
    }
}

/// Where a function's access-token keys come from.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// The Secrets Manager secret `JWT_SIGNING_KEYS_SECRET` (ARN or name), read at cold start
    /// and refreshed (deployed, and the local stack).
    Secret(String),
    /// Keys given inline (`JWT_SIGNING_KEYS`: tests, `sam local invoke` without a secret).
    Fixed(SigningKeys),
    /// Neither: the function does not handle access tokens.
    Missing,
}

/// How long a warm function signs and verifies with the keys it read before reading them
/// again: the longest a rotation takes to reach every function.
pub const KEY_MAX_AGE_SECONDS: u64 = 300;

#[derive(Debug, Clone)]
pub struct OidcConfig {
    pub issuer: String,
    pub audience: String,
    pub jwks_url: String,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub table_name: String,
    pub signing_keys: KeySource,
    /// `JWT_KEYS_MAX_AGE_SECONDS`; see [`KEY_MAX_AGE_SECONDS`].
    pub key_max_age_seconds: u64,
    pub oidc: Option<OidcConfig>,
    pub login_throttle: LoginThrottlePolicy,
    /// Failed logins per client address, over any number of emails.
    pub login_client_limit: LoginThrottlePolicy,
    /// Messages a user may send, and reports they may file, per window.
    pub send_limit: tandem_domain::limits::RateLimit,
    pub report_limit: tandem_domain::limits::RateLimit,
    pub access_token_seconds: i64,
    pub refresh_token_days: i64,
    /// The moderation worker's rules (`MODERATION_RULES`, JSON; the shipped rules otherwise).
    pub moderation_rules: RulesConfig,
    /// How long a warm function trusts the account status it read (bans take effect within it).
    pub status_cache_seconds: u64,
    /// Management endpoint of the WebSocket API (`WEBSOCKET_ENDPOINT`), for server events.
    pub websocket_endpoint: Option<String>,
    pub pairing: tandem_pairing::EngineConfig,
    /// SNS platform applications (`PUSH_IOS_APPLICATION_ARN`, `PUSH_ANDROID_APPLICATION_ARN`);
    /// a platform without one is not pushed to (logged).
    pub push_applications: PushApplications,
    /// At most one "new message" push per conversation and recipient in this many minutes
    /// (`PUSH_MESSAGE_COALESCE_MINUTES`).
    pub message_push_coalesce_minutes: i64,
    /// Points per reward kind and the rules' thresholds (`REWARD_RULES`, JSON; the
    /// defaults otherwise).
    pub reward_rules: RewardRules,
}

#[derive(Debug, Clone, Default)]
pub struct PushApplications {
    pub ios: Option<String>,
    pub android: Option<String>,
}

pub const MESSAGE_PUSH_COALESCE_MINUTES: i64 = 10;

pub const ACCESS_TOKEN_SECONDS: i64 = 15 * 60;
pub const REFRESH_TOKEN_DAYS: i64 = 30;
/// Within the 60 s the product allows for a ban to reach every warm function.
pub const STATUS_CACHE_SECONDS: u64 = 30;

impl Config {
    /// With inline keys (tests).
    pub fn new(table_name: impl Into<String>, signing_keys: SigningKeys) -> Self {
        Self::with_key_source(table_name, KeySource::Fixed(signing_keys))
    }

    pub fn with_key_source(table_name: impl Into<String>, signing_keys: KeySource) -> Self {
        Self {
            table_name: table_name.into(),
            signing_keys,
            key_max_age_seconds: KEY_MAX_AGE_SECONDS,
            oidc: None,
            login_throttle: LoginThrottlePolicy::default(),
            login_client_limit: LoginThrottlePolicy::PER_CLIENT,
            send_limit: tandem_domain::limits::RateLimit::SEND_MESSAGES,
            report_limit: tandem_domain::limits::RateLimit::FILE_REPORTS,
            access_token_seconds: ACCESS_TOKEN_SECONDS,
            refresh_token_days: REFRESH_TOKEN_DAYS,
            moderation_rules: RulesConfig::default_rules().expect("the shipped moderation rules parse (unit-tested)"),
            status_cache_seconds: STATUS_CACHE_SECONDS,
            websocket_endpoint: None,
            pairing: tandem_pairing::EngineConfig::default(),
            push_applications: PushApplications::default(),
            message_push_coalesce_minutes: MESSAGE_PUSH_COALESCE_MINUTES,
            reward_rules: RewardRules::default(),
        }
    }

    /// `TABLE_NAME`; for functions that handle access tokens `JWT_SIGNING_KEYS_SECRET` (or
    /// `JWT_SIGNING_KEYS`, JSON, see [`SigningKeys::from_json`]); optional
    /// `JWT_KEYS_MAX_AGE_SECONDS`, `WEBSOCKET_ENDPOINT`, `MODERATION_RULES`, `REWARD_RULES`, the push settings above and, all three or none, `OIDC_ISSUER`,
    /// `OIDC_AUDIENCE`, `OIDC_JWKS_URL`.
    pub fn from_env() -> Result<Self, ConfigError> {
        let var = |name: &'static str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let table = var("TABLE_NAME").ok_or(ConfigError::Missing("TABLE_NAME"))?;
        let signing_keys = match (var("JWT_SIGNING_KEYS_SECRET"), var("JWT_SIGNING_KEYS")) {
            (Some(secret_id), _) => KeySource::Secret(secret_id),
            (None, Some(keys)) => KeySource::Fixed(
                SigningKeys::from_json(&keys)
                    .map_err(|reason| ConfigError::Invalid { name: "JWT_SIGNING_KEYS", reason })?,
            ),
            (None, None) => KeySource::Missing,
        };
        let mut config = Self::with_key_source(table, signing_keys);
        if let Some(seconds) = var("JWT_KEYS_MAX_AGE_SECONDS") {
            config.key_max_age_seconds = whole_number("JWT_KEYS_MAX_AGE_SECONDS", &seconds, 1..=3600, "seconds")?;
        }
        if let Some(rules) = var("MODERATION_RULES") {
            config.moderation_rules = RulesConfig::from_json(&rules)
                .map_err(|e| ConfigError::Invalid { name: "MODERATION_RULES", reason: e.to_string() })?;
        }
        if let Some(rules) = var("REWARD_RULES") {
            config.reward_rules = RewardRules::from_json(&rules)
                .map_err(|reason| ConfigError::Invalid { name: "REWARD_RULES", reason })?;
        }
        config.websocket_endpoint = var("WEBSOCKET_ENDPOINT");
        config.push_applications =
            PushApplications { ios: var("PUSH_IOS_APPLICATION_ARN"), android: var("PUSH_ANDROID_APPLICATION_ARN") };
        if let Some(minutes) = var("PUSH_MESSAGE_COALESCE_MINUTES") {
            config.message_push_coalesce_minutes =
                whole_number("PUSH_MESSAGE_COALESCE_MINUTES", &minutes, 1..=1440, "minutes")?;
        }
        config.oidc = match (var("OIDC_ISSUER"), var("OIDC_AUDIENCE"), var("OIDC_JWKS_URL")) {
            (Some(issuer), Some(audience), Some(jwks_url)) => Some(OidcConfig { issuer, audience, jwks_url }),
            (None, None, None) => None,
            _ => {
                return Err(ConfigError::Invalid {
                    name: "OIDC_ISSUER",
                    reason: "set OIDC_ISSUER, OIDC_AUDIENCE and OIDC_JWKS_URL together".into(),
                });
            }
        };
        Ok(config)
    }
}

/// `value` as a whole number of `unit` within `range`, or the variable `name`'s error.
fn whole_number<T>(
    name: &'static str,
    value: &str,
    range: std::ops::RangeInclusive<T>,
    unit: &str,
) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display,
{
    value.trim().parse().ok().filter(|n| range.contains(n)).ok_or_else(|| ConfigError::Invalid {
        name,
        reason: format!("must be a whole number of {unit} from {} to {}", range.start(), range.end()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signing_keys_round_trip_and_validate() {
        let keys = SigningKeys::generate("k1");
        let parsed = SigningKeys::from_json(&keys.to_json()).unwrap();
        assert_eq!(parsed.current, "k1");
        assert_eq!(parsed.keys["k1"], keys.keys["k1"]);
        assert!(SigningKeys::from_json(r#"{"current":"k2","k1":"0123456789abcdef0123456789abcdef"}"#).is_err());
        assert!(SigningKeys::from_json(r#"{"current":"k","k":"short"}"#).is_err());
        let two = SigningKeys::from_json(
            r#"{"current":"b","a":"0123456789abcdef0123456789abcdef","b":"fedcba9876543210fedcba9876543210"}"#,
        )
        .unwrap();
        assert_eq!(two.keys.len(), 2);
    }

    #[test]
    fn whole_numbers_are_checked_against_their_range() {
        assert_eq!(whole_number("X", " 300 ", 1..=3600_u64, "seconds").unwrap(), 300);
        for bad in ["0", "3601", "-5", "1.5", "five"] {
            let error = whole_number("X", bad, 1..=3600_u64, "seconds").unwrap_err().to_string();
            assert!(error.contains("from 1 to 3600"), "{bad}: {error}");
        }
    }
}
