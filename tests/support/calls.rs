//! DynamoDB calls counted by an SDK interceptor, for the benchmarks' cost figures, and
//! the benchmarks' seeding writes.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use aws_sdk_dynamodb::config::interceptors::BeforeSerializationInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept};
use tandem_api::App;
use tandem_store::Store;

use crate::{TestApi, sdk_config};

/// DynamoDB operations by name, counted once per call (retries of one call count once).
#[derive(Debug, Default, Clone)]
pub struct Calls(Arc<Mutex<BTreeMap<&'static str, u64>>>);

impl Calls {
    /// The counts so far, and a fresh start.
    pub fn take(&self) -> BTreeMap<&'static str, u64> {
        std::mem::take(&mut *self.0.lock().unwrap())
    }
}

impl Intercept for Calls {
    fn name(&self) -> &'static str {
        "CountCalls"
    }

    fn read_before_execution(
        &self,
        context: &BeforeSerializationInterceptorContextRef<'_>,
        _cfg: &mut ConfigBag,
    ) -> Result<(), aws_sdk_dynamodb::error::BoxError> {
        use aws_sdk_dynamodb::operation::*;
        let input = context.input();
        let name = if input.downcast_ref::<get_item::GetItemInput>().is_some() {
            "GetItem"
        } else if input.downcast_ref::<batch_get_item::BatchGetItemInput>().is_some() {
            "BatchGetItem"
        } else if input.downcast_ref::<query::QueryInput>().is_some() {
            "Query"
        } else if input.downcast_ref::<transact_write_items::TransactWriteItemsInput>().is_some() {
            "TransactWriteItems"
        } else if input.downcast_ref::<update_item::UpdateItemInput>().is_some() {
            "UpdateItem"
        } else if input.downcast_ref::<put_item::PutItemInput>().is_some() {
            "PutItem"
        } else if input.downcast_ref::<delete_item::DeleteItemInput>().is_some() {
            "DeleteItem"
        } else if input.downcast_ref::<batch_write_item::BatchWriteItemInput>().is_some() {
            "BatchWriteItem"
        } else {
            "other"
        };
        *self.0.lock().unwrap().entry(name).or_default() += 1;
        Ok(())
    }
}

/// A copy of the test stack's app whose DynamoDB calls are counted.
pub async fn counted(api: &TestApi) -> (App, Calls) {
    let calls = Calls::default();
    let sdk = sdk_config().await;
    let config = aws_sdk_dynamodb::Config::from(&sdk).to_builder().interceptor(calls.clone()).build();
    let mut app: App = api.app.clone();
    app.store = Store::new(aws_sdk_dynamodb::Client::from_conf(config), api.table());
    (app, calls)
}

/// `3 Query, 10 UpdateItem`.
pub fn calls_text(calls: &BTreeMap<&'static str, u64>) -> String {
    calls.iter().map(|(name, n)| format!("{n} {name}")).collect::<Vec<_>>().join(", ")
}

/// A seeding write, retried: DynamoDB Local times out on its own locks under concurrent
/// transactions ("this request will succeed in actual DynamoDB").
pub async fn seeded<T, F, Fut>(write: F) -> T
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, tandem_store::StoreError>>,
{
    let mut attempts = 0;
    loop {
        match write().await {
            Ok(value) => return value,
            Err(error) if attempts < 5 => {
                attempts += 1;
                eprintln!("seeding retried: {error}");
            }
            Err(error) => panic!("seeding failed: {error}"),
        }
    }
}
