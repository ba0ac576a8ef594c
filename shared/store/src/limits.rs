//! Fixed-window counters for per-user rate limits, in the user's partition (so erasure
//! takes them) with a TTL at the window's end.

use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
use tandem_domain::UserId;
use tandem_domain::limits::RateLimit;

use crate::item::{key, n};
use crate::keys::{self, TTL};
use crate::{Store, StoreError};

impl Store {
    /// The transaction action counting one `action` by `user` in the current window of
    /// `limit`, refused by its condition once the window holds `limit.max` (so a send and
    /// its count commit together, and a duplicate that changes nothing counts nothing).
    pub(crate) fn count_within_limit(
        &self,
        user: &UserId,
        action: &str,
        limit: RateLimit,
        now: DateTime<Utc>,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
        let start = limit.window_start(now.timestamp());
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::rate_window(user, action, start))))
            .update_expression("ADD hits :one SET #ttl = if_not_exists(#ttl, :ends)")
            .condition_expression("attribute_not_exists(hits) OR hits < :max")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ends", n(start + limit.window_seconds))
            .expression_attribute_values(":max", n(i64::from(limit.max)))
            .build()
            .map_err(StoreError::build)?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build())
    }

    /// Counts one `action` by `user` in the current window of `limit`; the count so far
    /// (this one included) and the window's start.
    pub async fn count_action(
        &self,
        user: &UserId,
        action: &str,
        limit: RateLimit,
        now: DateTime<Utc>,
    ) -> Result<(u32, i64), StoreError> {
        let start = limit.window_start(now.timestamp());
        let output = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::rate_window(user, action, start))))
            .update_expression("ADD hits :one SET #ttl = if_not_exists(#ttl, :ends)")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":ends", n(start + limit.window_seconds))
            .return_values(ReturnValue::UpdatedNew)
            .send()
            .await
            .map_err(|e| StoreError::backend("UpdateItem", e))?;
        let hits = output
            .attributes
            .and_then(|a| a.get("hits").and_then(|v| v.as_n().ok()).and_then(|v| v.parse().ok()))
            .unwrap_or(1);
        Ok((hits, start))
    }
}
