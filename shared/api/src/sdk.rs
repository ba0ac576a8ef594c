//! The AWS SDK configuration of a deployed function, from the Lambda environment alone.
//!
//! `aws_config::defaults(..).load()` links every credential and region provider (profiles,
//! SSO, STS web identity, ECS, IMDS): over a megabyte per function that Lambda never runs,
//! since it hands credentials and the region over in environment variables. This reads
//! those, and honours the standard endpoint overrides (`AWS_ENDPOINT_URL`,
//! `AWS_ENDPOINT_URL_<SERVICE>`), so the same binary runs against the local stack. Retries,
//! timeouts, sleeping and the clock are the SDK clients' own defaults for the behaviour
//! version. The local stack and the tests use the full loader.

use aws_config::environment::EnvironmentVariableCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::provider::SharedCredentialsProvider;
use aws_types::service_config::{LoadServiceConfig, ServiceConfigKey};

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

/// Per-service settings from the environment: `AWS_ENDPOINT_URL_DYNAMODB` and the like.
#[derive(Debug)]
struct ServiceSettingsFromEnv;

impl LoadServiceConfig for ServiceSettingsFromEnv {
    fn load_config(&self, key: ServiceConfigKey<'_>) -> Option<String> {
        // The global `AWS_ENDPOINT_URL` is the builder's `endpoint_url`, which the clients fall
        // back to; here only the service's own (`DynamoDB Streams` → `…_DYNAMODB_STREAMS`).
        var(&format!("{}_{}", key.env(), key.service_id().to_uppercase().replace(' ', "_")))
    }
}

pub fn from_lambda_environment() -> SdkConfig {
    let mut builder = SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(var("AWS_REGION").or_else(|| var("AWS_DEFAULT_REGION")).map(Region::new))
        .credentials_provider(SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new()))
        .service_config(ServiceSettingsFromEnv);
    if let Some(endpoint) = var("AWS_ENDPOINT_URL") {
        builder = builder.endpoint_url(endpoint);
    }
    builder.build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_endpoints_come_from_their_own_variable() {
        let key = |service| {
            ServiceConfigKey::builder()
                .service_id(service)
                .env("AWS_ENDPOINT_URL")
                .profile("endpoint_url")
                .build()
                .unwrap()
        };
        // SAFETY: this test alone reads or writes these variables.
        unsafe { std::env::set_var("AWS_ENDPOINT_URL_DYNAMODB_STREAMS", "http://127.0.0.1:1") };
        assert_eq!(ServiceSettingsFromEnv.load_config(key("DynamoDB Streams")).as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(ServiceSettingsFromEnv.load_config(key("Secrets Manager")), None);
    }
}
