//! Friendships: made by two "again" reflections (`services::trust::reflect`), listed with
//! each friend's revealed view and the friends' conversation, ended by either friend, by a
//! block (or a panic exit) and by an account's erasure.

use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use serde::Serialize;
use tandem_domain::conversation::{ConversationKind, ConversationState, is_open};
use tandem_domain::{ConversationId, UserId};
use tandem_store::ConversationRecord;

use crate::services::accounts::account;
use crate::services::reveal::PartnerView;
use crate::{ApiError, App};

/// A friend as the caller sees them.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FriendView {
    pub friend: PartnerView,
    /// The friends' own conversation (no expiry), over the same WebSocket API.
    pub conversation_id: ConversationId,
    /// The daily conversation the friendship grew from.
    pub origin_conversation_id: ConversationId,
    pub since: DateTime<Utc>,
}

/// The caller's friends, longest-standing first.
pub async fn friends(app: &App, me: &UserId, now: DateTime<Utc>) -> Result<Vec<FriendView>, ApiError> {
    let user = account(app, me, now).await?;
    let mut sides = app.store.friendships(me, now).await?;
    sides.sort_by(|a, b| a.since.cmp(&b.since).then(a.friend.cmp(&b.friend)));
    let friend_ids: Vec<UserId> = sides.iter().map(|s| s.friend.clone()).collect();
    let conversation_ids: Vec<ConversationId> = sides.iter().map(|s| s.conversation_id.clone()).collect();
    let (accounts, conversations) =
        tokio::try_join!(app.store.users(&friend_ids, now), app.store.conversations(&conversation_ids, now))?;
    let listed: Vec<_> = sides
        .into_iter()
        .zip(accounts)
        .filter_map(|(side, friend)| {
            // A friend erased meanwhile: the erasure removes this side too.
            let conversation = conversations.iter().find(|c| c.conversation_id == side.conversation_id)?;
            Some((side, friend?, conversation))
        })
        .collect();
    let online = try_join_all(listed.iter().map(|(_, friend, _)| app.store.is_online(&friend.id, now))).await?;
    Ok(listed
        .into_iter()
        .zip(online)
        .map(|((side, friend, conversation), online)| FriendView {
            friend: PartnerView::of(conversation, &user, &friend, online, now),
            conversation_id: side.conversation_id,
            origin_conversation_id: side.origin_conversation_id,
            since: side.since,
        })
        .collect())
}

/// Ends the friendship of `me` and `friend`, if any: both sides go and the friends'
/// conversation closes (both are told). `false` when they were not friends.
pub async fn end_friendship(app: &App, me: &UserId, friend: &UserId, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let Some(side) = app.store.friendship(me, friend, now).await? else { return Ok(false) };
    let conversation = app.store.conversation(&side.conversation_id, now).await?;
    let open = conversation.filter(|c| is_open(c.state, c.expires_at, now));
    if !app.store.end_friendship(me, &side, open.is_some(), now).await? {
        return Ok(false);
    }
    tracing::info!(conversation_id = %side.conversation_id, "friendship ended");
    if let Some(conversation) = open {
        let closed = ConversationRecord { state: ConversationState::Closed, ended_at: Some(now), ..conversation };
        crate::services::conversations::notify_both(app, &closed, "conversation.closed").await?;
    }
    Ok(true)
}

/// `DELETE /v1/friends/{userId}`: 404 when they are not friends.
pub async fn unfriend(app: &App, me: &UserId, friend: &UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    if end_friendship(app, me, friend, now).await? { Ok(()) } else { Err(ApiError::NotFound) }
}

/// Refuses what only a daily conversation allows (close, extend, decision gates): friends
/// end their conversation by ending the friendship.
pub fn refuse_for_friends(kind: ConversationKind) -> Result<(), ApiError> {
    match kind {
        ConversationKind::Daily => Ok(()),
        ConversationKind::Friendship => Err(ApiError::Conflict {
            code: "friendship_conversation",
            message: "friends' conversations end with the friendship: DELETE /v1/friends/{userId}".into(),
        }),
    }
}
