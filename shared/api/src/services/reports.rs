//! Reports by users: filed only about someone the reporter shared a conversation with,
//! once per (reported user, conversation); the reporter follows their status.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::moderation::Severity;
use tandem_domain::reports::{ReportReason, ReportSource, ReportStatus, clean_details};
use tandem_domain::{ConversationId, FieldError, MessageId, ReportId, UserId, ValidationErrors};
use tandem_store::{FileOutcome, ReportRecord};

use crate::{ApiError, App};

/// What a user asks to report.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub reported_user_id: UserId,
    pub conversation_id: Option<ConversationId>,
    pub message_id: Option<MessageId>,
    pub reason: ReportReason,
    pub details: String,
}

/// What the reporter sees of their report: what they said and where it stands, never the
/// reported user's data or the admins' notes.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReportView {
    pub report_id: ReportId,
    pub reported_user_id: UserId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<MessageId>,
    pub reason: ReportReason,
    pub details: String,
    pub status: ReportStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ReportRecord> for ReportView {
    fn from(report: ReportRecord) -> Self {
        Self {
            report_id: report.report_id,
            reported_user_id: report.reported_user_id,
            conversation_id: report.conversation_id,
            message_id: report.message_id,
            reason: report.reason,
            details: report.details,
            status: report.status,
            created_at: report.created_at,
            updated_at: report.updated_at,
        }
    }
}

/// Files `reporter`'s report; `(view, true)` when filed now, `(first, false)` when the
/// same user was already reported for the same conversation. Someone the reporter never
/// shared a conversation with is 404, like a user that does not exist.
pub async fn file(
    app: &App,
    reporter: &UserId,
    new: NewReport,
    now: DateTime<Utc>,
) -> Result<(ReportView, bool), ApiError> {
    let mut errors = ValidationErrors::default();
    if &new.reported_user_id == reporter {
        errors.push("reportedUserId", "you cannot report yourself");
    }
    if new.message_id.is_some() && new.conversation_id.is_none() {
        errors.push("conversationId", "required when a messageId is given");
    }
    let details = clean_details(&new.details, &mut errors);
    errors.into_result(())?;
    check_shared_conversation(app, reporter, &new, now).await?;
    crate::services::limits::count(app, reporter, "report", app.config.report_limit, now).await?;
    let report = ReportRecord {
        report_id: ReportId::generate(),
        source: ReportSource::User,
        reporter: Some(reporter.clone()),
        reported_user_id: new.reported_user_id,
        conversation_id: new.conversation_id,
        message_id: new.message_id,
        reason: new.reason,
        details,
        severity: new.reason.severity(),
        status: ReportStatus::Open,
        findings: Vec::new(),
        created_at: now,
        updated_at: now,
        resolution: None,
    };
    match app.store.file_report(&report, now).await? {
        FileOutcome::Filed(report) => {
            tracing::info!(report_id = %report.report_id, reason = %report.reason, "report filed");
            crate::telemetry::count(crate::telemetry::names::REPORTS_FILED, 1);
            Ok((report.into(), true))
        }
        FileOutcome::Existing(first) => Ok((first.into(), false)),
    }
}

/// The reporter and the reported user were the two participants of the named conversation
/// (and the named message is the reported user's), or recent partners when none is named.
async fn check_shared_conversation(
    app: &App,
    reporter: &UserId,
    new: &NewReport,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(conversation_id) = &new.conversation_id else {
        let exclusions = app.store.exclusions(reporter, now).await?;
        return match exclusions.recent_partners.contains(&new.reported_user_id) {
            true => Ok(()),
            false => Err(ApiError::NotFound),
        };
    };
    let conversation = app.store.conversation(conversation_id, now).await?.ok_or(ApiError::NotFound)?;
    if !(conversation.is_participant(reporter) && conversation.is_participant(&new.reported_user_id)) {
        return Err(ApiError::NotFound);
    }
    if let Some(message_id) = &new.message_id {
        let message = app.store.message(conversation_id, message_id, now).await?;
        if message.is_none_or(|m| m.author != new.reported_user_id) {
            return Err(FieldError::new("messageId", "no message of the reported user in this conversation").into());
        }
    }
    Ok(())
}

/// The caller's reports, newest first, before `before` when given.
pub async fn mine(
    app: &App,
    reporter: &UserId,
    before: Option<&ReportId>,
    limit: i32,
) -> Result<Vec<ReportView>, ApiError> {
    Ok(app.store.reports_filed_by(reporter, before, limit).await?.into_iter().map(ReportView::from).collect())
}

/// One of the caller's reports; anyone else's is 404.
pub async fn one(app: &App, reporter: &UserId, id: &ReportId, now: DateTime<Utc>) -> Result<ReportView, ApiError> {
    let report = app.store.report(id, now).await?.ok_or(ApiError::NotFound)?;
    match report.reporter.as_ref() == Some(reporter) {
        true => Ok(report.into()),
        false => Err(ApiError::NotFound),
    }
}

/// The report a panic exit files: high severity, about the other participant.
pub fn panic_report(by: &UserId, other: &UserId, conversation_id: &ConversationId, now: DateTime<Utc>) -> ReportRecord {
    ReportRecord {
        report_id: ReportId::generate(),
        source: ReportSource::PanicExit,
        reporter: Some(by.clone()),
        reported_user_id: other.clone(),
        conversation_id: Some(conversation_id.clone()),
        message_id: None,
        reason: ReportReason::Other,
        details: "panic exit".to_owned(),
        severity: Severity::High,
        status: ReportStatus::Open,
        findings: Vec::new(),
        created_at: now,
        updated_at: now,
        resolution: None,
    }
}
