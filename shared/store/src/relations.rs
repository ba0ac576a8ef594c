//! Relations between two users, kept under the owner's partition (`REL#…`): blocks (with
//! a mirror on the blocked user, so both sides know), and recent partners (30-day TTL).

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::UserId;

use crate::item::{key, s, with_key};
use crate::keys::{self, PK, SK};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Block {
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelationItem {
    other: UserId,
    created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    ttl: Option<i64>,
}

/// Everyone a user must not be paired with, from their relations.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Exclusions {
    pub blocked: Vec<UserId>,
    pub blocked_by: Vec<UserId>,
    pub recent_partners: Vec<UserId>,
}

impl Exclusions {
    pub fn all(&self) -> impl Iterator<Item = &UserId> {
        self.blocked.iter().chain(&self.blocked_by).chain(&self.recent_partners)
    }
}

impl Store {
    /// Blocks `other` for `owner` (and records the mirror), with an audit entry, atomically.
    /// Blocking again just refreshes the record.
    pub async fn block(
        &self,
        owner: &UserId,
        other: &UserId,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Block, StoreError> {
        let mut actions = self.block_actions(owner, other, reason.clone(), now)?;
        actions.push(self.audit_action(owner, "block", &format!("user:{other}"), now)?);
        self.transact("TransactWriteItems", actions).await?;
        Ok(Block { user_id: other.clone(), created_at: now, reason })
    }

    /// The two writes of `owner` blocking `other`: the block and its mirror.
    pub(crate) fn block_actions(
        &self,
        owner: &UserId,
        other: &UserId,
        reason: Option<String>,
        now: DateTime<Utc>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let block = RelationItem { other: other.clone(), created_at: now, reason, ttl: None };
        let mirror = RelationItem { other: owner.clone(), created_at: now, reason: None, ttl: None };
        Ok(vec![
            self.put(with_key(keys::relation(keys::BLOCKS, owner, other), &block)?)?,
            self.put(with_key(keys::relation(keys::BLOCKED_BY, other, owner), &mirror)?)?,
        ])
    }

    /// Whether `owner`'s block of `other` stands.
    pub async fn has_blocked(&self, owner: &UserId, other: &UserId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.get_live(keys::relation(keys::BLOCKS, owner, other), now.timestamp()).await?.is_some())
    }

    /// Removes a block and its mirror; returns whether there was one.
    pub async fn unblock(&self, owner: &UserId, other: &UserId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let existed = self.get_live(keys::relation(keys::BLOCKS, owner, other), now.timestamp()).await?.is_some();
        if !existed {
            return Ok(false);
        }
        let delete = |pair| -> Result<TransactWriteItem, StoreError> {
            let delete = Delete::builder()
                .table_name(&self.table)
                .set_key(Some(key(pair)))
                .build()
                .map_err(StoreError::build)?;
            Ok(TransactWriteItem::builder().delete(delete).build())
        };
        let actions = vec![
            delete(keys::relation(keys::BLOCKS, owner, other))?,
            delete(keys::relation(keys::BLOCKED_BY, other, owner))?,
            self.audit_action(owner, "unblock", &format!("user:{other}"), now)?,
        ];
        self.transact("TransactWriteItems", actions).await?;
        Ok(true)
    }

    pub async fn blocks(&self, owner: &UserId, now: DateTime<Utc>) -> Result<Vec<Block>, StoreError> {
        let items = self.query_prefix(&keys::user_partition(owner), keys::BLOCKS, now).await?;
        items
            .into_iter()
            .map(|item| {
                let relation: RelationItem = serde_dynamo::from_item(item)?;
                Ok(Block { user_id: relation.other, created_at: relation.created_at, reason: relation.reason })
            })
            .collect()
    }

    /// Blocks either way and partners of the last 30 days, in one query.
    pub async fn exclusions(&self, owner: &UserId, now: DateTime<Utc>) -> Result<Exclusions, StoreError> {
        let mut exclusions = Exclusions::default();
        for item in self.query_prefix(&keys::user_partition(owner), keys::RELATIONS, now).await? {
            let sort_key = crate::item::text(&item, SK);
            let relation: RelationItem = serde_dynamo::from_item(item)?;
            let list = if sort_key.starts_with(keys::BLOCKS) {
                &mut exclusions.blocked
            } else if sort_key.starts_with(keys::BLOCKED_BY) {
                &mut exclusions.blocked_by
            } else if sort_key.starts_with(keys::PAIRED) {
                &mut exclusions.recent_partners
            } else {
                continue;
            };
            list.push(relation.other);
        }
        Ok(exclusions)
    }

    /// The item for one side of a pairing, kept for `REPEAT_PAIR_DAYS`.
    pub(crate) fn paired_item(
        &self,
        owner: &UserId,
        other: &UserId,
        now: DateTime<Utc>,
    ) -> Result<crate::item::Item, StoreError> {
        let ttl = (now + chrono::Duration::days(tandem_domain::availability::REPEAT_PAIR_DAYS)).timestamp();
        with_key(
            keys::relation(keys::PAIRED, owner, other),
            &RelationItem { other: other.clone(), created_at: now, reason: None, ttl: Some(ttl) },
        )
    }

    /// Live items of `partition` whose sort key starts with `prefix`, all pages.
    pub(crate) async fn query_prefix(
        &self,
        partition: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<crate::item::Item>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":pk", s(partition))
            .expression_attribute_values(":prefix", s(prefix))
            .consistent_read(true);
        let items = self.query_all(query).await?;
        Ok(items.into_iter().filter(|item| !crate::item::is_expired(item, now.timestamp())).collect())
    }

    /// Live items of `partition` whose sort key starts with `prefix`, read as `T`.
    pub(crate) async fn query_prefix_as<T: serde::de::DeserializeOwned>(
        &self,
        partition: &str,
        prefix: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<T>, StoreError> {
        let items = self.query_prefix(partition, prefix, now).await?;
        items.into_iter().map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }
}
