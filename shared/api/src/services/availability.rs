//! Daily availability (queue, leave, today's state) and today's match, as a user may see them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use tandem_domain::availability::{
    AvailabilityState, EarlierMatch, check_can_queue, check_one_conversation_a_day, local_day, local_day_end,
};
use tandem_domain::conversation::is_open;
use tandem_domain::{ConversationId, MatchId, User, UserId};
use tandem_pairing::{PoolUser, ScoreBreakdown};
use tandem_store::{ActiveDay, AvailabilityRecord, LeaveOutcome, QueueOutcome};

use crate::error::ErrorCode;
use crate::services::accounts::account;
use crate::services::conversation_views::PartnerView;
use crate::{ApiError, App};

/// `GET/PUT /v1/availability/today`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AvailabilityView {
    pub day: NaiveDate,
    pub state: AvailabilityState,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub queued_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub r#match: Option<MatchView>,
}

/// What a user may see of today's match: the partner's public subset only.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MatchView {
    pub match_id: MatchId,
    pub conversation_id: ConversationId,
    pub score: f32,
    pub breakdown: ScoreBreakdown,
    pub reasons: Vec<String>,
    pub partner: PartnerView,
    pub started_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

/// Queues the user for their local today (idempotent; a matched user stays matched), with
/// their history as the pairing engine weighs it, and files the day for the streaks job.
pub async fn queue_today(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<AvailabilityView, ApiError> {
    let user = account(app, id, now).await?;
    let profile = check_can_queue(&user, now)?;
    let (day, offset) = local_day(&user.timezone, now);
    let earlier = earlier_matches(app, id, day, now).await?;
    check_one_conversation_a_day(&user.timezone, day, &earlier)?;
    let (exclusions, trust) = tokio::try_join!(app.store.exclusions(id, now), app.store.trust(id, now))?;
    let mut snapshot = PoolUser::from_profile(id, profile, offset);
    snapshot.excluded = exclusions.all().cloned().collect();
    // The history pairing weighs, captured here so the sweep needs no call per user.
    snapshot.response_rate = user.engagement.response_rate();
    snapshot.abandoned_in_a_row = user.engagement.abandons_for_pairing();
    snapshot.trust = trust.components.score() as u8;
    snapshot.intent = user.intent.as_ref().and_then(|choice| choice.current(&user.timezone, now));
    let active_day = ActiveDay { user_id: id.clone(), day, ends_at: local_day_end(&user.timezone, day) };
    let record = AvailabilityRecord {
        user_id: id.clone(),
        day,
        state: AvailabilityState::Queued,
        utc_offset_minutes: offset,
        queued_at: now,
        snapshot,
        late_exclusions: Vec::new(),
        match_id: None,
        conversation_id: None,
    };
    match app.store.queue(&record, &active_day, now).await? {
        QueueOutcome::Queued(record) => view(app, &user, Some(record), day, now).await,
        QueueOutcome::AlreadyMatched(record) => view(app, &user, Some(record), day, now).await,
    }
}

/// The user's matches of other local days still on record (a week's), with whether
/// their conversation is still open.
async fn earlier_matches(
    app: &App,
    id: &UserId,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<Vec<EarlierMatch>, ApiError> {
    let conversation_ids: Vec<ConversationId> = app
        .store
        .availability_history(id, now)
        .await?
        .into_iter()
        .filter(|record| record.day != day)
        .filter_map(|record| record.conversation_id)
        .collect();
    if conversation_ids.is_empty() {
        return Ok(Vec::new());
    }
    let conversations = app.store.conversations(&conversation_ids, now).await?;
    Ok(conversations
        .iter()
        .map(|c| EarlierMatch { started_at: c.started_at, open: is_open(c.state, c.expires_at, now) })
        .collect())
}

/// Out of the pool for the local days a queued record may still count for (today's and
/// yesterday's): a suspension, a ban, a deletion request. Matched days stay as they are.
pub async fn leave_pool(app: &App, user: &User, now: DateTime<Utc>) -> Result<(), ApiError> {
    let (today, _) = local_day(&user.timezone, now);
    for day in [Some(today), today.pred_opt()].into_iter().flatten() {
        app.store.leave_queue(&user.id, day).await?;
    }
    Ok(())
}

/// Leaves today's pool (idempotent); refused once matched.
pub async fn leave_today(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<(), ApiError> {
    let user = account(app, id, now).await?;
    let (day, _) = local_day(&user.timezone, now);
    match app.store.leave_queue(id, day).await? {
        LeaveOutcome::Left | LeaveOutcome::NotQueued => Ok(()),
        LeaveOutcome::AlreadyMatched => Err(ApiError::Conflict {
            code: ErrorCode::AlreadyMatched,
            message: "you are already matched today; close the conversation instead".into(),
        }),
    }
}

pub async fn today(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<AvailabilityView, ApiError> {
    let user = account(app, id, now).await?;
    let (day, _) = local_day(&user.timezone, now);
    let record = app.store.availability(id, day, now).await?;
    view(app, &user, record, day, now).await
}

async fn view(
    app: &App,
    user: &User,
    record: Option<AvailabilityRecord>,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> Result<AvailabilityView, ApiError> {
    let Some(record) = record.filter(|r| r.state != AvailabilityState::Idle) else {
        return Ok(AvailabilityView { day, state: AvailabilityState::Idle, queued_at: None, r#match: None });
    };
    let r#match = match &record.match_id {
        Some(match_id) if record.state == AvailabilityState::Matched => match_view(app, user, match_id, now).await?,
        _ => None,
    };
    Ok(AvailabilityView { day, state: record.state, queued_at: Some(record.queued_at), r#match })
}

/// Today's match of `id`, if any.
pub async fn match_today(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<Option<MatchView>, ApiError> {
    Ok(today(app, id, now).await?.r#match)
}

/// The match as its participant sees it; `None` once its match, conversation or partner
/// is gone (purged at its deadline, or the partner's account erased).
async fn match_view(
    app: &App,
    user: &User,
    match_id: &MatchId,
    now: DateTime<Utc>,
) -> Result<Option<MatchView>, ApiError> {
    let Some(record) = app.store.pairing_match(match_id, now).await? else { return Ok(None) };
    let Some(partner_id) = record.partner_of(&user.id) else { return Ok(None) };
    let (partner, conversation) =
        tokio::try_join!(app.store.user(partner_id, now), app.store.conversation(&record.conversation_id, now))?;
    let (Some(partner), Some(conversation)) = (partner, conversation) else { return Ok(None) };
    let online = app.store.is_online(partner_id, now).await?;
    Ok(Some(MatchView {
        match_id: record.match_id,
        conversation_id: record.conversation_id,
        score: record.score,
        breakdown: record.breakdown,
        reasons: record.reasons,
        partner: PartnerView::of(&conversation, user, &partner, online, now),
        started_at: conversation.started_at,
        expires_at: conversation.expires_at,
    }))
}
