//! An AWS SDK client made on first use, so only the functions that call a service build (and
//! link) its client; clones share it.

use std::sync::{Arc, OnceLock};

use aws_config::SdkConfig;

#[derive(Clone, Debug)]
pub struct LazyClient<C> {
    sdk_config: SdkConfig,
    client: Arc<OnceLock<C>>,
}

impl<C> LazyClient<C> {
    pub fn new(sdk_config: &SdkConfig) -> Self {
        Self { sdk_config: sdk_config.clone(), client: Arc::new(OnceLock::new()) }
    }

    /// The client, made by `make` from the SDK configuration the first time.
    pub fn get(&self, make: impl FnOnce(&SdkConfig) -> C) -> &C {
        self.client.get_or_init(|| make(&self.sdk_config))
    }
}
