//! Anonymous-first conversations: how each participant sees the other (a pseudonym until
//! both consented), the decision gates and the direct consent, and telling both when a gate
//! opens or the reveal happens. Rules: `tandem_domain::reveal`.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::conversation::is_open;
use tandem_domain::reveal::{GateAnswer, RevealState, RevealStep, open_gate};
use tandem_domain::{ConversationId, UserId};
use tandem_store::ConversationRecord;

use crate::outbound::realtime::ServerEvent;
use crate::services::conversation_access::{closed, participant_view};
use crate::services::conversation_views::PartnerView;
use crate::services::conversations::close;
use crate::services::events::Event;
use crate::{ApiError, App};
use tandem_store::retry::{Attempt, OPTIMISTIC_ATTEMPTS, optimistically};

/// The caller's own answer, as the gate and consent routes return it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealAnswerView {
    pub conversation_id: ConversationId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gate: Option<u8>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub answer: Option<GateAnswer>,
    /// The caller's consent to reveal is on record.
    pub consented: bool,
    /// Both consented: the conversation is revealed.
    pub revealed: bool,
    /// The caller's "end" closed the conversation.
    pub ended: bool,
}

/// Reads the conversation (a participant's, still open), applies `change` to its reveal,
/// writes it if nobody changed it meanwhile (else again).
async fn change_reveal(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
    change: impl Fn(&mut RevealState, usize, &ConversationRecord) -> Result<RevealStep, ApiError>,
) -> Result<(ConversationRecord, usize, RevealStep), ApiError> {
    let change = &change;
    let answer = optimistically(OPTIMISTIC_ATTEMPTS, move || async move {
        let mut conversation = participant_view(app, conversation_id, user, now).await?;
        let me = conversation.position_of(user).ok_or(ApiError::NotFound)?;
        let read_version = conversation.reveal.version;
        let mut reveal = conversation.reveal.clone();
        let step = change(&mut reveal, me, &conversation)?;
        // The same answer again is answered as the first was, even after an "end" closed it.
        if step == RevealStep::Unchanged {
            return Ok(Attempt::Done((conversation, me, step)));
        }
        if !is_open(conversation.state, conversation.expires_at, now) {
            return Err(closed());
        }
        conversation.reveal = reveal;
        if !app.store.record_reveal(&conversation, read_version, step == RevealStep::Revealed, now).await? {
            return Ok(Attempt::Again);
        }
        if step == RevealStep::Revealed {
            tracing::info!(%conversation_id, "revealed");
        }
        Ok(Attempt::Done((conversation, me, step)))
    })
    .await?;
    answer.ok_or(ApiError::Busy)
}

/// `user`'s answer at decision gate `gate`: recorded once per gate and user (the same
/// answer again changes nothing), "reveal" is a consent, "end" closes the conversation.
pub async fn answer_gate(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    gate: u8,
    answer: GateAnswer,
    now: DateTime<Utc>,
) -> Result<RevealAnswerView, ApiError> {
    let (conversation, me, step) = change_reveal(app, conversation_id, user, now, |reveal, me, conversation| {
        conversation.kind.daily_only()?;
        Ok(reveal.answer_gate(me, gate, answer, &conversation.activity, now)?)
    })
    .await?;
    let ended = answer == GateAnswer::End;
    if step == RevealStep::End {
        close(app, conversation_id, user, now).await?;
    }
    Ok(RevealAnswerView {
        conversation_id: conversation_id.clone(),
        gate: Some(gate),
        answer: Some(answer),
        consented: conversation.reveal.consents[me],
        revealed: conversation.reveal.revealed(),
        ended,
    })
}

/// `user` consents to reveal (the direct path, at any time while the conversation is open).
pub async fn consent(
    app: &App,
    conversation_id: &ConversationId,
    user: &UserId,
    now: DateTime<Utc>,
) -> Result<RevealAnswerView, ApiError> {
    let (conversation, me, _) =
        change_reveal(app, conversation_id, user, now, |reveal, me, _| Ok(reveal.consent(me, now))).await?;
    Ok(RevealAnswerView {
        conversation_id: conversation_id.clone(),
        gate: None,
        answer: None,
        consented: conversation.reveal.consents[me],
        revealed: conversation.reveal.revealed(),
        ended: false,
    })
}

/// After a stored message: announces the latest decision gate open now, once (its marker's
/// insert prompts both). Nothing while anonymous is over (revealed) or before an exchange.
pub async fn announce_open_gate(
    app: &App,
    conversation: &ConversationRecord,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    if conversation.reveal.revealed() || !is_open(conversation.state, conversation.expires_at, now) {
        return Ok(());
    }
    if let Some(gate) = open_gate(&conversation.activity, now)
        && app.store.announce_gate(conversation, gate, now).await?
    {
        tracing::info!(conversation_id = %conversation.conversation_id, gate, "decision gate opened");
    }
    Ok(())
}

/// A gate's marker was inserted: `conversation.gate` to both, while still anonymous and open.
pub async fn gate_opened(
    app: &App,
    conversation_id: &ConversationId,
    gate: u8,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(conversation) = app.store.conversation(conversation_id, now).await? else { return Ok(()) };
    if conversation.reveal.revealed() || !is_open(conversation.state, conversation.expires_at, now) {
        return Ok(());
    }
    let answers: Vec<&str> = GateAnswer::ALL.iter().map(|a| a.as_str()).collect();
    let event = ServerEvent::from(Event::ConversationGate { conversation_id, gate, answers });
    for user in &conversation.participants {
        app.realtime.to_user(user, &event).await?;
    }
    Ok(())
}

/// The reveal's marker was inserted: `conversation.revealed` to each participant, with the
/// other's revealed view.
pub async fn revealed(app: &App, conversation_id: &ConversationId, now: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(conversation) = app.store.conversation(conversation_id, now).await? else { return Ok(()) };
    if !conversation.reveal.revealed() {
        return Ok(());
    }
    let [a, b] = &conversation.participants;
    let (user_a, user_b) = tokio::try_join!(app.store.user(a, now), app.store.user(b, now))?;
    let (Some(user_a), Some(user_b)) = (user_a, user_b) else { return Ok(()) };
    let (online_a, online_b) = tokio::try_join!(app.store.is_online(a, now), app.store.is_online(b, now))?;
    for (me, partner, partner_online) in [(&user_a, &user_b, online_b), (&user_b, &user_a, online_a)] {
        let view = PartnerView::of(&conversation, me, partner, partner_online, now);
        let event = ServerEvent::from(Event::ConversationRevealed {
            conversation_id,
            revealed_at: conversation.reveal.revealed_at,
            partner: view,
        });
        app.realtime.to_user(&me.id, &event).await?;
    }
    Ok(())
}
