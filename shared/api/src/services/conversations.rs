//! Conversations, whichever door a request came through (HTTP route or WebSocket route):
//! one code path per action. Also the expiry steps the `conversation-expiry` job runs.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::conversation::{
    ConversationState, EXPIRING_NOTICE, ExtensionRefusal, ModerationState, check_client_message_id, check_extension,
    clean_message_text, is_open, message_deletion_time, peer_of,
};
use tandem_domain::{ConversationId, MessageId, UserId, ValidationErrors};
pub use tandem_store::ExtensionOutcome;
use tandem_store::{ConversationRecord, MessageRecord, ReadPosition, SendOutcome};

use crate::error::ErrorCode;
use crate::outbound::realtime::ServerEvent;
use crate::services::accounts::account;
use crate::services::conversation_access::{already_over, closed, notify_both, open_for, participant_view};
pub use crate::services::conversation_views::MessageView;
use crate::services::events::{ConversationChange, Event};
use crate::{ApiError, App};

/// What a participant sees of a conversation: it, both read positions and — once
/// revealed — the partner's recent daily-prompt answers.
pub struct Status {
    pub conversation: ConversationRecord,
    pub reads: Vec<ReadPosition>,
    pub partner_answers: Option<Vec<crate::services::prompts::AnswerView>>,
}

