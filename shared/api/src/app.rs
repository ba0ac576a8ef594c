//! Everything a handler needs, built once per cold start and cheap to clone per request.

use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use tandem_store::Store;

use crate::auth::{AccessTokens, OidcVerifier};
use crate::config::{Config, ConfigError};
use crate::outbound::queue::SqsQueue;
use crate::outbound::realtime::Realtime;

#[derive(Clone)]
pub struct App {
    pub store: Store,
    pub config: Arc<Config>,
    pub tokens: Arc<AccessTokens>,
    pub oidc: Option<Arc<OidcVerifier>>,
    pub push: SqsQueue,
    pub moderation: SqsQueue,
    pub realtime: Realtime,
}

impl App {
    pub fn new(config: Config, sdk_config: &SdkConfig) -> Self {
        let store = Store::new(aws_sdk_dynamodb::Client::new(sdk_config), config.table_name.clone());
        let tokens = Arc::new(AccessTokens::new(config.signing_keys.clone(), config.access_token_seconds));
        let oidc = config.oidc.clone().map(|oidc| Arc::new(OidcVerifier::new(oidc)));
        let sqs = aws_sdk_sqs::Client::new(sdk_config);
        let push = SqsQueue::new(sqs.clone(), config.push_queue_url.clone(), "PUSH_QUEUE_URL");
        let moderation = SqsQueue::new(sqs, config.moderation_queue_url.clone(), "MODERATION_QUEUE_URL");
        let realtime = Realtime::new(sdk_config, config.websocket_endpoint.clone(), store.clone());
        Self { store, config: Arc::new(config), tokens, oidc, push, moderation, realtime }
    }

    /// Reads the environment and the standard AWS configuration chain (which honours
    /// `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_DYNAMODB`, so no code knows it runs locally).
    pub async fn from_env() -> Result<Self, ConfigError> {
        let config = Config::from_env()?;
        let sdk_config = aws_config::defaults(BehaviorVersion::latest()).load().await;
        Ok(Self::new(config, &sdk_config))
    }
}
