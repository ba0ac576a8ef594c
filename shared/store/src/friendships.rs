//! Friendships: a mirrored item in each friend's partition naming the friend, the friends'
//! conversation and the conversation it grew from. Created and ended in one transaction
//! with that conversation (never one side without the other).

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::conversation::{ConversationKind, ConversationState, never_expires};
use tandem_domain::{ConversationId, MatchId, UserId};

use crate::conversations::{ConversationRecord, END, conversation_item, end_names, end_values};
use crate::item::{key, s, with_key};
use crate::keys;
use crate::{Store, StoreError};

/// One side of a friendship, as stored in the owner's partition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FriendshipRecord {
    pub friend: UserId,
    /// The friends' own conversation (no expiry).
    pub conversation_id: ConversationId,
    /// The daily conversation the friendship grew from.
    pub origin_conversation_id: ConversationId,
    pub since: DateTime<Utc>,
}

/// A new friendship between two users: both sides and the friends' conversation.
#[derive(Debug, Clone)]
pub struct NewFriendship {
    pub sides: [FriendshipRecord; 2],
    pub conversation: ConversationRecord,
}

impl NewFriendship {
    /// `a` and `b` become friends at `now`, from their daily conversation `origin`.
    pub fn between(a: &UserId, b: &UserId, origin: &ConversationId, now: DateTime<Utc>) -> Self {
        let conversation_id = ConversationId::generate();
        // No sweep matched this conversation: its match id is one of its own, naming no match.
        let participants = [a.clone(), b.clone()];
        let mut conversation =
            ConversationRecord::new(conversation_id.clone(), MatchId::generate(), participants, now, never_expires());
        conversation.kind = ConversationKind::Friendship;
        // Friends see each other's revealed profile from the start.
        conversation.reveal.consents = [true, true];
        conversation.reveal.revealed_at = Some(now);
        let side = |friend: &UserId| FriendshipRecord {
            friend: friend.clone(),
            conversation_id: conversation_id.clone(),
            origin_conversation_id: origin.clone(),
            since: now,
        };
        Self { sides: [side(b), side(a)], conversation }
    }
}

/// The items any of which keeps `a` and `b` from becoming friends from `conversation_id`:
/// a block either way, a report either way (in that conversation, or without one). The one
/// rule both paths to a friendship (reflections, "stay friends") read.
pub(crate) fn estrangement_keys(a: &UserId, b: &UserId, conversation_id: &ConversationId) -> Vec<(String, String)> {
    vec![
        keys::relation(keys::BLOCKS, a, b),
        keys::relation(keys::BLOCKS, b, a),
        keys::report_guard(a, b, Some(conversation_id)),
        keys::report_guard(b, a, Some(conversation_id)),
        keys::report_guard(a, b, None),
        keys::report_guard(b, a, None),
    ]
}

impl Store {
    /// `owner`'s side of a friendship with `friend`, if they are friends.
    pub async fn friendship(
        &self,
        owner: &UserId,
        friend: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<FriendshipRecord>, StoreError> {
        self.get_as(keys::friend(owner, friend), now).await
    }

    /// Whether `a` and `b` may become friends from `conversation_id`: `Ok(None)` when they
    /// are friends already, `Ok(Some(false))` when either blocked or reported the other
    /// (see [`estrangement_keys`]), `Ok(Some(true))` otherwise. One BatchGetItem.
    pub async fn may_befriend(
        &self,
        a: &UserId,
        b: &UserId,
        conversation_id: &ConversationId,
        now: DateTime<Utc>,
    ) -> Result<Option<bool>, StoreError> {
        let friends = keys::friend(a, b);
        let estrangement = estrangement_keys(a, b, conversation_id);
        let found = self.batch_get([vec![friends.clone()], estrangement.clone()].concat(), now.timestamp()).await?;
        if found.contains_key(&friends) {
            return Ok(None);
        }
        Ok(Some(!estrangement.iter().any(|k| found.contains_key(k))))
    }

    /// Every friendship of `owner`.
    pub async fn friendships(&self, owner: &UserId, now: DateTime<Utc>) -> Result<Vec<FriendshipRecord>, StoreError> {
        self.query_prefix_as(&keys::user_partition(owner), keys::FRIENDS, now).await
    }

    /// The writes creating a friendship: each side only if absent (unique per pair), and
    /// the friends' conversation.
    pub(crate) fn friendship_actions(&self, new: &NewFriendship) -> Result<Vec<TransactWriteItem>, StoreError> {
        let [a, b] = &new.conversation.participants;
        Ok(vec![
            self.put_if_absent(with_key(keys::friend(a, b), &new.sides[0])?)?,
            self.put_if_absent(with_key(keys::friend(b, a), &new.sides[1])?)?,
            self.put(conversation_item(&new.conversation)?)?,
        ])
    }

    /// The deletes of both sides of a friendship (the owner's first: it must exist).
    pub(crate) fn unfriend_actions(
        &self,
        owner: &UserId,
        friend: &UserId,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let delete = |pair: (String, String), must_exist: bool| -> Result<TransactWriteItem, StoreError> {
            let mut delete = Delete::builder().table_name(&self.table).set_key(Some(key(pair)));
            if must_exist {
                delete = delete.condition_expression("attribute_exists(pk)");
            }
            Ok(TransactWriteItem::builder().delete(delete.build().map_err(StoreError::build)?).build())
        };
        Ok(vec![delete(keys::friend(owner, friend), true)?, delete(keys::friend(friend, owner), false)?])
    }

    /// The writes ending a friendship: both sides go, and the friends' conversation is
    /// closed when `conversation_active` (as read).
    pub(crate) fn end_friendship_actions(
        &self,
        owner: &UserId,
        side: &FriendshipRecord,
        conversation_active: bool,
        now: DateTime<Utc>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut actions = self.unfriend_actions(owner, &side.friend)?;
        if conversation_active {
            let mut close = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::conversation(&side.conversation_id))))
                .update_expression(format!("SET #state = :closed, {END}"))
                .condition_expression("#state = :active")
                .set_expression_attribute_names(Some(
                    end_names().into_iter().chain([("#state".to_owned(), "state".to_owned())]).collect(),
                ))
                .expression_attribute_values(":closed", s(ConversationState::Closed.as_str()))
                .expression_attribute_values(":active", s(ConversationState::Active.as_str()));
            for (name, value) in end_values(&side.conversation_id, now)? {
                close = close.expression_attribute_values(name, value);
            }
            actions.push(TransactWriteItem::builder().update(close.build().map_err(StoreError::build)?).build());
        }
        Ok(actions)
    }

    /// Ends a friendship `owner` has with `side.friend`; `false` if there was none (any more).
    pub async fn end_friendship(
        &self,
        owner: &UserId,
        side: &FriendshipRecord,
        conversation_active: bool,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        self.transact_unless_taken(self.end_friendship_actions(owner, side, conversation_active, now)?).await
    }
}
