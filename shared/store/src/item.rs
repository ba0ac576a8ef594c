//! Helpers shared by the repositories: key maps, TTL-aware reads, conversions.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, Put, TransactWriteItem};

use crate::keys::{PK, SK, TTL};
use crate::{Store, StoreError};

pub(crate) type Item = HashMap<String, AttributeValue>;

pub(crate) fn key((pk, sk): (String, String)) -> Item {
    HashMap::from([(PK.to_owned(), AttributeValue::S(pk)), (SK.to_owned(), AttributeValue::S(sk))])
}

/// An item with its key set, from any serialisable body.
pub(crate) fn with_key<T: serde::Serialize>(key_pair: (String, String), body: &T) -> Result<Item, StoreError> {
    let mut item: Item = serde_dynamo::to_item(body)?;
    item.extend(key(key_pair));
    Ok(item)
}

/// A string attribute of `item` (empty when absent or not a string).
pub(crate) fn text(item: &Item, name: &str) -> String {
    item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
}

pub(crate) fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

pub(crate) fn n(value: i64) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

/// True when the item carries a TTL that has passed: DynamoDB deletes such items up to
/// ~48 h late, so every read must treat them as absent.
pub(crate) fn is_expired(item: &Item, now_epoch: i64) -> bool {
    match item.get(TTL) {
        Some(AttributeValue::N(ttl)) => ttl.parse::<i64>().is_ok_and(|ttl| ttl <= now_epoch),
        _ => false,
    }
}

