//! A conversation's reveal: the state on the conversation item, written only if unchanged
//! since it was read, and the marker items whose inserts tell both participants (a gate
//! opened, the reveal happened).

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::ConversationId;
use tandem_domain::conversation::{ConversationState, message_deletion_time};

use crate::conversations::ConversationRecord;
use crate::friendships::NewFriendship;
use crate::item::{key, n, s, with_key};
use crate::keys::{self, TTL};
use crate::{Store, StoreError};

/// A marker in the conversation's partition: a gate announced, or the reveal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RevealMarker {
    conversation_id: ConversationId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gate: Option<u8>,
    at: DateTime<Utc>,
}

impl Store {
    fn marker(
        &self,
        key: (String, String),
        conversation: &ConversationRecord,
        gate: Option<u8>,
        at: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        let marker = RevealMarker { conversation_id: conversation.conversation_id.clone(), gate, at };
        let mut item = with_key(key, &marker)?;
        // Kept no longer than the conversation's messages could be.
        item.insert(TTL.to_owned(), n(message_deletion_time(conversation.expires_at).timestamp()));
        self.put_if_absent(item)
    }

    /// The write of `conversation.reveal`, if the conversation is still active and its
    /// reveal is still at `read_version`.
    fn reveal_update(
        &self,
        conversation: &ConversationRecord,
        read_version: u64,
    ) -> Result<TransactWriteItem, StoreError> {
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::conversation(&conversation.conversation_id))))
            .update_expression("SET #reveal = :reveal")
            .condition_expression("#state = :active AND (attribute_not_exists(#reveal) OR #reveal.#version = :version)")
            .expression_attribute_names("#reveal", "reveal")
            .expression_attribute_names("#version", "version")
            .expression_attribute_names("#state", "state")
            .expression_attribute_values(":reveal", serde_dynamo::to_attribute_value(&conversation.reveal)?)
            .expression_attribute_values(":version", n(read_version as i64))
            .expression_attribute_values(":active", s(ConversationState::Active.as_str()))
            .build()
            .map_err(StoreError::build)?;
        Ok(TransactWriteItem::builder().update(update).build())
    }

    /// Writes `conversation.reveal` (see `reveal_update`); the reveal marker goes in the same
    /// transaction when this write reveals. `false` when someone changed it first (read
    /// again) or it ended.
    pub async fn record_reveal(
        &self,
        conversation: &ConversationRecord,
        read_version: u64,
        revealed_now: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut actions = vec![self.reveal_update(conversation, read_version)?];
        if revealed_now {
            let marker_key = keys::conversation_revealed(&conversation.conversation_id);
            actions.push(self.marker(marker_key, conversation, None, now)?);
        }
        self.transact_unless_taken(actions).await
    }

    /// Writes a "stay friends" press (in `conversation.reveal`, as `record_reveal` does) and,
    /// when it is the second, the friendship in the same transaction. `false` when someone
    /// changed the conversation first (read again) or it ended.
    pub async fn record_stay_friends(
        &self,
        conversation: &ConversationRecord,
        read_version: u64,
        friendship: Option<&NewFriendship>,
    ) -> Result<bool, StoreError> {
        let mut actions = vec![self.reveal_update(conversation, read_version)?];
        if let Some(friendship) = friendship {
            actions.extend(self.friendship_actions(friendship)?);
        }
        self.transact_unless_taken(actions).await
    }

    /// Announces gate `gate` of the conversation once (its insert prompts both); `false`
    /// when it was announced already.
    pub async fn announce_gate(
        &self,
        conversation: &ConversationRecord,
        gate: u8,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let marker =
            self.marker(keys::conversation_gate(&conversation.conversation_id, gate), conversation, Some(gate), now)?;
        self.transact_unless_taken(vec![marker]).await
    }
}
