//! Anti-ghosting in the table: the reminder index (GSI2 over conversations with a participant
//! waiting for an answer), the once-per-participant reminder, and recording an ended
//! conversation in each participant's history (once), with the awards it earns and, after a
//! run of abandons, the suspension.

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::conversation::ConversationState;
use tandem_domain::engagement::{Engagement, Suspension};
use tandem_domain::{ConversationId, UserId, UserStatus};

use crate::conversations::ConversationRecord;
use crate::item::{Item, key, n, s, with_key};
use crate::keys::{self, GSI2, GSI2_PK, GSI2_SK, PK, TTL};
use crate::rewards::{Committed, LedgerEntry};
use crate::{Store, StoreError};

/// Written into the reminder index for a participant who was reminded: later than any
/// real time, so they are never due again in this conversation.
const REMINDED: i64 = i64::MAX / 2;

/// A conversation in which `silent` waits for an answer since `waiting_since`.
#[derive(Debug, Clone, PartialEq)]
pub struct DueReminder {
    pub conversation: ConversationRecord,
    pub silent: UserId,
    pub waiting_since: DateTime<Utc>,
    /// The index entry as read (the reminder is conditioned on it being unchanged).
    index_value: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReminderOutcome {
    Reminded,
    /// Reminded before in this conversation: the index entry is parked, nothing sent.
    AlreadyReminded,
    /// Someone wrote, or the conversation ended, since it was read: nothing to do.
    Stale,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReminderRecord {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub waiting_since: DateTime<Utc>,
    pub reminded_at: DateTime<Utc>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct WaitingSince {
    #[serde(default)]
    waiting_since: Option<i64>,
}

/// The guard saying a conversation counted in a participant's history, with what it said.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OutcomeRecord {
    pub conversation_id: ConversationId,
    pub user_id: UserId,
    pub answered: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_seconds: Option<i64>,
    pub recorded_at: DateTime<Utc>,
}

/// What else an ended conversation leaves for one participant: the reflection it allows and
/// the trust it costs (an abandon, a cooldown).
#[derive(Debug, Clone)]
pub struct Aftermath {
    pub reflectable: crate::Reflectable,
    pub trust_penalties: Vec<crate::TrustEntry>,
}

/// What recording an ended conversation for one participant did.
#[derive(Debug, Clone, PartialEq)]
pub enum RecordOutcome {
    Recorded {
        suspended: bool,
    },
    /// Recorded before (a redelivery): nothing changed.
    AlreadyRecorded,
    /// The user changed meanwhile (another write to their history or status): read again.
    Conflict,
}

impl Store {
    /// Conversations of one reminder shard where a participant has waited since `cutoff`
    /// or earlier.
    pub async fn due_reminders(&self, shard: u32, cutoff: DateTime<Utc>) -> Result<Vec<DueReminder>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI2)
            .key_condition_expression("#gpk = :partition AND #gsk <= :cutoff")
            .expression_attribute_names("#gpk", GSI2_PK)
            .expression_attribute_names("#gsk", GSI2_SK)
            .expression_attribute_values(":partition", s(keys::reminder_partition(shard)))
            .expression_attribute_values(":cutoff", n(cutoff.timestamp()));
        let mut due = Vec::new();
        for item in self.query_all(query).await? {
            if let Some(reminder) = due_reminder(item)? {
                due.push(reminder);
            }
        }
        Ok(due)
    }

