//! Matches and their conversations, created together in one transaction.

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::availability::AvailabilityState;
use tandem_domain::{ConversationId, MatchId, UserId};
use tandem_pairing::ScoreBreakdown;

use crate::conversations::{ConversationRecord, conversation_item};
use crate::item::{key, s, with_key};
use crate::keys::{self, GSI1_PK, GSI1_SK};
use crate::{Store, StoreError};

/// A pair made by a sweep, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchRecord {
    pub match_id: MatchId,
    pub conversation_id: ConversationId,
    pub users: [UserId; 2],
    /// Each user's local day the match counts for.
    pub days: [NaiveDate; 2],
    pub score: f32,
    pub breakdown: ScoreBreakdown,
    pub reasons: Vec<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchOutcome {
    Created,
    /// One of the two was no longer queued (left, or matched by another sweep), or the
    /// transaction conflicted with a concurrent one: nothing was written.
    Skipped,
}

impl MatchRecord {
    pub fn partner_of(&self, user: &UserId) -> Option<&UserId> {
        match &self.users {
            [a, b] if a == user => Some(b),
            [a, b] if b == user => Some(a),
            _ => None,
        }
    }
}

use tandem_domain::analytics::AnalyticsEvent;

impl Store {
    /// Creates match + conversation, marks both availabilities matched and records the
    /// pair in both users' 30-day history (and the analytics events: match made, each
    /// user's queue wait), in one transaction conditioned on both users
    /// still being queued for their day. Safe under concurrent and retried sweeps: a user
    /// can only leave `queued` once per day.
    pub async fn create_match(
        &self,
        record: &MatchRecord,
        conversation: &ConversationRecord,
        queued_at: [DateTime<Utc>; 2],
    ) -> Result<MatchOutcome, StoreError> {
        let mark_matched = |user: &UserId, day: NaiveDate| -> Result<TransactWriteItem, StoreError> {
            let update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::availability(user, day))))
                .update_expression(
                    "SET #state = :matched, matchId = :match, conversationId = :conversation REMOVE #gpk, #gsk",
                )
                .condition_expression("#state = :queued")
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#gpk", GSI1_PK)
                .expression_attribute_names("#gsk", GSI1_SK)
                .expression_attribute_values(":matched", s(AvailabilityState::Matched.as_str()))
                .expression_attribute_values(":queued", s(AvailabilityState::Queued.as_str()))
                .expression_attribute_values(":match", s(record.match_id.as_str()))
                .expression_attribute_values(":conversation", s(record.conversation_id.as_str()))
                .build()
                .map_err(StoreError::build)?;
            Ok(TransactWriteItem::builder().update(update).build())
        };
        let [a, b] = &record.users;
        let mut match_item = with_key(keys::pairing_match(&record.match_id), record)?;
        let match_deadline = record.created_at + tandem_domain::privacy::MATCH_RETENTION;
        match_item.insert(keys::TTL.to_owned(), crate::item::n(match_deadline.timestamp()));
        let actions = vec![
            mark_matched(a, record.days[0])?,
            mark_matched(b, record.days[1])?,
            self.put_if_absent(match_item)?,
            self.put_if_absent(conversation_item(conversation)?)?,
            self.put(self.paired_item(a, b, record.created_at)?)?,
            self.put(self.paired_item(b, a, record.created_at)?)?,
            self.analytics_put(&AnalyticsEvent::match_made(record.score, record.created_at), record.match_id.as_str())?,
            self.analytics_put(
                &AnalyticsEvent::queue_wait(queued_at[0], record.created_at),
                &format!("{}#{a}", record.match_id),
            )?,
            self.analytics_put(
                &AnalyticsEvent::queue_wait(queued_at[1], record.created_at),
                &format!("{}#{b}", record.match_id),
            )?,
        ];
        match self.transact_or_conditions(actions).await? {
            None => Ok(MatchOutcome::Created),
            Some(_) => Ok(MatchOutcome::Skipped),
        }
    }

    pub async fn pairing_match(
        &self,
        match_id: &MatchId,
        now: DateTime<Utc>,
    ) -> Result<Option<MatchRecord>, StoreError> {
        let item = self.get_live(keys::pairing_match(match_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }
}
