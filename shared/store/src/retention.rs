//! The purge index and the deletes behind the retention deadlines: what DynamoDB TTL would
//! delete eventually (up to ~48 h late), deleted on time. Reads already hide anything past
//! its `ttl`; this makes it physically gone.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::{AttributeValue, DeleteRequest, WriteRequest};
use chrono::{DateTime, Utc};
use tandem_domain::{ConversationId, MatchId, UserId};

use crate::error::conditional;
use crate::item::{Item, key, n, s, text};
use crate::keys::{self, GSI2, GSI2_PK, GSI2_SK, PK, SK, TTL};
use crate::{Store, StoreError};

/// Something the purge index says is due.
#[derive(Debug, Clone, PartialEq)]
pub enum PurgeEntry {
    /// An ended conversation: its partition (messages, guards, read positions, …), its
    /// match, then itself.
    Conversation { conversation_id: ConversationId, match_id: MatchId },
    /// An account whose deletion grace period is over.
    Account(UserId),
    /// Any other item past its deadline.
    Item { pk: String, sk: String },
}

/// One page of due entries and where the next starts.
pub struct PurgePage {
    pub entries: Vec<PurgeEntry>,
    pub next: Option<HashMap<String, AttributeValue>>,
}

/// BatchWriteItem takes at most 25 requests.
const BATCH_WRITE_MAX: usize = 25;

/// Files `item` in the purge index at `deadline` and sets its TTL to the same moment.
pub(crate) fn purge_at(item: &mut Item, deadline: DateTime<Utc>) {
    let partition = text(item, PK);
    item.insert(TTL.to_owned(), n(deadline.timestamp()));
    item.insert(GSI2_PK.to_owned(), s(keys::purge_gsi2(&partition)));
    item.insert(GSI2_SK.to_owned(), n(deadline.timestamp()));
}

fn entry_of(item: &Item) -> Result<PurgeEntry, StoreError> {
    let (pk, sk) = (text(item, PK), text(item, SK));
    let malformed = |what: &str| StoreError::Malformed(format!("purge entry {pk}/{sk}: {what}"));
    if pk.starts_with(keys::CONVERSATIONS) && sk == keys::CONVERSATION_SORT_KEY {
        let conversation_id = text(item, "conversationId").parse().map_err(|_| malformed("conversationId"))?;
        let match_id = text(item, "matchId").parse().map_err(|_| malformed("matchId"))?;
        return Ok(PurgeEntry::Conversation { conversation_id, match_id });
    }
    if pk.starts_with(keys::USERS) && sk == "USER" {
        return Ok(PurgeEntry::Account(text(item, "id").parse().map_err(|_| malformed("id"))?));
    }
    Ok(PurgeEntry::Item { pk, sk })
}

impl Store {
    /// One page of entries of purge shard `shard` whose deadline has passed at `now`.
    pub async fn due_for_purge(
        &self,
        shard: u32,
        now: DateTime<Utc>,
        start: Option<HashMap<String, AttributeValue>>,
        page_size: i32,
    ) -> Result<PurgePage, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI2)
            .key_condition_expression("#gpk = :partition AND #gsk <= :now")
            .expression_attribute_names("#gpk", GSI2_PK)
            .expression_attribute_names("#gsk", GSI2_SK)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#sk", SK)
            .expression_attribute_values(":partition", s(keys::purge_partition(shard)))
            .expression_attribute_values(":now", n(now.timestamp()))
            .projection_expression("#pk, #sk, conversationId, matchId, id")
            .set_exclusive_start_key(start)
            .limit(page_size)
            .send()
            .await
            .map_err(|e| StoreError::backend("Query", e))?;
        let entries = output.items().iter().map(entry_of).collect::<Result<_, _>>()?;
        Ok(PurgePage { entries, next: output.last_evaluated_key })
    }

    /// Deletes an ended conversation's partition and match, then the conversation itself
    /// (last, so a purge interrupted half-way finds it again). Returns how many items went.
    pub async fn purge_conversation(
        &self,
        conversation_id: &ConversationId,
        match_id: &MatchId,
        now: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        self.purge_conversation_partition(conversation_id, Some(match_id), Some(now)).await
    }

    /// The same, whatever its deadline (an erased participant's conversations).
    pub(crate) async fn purge_conversation_now(
        &self,
        conversation_id: &ConversationId,
        match_id: Option<&MatchId>,
    ) -> Result<usize, StoreError> {
        self.purge_conversation_partition(conversation_id, match_id, None).await
    }

    async fn purge_conversation_partition(
        &self,
        conversation_id: &ConversationId,
        match_id: Option<&MatchId>,
        due_by: Option<DateTime<Utc>>,
    ) -> Result<usize, StoreError> {
        let conversation_key = keys::conversation(conversation_id);
        let mut doomed: Vec<(String, String)> = self
            .partition_keys(&keys::conversation_partition(conversation_id))
            .await?
            .into_iter()
            .filter(|item_key| *item_key != conversation_key)
            .collect();
        doomed.extend(match_id.map(keys::pairing_match));
        let count = doomed.len();
        self.batch_delete(doomed).await?;
        let mut delete = self.client.delete_item().table_name(&self.table).set_key(Some(key(conversation_key)));
        if let Some(now) = due_by {
            // Only while it is still due: never a conversation that is (again) in use.
            delete = delete
                .condition_expression("#gsk <= :now")
                .expression_attribute_names("#gsk", GSI2_SK)
                .expression_attribute_values(":now", n(now.timestamp()));
        }
        let result = delete.send().await;
        Ok(count + usize::from(conditional("DeleteItem", result)?.is_some()))
    }

    /// Deletes one item if its deadline has passed (it may have been written again since
    /// the index was read). `true` when it went.
    pub async fn purge_item(&self, pk: String, sk: String, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key((pk, sk))))
            .condition_expression("#ttl <= :now")
            .expression_attribute_names("#ttl", TTL)
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await;
        Ok(conditional("DeleteItem", result)?.is_some())
    }

    /// The keys of every item of a partition.
    pub(crate) async fn partition_keys(&self, partition: &str) -> Result<Vec<(String, String)>, StoreError> {
        let items = self.partition_items(partition, true).await?;
        Ok(items.iter().map(|item| (text(item, PK), text(item, SK))).collect())
    }

    /// Deletes these items (BatchWriteItem in chunks of 25, unprocessed ones retried).
    pub(crate) async fn batch_delete(&self, keys: Vec<(String, String)>) -> Result<(), StoreError> {
        let keys: Vec<(String, String)> =
            keys.into_iter().collect::<std::collections::BTreeSet<_>>().into_iter().collect();
        for chunk in keys.chunks(BATCH_WRITE_MAX) {
            let mut pending = chunk
                .iter()
                .map(|item_key| {
                    let delete = DeleteRequest::builder().set_key(Some(key(item_key.clone()))).build();
                    Ok(WriteRequest::builder().delete_request(delete.map_err(StoreError::build)?).build())
                })
                .collect::<Result<Vec<_>, StoreError>>()?;
            for attempt in 0..8u32 {
                if pending.is_empty() {
                    break;
                }
                if attempt > 0 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << attempt)).await;
                }
                let output = self
                    .client
                    .batch_write_item()
                    .request_items(&self.table, pending)
                    .send()
                    .await
                    .map_err(|e| StoreError::backend("BatchWriteItem", e))?;
                pending = output.unprocessed_items.and_then(|mut u| u.remove(&self.table)).unwrap_or_default();
            }
            if !pending.is_empty() {
                return Err(StoreError::Throttled("BatchWriteItem left items unprocessed".into()));
            }
        }
        Ok(())
    }
}
