//! Secrets Manager adapter: reads the access-token signing keys' secret.

use aws_sdk_secretsmanager::error::DisplayErrorContext;

use crate::config::SigningKeys;
use crate::outbound::lazy::LazyClient;

/// The client is made on first use: only the functions that read the keys link it.
#[derive(Clone)]
pub struct SecretsManager {
    client: LazyClient<aws_sdk_secretsmanager::Client>,
}

impl SecretsManager {
    pub fn new(sdk_config: &aws_config::SdkConfig) -> Self {
        Self { client: LazyClient::new(sdk_config) }
    }

    /// The current version (`AWSCURRENT`) of the secret `secret_id`, parsed as signing keys.
    pub async fn signing_keys(&self, secret_id: &str) -> Result<SigningKeys, String> {
        let output = self
            .client
            .get(aws_sdk_secretsmanager::Client::new)
            .get_secret_value()
            .secret_id(secret_id)
            .send()
            .await
            .map_err(|e| format!("reading secret {secret_id}: {}", DisplayErrorContext(&e)))?;
        let text = output.secret_string().ok_or_else(|| format!("secret {secret_id} has no string value"))?;
        SigningKeys::from_json(text).map_err(|e| format!("secret {secret_id}: {e}"))
    }
}
