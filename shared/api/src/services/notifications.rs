//! Notifications derived from committed writes (the table's stream, through the
//! notification queue): server events to open connections and pushes to devices, for a
//! committed match, an admin's notice, a message scanned clean while its recipient is
//! offline, a conversation's last hour, a reminder, a badge, and a push released after
//! quiet hours. A conversation's end goes on to the participants' history (`ghosting`).

use chrono::{DateTime, Duration, Utc};
use tandem_domain::conversation::{ConversationState, ModerationState, is_open, peer_of};
use tandem_domain::notifications::Push;
use tandem_domain::rewards::Badge;
use tandem_domain::{ConversationId, MatchId, MessageId, ReportId, UserId};

use tandem_store::ConversationRecord;

use crate::outbound::realtime::ServerEvent;
use crate::services::events::Event;
use crate::services::push::push_to;
use crate::{ApiError, App};

/// `match.created` and a push to both users at once. Fails (so the queue redelivers) only
/// when something worth retrying failed; a device that misses the event sees the match on
/// `GET /v1/match/today`, and a redelivery pushes no device twice.
pub async fn match_created(app: &App, match_id: &MatchId, now: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(record) = app.store.pairing_match(match_id, now).await? else {
        tracing::warn!(%match_id, "a committed match is gone: nothing to tell");
        return Ok(());
    };
    let event =
        ServerEvent::from(Event::MatchCreated { match_id: &record.match_id, conversation_id: &record.conversation_id });
    let [a, b] = &record.users;
    let push = |user: &UserId| Push::match_created(user.as_str(), match_id.as_str(), record.conversation_id.as_str());
    let (push_a, push_b) = (push(a), push(b));
    let (to_a, to_b, pushed_a, pushed_b) = tokio::join!(
        app.realtime.to_user(a, &event),
        app.realtime.to_user(b, &event),
        push_to(app, a, &push_a, false, now),
        push_to(app, b, &push_b, false, now),
    );
    to_a?;
    to_b?;
    pushed_a?;
    pushed_b?;
    Ok(())
}

/// `account.warning` with the notice (an admin's warning) to the user's open connections,
/// and a safety push (which ignores quiet hours).
pub async fn notice_issued(
    app: &App,
    user_id: &UserId,
    notice_id: &ReportId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(notice) = app.store.notice(user_id, notice_id, now).await? else {
        tracing::warn!(%notice_id, "a committed notice is gone: nothing to tell");
        return Ok(());
    };
    let event = ServerEvent::from(Event::AccountWarning { notice: &notice });
    let push = Push::warning(user_id.as_str(), notice_id.as_str());
    let (told, pushed) = tokio::join!(app.realtime.to_user(user_id, &event), push_to(app, user_id, &push, false, now));
    told?;
    pushed?;
    Ok(())
}

/// A message found clean while its recipient was offline (the scan noted it): a "new
/// message" push if they are still offline and no such push went out for this conversation
/// in the last N minutes. A hidden message never gets here.
pub async fn message_scanned(
    app: &App,
    conversation_id: &ConversationId,
    message_id: &MessageId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (message, conversation) = tokio::try_join!(
        app.store.message(conversation_id, message_id, now),
        app.store.conversation(conversation_id, now),
    )?;
    let (Some(message), Some(conversation)) = (message, conversation) else {
        return Ok(());
    };
    if message.moderation != ModerationState::Scanned || conversation.state != ConversationState::Active {
        return Ok(());
    }
    let Some(recipient) = peer_of(&conversation.participants, &message.author) else {
        return Ok(());
    };
    if !app.realtime.connections_of(recipient).await?.is_empty() {
        return Ok(());
    }
    let window = Duration::minutes(app.config.message_push_coalesce_minutes);
    if !app.store.open_message_push_window(conversation_id, recipient, window, message_id, now).await? {
        return Ok(());
    }
    let push = Push::new_message(recipient.as_str(), conversation_id.as_str(), message_id.as_str());
    push_to(app, recipient, &push, false, now).await?;
    Ok(())
}

/// A conversation's change the pipe passes: it ended (what follows an end:
/// `conversations::ended`), or its one-hour notice was marked sent (a push to both).
pub async fn conversation_changed(
    app: &App,
    conversation_id: &ConversationId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(conversation) = app.store.conversation(conversation_id, now).await? else {
        return Ok(());
    };
    if conversation.state != ConversationState::Active {
        return crate::services::conversations::ended(app, &conversation, now).await;
    }
    if conversation.expiring_sent {
        conversation_expiring(app, &conversation, now).await?;
    }
    Ok(())
}

/// The one-hour notice was marked sent: a push to both participants (the
/// `conversation.expiring` event went out from the expiry job).
async fn conversation_expiring(
    app: &App,
    conversation: &ConversationRecord,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let conversation_id = &conversation.conversation_id;
    let [a, b] = &conversation.participants;
    let (push_a, push_b) =
        (Push::expiring(a.as_str(), conversation_id.as_str()), Push::expiring(b.as_str(), conversation_id.as_str()));
    let (pushed_a, pushed_b) = tokio::join!(push_to(app, a, &push_a, false, now), push_to(app, b, &push_b, false, now));
    pushed_a?;
    pushed_b?;
    Ok(())
}

/// A silent participant was reminded by the reminders job: `conversation.reminder` to
/// their connections and a reminder push, while the conversation is still open.
pub async fn reminder_sent(
    app: &App,
    conversation_id: &ConversationId,
    user_id: &UserId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let (Some(reminder), Some(conversation)) = tokio::try_join!(
        app.store.reminder(conversation_id, user_id, now),
        app.store.conversation_for(conversation_id, user_id, now),
    )?
    else {
        return Ok(());
    };
    if !is_open(conversation.state, conversation.expires_at, now) {
        return Ok(());
    }
    let event = ServerEvent::from(Event::ConversationReminder {
        conversation_id,
        waiting_since: reminder.waiting_since,
        expires_at: conversation.expires_at,
    });
    let push = Push::reminder(user_id.as_str(), conversation_id.as_str());
    let (told, pushed) = tokio::join!(app.realtime.to_user(user_id, &event), push_to(app, user_id, &push, false, now));
    told?;
    pushed?;
    Ok(())
}

/// A badge was earned: `reward.badge` to the user's connections and a push.
pub async fn badge_earned(app: &App, user_id: &UserId, badge: Badge, now: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(record) = app.store.badge(user_id, badge, now).await? else {
        return Ok(());
    };
    let event = ServerEvent::from(Event::RewardBadge { badge: crate::services::rewards::BadgeView::from(&record) });
    let push = Push::badge(user_id.as_str(), badge);
    let (told, pushed) = tokio::join!(app.realtime.to_user(user_id, &event), push_to(app, user_id, &push, false, now));
    told?;
    pushed?;
    Ok(())
}

/// A push held by quiet hours was released by the release job: it goes out now.
pub async fn push_released(
    app: &App,
    user_id: &UserId,
    notification_id: &str,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(deferred) = app.store.deferred_push(user_id, notification_id, now).await? else {
        return Ok(());
    };
    push_to(app, user_id, &deferred.push, true, now).await?;
    app.store.delete_deferred_push(user_id, notification_id).await?;
    Ok(())
}
