//! Admin triage: the report queue, a report with its context, the actions (dismiss, warn,
//! suspend, ban) and premium. Every action is one transaction with its audit entry; a ban
//! then takes effect at once (sessions revoked, out of the pool, conversation closed,
//! sockets closed) and those effects are re-run by a retried ban.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;
use tandem_domain::conversation::ModerationState;
use tandem_domain::moderation::Severity;
use tandem_domain::reports::{AdminAction, ReportStatus, check_action};
use tandem_domain::trust::{REPORT_CONFIRMED, TrustSource};
use tandem_domain::{MessageId, ReportId, User, UserId, ValidationErrors};
use tandem_store::{AccountChange, AuditEntry, MessageRecord, Notice, ReportPage, ReportRecord, Resolution};

use crate::error::ErrorCode;
use crate::services::accounts::account;
use crate::services::conversations::close_active;
use crate::services::trust;
use crate::{ApiError, App};

/// How much history an admin sees around a report.
const CONTEXT_REPORTS: i32 = 20;
const CONTEXT_ACTIONS: i32 = 20;
const CONTEXT_MESSAGES: i32 = 100;

/// A message under review: admins see the text of hidden messages too.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReviewedMessage {
    pub message_id: MessageId,
    pub author: UserId,
    pub text: String,
    pub sent_at: DateTime<Utc>,
    pub moderation: ModerationState,
}