impl Store {
    /// Strongly consistent GetItem that hides expired items.
    pub(crate) async fn get_live(
        &self,
        key_pair: (String, String),
        now_epoch: i64,
    ) -> Result<Option<Item>, StoreError> {
        let output = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(key_pair)))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::backend("GetItem", e))?;
        Ok(output.item.filter(|item| !is_expired(item, now_epoch)))
    }

    /// The live item at `key_pair`, read as `T`.
    pub(crate) async fn get_as<T: serde::de::DeserializeOwned>(
        &self,
        key_pair: (String, String),
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<T>, StoreError> {
        let item = self.get_live(key_pair, now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The live items at `keys`, read as `T`, in the order given (BatchGetItem).
    pub(crate) async fn batch_get_as<T: serde::de::DeserializeOwned>(
        &self,
        keys: Vec<(String, String)>,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Option<T>>, StoreError> {
        let mut found = self.batch_get(keys.clone(), now.timestamp()).await?;
        keys.iter().map(|k| Ok(found.remove(k).map(serde_dynamo::from_item).transpose()?)).collect()
    }

    /// A transaction action that creates `item` only if no item has its key yet.
    pub(crate) fn put_if_absent(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(StoreError::build)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// One cheap read, to prove the table is reachable (health checks).
    pub async fn ping(&self, now: chrono::DateTime<chrono::Utc>) -> Result<(), StoreError> {
        self.get_live(("HEALTH".to_owned(), "HEALTH".to_owned()), now.timestamp()).await.map(|_| ())
    }

    /// Writes `item` unconditionally, to expire (DynamoDB TTL, and every read) at `expires`.
    pub(crate) async fn put_expiring(
        &self,
        mut item: Item,
        expires: chrono::DateTime<chrono::Utc>,
    ) -> Result<(), StoreError> {
        item.insert(TTL.to_owned(), n(expires.timestamp()));
        self.put_item(item).await
    }

    /// Writes `item` unconditionally.
    pub(crate) async fn put_item(&self, item: Item) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .send()
            .await
            .map_err(|e| StoreError::backend("PutItem", e))?;
        Ok(())
    }

    /// Every item of a partition, all pages, expired ones included (purge, erasure and
    /// export decide); only the keys when `keys_only`.
    pub(crate) async fn partition_items(&self, partition: &str, keys_only: bool) -> Result<Vec<Item>, StoreError> {
        let mut query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":pk", s(partition))
            .consistent_read(true);
        if keys_only {
            query = query.expression_attribute_names("#sk", SK).projection_expression("#pk, #sk");
        }
        self.query_all(query).await
    }

    /// A transaction action that writes `item` unconditionally.
    pub(crate) fn put(&self, item: Item) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder().table_name(&self.table).set_item(Some(item)).build().map_err(StoreError::build)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Runs `actions` as one transaction; `Ok(false)` when it was cancelled because the
    /// first action's condition failed (someone got there first: a normal outcome).
    pub(crate) async fn transact_unless_taken(&self, actions: Vec<TransactWriteItem>) -> Result<bool, StoreError> {
        match self.transact_or_conditions(actions).await? {
            None => Ok(true),
            Some(failed) if failed.first() == Some(&true) => Ok(false),
            Some(failed) => Err(StoreError::Backend {
                operation: "TransactWriteItems",
                message: format!("a condition other than the first failed: {failed:?}"),
            }),
        }
    }

    /// Runs `actions` as one transaction: the one way the store sends a write transaction.
    /// `Ok(None)` when it committed; `Ok(Some(failed))` when conditions cancelled it,
    /// `failed[i]` telling whether action `i`'s condition failed (the caller's refusal: it
    /// decides what each means). A cancellation by conflicts alone (another transaction on
    /// one of its items at that moment, e.g. a message sent during a panic exit) is no
    /// refusal: it is tried again with backoff, and past the attempts answers `Throttled`
    /// (503 `service_busy`, retry later). Anything else is an error.
    pub(crate) async fn transact_or_conditions(
        &self,
        actions: Vec<TransactWriteItem>,
    ) -> Result<Option<Vec<bool>>, StoreError> {
        use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
        let mut backoff = std::time::Duration::from_millis(20);
        let mut attempt = 1;
        loop {
            let error = match self.client.transact_write_items().set_transact_items(Some(actions.clone())).send().await
            {
                Ok(_) => return Ok(None),
                Err(error) => error,
            };
            let cancellation = match error.as_service_error() {
                Some(TransactWriteItemsError::TransactionCanceledException(cancelled)) => {
                    let codes: Vec<Option<&str>> = cancelled.cancellation_reasons().iter().map(|r| r.code()).collect();
                    Cancellation::of(&codes)
                }
                _ => Cancellation::Other,
            };
            match cancellation {
                Cancellation::Conditions(failed) => return Ok(Some(failed)),
                Cancellation::Conflict if attempt < TRANSACTION_ATTEMPTS => {
                    // Jittered, so two conflicting writers do not collide again in step.
                    let jitter = std::time::Duration::from_millis(u64::from(uuid::Uuid::new_v4().as_bytes()[0]) % 20);
                    tokio::time::sleep(backoff + jitter).await;
                    backoff *= 2;
                    attempt += 1;
                }
                Cancellation::Conflict => {
                    return Err(StoreError::Throttled(format!(
                        "TransactWriteItems: still conflicting with other transactions after {TRANSACTION_ATTEMPTS} attempts"
                    )));
                }
                Cancellation::Other => return Err(StoreError::backend("TransactWriteItems", error)),
            }
        }
    }

    /// The items with these keys, by key (BatchGetItem in chunks of 100, unprocessed keys
    /// retried); missing and expired items are absent.
    pub(crate) async fn batch_get(
        &self,
        keys: Vec<(String, String)>,
        now_epoch: i64,
    ) -> Result<std::collections::HashMap<(String, String), Item>, StoreError> {
        use aws_sdk_dynamodb::types::KeysAndAttributes;
        // BatchGetItem refuses a request naming a key twice.
        let keys: Vec<(String, String)> =
            keys.into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        let mut found = std::collections::HashMap::new();
        for chunk in keys.chunks(100) {
            let mut pending: Vec<Item> = chunk.iter().cloned().map(key).collect();
            for _attempt in 0..5 {
                if pending.is_empty() {
                    break;
                }
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(pending))
                    .consistent_read(true)
                    .build()
                    .map_err(StoreError::build)?;
                let output = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(|e| StoreError::backend("BatchGetItem", e))?;
                for item in output.responses.and_then(|mut r| r.remove(&self.table)).unwrap_or_default() {
                    if !is_expired(&item, now_epoch) {
                        found.insert((text(&item, PK), text(&item, SK)), item);
                    }
                }
                pending =
                    output.unprocessed_keys.and_then(|mut u| u.remove(&self.table)).map(|k| k.keys).unwrap_or_default();
            }
            if !pending.is_empty() {
                return Err(StoreError::Throttled("BatchGetItem left keys unprocessed".into()));
            }
        }
        Ok(found)
    }

    /// One page of `partition`'s items whose sort key lies strictly between `lower` and
    /// `upper` (BETWEEN is inclusive: the bounds themselves are dropped; callers choose
    /// bound keys that no item has, or want excluded), expired items left out.
    pub(crate) async fn query_between(
        &self,
        partition: &str,
        (lower, upper): (&str, &str),
        ascending: bool,
        limit: i32,
        now_epoch: i64,
    ) -> Result<Vec<Item>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND #sk BETWEEN :lower AND :upper")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", crate::keys::SK)
            .expression_attribute_values(":pk", s(partition))
            .expression_attribute_values(":lower", s(lower))
            .expression_attribute_values(":upper", s(upper))
            .scan_index_forward(ascending)
            .limit(limit + 1)
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::backend("Query", e))?;
        let mut items: Vec<Item> = output
            .items
            .unwrap_or_default()
            .into_iter()
            .filter(|item| {
                let sort_key = item.get(crate::keys::SK).and_then(|v| v.as_s().ok()).map(String::as_str);
                sort_key != Some(lower) && sort_key != Some(upper) && !is_expired(item, now_epoch)
            })
            .collect();
        items.truncate(limit as usize);
        Ok(items)
    }

    pub(crate) async fn transact(
        &self,
        operation: &'static str,
        actions: Vec<TransactWriteItem>,
    ) -> Result<(), StoreError> {
        match self.transact_or_conditions(actions).await? {
            None => Ok(()),
            Some(failed) => Err(StoreError::Backend { operation, message: format!("a condition failed: {failed:?}") }),
        }
    }

    /// Every item a query matches, all pages.
    pub(crate) async fn query_all(
        &self,
        query: aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder,
    ) -> Result<Vec<Item>, StoreError> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = query
                .clone()
                .set_exclusive_start_key(start)
                .send()
                .await
                .map_err(|e| StoreError::backend("Query", e))?;
            items.extend(page.items.unwrap_or_default());
            start = page.last_evaluated_key;
            if start.is_none() {
                return Ok(items);
            }
        }
    }

    /// Every item of one GSI1 partition, all pages.
    pub(crate) async fn gsi1_partition(&self, partition: String) -> Result<Vec<Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(crate::keys::GSI1)
            .key_condition_expression("#gpk = :partition")
            .expression_attribute_names("#gpk", crate::keys::GSI1_PK)
            .expression_attribute_values(":partition", s(partition));
        self.query_all(query).await
    }

    pub(crate) async fn delete(&self, key_pair: (String, String)) -> Result<(), StoreError> {
        self.client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(key_pair)))
            .send()
            .await
            .map_err(|e| StoreError::backend("DeleteItem", e))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn expiry_is_inclusive_and_ignores_items_without_ttl() {
        let mut item = key(("a".into(), "b".into()));
        assert!(!is_expired(&item, 100));
        item.insert(TTL.into(), n(100));
        assert!(is_expired(&item, 100));
        assert!(!is_expired(&item, 99));
    }
}

