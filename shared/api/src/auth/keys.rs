//! The access-token keys a warm function holds. Loaded from Secrets Manager at cold start,
//! then kept fresh: reloaded when older than the configured maximum age (so a rotation
//! reaches every function within it, with no redeploy) and at once when a token names a key
//! id we do not know (a signer that already rotated), at most once a second so forged key
//! ids cannot turn every request into a Secrets Manager call. When a reload fails the keys
//! already held keep serving; with none held, requests answer 503.

use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::ApiError;
use crate::config::{KeySource, SigningKeys};
use crate::secrets::SecretsManager;

/// How soon after one reload another may be tried (an unknown key id, a failed read).
const RELOAD_INTERVAL: Duration = Duration::from_secs(1);

enum Source {
    Fixed(Arc<SigningKeys>),
    Secret {
        secrets: Box<SecretsManager>,
        secret_id: String,
    },
    /// This function neither signs nor verifies access tokens (and may not read the secret).
    Missing,
}

#[derive(Clone)]
struct Loaded {
    keys: Arc<SigningKeys>,
    at: Instant,
}

pub struct KeyRing {
    source: Source,
    max_age: Duration,
    loaded: RwLock<Option<Loaded>>,
    /// Serialises reloads and remembers when the last one was tried.
    last_attempt: tokio::sync::Mutex<Option<Instant>>,
}

impl KeyRing {
    pub fn new(source: &KeySource, max_age: Duration, sdk_config: &aws_config::SdkConfig) -> Self {
        let source = match source {
            KeySource::Fixed(keys) => Source::Fixed(Arc::new(keys.clone())),
            KeySource::Secret(secret_id) => {
                Source::Secret { secrets: Box::new(SecretsManager::new(sdk_config)), secret_id: secret_id.clone() }
            }
            KeySource::Missing => Source::Missing,
        };
        Self { source, max_age, loaded: RwLock::new(None), last_attempt: tokio::sync::Mutex::new(None) }
    }

    /// Inline keys that never change (unit tests).
    pub fn fixed(keys: SigningKeys) -> Self {
        Self {
            source: Source::Fixed(Arc::new(keys)),
            max_age: Duration::MAX,
            loaded: RwLock::new(None),
            last_attempt: tokio::sync::Mutex::new(None),
        }
    }

    /// Loads the keys now (the cold start), so the first request does not wait for them.
    /// A failure is logged; requests try again.
    pub async fn preload(&self) {
        if matches!(self.source, Source::Secret { .. })
            && let Err(error) = self.reload(Reason::Age).await
        {
            tracing::error!(%error, "access-token keys not loaded at cold start; requests will retry");
        }
    }

    /// The keys to sign with: loaded within the maximum age.
    pub async fn current(&self) -> Result<Arc<SigningKeys>, ApiError> {
        match &self.source {
            Source::Fixed(keys) => Ok(keys.clone()),
            Source::Missing => Err(not_configured()),
            Source::Secret { .. } => match self.held() {
                Some(loaded) if loaded.at.elapsed() < self.max_age => Ok(loaded.keys),
                _ => self.reload(Reason::Age).await,
            },
        }
    }

    /// The secret of key `kid`, reloading once if it is not among the keys held.
    pub async fn verifying_key(&self, kid: &str) -> Result<Option<Vec<u8>>, ApiError> {
        let keys = self.current().await?;
        if let Some(secret) = keys.keys.get(kid) {
            return Ok(Some(secret.clone()));
        }
        if !matches!(self.source, Source::Secret { .. }) {
            return Ok(None);
        }
        let keys = self.reload(Reason::UnknownKid).await?;
        Ok(keys.keys.get(kid).cloned())
    }

    fn held(&self) -> Option<Loaded> {
        self.loaded.read().ok().and_then(|held| held.clone())
    }

    /// Reads the secret again, unless another request did while this one waited for the
    /// lock, or tried within the last second, or (for age) the keys held are fresh by now.
    async fn reload(&self, reason: Reason) -> Result<Arc<SigningKeys>, ApiError> {
        let Source::Secret { secrets, secret_id } = &self.source else {
            return self.current_without_reload();
        };
        let asked = Instant::now();
        let mut last_attempt = self.last_attempt.lock().await;
        let held = self.held();
        if let (Some(held), Some(tried)) = (&held, *last_attempt) {
            let fresh = reason == Reason::Age && held.at.elapsed() < self.max_age;
            if tried >= asked || tried.elapsed() < RELOAD_INTERVAL || fresh {
                return Ok(held.keys.clone());
            }
        }
        *last_attempt = Some(Instant::now());
        match secrets.signing_keys(secret_id).await {
            Ok(keys) => {
                let keys = Arc::new(keys);
                if let Ok(mut slot) = self.loaded.write() {
                    *slot = Some(Loaded { keys: keys.clone(), at: Instant::now() });
                }
                tracing::info!(current = %keys.current, kids = keys.keys.len(), "access-token keys loaded");
                Ok(keys)
            }
            Err(error) => match held {
                Some(held) => {
                    tracing::warn!(%error, "access-token keys not reloaded; keeping the ones held");
                    Ok(held.keys)
                }
                None => {
                    tracing::error!(%error, "access-token keys unavailable");
                    Err(ApiError::Unavailable)
                }
            },
        }
    }

    fn current_without_reload(&self) -> Result<Arc<SigningKeys>, ApiError> {
        match &self.source {
            Source::Fixed(keys) => Ok(keys.clone()),
            _ => Err(not_configured()),
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Reason {
    Age,
    UnknownKid,
}

fn not_configured() -> ApiError {
    ApiError::Internal("this function has no access-token keys configured (JWT_SIGNING_KEYS_SECRET)".into())
}
