//! What every conversation use case starts from (`conversations`, `reveal`, `friendships`
//! and the reads share it): a participant's conversation, the "still open" check, the
//! refusals once it is over, and telling both participants.

use chrono::{DateTime, Utc};
use tandem_domain::conversation::is_open;
use tandem_domain::{ConversationId, UserId};
use tandem_store::ConversationRecord;

use crate::error::ErrorCode;
use crate::outbound::realtime::ServerEvent;
use crate::services::conversation_views::ConversationView;
use crate::services::events::{ConversationChange, Event};
use crate::{ApiError, App};

/// The conversation, if `user` takes part in it. Missing and foreign look the same: 404.
pub async fn participant_view(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<ConversationRecord, ApiError> {
    app.store.conversation_for(conversation_id, user, now).await?.ok_or(ApiError::NotFound)
}

/// The conversation if `user` takes part in it and it is still open (active, not expired):
/// what every read and write of a participant requires.
pub async fn open_for(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<ConversationRecord, ApiError> {
    let conversation = participant_view(app, conversation_id, user, now).await?;
    if !is_open(conversation.state, conversation.expires_at, now) {
        return Err(closed());
    }
    Ok(conversation)
}

/// 409 `conversation_closed`: what anything but a read meets once a conversation is over.
pub fn closed() -> ApiError {
    ApiError::Conflict {
        code: ErrorCode::ConversationClosed,
        message: "this conversation is over: it is no longer open".into(),
    }
}

/// 409 `conversation_closed` for an action that ends a conversation already over.
pub fn already_over() -> ApiError {
    ApiError::Conflict { code: ErrorCode::ConversationClosed, message: "this conversation is already over".into() }
}

/// Tells both participants about a conversation event (`conversation.closed`, …).
pub async fn notify_both(
    app: &App,
    conversation: &ConversationRecord,
    change: ConversationChange,
) -> Result<(), ApiError> {
    let view = ConversationView::of(conversation, &[], Utc::now());
    let event = ServerEvent::from(Event::conversation(change, view));
    for user in &conversation.participants {
        app.realtime.to_user(user, &event).await?;
    }
    Ok(())
}