/// Attempts of a transaction cancelled by conflicts alone (20, 40, 80 ms apart, jittered).
const TRANSACTION_ATTEMPTS: u32 = 4;

/// Why DynamoDB cancelled a transaction, from its per-action reason codes.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Cancellation {
    /// A condition failed (on the actions marked `true`): the caller's refusal, final.
    Conditions(Vec<bool>),
    /// Only conflicts with other transactions in flight on its items: worth another try.
    Conflict,
    /// Anything else (validation, throttling, size): an error.
    Other,
}

impl Cancellation {
    pub(crate) fn of(codes: &[Option<&str>]) -> Self {
        let failed: Vec<bool> = codes.iter().map(|code| *code == Some("ConditionalCheckFailed")).collect();
        if failed.contains(&true) {
            return Self::Conditions(failed);
        }
        let conflict = codes.contains(&Some("TransactionConflict"));
        let only_conflicts = codes.iter().all(|code| matches!(code, None | Some("None") | Some("TransactionConflict")));
        if conflict && only_conflicts { Self::Conflict } else { Self::Other }
    }
}

#[cfg(test)]
mod cancellation_tests {
    use super::Cancellation;

    #[test]
    fn a_failed_condition_is_the_callers_refusal_and_a_conflict_is_retried() {
        let failed = Cancellation::of(&[Some("None"), Some("ConditionalCheckFailed"), Some("TransactionConflict")]);
        assert_eq!(failed, Cancellation::Conditions(vec![false, true, false]));
        assert_eq!(Cancellation::of(&[Some("TransactionConflict"), Some("None")]), Cancellation::Conflict);
        assert_eq!(Cancellation::of(&[Some("None"), Some("ThrottlingError")]), Cancellation::Other);
        assert_eq!(Cancellation::of(&[Some("ValidationError")]), Cancellation::Other);
        assert_eq!(Cancellation::of(&[]), Cancellation::Other);
    }
}