impl From<MessageRecord> for ReviewedMessage {
    fn from(m: MessageRecord) -> Self {
        Self { message_id: m.message_id, author: m.author, text: m.text, sent_at: m.sent_at, moderation: m.moderation }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportContext {
    pub report: ReportRecord,
    /// The reported user's messages in the reported conversation that are still retained.
    pub messages: Vec<ReviewedMessage>,
    /// Other reports about the same user, newest first.
    pub earlier_reports: Vec<ReportRecord>,
    /// Earlier actions on the same user, newest first.
    pub actions: Vec<AuditEntry>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UserReview {
    pub user: User,
    pub reports: Vec<ReportRecord>,
    pub actions: Vec<AuditEntry>,
}

/// The triage queue: `status` (open by default), most severe then oldest first.
pub async fn queue(
    app: &App,
    status: Option<ReportStatus>,
    severity: Option<Severity>,
    cursor: Option<&str>,
    limit: i32,
) -> Result<ReportPage, ApiError> {
    Ok(app.store.reports_by_status(status.unwrap_or(ReportStatus::Open), severity, cursor, limit).await?)
}

/// A report and its context; opening an open report marks it triaged.
pub async fn report(app: &App, id: &ReportId, now: DateTime<Utc>) -> Result<ReportContext, ApiError> {
    let mut report = app.store.report(id, now).await?.ok_or(ApiError::NotFound)?;
    if report.status == ReportStatus::Open && app.store.mark_triaged(&report, now).await? {
        report.status = ReportStatus::Triaged;
        report.updated_at = now;
    }
    let messages = reported_messages(app, &report, now).await?;
    let earlier_reports = app
        .store
        .reports_about(&report.reported_user_id, CONTEXT_REPORTS)
        .await?
        .into_iter()
        .filter(|other| other.report_id != report.report_id)
        .collect();
    let actions = app.store.audit_entries_about(&report.reported_user_id, CONTEXT_ACTIONS).await?;
    Ok(ReportContext { report, messages, earlier_reports, actions })
}

async fn reported_messages(
    app: &App,
    report: &ReportRecord,
    now: DateTime<Utc>,
) -> Result<Vec<ReviewedMessage>, ApiError> {
    let Some(conversation_id) = &report.conversation_id else { return Ok(Vec::new()) };
    let mut messages: Vec<MessageRecord> = app
        .store
        .messages_before(conversation_id, None, CONTEXT_MESSAGES, now)
        .await?
        .into_iter()
        .filter(|m| m.author == report.reported_user_id)
        .collect();
    if let Some(named) = &report.message_id
        && !messages.iter().any(|m| &m.message_id == named)
        && let Some(message) = app.store.message(conversation_id, named, now).await?
    {
        messages.push(message);
    }
    Ok(messages.into_iter().map(ReviewedMessage::from).collect())
}

/// `admin` resolves report `id` with `action`. Repeating the action that resolved it is
/// accepted (its effects run again); a different action on a resolved report is 409.
pub async fn act(
    app: &App,
    admin: &UserId,
    id: &ReportId,
    action: AdminAction,
    note: String,
    days: Option<u32>,
    now: DateTime<Utc>,
) -> Result<ReportRecord, ApiError> {
    let mut errors = ValidationErrors::default();
    check_action(action, &note, days, &mut errors);
    errors.into_result(())?;
    let report = app.store.report(id, now).await?.ok_or(ApiError::NotFound)?;
    if report.status.is_resolved() {
        return repeat(app, report, action, now).await;
    }
    let resolution = Resolution { action, note: note.trim().to_owned(), days, by: admin.clone(), at: now };
    let change = match action {
        AdminAction::Dismiss => AccountChange::None,
        AdminAction::Warn => AccountChange::Warn(warning(&report, now)),
        AdminAction::Suspend => {
            AccountChange::SuspendMatching { until: now + Duration::days(i64::from(days.unwrap_or(1))) }
        }
        AdminAction::Ban => AccountChange::Ban,
    };
    // A report acted on (not dismissed) is confirmed: it costs the reported user trust.
    let penalty = match change {
        AccountChange::None => None,
        _ => {
            let read = app.store.trust(&report.reported_user_id, now).await?;
            Some(trust::penalty(
                TrustSource::ReportConfirmed,
                REPORT_CONFIRMED,
                report.report_id.as_str(),
                &report.reported_user_id,
                &read.components,
                now,
            ))
        }
    };
    if !app.store.resolve_report(&report, &resolution, &change, penalty.as_ref(), now).await? {
        // Someone resolved it meanwhile.
        let current = app.store.report(id, now).await?.ok_or(ApiError::NotFound)?;
        return repeat(app, current, action, now).await;
    }
    tracing::info!(report_id = %id, action = %action, subject = %report.reported_user_id, "report resolved");
    take_effect(app, &report.reported_user_id, action, now).await?;
    // What the transaction wrote: no need to read it back.
    Ok(ReportRecord { status: action.resolves_to(), updated_at: now, resolution: Some(resolution), ..report })
}

async fn repeat(
    app: &App,
    report: ReportRecord,
    action: AdminAction,
    now: DateTime<Utc>,
) -> Result<ReportRecord, ApiError> {
    match report.resolution.as_ref().map(|r| r.action) {
        Some(done) if done == action => {
            take_effect(app, &report.reported_user_id, action, now).await?;
            Ok(report)
        }
        _ => Err(ApiError::Conflict {
            code: ErrorCode::ReportResolved,
            message: format!("this report is already {}", report.status),
        }),
    }
}

/// What a warning tells the user (the admin's note stays internal).
fn warning(report: &ReportRecord, now: DateTime<Utc>) -> Notice {
    Notice {
        notice_id: ReportId::generate(),
        user_id: report.reported_user_id.clone(),
        kind: "warning".to_owned(),
        reason: report.reason,
        message: format!(
            "A report about your behaviour ({}) was upheld. Further reports may suspend or end your account.",
            report.reason.as_str().replace('_', " ")
        ),
        at: now,
    }
}

/// The effects beyond the committed change: a suspended or banned user leaves today's pool;
/// a banned one also loses every session, their conversation and their sockets.
async fn take_effect(app: &App, user_id: &UserId, action: AdminAction, now: DateTime<Utc>) -> Result<(), ApiError> {
    if !matches!(action, AdminAction::Suspend | AdminAction::Ban) {
        return Ok(());
    }
    let user = account(app, user_id, now).await?;
    crate::services::availability::leave_pool(app, &user, now).await?;
    if action == AdminAction::Ban {
        app.statuses.forget(user_id);
        let revoked = app.store.revoke_all_sessions(user_id).await?;
        let closed = close_active(app, &user, None, now).await?;
        let sockets = app.realtime.disconnect_user(user_id).await?;
        tracing::warn!(%user_id, revoked, closed, sockets, "account banned");
    }
    Ok(())
}

/// An account as an admin reviews it.
pub async fn user(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<UserReview, ApiError> {
    let user = app.store.user(id, now).await?.ok_or(ApiError::NotFound)?;
    let reports = app.store.reports_about(id, CONTEXT_REPORTS).await?;
    let actions = app.store.audit_entries_about(id, CONTEXT_ACTIONS).await?;
    Ok(UserReview { user, reports, actions })
}

/// Grants or removes premium, audited.
pub async fn set_premium(
    app: &App,
    admin: &UserId,
    id: &UserId,
    premium: bool,
    now: DateTime<Utc>,
) -> Result<UserReview, ApiError> {
    app.store.set_premium(id, premium, admin, now).await?;
    user(app, id, now).await
}
