//! Availability records (one per user per local day) and the pairing pool (a sparse GSI
//! holding queued records only, partitioned by UTC offset and shard).

use aws_sdk_dynamodb::operation::delete_item::DeleteItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use tandem_domain::availability::{AVAILABILITY_RETENTION_DAYS, AvailabilityState, POOL_OFFSETS};
use tandem_domain::{ConversationId, MatchId, UserId};
use tandem_pairing::PoolUser;

use crate::error::conditional;
use crate::item::{key, s, with_key};
use crate::keys::{self, GSI1_PK, GSI1_SK, PK};
use crate::{Store, StoreError};

/// A user's availability for one local day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityRecord {
    pub user_id: UserId,
    pub day: NaiveDate,
    pub state: AvailabilityState,
    pub utc_offset_minutes: i32,
    pub queued_at: DateTime<Utc>,
    /// What the pairing engine needs, captured when the user queued.
    pub snapshot: PoolUser,
    /// Users blocked (either way) after queueing: excluded as well.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub late_exclusions: Vec<UserId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub match_id: Option<MatchId>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
}

/// What queueing did.
#[derive(Debug, Clone, PartialEq)]
pub enum QueueOutcome {
    Queued(AvailabilityRecord),
    /// Already matched today: nothing changed.
    AlreadyMatched(AvailabilityRecord),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LeaveOutcome {
    Left,
    NotQueued,
    AlreadyMatched,
}

/// Parallel partition reads per sweep.
const POOL_READ_CONCURRENCY: usize = 32;

impl Store {
    pub async fn availability(
        &self,
        id: &UserId,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Option<AvailabilityRecord>, StoreError> {
        let item = self.get_live(keys::availability(id, day), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The user's live availability records (at most a week's).
    pub async fn availability_history(
        &self,
        id: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Vec<AvailabilityRecord>, StoreError> {
        self.query_prefix_as(&keys::user_partition(id), "AVAIL#", now).await
    }

    /// The records of many (user, day) pairs at once (BatchGetItem), in the order given.
    pub async fn availabilities(
        &self,
        pairs: &[(UserId, NaiveDate)],
        now: DateTime<Utc>,
    ) -> Result<Vec<Option<AvailabilityRecord>>, StoreError> {
        self.batch_get_as(pairs.iter().map(|(user, day)| keys::availability(user, *day)).collect(), now).await
    }

    /// Queues the user for `record.day` (idempotent: queueing twice keeps one record) and
    /// files the day as active for the streaks job, in one transaction. A user already
    /// matched that day stays matched.
    pub async fn queue(
        &self,
        record: &AvailabilityRecord,
        active_day: &crate::rewards::ActiveDay,
        now: DateTime<Utc>,
    ) -> Result<QueueOutcome, StoreError> {
        let mut item = with_key(keys::availability(&record.user_id, record.day), record)?;
        crate::retention::purge_at(&mut item, now + Duration::days(AVAILABILITY_RETENTION_DAYS));
        item.insert(GSI1_PK.to_owned(), s(keys::pool_gsi1(record.utc_offset_minutes, &record.user_id)));
        item.insert(GSI1_SK.to_owned(), s(format!("{}#{}", record.queued_at.to_rfc3339(), record.user_id)));
        let put = aws_sdk_dynamodb::types::Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #state = :queued")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":queued", s(AvailabilityState::Queued.as_str()))
            .build()
            .map_err(StoreError::build)?;
        let actions = vec![
            aws_sdk_dynamodb::types::TransactWriteItem::builder().put(put).build(),
            self.file_active_day(active_day)?,
        ];
        match self.transact_or_conditions(actions).await? {
            None => Ok(QueueOutcome::Queued(record.clone())),
            Some(_) => {
                let current = self.availability(&record.user_id, record.day, now).await?.ok_or(StoreError::NotFound)?;
                Ok(QueueOutcome::AlreadyMatched(current))
            }
        }
    }

    /// Leaves the queue; refused once matched.
    pub async fn leave_queue(&self, id: &UserId, day: NaiveDate) -> Result<LeaveOutcome, StoreError> {
        let result = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::availability(id, day))))
            .condition_expression("attribute_not_exists(#pk) OR #state = :queued")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":queued", s(AvailabilityState::Queued.as_str()))
            .return_values(ReturnValue::AllOld)
            .send()
            .await;
        match result {
            Ok(output) => Ok(if output.attributes.is_some() { LeaveOutcome::Left } else { LeaveOutcome::NotQueued }),
            Err(error) => match error.as_service_error() {
                Some(DeleteItemError::ConditionalCheckFailedException(_)) => Ok(LeaveOutcome::AlreadyMatched),
                _ => Err(StoreError::backend("DeleteItem", error)),
            },
        }
    }

    /// Adds `other` to the exclusions of `id`'s record for `day`, if the user is queued.
    pub async fn exclude_late(&self, id: &UserId, day: NaiveDate, other: &UserId) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::availability(id, day))))
            .update_expression("ADD lateExclusions :other")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":other", AttributeValue::Ss(vec![other.to_string()]))
            .send()
            .await;
        conditional("UpdateItem", result).map(|_| ())
    }

    /// Every queued record of every pool partition, read in parallel pages. Records queued
    /// for a local day that has ended are returned too (see [`Store::drop_from_pool`]).
    pub async fn read_pool(&self) -> Result<Vec<AvailabilityRecord>, StoreError> {
        let partitions: Vec<String> = POOL_OFFSETS
            .iter()
            .flat_map(|&offset| (0..keys::POOL_SHARDS).map(move |shard| keys::pool_partition(offset, shard)))
            .collect();
        let pages: Vec<Vec<AvailabilityRecord>> = stream::iter(partitions)
            .map(|partition| self.read_pool_partition(partition))
            .buffer_unordered(POOL_READ_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(pages.into_iter().flatten().collect())
    }

    async fn read_pool_partition(&self, partition: String) -> Result<Vec<AvailabilityRecord>, StoreError> {
        let mut records = Vec::new();
        let now = Utc::now().timestamp();
        for item in self.gsi1_partition(partition).await? {
            if crate::item::is_expired(&item, now) {
                continue;
            }
            let record: AvailabilityRecord = serde_dynamo::from_item(item)?;
            if record.state == AvailabilityState::Queued {
                records.push(record);
            }
        }
        Ok(records)
    }

    /// Takes a record whose local day has ended out of the pool (it stays readable
    /// until its TTL), with its "unmatched" analytics event. No-op if it changed meanwhile.
    pub async fn drop_from_pool(&self, record: &AvailabilityRecord, now: DateTime<Utc>) -> Result<(), StoreError> {
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::availability(&record.user_id, record.day))))
            .update_expression("SET #state = :expired REMOVE #gpk, #gsk")
            .condition_expression("#state = :queued")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .expression_attribute_values(":queued", s(AvailabilityState::Queued.as_str()))
            .expression_attribute_values(":expired", s(AvailabilityState::Idle.as_str()))
            .build()
            .map_err(StoreError::build)?;
        let event = tandem_domain::analytics::AnalyticsEvent::unmatched(record.queued_at, now);
        let source = format!("{}#{}", record.user_id, record.day);
        let actions = vec![
            aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build(),
            self.analytics_put(&event, &source)?,
        ];
        self.transact_unless_taken(actions).await.map(|_| ())
    }
}
