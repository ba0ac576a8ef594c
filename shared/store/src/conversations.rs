//! Conversations: state changes (close, extend, panic, expiry) and the due index the
//! expiry job reads.

use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::conversation::{
    ConversationKind, ConversationState, EXPIRING_NOTICE, EXTENSION, FRIENDSHIP_MESSAGE_RETENTION_DAYS,
};
use tandem_domain::engagement::ParticipantActivity;
use tandem_domain::prompts::Icebreaker;
use tandem_domain::reveal::RevealState;
use tandem_domain::{ConversationId, MatchId, UserId};

use crate::error::conditional;
use crate::item::{Item, key, n, s, with_key};
use crate::keys::{self, GSI1, GSI1_PK, GSI1_SK, GSI2_PK, GSI2_SK, PK};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationRecord {
    pub conversation_id: ConversationId,
    pub match_id: MatchId,
    pub participants: [UserId; 2],
    pub state: ConversationState,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    #[serde(default)]
    pub extended: bool,
    /// Participants who asked for the extension so far.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension_requests: Vec<UserId>,
    #[serde(default)]
    pub expiring_sent: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    /// Each participant's messages, in the order of `participants` (kept by every send).
    #[serde(default)]
    pub activity: [ParticipantActivity; 2],
    /// Consents and gate answers: private to the store and the reveal service, never shown
    /// as such (views carry whether it is revealed, nothing of who said what).
    #[serde(default)]
    pub reveal: RevealState,
    #[serde(default)]
    pub kind: ConversationKind,
    /// The icebreaker it opened with, chosen when it was made (none for friends').
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub icebreaker: Option<Icebreaker>,
}

impl ConversationRecord {
    pub fn new(
        conversation_id: ConversationId,
        match_id: MatchId,
        participants: [UserId; 2],
        started_at: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    ) -> Self {
        Self {
            conversation_id,
            match_id,
            participants,
            state: ConversationState::Active,
            started_at,
            expires_at,
            extended: false,
            extension_requests: Vec::new(),
            expiring_sent: false,
            ended_at: None,
            activity: Default::default(),
            reveal: RevealState::default(),
            kind: ConversationKind::Daily,
            icebreaker: None,
        }
    }

    pub fn is_participant(&self, user: &UserId) -> bool {
        self.participants.contains(user)
    }

    /// `user`'s place in `participants` (and `activity`).
    pub fn position_of(&self, user: &UserId) -> Option<usize> {
        self.participants.iter().position(|p| p == user)
    }

    /// When a message sent at `now` is deleted: 2 days after a day's conversation ends, 30
    /// days after it was sent between friends.
    pub fn message_deadline(&self, now: DateTime<Utc>) -> DateTime<Utc> {
        match self.kind {
            ConversationKind::Daily => tandem_domain::conversation::message_deletion_time(self.expires_at),
            ConversationKind::Friendship => now + chrono::Duration::days(FRIENDSHIP_MESSAGE_RETENTION_DAYS),
        }
    }

    /// When the expiry job next has work: the expiring notice, then the end.
    pub fn next_due(&self) -> DateTime<Utc> {
        if self.expiring_sent { self.expires_at } else { self.expires_at - EXPIRING_NOTICE }
    }
}

/// The stored item: the record plus an epoch copy of the expiry (for conditions) and, while
/// active, the due-index keys.
pub(crate) fn conversation_item(record: &ConversationRecord) -> Result<Item, StoreError> {
    let mut item = with_key(keys::conversation(&record.conversation_id), record)?;
    item.insert("expiresEpoch".to_owned(), n(record.expires_at.timestamp()));
    // Friends' conversations never expire: no due entry.
    if record.state == ConversationState::Active && record.kind == ConversationKind::Daily {
        item.insert(GSI1_PK.to_owned(), s(keys::conversation_due_gsi1(&record.conversation_id)));
        item.insert(GSI1_SK.to_owned(), s(keys::due_sort_key(record.next_due(), record.conversation_id.as_str())));
    }
    Ok(item)
}

