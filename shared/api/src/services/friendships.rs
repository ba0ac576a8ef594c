//! Friendships: made by two "again" reflections (`services::trust::reflect`) or two "stay
//! friends" presses before the end (`stay_friends`), listed with each friend's revealed view
//! and the friends' conversation, ended by either friend, by a block (or a panic exit) and by
//! an account's erasure.

use chrono::{DateTime, Utc};
use futures::future::try_join_all;
use serde::Serialize;
use tandem_domain::conversation::is_open;
use tandem_domain::{ConversationId, UserId};
use tandem_store::retry::{Attempt, OPTIMISTIC_ATTEMPTS, optimistically};

use crate::services::accounts::account;
use crate::services::conversation_access::{closed, participant_view};
use crate::services::conversation_views::PartnerView;
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
/// conversation closes, in one transaction. `false` when they were not friends.
pub async fn end_friendship(app: &App, me: &UserId, friend: &UserId, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let Some(side) = app.store.friendship(me, friend, now).await? else { return Ok(false) };
    let conversation = app.store.conversation(&side.conversation_id, now).await?;
    let open = conversation.is_some_and(|c| is_open(c.state, c.expires_at, now));
    if !app.store.end_friendship(me, &side, open, now).await? {
        return Ok(false);
    }
    // The friends' conversation's close reaches both through the stream (`conversations::ended`).
    tracing::info!(conversation_id = %side.conversation_id, "friendship ended");
    Ok(true)
}

/// `DELETE /v1/friends/{userId}`: 404 when they are not friends.
pub async fn unfriend(app: &App, me: &UserId, friend: &UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    if end_friendship(app, me, friend, now).await? { Ok(()) } else { Err(ApiError::NotFound) }
}

/// What pressing "stay friends" did, as the caller sees it: never whether the partner
/// pressed it too, only whether the two are friends now.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StayFriendsView {
    pub conversation_id: ConversationId,
    pub stay_friends: bool,
    pub friends: bool,
}

/// `user` presses "stay friends" in their open daily conversation (idempotent). The second
/// of the two presses makes them friends in its own transaction, as two "again" reflections
/// do — unless they are friends already, or either blocked or reported the other.
pub async fn stay_friends(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<StayFriendsView, ApiError> {
    let answer = optimistically(OPTIMISTIC_ATTEMPTS, move || async move {
        let mut conversation = participant_view(app, conversation_id, user, now).await?;
        conversation.kind.daily_only()?;
        let me = conversation.position_of(user).ok_or(ApiError::NotFound)?;
        let partner = conversation.participants[1 - me].clone();
        let read_version = conversation.reveal.version;
        let Some(both) = conversation.reveal.press_stay_friends(me) else {
            // Pressed before: answered as then.
            let friends = app.store.friendship(user, &partner, now).await?.is_some();
            return Ok(Attempt::Done(StayFriendsView {
                conversation_id: conversation_id.clone(),
                stay_friends: true,
                friends,
            }));
        };
        if !is_open(conversation.state, conversation.expires_at, now) {
            return Err(closed());
        }
        let allowed =
            if both { app.store.may_befriend(user, &partner, conversation_id, now).await? } else { Some(false) };
        let friendship =
            (allowed == Some(true)).then(|| tandem_store::NewFriendship::between(user, &partner, conversation_id, now));
        if !app.store.record_stay_friends(&conversation, read_version, friendship.as_ref()).await? {
            return Ok(Attempt::Again);
        }
        if friendship.is_some() {
            tracing::info!(%conversation_id, "friends: both pressed stay friends");
        }
        let friends = friendship.is_some() || allowed.is_none();
        Ok(Attempt::Done(StayFriendsView { conversation_id: conversation_id.clone(), stay_friends: true, friends }))
    })
    .await?;
    answer.ok_or(ApiError::Busy)
}
