//! The app each function runs with locally. Under the IAM check every function gets its own
//! SDK clients, signing with credentials that name it and reaching the emulators through the
//! [`Gate`], as each Lambda has its own role's credentials in AWS; without it, every function
//! shares the harness's app.

use std::collections::HashMap;
use std::sync::Arc;

use aws_config::{BehaviorVersion, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::SharedCredentialsProvider;
use tandem_api::App;

use crate::iam::{self, Gate, GateError, Iam, Upstreams};

pub struct FunctionApps {
    harness: App,
    by_function: HashMap<String, App>,
    sdk_by_function: HashMap<String, SdkConfig>,
    iam: Option<Arc<Iam>>,
    _gate: Option<Gate>,
}

impl FunctionApps {
    /// Every function runs with `app`'s rights (the IAM check off).
    pub fn unchecked(app: App) -> Arc<Self> {
        Arc::new(Self {
            harness: app,
            by_function: HashMap::new(),
            sdk_by_function: HashMap::new(),
            iam: None,
            _gate: None,
        })
    }

    /// Every function of `iam`'s policies runs under its own policy, through a gate in front
    /// of the emulators `base` reaches. Each has its own clients and caches (the accounts'
    /// statuses, the signing keys), as each Lambda has; they share the configuration and the
    /// classifier.
    pub async fn under_iam(app: App, base: &SdkConfig, iam: Iam) -> Result<Arc<Self>, GateError> {
        let iam = Arc::new(iam);
        let gate = Gate::start(iam.clone(), Upstreams::from_env()?).await?;
        let sdk_by_function: HashMap<String, SdkConfig> = iam
            .functions()
            .map(|function| (function.clone(), function_sdk_config(base, &function, &gate.endpoint)))
            .collect();
        let by_function = sdk_by_function
            .iter()
            .map(|(function, sdk)| {
                let mut own = App::new((*app.config).clone(), sdk).with_oidc();
                own.classifier = app.classifier.clone();
                (function.clone(), own)
            })
            .collect();
        Ok(Arc::new(Self { harness: app, by_function, sdk_by_function, iam: Some(iam), _gate: Some(gate) }))
    }

    /// The app `function` runs with.
    pub fn app(&self, function: &str) -> App {
        self.by_function.get(function).unwrap_or(&self.harness).clone()
    }

    /// The SDK configuration `function`'s clients use, when checked (its credentials, the gate).
    pub fn sdk_config(&self, function: &str) -> Option<&SdkConfig> {
        self.sdk_by_function.get(function)
    }

    /// The stack's own app (local controls, the test harness): not a function's.
    pub fn harness(&self) -> &App {
        &self.harness
    }

    /// The policies the functions run under, when checked.
    pub fn iam(&self) -> Option<&Arc<Iam>> {
        self.iam.as_ref()
    }
}

/// `base`'s region and runtime parts, with credentials naming `function` and every service
/// reached through the gate (the Management API's endpoint is set by its own client).
fn function_sdk_config(base: &SdkConfig, function: &str, gate: &str) -> SdkConfig {
    let credentials = Credentials::new(iam::access_key(function), "local", None, None, "tandem-local-iam");
    let mut builder = SdkConfig::builder()
        .behavior_version(base.behavior_version().unwrap_or(BehaviorVersion::latest()))
        .region(base.region().cloned())
        .credentials_provider(SharedCredentialsProvider::new(credentials))
        .endpoint_url(gate);
    builder.set_http_client(base.http_client());
    builder.set_sleep_impl(base.sleep_impl());
    builder.set_time_source(base.time_source());
    builder.set_retry_config(base.retry_config().cloned());
    builder.set_timeout_config(base.timeout_config().cloned());
    builder.build()
}
