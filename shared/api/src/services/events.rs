//! Every event the server sends over a WebSocket, one variant each: its `type` and its
//! fields, in one place. Services (and the WebSocket routes' replies) build these; the
//! realtime adapter only carries them. `EventKind` names them all, and a test holds that
//! list to the AsyncAPI document's server messages.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::{ConversationId, MatchId, MessageId, UserId};
use tandem_store::reports::Notice;

use crate::outbound::realtime::ServerEvent;
use crate::services::conversation_views::{ConversationView, MessageView, PartnerView};
use crate::services::rewards::BadgeView;

tandem_domain::named_enum! {
    /// The `type` of every server event (the AsyncAPI document's `server.*` messages, with
    /// `error`, which carries the error document).
    pub enum EventKind {
        MessageNew = "message.new",
        MessageAck = "message.ack",
        MessageHidden = "message.hidden",
        Typing = "typing",
        Read = "read",
        MatchCreated = "match.created",
        ConversationExpiring = "conversation.expiring",
        ConversationExpired = "conversation.expired",
        ConversationExtended = "conversation.extended",
        ConversationClosed = "conversation.closed",
        ConversationReminder = "conversation.reminder",
        ConversationGate = "conversation.gate",
        ConversationRevealed = "conversation.revealed",
        AccountWarning = "account.warning",
        RewardBadge = "reward.badge",
        Pong = "pong",
        Error = "error",
    }
}

/// One server event. Serialized as `{"type": …, …fields}` in camelCase.
#[derive(Debug, Serialize)]
#[serde(tag = "type")]
pub enum Event<'a> {
    #[serde(rename = "message.new")]
    MessageNew { message: MessageView },
    #[serde(rename = "message.ack", rename_all = "camelCase")]
    MessageAck { client_message_id: &'a str, duplicate: bool, message: MessageView },
    #[serde(rename = "message.hidden", rename_all = "camelCase")]
    MessageHidden { conversation_id: &'a ConversationId, message_id: &'a MessageId },
    #[serde(rename = "typing", rename_all = "camelCase")]
    Typing { conversation_id: &'a ConversationId, user_id: &'a UserId },
    #[serde(rename = "read", rename_all = "camelCase")]
    Read { conversation_id: &'a ConversationId, user_id: &'a UserId, message_id: &'a MessageId },
    #[serde(rename = "match.created", rename_all = "camelCase")]
    MatchCreated { match_id: &'a MatchId, conversation_id: &'a ConversationId },
    #[serde(rename = "conversation.expiring")]
    ConversationExpiring { conversation: ConversationView<'a> },
    #[serde(rename = "conversation.expired")]
    ConversationExpired { conversation: ConversationView<'a> },
    #[serde(rename = "conversation.extended")]
    ConversationExtended { conversation: ConversationView<'a> },
    #[serde(rename = "conversation.closed")]
    ConversationClosed { conversation: ConversationView<'a> },
    #[serde(rename = "conversation.reminder", rename_all = "camelCase")]
    ConversationReminder {
        conversation_id: &'a ConversationId,
        waiting_since: DateTime<Utc>,
        expires_at: DateTime<Utc>,
    },
    #[serde(rename = "conversation.gate", rename_all = "camelCase")]
    ConversationGate { conversation_id: &'a ConversationId, gate: u8, answers: Vec<&'static str> },
    #[serde(rename = "conversation.revealed", rename_all = "camelCase")]
    ConversationRevealed {
        conversation_id: &'a ConversationId,
        revealed_at: Option<DateTime<Utc>>,
        partner: PartnerView,
    },
    #[serde(rename = "account.warning")]
    AccountWarning { notice: &'a Notice },
    #[serde(rename = "reward.badge")]
    RewardBadge { badge: BadgeView },
    #[serde(rename = "pong")]
    Pong { at: DateTime<Utc> },
}

impl Event<'_> {
    pub fn kind(&self) -> EventKind {
        match self {
            Event::MessageNew { .. } => EventKind::MessageNew,
            Event::MessageAck { .. } => EventKind::MessageAck,
            Event::MessageHidden { .. } => EventKind::MessageHidden,
            Event::Typing { .. } => EventKind::Typing,
            Event::Read { .. } => EventKind::Read,
            Event::MatchCreated { .. } => EventKind::MatchCreated,
            Event::ConversationExpiring { .. } => EventKind::ConversationExpiring,
            Event::ConversationExpired { .. } => EventKind::ConversationExpired,
            Event::ConversationExtended { .. } => EventKind::ConversationExtended,
            Event::ConversationClosed { .. } => EventKind::ConversationClosed,
            Event::ConversationReminder { .. } => EventKind::ConversationReminder,
            Event::ConversationGate { .. } => EventKind::ConversationGate,
            Event::ConversationRevealed { .. } => EventKind::ConversationRevealed,
            Event::AccountWarning { .. } => EventKind::AccountWarning,
            Event::RewardBadge { .. } => EventKind::RewardBadge,
            Event::Pong { .. } => EventKind::Pong,
        }
    }
}

/// What happened to a conversation, for the events that carry the whole conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConversationChange {
    Expiring,
    Expired,
    Extended,
    Closed,
}

impl<'a> Event<'a> {
    pub fn conversation(change: ConversationChange, conversation: ConversationView<'a>) -> Self {
        match change {
            ConversationChange::Expiring => Event::ConversationExpiring { conversation },
            ConversationChange::Expired => Event::ConversationExpired { conversation },
            ConversationChange::Extended => Event::ConversationExtended { conversation },
            ConversationChange::Closed => Event::ConversationClosed { conversation },
        }
    }
}

impl From<Event<'_>> for ServerEvent {
    fn from(event: Event<'_>) -> Self {
        let kind = event.kind();
        match serde_json::to_value(&event) {
            Ok(value) => ServerEvent::from_value(value),
            // Every field serializes (ids, times, views): unreachable, but never a panic.
            Err(error) => {
                tracing::error!(kind = kind.as_str(), %error, "an event did not serialize");
                ServerEvent::from_value(serde_json::json!({ "type": kind.as_str() }))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The AsyncAPI document names exactly these server events.
    #[test]
    fn the_asyncapi_document_lists_exactly_the_server_events() {
        let document: serde_json::Value = serde_json::from_str(include_str!("../../asyncapi.json")).unwrap();
        let messages = document["channels"]["live"]["messages"].as_object().unwrap();
        let mut documented: Vec<String> =
            messages.keys().filter_map(|name| name.strip_prefix("server.")).map(str::to_owned).collect();
        let mut known: Vec<String> = EventKind::ALL.iter().map(|k| k.as_str().replace('.', "_")).collect();
        documented.sort();
        known.sort();
        assert_eq!(documented, known);
    }

    #[test]
    fn an_event_is_its_type_and_its_fields_in_camel_case() {
        let (conversation, user) = (ConversationId::generate(), UserId::generate());
        let event = ServerEvent::from(Event::Typing { conversation_id: &conversation, user_id: &user });
        assert_eq!(
            event.json(),
            &serde_json::json!({"type": "typing", "conversationId": conversation, "userId": user})
        );
    }
}
