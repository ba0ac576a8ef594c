//! Messages of a conversation: idempotent sends, cursor pages, read positions.

use std::collections::HashMap;

use aws_sdk_dynamodb::types::AttributeValue;
use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt, TryStreamExt};
use serde::{Deserialize, Serialize};
use tandem_domain::conversation::ModerationState;
use tandem_domain::{ConversationId, MessageId, UserId};

use crate::error::conditional;
use crate::item::{n, s, with_key};
use crate::keys::{self, PK, SK, TTL};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageRecord {
    /// Time-ordered (UUIDv7): sort order is send order.
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub author: UserId,
    pub client_message_id: String,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    pub moderation: ModerationState,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ClientMessageGuard {
    message_id: MessageId,
}

#[derive(Debug, Clone, PartialEq)]
pub enum SendOutcome {
    Stored(MessageRecord),
    /// The client message id was used before: the first message, unchanged.
    Duplicate(MessageRecord),
    /// Not (or no longer) open to this author: nothing stored.
    Refused,
    /// The author's send limit for the window is reached: nothing stored; the window ends
    /// `retry_after` seconds from now.
    RateLimited {
        retry_after: i64,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadPosition {
    pub user_id: UserId,
    pub message_id: MessageId,
    pub read_at: DateTime<Utc>,
}

/// A verdict is written once: only over a message no scan has judged yet (the plain
/// update of a clean scan and the hide transaction share these).
const UNJUDGED: &str = "#moderation = :unjudged";
const SET_VERDICT: &str = "SET #moderation = :verdict";

/// Parallel TTL updates when a conversation ends.
const TTL_CONCURRENCY: usize = 16;

impl Store {
    /// Stores `message` if the conversation is open to its author, exactly once per
    /// client message id, within the author's send `limit`: one transaction (the
    /// conversation's activity, message, guard, the author's rate window).
    pub async fn send_message(
        &self,
        message: &MessageRecord,
        author_position: usize,
        delete_at: DateTime<Utc>,
        limit: tandem_domain::limits::RateLimit,
        now: DateTime<Utc>,
    ) -> Result<SendOutcome, StoreError> {
        let mut item = with_key(keys::message(&message.conversation_id, &message.message_id), message)?;
        item.insert(TTL.to_owned(), n(delete_at.timestamp()));
        let mut guard = with_key(
            keys::client_message(&message.conversation_id, &message.author, &message.client_message_id),
            &ClientMessageGuard { message_id: message.message_id.clone() },
        )?;
        guard.insert(TTL.to_owned(), n(delete_at.timestamp()));
        let actions = vec![
            self.record_message(&message.conversation_id, &message.author, author_position, now)?,
            self.put_if_absent(item)?,
            self.put_if_absent(guard)?,
            self.count_within_limit(&message.author, "send", limit, now)?,
        ];
        let Some(failed) = self.transact_or_conditions(actions).await? else {
            return Ok(SendOutcome::Stored(message.clone()));
        };
        match failed.as_slice() {
            [true, ..] => Ok(SendOutcome::Refused),
            [_, _, true, ..] => {
                let guard_key =
                    keys::client_message(&message.conversation_id, &message.author, &message.client_message_id);
                let guard: ClientMessageGuard = match self.get_live(guard_key, now.timestamp()).await? {
                    Some(item) => serde_dynamo::from_item(item)?,
                    None => return Err(StoreError::Malformed("client message guard vanished".into())),
                };
                let first =
                    self.get_live(keys::message(&message.conversation_id, &guard.message_id), now.timestamp()).await?;
                let first = first.ok_or_else(|| StoreError::Malformed("guarded message missing".into()))?;
                Ok(SendOutcome::Duplicate(serde_dynamo::from_item(first)?))
            }
            [_, _, _, true] => {
                let start = limit.window_start(now.timestamp());
                Ok(SendOutcome::RateLimited { retry_after: start + limit.window_seconds - now.timestamp() })
            }
            _ => Err(StoreError::Backend {
                operation: "TransactWriteItems",
                message: format!("send cancelled by an unexpected condition: {failed:?}"),
            }),
        }
    }

    /// One page of messages, newest first, strictly older than `before` when given.
    /// Keyset pagination: a message appears on exactly one page, however many arrive meanwhile.
    pub async fn messages_before(
        &self,
        conversation_id: &ConversationId,
        before: Option<&MessageId>,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let upper = match before {
            Some(id) => format!("{}{id}", keys::MESSAGES),
            None => format!("{}\u{10FFFF}", keys::MESSAGES),
        };
        self.message_range(conversation_id, keys::MESSAGES.to_owned(), upper, false, limit, now).await
    }

    /// `message_id` and the messages before it, newest first (`limit` in all): what the
    /// moderation scan reads, in one query.
    pub async fn messages_through(
        &self,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        // The upper bound sorts just after the message's key, so the message is included.
        let upper = format!("{}{message_id}\u{0001}", keys::MESSAGES);
        self.message_range(conversation_id, keys::MESSAGES.to_owned(), upper, false, limit, now).await
    }

    /// Messages strictly newer than `after`, oldest first: what a reconnecting client missed.
    pub async fn messages_after(
        &self,
        conversation_id: &ConversationId,
        after: &MessageId,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let lower = format!("{}{after}\u{0001}", keys::MESSAGES);
        self.message_range(conversation_id, lower, format!("{}\u{10FFFF}", keys::MESSAGES), true, limit, now).await
    }

    async fn message_range(
        &self,
        conversation_id: &ConversationId,
        lower: String,
        upper: String,
        ascending: bool,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<Vec<MessageRecord>, StoreError> {
        let partition = keys::conversation_partition(conversation_id);
        let items = self.query_between(&partition, (&lower, &upper), ascending, limit, now.timestamp()).await?;
        items.into_iter().map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }

    /// Moves `user`'s read position forward (never back); it is deleted with the messages.
    pub async fn mark_read(
        &self,
        conversation_id: &ConversationId,
        user: &UserId,
        message_id: &MessageId,
        delete_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let position = ReadPosition { user_id: user.clone(), message_id: message_id.clone(), read_at: now };
        let mut item = with_key(keys::read_position(conversation_id, user), &position)?;
        item.insert(TTL.to_owned(), n(delete_at.timestamp()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR messageId < :id")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":id", s(message_id.as_str()))
            .send()
            .await;
        Ok(conditional("PutItem", result)?.is_some())
    }

    pub async fn read_positions(
        &self,
        conversation_id: &ConversationId,
        now: DateTime<Utc>,
    ) -> Result<Vec<ReadPosition>, StoreError> {
        self.query_prefix_as(&keys::conversation_partition(conversation_id), keys::READ_POSITIONS, now).await
    }

    pub async fn message(
        &self,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        now: DateTime<Utc>,
    ) -> Result<Option<MessageRecord>, StoreError> {
        let item = self.get_live(keys::message(conversation_id, message_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Sets the deletion time of everything in a conversation's partition (messages,
    /// client-id guards, read positions, reminders, push gates) but the conversation itself,
    /// which its end already filed for the purge.
    pub async fn set_message_deletion(
        &self,
        conversation_id: &ConversationId,
        delete_at: DateTime<Utc>,
    ) -> Result<usize, StoreError> {
        let keys_to_update: Vec<HashMap<String, AttributeValue>> = self
            .partition_items(&keys::conversation_partition(conversation_id), true)
            .await?
            .into_iter()
            .filter(|item| item.get(SK).and_then(|v| v.as_s().ok()).is_some_and(|sk| sk != keys::CONVERSATION_SORT_KEY))
            .collect();
        let count = keys_to_update.len();
        stream::iter(keys_to_update)
            .map(|item_key| async move {
                self.client
                    .update_item()
                    .table_name(&self.table)
                    .set_key(Some(item_key))
                    .update_expression("SET #ttl = :ttl")
                    .expression_attribute_names("#ttl", TTL)
                    .expression_attribute_values(":ttl", n(delete_at.timestamp()))
                    .send()
                    .await
                    .map_err(|e| StoreError::backend("UpdateItem", e))
            })
            .buffer_unordered(TTL_CONCURRENCY)
            .try_collect::<Vec<_>>()
            .await?;
        Ok(count)
    }

    /// Records a clean scan (`visible` → `scanned`) and whether the recipient had no open
    /// connection then (`recipientOffline`: the notification pipe passes only such scans,
    /// for a push); false when the message was already judged (a redelivered scan) or is gone.
    pub async fn mark_scanned(
        &self,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        recipient_offline: bool,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(crate::item::key(keys::message(conversation_id, message_id))))
            .condition_expression(UNJUDGED)
            .update_expression(format!("{SET_VERDICT}, recipientOffline = :offline"))
            .expression_attribute_values(":offline", aws_sdk_dynamodb::types::AttributeValue::Bool(recipient_offline))
            .expression_attribute_names("#moderation", "moderation")
            .expression_attribute_values(":unjudged", s(ModerationState::Visible.as_str()))
            .expression_attribute_values(":verdict", s(ModerationState::Scanned.as_str()))
            .send()
            .await;
        Ok(conditional("UpdateItem", result)?.is_some())
    }

    /// Hides a message and files moderation's report about it, in one transaction
    /// conditioned on the message not yet judged: a redelivered scan hides and reports
    /// nothing twice. False when it was already judged or is gone.
    pub async fn hide_message(
        &self,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        report: &crate::ReportRecord,
    ) -> Result<bool, StoreError> {
        let mut actions = vec![self.moderation_update(conversation_id, message_id, ModerationState::Hidden)?];
        actions.extend(self.report_writes(report)?);
        self.transact_unless_taken(actions).await
    }

    fn moderation_update(
        &self,
        conversation_id: &ConversationId,
        message_id: &MessageId,
        verdict: ModerationState,
    ) -> Result<aws_sdk_dynamodb::types::TransactWriteItem, StoreError> {
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .set_key(Some(crate::item::key(keys::message(conversation_id, message_id))))
            .condition_expression(UNJUDGED)
            .update_expression(SET_VERDICT)
            .expression_attribute_names("#moderation", "moderation")
            .expression_attribute_values(":unjudged", s(ModerationState::Visible.as_str()))
            .expression_attribute_values(":verdict", s(verdict.as_str()))
            .build()
            .map_err(StoreError::build)?;
        Ok(aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build())
    }
}
