//! How participants see a conversation, the reveal and each other: the views every
//! conversation use case (and the match, the friends list) answers with.

use chrono::{DateTime, Datelike, Utc};
use serde::Serialize;
use tandem_domain::availability::age_in;
use tandem_domain::conversation::{ConversationState, ModerationState};
use tandem_domain::reveal::{gate_opens_at, open_gate, pseudonym};
use tandem_domain::{ConversationId, MessageId, User, UserId};
use tandem_store::{ConversationRecord, MessageRecord, ReadPosition};

/// A conversation as its participants see it (the same for both), with where each has
/// read up to and where its reveal stands (never who consented or answered what).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ConversationView<'a> {
    pub conversation_id: &'a ConversationId,
    pub match_id: &'a tandem_domain::MatchId,
    pub participants: &'a [UserId; 2],
    /// `daily` (24 hours, anonymous first) or `friendship` (friends', no expiry).
    pub kind: tandem_domain::conversation::ConversationKind,
    pub state: ConversationState,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub extended: bool,
    #[serde(skip_serializing_if = "<[UserId]>::is_empty")]
    pub extension_requests: &'a [UserId],
    pub expiring_sent: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<DateTime<Utc>>,
    pub activity: &'a [tandem_domain::engagement::ParticipantActivity; 2],
    pub read_positions: &'a [ReadPosition],
    pub reveal: RevealView,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub icebreaker: Option<&'a tandem_domain::prompts::Icebreaker>,
    /// The partner's daily-prompt answers: only in a revealed conversation, and only where
    /// the caller asked for them (`GET /v1/conversations/{id}`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_answers: Option<Vec<crate::services::prompts::AnswerView>>,
}

impl<'a> ConversationView<'a> {
    pub fn of(conversation: &'a ConversationRecord, read_positions: &'a [ReadPosition], now: DateTime<Utc>) -> Self {
        Self {
            conversation_id: &conversation.conversation_id,
            match_id: &conversation.match_id,
            participants: &conversation.participants,
            kind: conversation.kind,
            state: conversation.state,
            started_at: conversation.started_at,
            expires_at: conversation.expires_at,
            extended: conversation.extended,
            extension_requests: &conversation.extension_requests,
            expiring_sent: conversation.expiring_sent,
            ended_at: conversation.ended_at,
            activity: &conversation.activity,
            read_positions,
            reveal: RevealView::of(conversation, now),
            icebreaker: conversation.icebreaker.as_ref(),
            partner_answers: None,
        }
    }
}

/// The partner as a participant sees them: always the pseudonym, age, shared interests and
/// presence; the first name, city and photo only once both consented to reveal.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PartnerView {
    pub user_id: UserId,
    pub pseudonym: String,
    pub revealed: bool,
    /// The identifying fields this view carries (none before the reveal).
    pub revealed_fields: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub city: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_url: Option<String>,
    pub age: i32,
    pub shared_interests: Vec<String>,
    pub online: bool,
}

impl PartnerView {
    /// `partner` as `me` sees them in `conversation`.
    pub fn of(conversation: &ConversationRecord, me: &User, partner: &User, online: bool, now: DateTime<Utc>) -> Self {
        let (mine, theirs) = (me.profile.as_ref(), partner.profile.as_ref());
        let shared_interests = match (mine, theirs) {
            (Some(mine), Some(theirs)) => {
                mine.interests.keys().filter(|k| theirs.interests.contains_key(*k)).cloned().collect()
            }
            _ => Vec::new(),
        };
        let revealed = conversation.reveal.revealed();
        let shown = |value: Option<String>| value.filter(|v| revealed && !v.is_empty());
        let first_name = shown(theirs.map(|p| p.first_name.clone()));
        let city = shown(theirs.map(|p| p.city.clone()));
        let photo_url = shown(theirs.and_then(|p| p.photo_url.clone()));
        let revealed_fields = [("firstName", &first_name), ("city", &city), ("photoUrl", &photo_url)]
            .into_iter()
            .filter(|(_, value)| value.is_some())
            .map(|(name, _)| name)
            .collect();
        Self {
            user_id: partner.id.clone(),
            pseudonym: pseudonym(conversation.conversation_id.as_str(), partner.id.as_str()),
            revealed,
            revealed_fields,
            first_name,
            city,
            photo_url,
            age: theirs.map_or(0, |p| age_in(now.year(), p.birth_year)),
            shared_interests,
            online,
        }
    }
}

/// Where a conversation's reveal stands, the same for both participants: never who
/// consented or what anyone answered.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealView {
    pub revealed: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revealed_at: Option<DateTime<Utc>>,
    /// The latest decision gate open now (1–3), once both have written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open_gate: Option<u8>,
    /// When the next gate opens.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_gate_at: Option<DateTime<Utc>>,
}

impl RevealView {
    pub fn of(conversation: &ConversationRecord, now: DateTime<Utc>) -> Self {
        let revealed = conversation.reveal.revealed();
        // Gates matter only while the conversation is anonymous.
        let open = open_gate(&conversation.activity, now).filter(|_| !revealed);
        let next = gate_opens_at(&conversation.activity, open.unwrap_or(0) + 1).filter(|_| !revealed);
        Self { revealed, revealed_at: conversation.reveal.revealed_at, open_gate: open, next_gate_at: next }
    }
}

/// A message as clients see it: a hidden message keeps its place without its text.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MessageView {
    pub message_id: MessageId,
    pub conversation_id: ConversationId,
    pub author: UserId,
    pub client_message_id: String,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    /// Hidden by moderation: shown to both without its text.
    pub hidden: bool,
}

impl From<&MessageRecord> for MessageView {
    fn from(m: &MessageRecord) -> Self {
        let hidden = m.moderation == ModerationState::Hidden;
        let text = if hidden { String::new() } else { m.text.clone() };
        Self {
            message_id: m.message_id.clone(),
            conversation_id: m.conversation_id.clone(),
            author: m.author.clone(),
            client_message_id: m.client_message_id.clone(),
            text,
            sent_at: m.sent_at,
            hidden,
        }
    }
}
