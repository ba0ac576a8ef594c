//! Everything a handler needs, built once per cold start and cheap to clone per request.

use std::sync::Arc;

use aws_config::SdkConfig;
use tandem_store::Store;

use tandem_domain::moderation::{Classifier, RuleSet};

use crate::auth::{AccessTokens, KeyRing, OidcVerifier, StatusCache};
use crate::config::{Config, ConfigError};
use crate::outbound::push::PushGateway;
use crate::outbound::realtime::Realtime;

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<Config>,
    pub tokens: Arc<AccessTokens>,
    pub oidc: Option<Arc<OidcVerifier>>,
    pub realtime: Realtime,
    /// What judges messages: the configured rules today, a model behind the same trait later.
    pub classifier: Arc<dyn Classifier>,
    pub statuses: Arc<StatusCache>,
    pub push: PushGateway,
}

impl App {
    pub fn new(config: Config, sdk_config: &SdkConfig) -> Self {
        let store = Store::new(aws_sdk_dynamodb::Client::new(sdk_config), config.table_name.clone());
        let keys =
            KeyRing::new(&config.signing_keys, std::time::Duration::from_secs(config.key_max_age_seconds), sdk_config);
        let tokens = Arc::new(AccessTokens::new(keys, config.access_token_seconds));
        let realtime = Realtime::new(sdk_config, config.websocket_endpoint.clone(), store.clone());
        let classifier = Arc::new(RuleSet::new(config.moderation_rules.clone()));
        let statuses = Arc::new(StatusCache::new(std::time::Duration::from_secs(config.status_cache_seconds)));
        let push = PushGateway::new(sdk_config, config.push_applications.clone());
        Self { store, config: Arc::new(config), tokens, oidc: None, realtime, classifier, statuses, push }
    }

    /// With the OIDC id-token verifier (when configured). Only `auth-oidc` (and the local
    /// stack) call this, so the other functions do not link its HTTP client.
    pub fn with_oidc(mut self) -> Self {
        self.oidc = self.config.oidc.clone().map(|oidc| Arc::new(OidcVerifier::new(oidc)));
        self
    }

    /// Reads the environment and the standard AWS configuration chain (which honours
    /// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_DYNAMODB`, so no code knows it runs locally).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let app = Self::new(config, &crate::sdk::from_lambda_environment());
        app.tokens.preload().await;
        Ok(app)
    }
}