    /// Reminds the silent participant once per conversation: the reminder item (whose
    /// insert the notification pipe passes) and the parked index entry in one transaction,
    /// conditioned on the entry being as read and the conversation still active.
    pub async fn remind(&self, due: &DueReminder, now: DateTime<Utc>) -> Result<ReminderOutcome, StoreError> {
        let conversation = &due.conversation;
        let position = conversation
            .position_of(&due.silent)
            .ok_or_else(|| StoreError::Malformed("the silent user takes no part".into()))?;
        let park = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(&conversation.conversation_id))))
            .update_expression(format!("SET activity[{position}].waitingSince = :parked, #gsk = :parked"))
            .condition_expression("#gsk = :seen AND #state = :active")
            .expression_attribute_names("#gsk", GSI2_SK)
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":parked", n(REMINDED))
            .expression_attribute_values(":seen", n(due.index_value))
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .build()
            .map_err(StoreError::build)?;
        let park = TransactWriteItem::builder().update(park).build();
        let record = ReminderRecord {
            conversation_id: conversation.conversation_id.clone(),
            user_id: due.silent.clone(),
            waiting_since: due.waiting_since,
            reminded_at: now,
        };
        let mut item = with_key(keys::reminder(&conversation.conversation_id, &due.silent), &record)?;
        item.insert(TTL.to_owned(), n((conversation.expires_at + Duration::days(7)).timestamp()));
        let guard = self.put_if_absent(item)?;
        match self.transact_or_conditions(vec![park.clone(), guard]).await? {
            None => Ok(ReminderOutcome::Reminded),
            Some(failed) if failed.first() == Some(&true) => Ok(ReminderOutcome::Stale),
            Some(_) => match self.transact_or_conditions(vec![park]).await? {
                None => Ok(ReminderOutcome::AlreadyReminded),
                Some(_) => Ok(ReminderOutcome::Stale),
            },
        }
    }

    pub async fn reminder(
        &self,
        conversation_id: &ConversationId,
        user: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<ReminderRecord>, StoreError> {
        self.get_as(keys::reminder(conversation_id, user), now).await
    }

    /// Counts an ended conversation in `user`'s history, once: the outcome guard, the new
    /// history (conditioned on the one read, so concurrent changes are never lost), the
    /// suspension when given, the ledger entries and badges, and the points, in one
    /// transaction. Entries already in the ledger are left as they are.
    #[allow(clippy::too_many_arguments)]
    pub async fn record_conversation(
        &self,
        outcome: &OutcomeRecord,
        expires_at: DateTime<Utc>,
        read: (&Engagement, UserStatus),
        history: &Engagement,
        suspension: Option<&Suspension>,
        entries: &[LedgerEntry],
        aftermath: &Aftermath,
    ) -> Result<RecordOutcome, StoreError> {
        let user = &outcome.user_id;
        let mut guard = with_key(keys::conversation_outcome(&outcome.conversation_id, user), outcome)?;
        guard.insert(TTL.to_owned(), n(expires_at.timestamp()));
        let mut set = "SET engagement = :history".to_owned();
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(user))))
            .condition_expression(if *read.0 == Engagement::default() {
                // An account from before histories were kept has none yet.
                "attribute_exists(#pk) AND (attribute_not_exists(engagement) OR engagement = :read) AND #status = :status"
            } else {
                "attribute_exists(#pk) AND engagement = :read AND #status = :status"
            })
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":history", serde_dynamo::to_attribute_value(history)?)
            .expression_attribute_values(":read", serde_dynamo::to_attribute_value(read.0)?)
            .expression_attribute_values(":status", s(read.1.as_str()));
        if let Some(suspension) = suspension {
            set.push_str(", #status = :suspended, suspension = :suspension");
            update = update
                .expression_attribute_values(":suspended", s(UserStatus::SuspendedFromMatching.as_str()))
                .expression_attribute_values(":suspension", serde_dynamo::to_attribute_value(suspension)?);
        }
        let update = update.update_expression(set).build().map_err(StoreError::build)?;
        let mut head = vec![self.put_if_absent(guard)?, TransactWriteItem::builder().update(update).build()];
        head.push(self.reflectable_item(user, &aftermath.reflectable)?);
        head.extend(self.trust_penalties(user, &aftermath.trust_penalties)?);
        match self.transact_with_rewards(head, user, entries, None).await? {
            Committed::Yes => Ok(RecordOutcome::Recorded { suspended: suspension.is_some() }),
            Committed::No(failed) if failed.first() == Some(&true) => Ok(RecordOutcome::AlreadyRecorded),
            Committed::No(_) => Ok(RecordOutcome::Conflict),
        }
    }

    /// Lifts a ghosting suspension (the user acknowledged it), audited in the same
    /// transaction. `false` when the account was not suspended for ghosting.
    pub async fn lift_ghosting_suspension(&self, user: &UserId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(user))))
            .update_expression("SET #status = :active REMOVE suspension")
            .condition_expression("#status = :suspended AND suspension.reason = :ghosting")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":active", s(UserStatus::Active.as_str()))
            .expression_attribute_values(":suspended", s(UserStatus::SuspendedFromMatching.as_str()))
            .expression_attribute_values(":ghosting", s(tandem_domain::engagement::SuspensionReason::Ghosting.as_str()))
            .build()
            .map_err(StoreError::build)?;
        let audit = self.audit_entry(&crate::AuditEntry {
            actor: user.clone(),
            action: "ghosting_acknowledge".to_owned(),
            resource: format!("user:{user}"),
            subject: Some(user.clone()),
            metadata: serde_json::Value::Null,
            at: now,
        })?;
        self.transact_unless_taken(vec![TransactWriteItem::builder().update(update).build(), audit]).await
    }
}

fn due_reminder(item: Item) -> Result<Option<DueReminder>, StoreError> {
    let index_value = match item.get(GSI2_SK) {
        Some(AttributeValue::N(value)) => value.parse::<i64>().map_err(|e| StoreError::Malformed(e.to_string()))?,
        _ => return Ok(None),
    };
    let waiting: Vec<WaitingSince> = match item.get("activity") {
        Some(activity) => serde_dynamo::from_attribute_value(activity.clone())?,
        None => Vec::new(),
    };
    let conversation: ConversationRecord = serde_dynamo::from_item(item)?;
    let Some(position) = waiting.iter().position(|w| w.waiting_since == Some(index_value)) else {
        return Ok(None);
    };
    let Some(waiting_since) = DateTime::from_timestamp(index_value, 0) else { return Ok(None) };
    let silent = conversation.participants[position.min(1)].clone();
    Ok(Some(DueReminder { conversation, silent, waiting_since, index_value }))
}