pub async fn status(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<Status, ApiError> {
    let conversation = participant_view(app, conversation_id, user, now).await?;
    let (reads, partner_answers) = tokio::try_join!(
        async { Ok::<_, ApiError>(app.store.read_positions(conversation_id, now).await?) },
        crate::services::prompts::partner_answers(app, &conversation, user, now),
    )?;
    Ok(Status { conversation, reads, partner_answers })
}

/// The outcome of a send: the stored message, and whether it was a retry of an earlier send.
pub struct Sent {
    pub message: MessageRecord,
    pub duplicate: bool,
}

/// Stores a message once per client message id (one transaction) and tells the peer
/// (`message.new`, again on a retry). The caller acknowledges to the author; the scan is
/// derived from the stored message by the moderation worker.
pub async fn send_message(
    app: &App,
    conversation_id: &ConversationId,
    author: &UserId,
    client_message_id: &str,
    text: &str,
    now: DateTime<Utc>,
) -> Result<Sent, ApiError> {
    let mut errors = ValidationErrors::default();
    let _ = check_client_message_id(client_message_id).map_err(|e| errors.0.push(e));
    let text = clean_message_text(text).map_err(|e| errors.0.push(e)).ok();
    let text = errors.into_result(text)?.unwrap_or_default();
    let conversation = participant_view(app, conversation_id, author, now).await?;
    let message = MessageRecord {
        message_id: MessageId::generate(),
        conversation_id: conversation_id.clone(),
        author: author.clone(),
        client_message_id: client_message_id.to_owned(),
        text,
        sent_at: now,
        moderation: ModerationState::Visible,
    };
    let delete_at = conversation.message_deadline(now);
    let position = conversation.position_of(author).ok_or(ApiError::NotFound)?;
    let peer = peer_of(&conversation.participants, author).cloned();
    // The peer's connections are read while the message is written: one round trip less
    // between the send and `message.new`.
    let (outcome, peer_connections) =
        tokio::join!(app.store.send_message(&message, position, delete_at, app.config.send_limit, now), async {
            match &peer {
                Some(peer) => app.realtime.connections_of(peer).await,
                None => Ok(Vec::new()),
            }
        });
    let (message, duplicate) = match outcome? {
        // The moderation scan follows from the committed message (the table's stream):
        // nothing else to write here.
        SendOutcome::Stored(message) => {
            crate::telemetry::count(crate::telemetry::names::MESSAGES_SENT, 1);
            (message, false)
        }
        // The first attempt may have been stored and then failed before delivery: deliver
        // again (clients de-duplicate by message id), so the peer never misses it.
        SendOutcome::Duplicate(message) => (message, true),
        SendOutcome::Refused => return Err(closed()),
        SendOutcome::RateLimited { retry_after } => return Err(ApiError::RateLimited { retry_after }),
    };
    let event = ServerEvent::from(Event::MessageNew { message: MessageView::from(&message) });
    app.realtime.to_connections(&peer_connections?, &event).await;
    Ok(Sent { message, duplicate })
}

/// Moves the reader's position forward and tells the peer (`read`).
pub async fn mark_read(
    app: &App,
    conversation_id: &ConversationId,
    reader: &UserId,
    message_id: &MessageId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let conversation = open_for(app, conversation_id, reader, now).await?;
    if app.store.message(conversation_id, message_id, now).await?.is_none() {
        return Err(tandem_domain::FieldError::new("messageId", "no such message in this conversation").into());
    }
    let delete_at = conversation.message_deadline(now);
    let moved = app.store.mark_read(conversation_id, reader, message_id, delete_at, now).await?;
    if let Some(peer) = peer_of(&conversation.participants, reader).filter(|_| moved) {
        let event = ServerEvent::from(Event::Read { conversation_id, user_id: reader, message_id });
        app.realtime.to_user(peer, &event).await?;
    }
    Ok(())
}

/// Relays a typing indicator to the peer (not stored).
pub async fn relay_typing(
    app: &App,
    conversation_id: &ConversationId,
    typist: &UserId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let conversation = open_for(app, conversation_id, typist, now).await?;
    if let Some(peer) = peer_of(&conversation.participants, typist) {
        let event = ServerEvent::from(Event::Typing { conversation_id, user_id: typist });
        app.realtime.to_user(peer, &event).await?;
    }
    Ok(())
}

/// Closes an active conversation `by` a participant (the rest follows from the change:
/// `ended`). 409 if it is already over.
pub async fn close(
    app: &App,
    conversation_id: &ConversationId,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<ConversationRecord, ApiError> {
    let conversation = participant_view(app, conversation_id, by, now).await?;
    conversation.kind.daily_only()?;
    // What follows the end comes from the committed change (`ended`).
    app.store.close_conversation(conversation_id, by, now).await?.ok_or_else(already_over)
}

/// What a panic exit did: the conversation ended and the report filed.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PanicExit {
    pub conversation_id: ConversationId,
    pub state: ConversationState,
    pub report_id: tandem_domain::ReportId,
}

/// Panic exit `by` a participant: in one transaction the conversation ends, each blocks the
/// other and a high-severity report is filed; then as for a close.
pub async fn panic_exit(
    app: &App,
    conversation_id: &ConversationId,
    by: &UserId,
    now: DateTime<Utc>,
) -> Result<PanicExit, ApiError> {
    let conversation = participant_view(app, conversation_id, by, now).await?;
    let other = peer_of(&conversation.participants, by).ok_or(ApiError::NotFound)?.clone();
    let report = crate::services::reports::panic_report(by, &other, conversation_id, now);
    let report_id = report.report_id.clone();
    if !app.store.panic_exit(&conversation, &report, now).await? {
        return Err(already_over());
    }
    tracing::warn!(%conversation_id, %report_id, "panic exit");
    // The friendship's end, the messages' deadline and telling both follow from the
    // committed change (`ended`), so a failure after the commit loses none of them.
    Ok(PanicExit { conversation_id: conversation_id.clone(), state: ConversationState::EndedByPanic, report_id })
}

/// What follows any end of a conversation (expired, closed, a panic exit, a block, the
/// friendship's end), derived from the committed change by the notification worker: a
/// panic exit ends the two's friendship (each now blocks the other), the messages get their
/// deletion time (two days after the end), the end counts in both participants' history,
/// and both are told, last, so a step that fails is retried with the record and nobody is
/// told twice. Every step is idempotent: a redelivery changes nothing more.
pub async fn ended(app: &App, conversation: &ConversationRecord, now: DateTime<Utc>) -> Result<(), ApiError> {
    let [a, b] = &conversation.participants;
    if conversation.state == ConversationState::EndedByPanic
        && crate::services::friendships::end_friendship(app, a, b, now).await?
    {
        tracing::info!(conversation_id = %conversation.conversation_id, "a panic exit ended a friendship");
    }
    let ended_at = conversation.ended_at.unwrap_or(now);
    app.store.set_message_deletion(&conversation.conversation_id, message_deletion_time(ended_at)).await?;
    crate::services::ghosting::conversation_ended(app, conversation, now).await?;
    let change = match conversation.state {
        ConversationState::Expired => ConversationChange::Expired,
        _ => ConversationChange::Closed,
    };
    notify_both(app, conversation, change).await
}

/// Ends the active conversation between `me` and `other`, if there is one (a block ends
/// it). Conversations last 24 h, so today's and yesterday's matches are the candidates.
pub async fn close_between(
    app: &App,
    me: &tandem_domain::User,
    other: &UserId,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    close_active(app, me, Some(other), now).await
}

/// Closes `me`'s open conversation of today or yesterday (only one with `with` when given);
/// the partner is told (`conversation.closed`). False when there was none.
pub async fn close_active(
    app: &App,
    me: &tandem_domain::User,
    with: Option<&UserId>,
    now: DateTime<Utc>,
) -> Result<bool, ApiError> {
    let (today, _) = tandem_domain::availability::local_day(&me.timezone, now);
    for day in [Some(today), today.pred_opt()].into_iter().flatten() {
        let Some(conversation_id) = app.store.availability(&me.id, day, now).await?.and_then(|a| a.conversation_id)
        else {
            continue;
        };
        let Some(conversation) = app.store.conversation_for(&conversation_id, &me.id, now).await? else { continue };
        let partner_matches = with.is_none_or(|other| conversation.is_participant(other));
        if !partner_matches || !is_open(conversation.state, conversation.expires_at, now) {
            continue;
        }
        if app.store.close_conversation(&conversation_id, &me.id, now).await?.is_some() {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Where a history page starts: newest first before a message, or oldest first after one.
pub enum HistoryCursor {
    Before(Option<MessageId>),
    After(MessageId),
}

/// One page of a conversation's history, readable by participants while it is active.
pub async fn history(
    app: &App,
    conversation_id: &ConversationId,
    reader: &UserId,
    cursor: &HistoryCursor,
    limit: i32,
    now: DateTime<Utc>,
) -> Result<Vec<MessageView>, ApiError> {
    open_for(app, conversation_id, reader, now).await?;
    let messages = match cursor {
        HistoryCursor::After(after) => app.store.messages_after(conversation_id, after, limit, now).await?,
        HistoryCursor::Before(before) => {
            app.store.messages_before(conversation_id, before.as_ref(), limit, now).await?
        }
    };
    Ok(messages.iter().map(MessageView::from).collect())
}

/// Records `user`'s consent to extend; extends (+24 h, once) when both consented and at
/// least one participant is premium, telling both (`conversation.extended`).
pub async fn extend(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<ExtensionOutcome, ApiError> {
    let conversation = open_for(app, conversation_id, user, now).await?;
    conversation.kind.daily_only()?;
    let mut any_premium = false;
    for participant in &conversation.participants {
        any_premium |= account(app, participant, now).await?.premium;
    }
    check_extension(conversation.extended, any_premium).map_err(|refusal| match refusal {
        ExtensionRefusal::AlreadyExtended => {
            ApiError::Conflict { code: ErrorCode::AlreadyExtended, message: refusal.to_string() }
        }
        ExtensionRefusal::NoPremium => {
            ApiError::ForbiddenBecause { code: ErrorCode::PremiumRequired, message: refusal.to_string() }
        }
    })?;
    let outcome = app.store.request_extension(&conversation, user, now).await?.ok_or(ApiError::NotFound)?;
    if let ExtensionOutcome::Extended(extended) = &outcome {
        notify_both(app, extended, ConversationChange::Extended).await?;
    }
    Ok(outcome)
}

/// What the expiry job did to one due conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpiryStep {
    /// `conversation.expiring` sent (one hour left).
    ExpiringSent,
    /// Expired (the messages' deadline and telling both follow from the change: `ended`).
    Expired,
    /// Another run got there first, or nothing is due yet.
    Nothing,
}

/// Active conversations whose next step is due, from every shard of the due index.
pub async fn due_conversations(app: &App, now: DateTime<Utc>) -> Result<Vec<ConversationRecord>, ApiError> {
    let mut due = Vec::new();
    for shard in 0..tandem_store::keys::CONVERSATION_DUE_SHARDS {
        due.extend(app.store.due_conversations(shard, now).await?);
    }
    Ok(due)
}

/// The next step of a due conversation: the one-hour notice, then the end. Each is a
/// conditional write, so an overlapping or retried run does nothing twice.
pub async fn expiry_step(
    app: &App,
    conversation: ConversationRecord,
    now: DateTime<Utc>,
) -> Result<ExpiryStep, ApiError> {
    if now >= conversation.expires_at {
        return Ok(if app.store.expire_conversation(&conversation, now).await? {
            ExpiryStep::Expired
        } else {
            ExpiryStep::Nothing
        });
    }
    if !conversation.expiring_sent && now >= conversation.expires_at - EXPIRING_NOTICE {
        if !app.store.mark_expiring_sent(&conversation).await? {
            return Ok(ExpiryStep::Nothing);
        }
        notify_both(app, &conversation, ConversationChange::Expiring).await?;
        return Ok(ExpiryStep::ExpiringSent);
    }
    Ok(ExpiryStep::Nothing)
}
