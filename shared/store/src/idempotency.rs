//! Idempotency keys: the first response to a (user, key) pair, kept 24 hours in the user's
//! partition, so a retried request replays it instead of acting twice.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::UserId;

use crate::error::conditional;
use crate::item::{key, n, s, with_key};
use crate::keys::{self, PK, TTL};
use crate::{Store, StoreError};

/// How long a key is remembered.
pub const IDEMPOTENCY_WINDOW: Duration = Duration::hours(24);

/// A request seen under a key: its fingerprint and, once answered, the answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IdempotencyRecord {
    /// sha256 of the method, path and body the key was first used with.
    pub fingerprint: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<u16>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl Store {
    /// Claims `key` for a request with `fingerprint`; `None` when claimed now, else the
    /// record already there (possibly still without an answer: in progress).
    pub async fn claim_idempotency_key(
        &self,
        user: &UserId,
        key_text: &str,
        fingerprint: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<IdempotencyRecord>, StoreError> {
        let record = IdempotencyRecord { fingerprint: fingerprint.to_owned(), status: None, body: None };
        let mut item = with_key(keys::idempotency(user, key_text), &record)?;
        item.insert(TTL.to_owned(), n((now + IDEMPOTENCY_WINDOW).timestamp()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            // An expired record (TTL not yet run) may be claimed again.
            .condition_expression("attribute_not_exists(#pk) OR #ttl <= :now")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await;
        if conditional("PutItem", result)?.is_some() {
            return Ok(None);
        }
        self.get_as(keys::idempotency(user, key_text), now).await
    }

    /// Stores the answer to a claimed key.
    pub async fn answer_idempotency_key(
        &self,
        user: &UserId,
        key_text: &str,
        status: u16,
        body: &str,
    ) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::idempotency(user, key_text))))
            .update_expression("SET #status = :status, #body = :body")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#body", "body")
            .expression_attribute_values(":status", n(i64::from(status)))
            .expression_attribute_values(":body", s(body))
            .send()
            .await
            .map_err(|e| StoreError::backend("UpdateItem", e))?;
        Ok(())
    }

    /// Gives a claimed key back (the request failed on our side: a retry may run it).
    pub async fn release_idempotency_key(&self, user: &UserId, key_text: &str) -> Result<(), StoreError> {
        self.delete(keys::idempotency(user, key_text)).await
    }
}