/// Every end (close, panic, expiry): the conversation leaves the due and reminder indexes
/// and is filed in the purge index at its deadline (its messages' deadline), its TTL too.
pub(crate) const END: &str =
    "endedAt = :now, #ttl = :deadline, #g2pk = :purgePartition, #g2sk = :deadline REMOVE #gpk, #gsk";

pub(crate) fn end_names() -> std::collections::HashMap<String, String> {
    [("#gpk", GSI1_PK), ("#gsk", GSI1_SK), ("#g2pk", GSI2_PK), ("#g2sk", GSI2_SK), ("#ttl", keys::TTL)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

pub(crate) fn end_values(
    conversation_id: &ConversationId,
    now: DateTime<Utc>,
) -> Result<Vec<(&'static str, AttributeValue)>, StoreError> {
    let deadline = tandem_domain::conversation::message_deletion_time(now);
    Ok(vec![
        (":now", serde_dynamo::to_attribute_value(now)?),
        (":deadline", n(deadline.timestamp())),
        (":purgePartition", s(keys::purge_gsi2(&keys::conversation_partition(conversation_id)))),
    ])
}

#[derive(Debug, Clone, PartialEq)]
pub enum ExtensionOutcome {
    /// Recorded; waiting for the other participant.
    Requested(ConversationRecord),
    Extended(ConversationRecord),
}

impl Store {
    pub async fn conversation(
        &self,
        conversation_id: &ConversationId,
        now: DateTime<Utc>,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        let item = self.get_live(keys::conversation(conversation_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Many conversations at once (BatchGetItem); missing ones are left out.
    pub async fn conversations(
        &self,
        ids: &[ConversationId],
        now: DateTime<Utc>,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let found = self.batch_get_as(ids.iter().map(keys::conversation).collect(), now).await?;
        Ok(found.into_iter().flatten().collect())
    }

    /// An update of an active conversation `by` one of its participants; `Ok(None)` when
    /// the condition failed (not active, or not a participant).
    async fn update_active(
        &self,
        conversation_id: &ConversationId,
        by: &UserId,
        set: &str,
        values: Vec<(&str, AttributeValue)>,
        extra_condition: Option<&str>,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        let mut condition = "#state = :active AND contains(participants, :by)".to_owned();
        if let Some(extra) = extra_condition {
            condition.push_str(" AND ");
            condition.push_str(extra);
        }
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(conversation_id))))
            .update_expression(set)
            .condition_expression(&condition)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .expression_attribute_values(":by", s(by.as_str()))
            .return_values(ReturnValue::AllNew);
        // `extended` is a DynamoDB reserved word.
        if set.contains("#extended") || condition.contains("#extended") {
            request = request.expression_attribute_names("#extended", "extended");
        }
        if set.contains("#gpk") {
            request = request.expression_attribute_names("#gpk", GSI1_PK).expression_attribute_names("#gsk", GSI1_SK);
        }
        if set.contains("#g2pk") {
            request = request.expression_attribute_names("#g2pk", GSI2_PK).expression_attribute_names("#g2sk", GSI2_SK);
        }
        if set.contains("#ttl") {
            request = request.expression_attribute_names("#ttl", keys::TTL);
        }
        for (name, value) in values {
            request = request.expression_attribute_values(name, value);
        }
        match request.send().await {
            Ok(output) => Ok(output.attributes.map(serde_dynamo::from_item).transpose()?),
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                Ok(None)
            }
            Err(error) => Err(StoreError::backend("UpdateItem", error)),
        }
    }

    /// Ends an active conversation early. `None` if it was not active or `by` is no participant.
    pub async fn close_conversation(
        &self,
        conversation_id: &ConversationId,
        by: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        self.update_active(
            conversation_id,
            by,
            &format!("SET #state = :closed, {END}"),
            [vec![(":closed", s(ConversationState::Closed.as_str()))], end_values(conversation_id, now)?].concat(),
            None,
        )
        .await
    }

    /// Records `by`'s consent; when both consented, extends by 24 h (once).
    pub async fn request_extension(
        &self,
        record: &ConversationRecord,
        by: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ExtensionOutcome>, StoreError> {
        let Some(updated) = self
            .update_active(
                &record.conversation_id,
                by,
                "SET extensionRequests = list_append(if_not_exists(extensionRequests, :empty), :me)",
                vec![
                    (":empty", AttributeValue::L(vec![])),
                    (":me", AttributeValue::L(vec![s(by.as_str())])),
                    (":false", AttributeValue::Bool(false)),
                ],
                Some("#extended = :false AND NOT contains(extensionRequests, :by)"),
            )
            .await?
        else {
            // Already asked (or extended, or not active): report the current state.
            return Ok(self.conversation(&record.conversation_id, now).await?.map(|current| {
                if current.extended {
                    ExtensionOutcome::Extended(current)
                } else {
                    ExtensionOutcome::Requested(current)
                }
            }));
        };
        let both = updated.participants.iter().all(|p| updated.extension_requests.contains(p));
        if !both {
            return Ok(Some(ExtensionOutcome::Requested(updated)));
        }
        let expires_at = updated.expires_at + EXTENSION;
        let mut extended = updated.clone();
        extended.expires_at = expires_at;
        extended.expiring_sent = false;
        let extended_record = self
            .update_active(
                &record.conversation_id,
                by,
                "SET #extended = :true, expiresAt = :expires, expiresEpoch = :epoch, expiringSent = :false, #gpk = :gpk, #gsk = :gsk",
                vec![
                    (":true", AttributeValue::Bool(true)),
                    (":false", AttributeValue::Bool(false)),
                    (":expires", serde_dynamo::to_attribute_value(expires_at)?),
                    (":epoch", n(expires_at.timestamp())),
                    (":gpk", s(keys::conversation_due_gsi1(&record.conversation_id))),
                    (":gsk", s(keys::due_sort_key(extended.next_due(), record.conversation_id.as_str()))),
                ],
                Some("#extended = :false"),
            )
            .await?;
        let Some(extended_record) = extended_record else {
            return Ok(self.conversation(&record.conversation_id, now).await?.map(ExtensionOutcome::Extended));
        };
        self.transact(
            "PutItem",
            vec![self.audit_action(by, "extend", &format!("conversation:{}", record.conversation_id), now)?],
        )
        .await?;
        Ok(Some(ExtensionOutcome::Extended(extended_record)))
    }

    /// Panic exit, all or nothing: the conversation ends, each blocks the other, a
    /// high-severity report is filed and the action is audited.
    pub async fn panic_exit(
        &self,
        record: &ConversationRecord,
        report: &crate::ReportRecord,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let by = report
            .reporter
            .as_ref()
            .ok_or_else(|| StoreError::Malformed("a panic report names its reporter".into()))?;
        let other = &report.reported_user_id;
        let end = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(&record.conversation_id))))
            .update_expression(format!("SET #state = :panic, {END}"))
            .condition_expression("#state = :active AND contains(participants, :by)")
            .set_expression_attribute_names(Some(end_names()))
            .expression_attribute_names("#state", "state")
            .set_expression_attribute_values(Some(
                end_values(&record.conversation_id, now)?.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ))
            .expression_attribute_values(":panic", s(ConversationState::EndedByPanic.as_str()))
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .expression_attribute_values(":by", s(by.as_str()))
            .build()
            .map_err(StoreError::build)?;
        let mut actions = vec![TransactWriteItem::builder().update(end).build()];
        actions.extend(self.block_actions(by, other, Some("panic exit".into()), now)?);
        actions.extend(self.block_actions(other, by, None, now)?);
        actions.extend(self.report_writes(report)?);
        actions.push(self.audit_action(by, "panic", &format!("conversation:{}", record.conversation_id), now)?);
        // Refused only by its conditions (the conversation no longer active); a send racing
        // it conflicts, and the helper tries again.
        Ok(self.transact_or_conditions(actions).await?.is_none())
    }

    /// Active conversations whose next due time has come, from one shard of the index.
    pub async fn due_conversations(
        &self,
        shard: u32,
        now: DateTime<Utc>,
    ) -> Result<Vec<ConversationRecord>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("#gpk = :partition AND #gsk <= :now")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .expression_attribute_values(":partition", s(keys::conversation_due_partition(shard)))
            .expression_attribute_values(":now", s(keys::due_sort_key(now, "~")));
        self.query_all(query).await?.into_iter().map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }

    /// Marks the one-hour notice sent and moves the entry to the end time. `false` if
    /// another run did it first.
    pub async fn mark_expiring_sent(&self, record: &ConversationRecord) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(&record.conversation_id))))
            .update_expression("SET expiringSent = :true, #gsk = :gsk")
            .condition_expression("#state = :active AND expiringSent = :false AND expiresEpoch = :epoch")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#gsk", GSI1_SK)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .expression_attribute_values(":epoch", n(record.expires_at.timestamp()))
            .expression_attribute_values(
                ":gsk",
                s(keys::due_sort_key(record.expires_at, record.conversation_id.as_str())),
            )
            .send()
            .await;
        Ok(conditional("UpdateItem", result)?.is_some())
    }

    /// Expires an active conversation whose time is up. `false` if it was not (any more).
    pub async fn expire_conversation(
        &self,
        record: &ConversationRecord,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(&record.conversation_id))))
            .update_expression(format!("SET #state = :expired, {END}"))
            .condition_expression("#state = :active AND expiresEpoch <= :epoch")
            .set_expression_attribute_names(Some(end_names()))
            .expression_attribute_names("#state", "state")
            .set_expression_attribute_values(Some(
                end_values(&record.conversation_id, now)?.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            ))
            .expression_attribute_values(":expired", s(ConversationState::Expired.as_str()))
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .expression_attribute_values(":epoch", n(now.timestamp()))
            .send()
            .await;
        Ok(conditional("UpdateItem", result)?.is_some())
    }

    /// Whether `id` is a participant: used where a missing conversation and a foreign one
    /// must look the same (404).
    pub async fn conversation_for(
        &self,
        conversation_id: &ConversationId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ConversationRecord>, StoreError> {
        Ok(self.conversation(conversation_id, now).await?.filter(|c| c.is_participant(user)))
    }

    /// The send transaction's write to the conversation: only while it is open to the
    /// author, it records the author's activity and who now waits for an answer. The
    /// author (at `author` in `participants`) answered; the partner waits since the
    /// earliest message they have not answered, and the reminder index (GSI2) holds that
    /// time. A participant already reminded keeps a far-future mark there, so writing to
    /// them again never makes them due twice.
    pub(crate) fn record_message(
        &self,
        conversation_id: &ConversationId,
        author: &UserId,
        position: usize,
        now: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let (mine, theirs) = (position.min(1), 1 - position.min(1));
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(conversation_id))))
            .update_expression(format!(
                "SET activity[{mine}].firstMessageAt = if_not_exists(activity[{mine}].firstMessageAt, :at), \
                 activity[{mine}].lastMessageAt = :at, activity[{mine}].messages = activity[{mine}].messages + :one, \
                 activity[{theirs}].waitingSince = if_not_exists(activity[{theirs}].waitingSince, :epoch), \
                 #g2pk = :partition, #g2sk = if_not_exists(activity[{theirs}].waitingSince, :epoch) \
                 REMOVE activity[{mine}].waitingSince"
            ))
            .condition_expression(
                "#state = :active AND expiresEpoch > :epoch AND participants[{mine}] = :author AND attribute_exists(#pk)"
                    .replace("{mine}", &mine.to_string()),
            )
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#g2pk", GSI2_PK)
            .expression_attribute_names("#g2sk", GSI2_SK)
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .expression_attribute_values(":epoch", n(now.timestamp()))
            .expression_attribute_values(":at", serde_dynamo::to_attribute_value(now)?)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":author", s(author.as_str()))
            .expression_attribute_values(":partition", s(keys::reminder_gsi2(conversation_id)))
            .build()
            .map_err(StoreError::build)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }
}
