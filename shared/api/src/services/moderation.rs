//! The moderation scan of a stored message: the classifier judges it; a hidden message is
//! hidden for both participants and reported, a clean one is marked scanned. Conditional on
//! the message not yet judged, so a redelivered scan changes nothing twice.

use chrono::{DateTime, Utc};
use tandem_domain::conversation::{ModerationState, peer_of};
use tandem_domain::moderation::{MessageContext, Verdict, verdict};
use tandem_domain::reports::{ReportSource, ReportStatus, automatic_report};
use tandem_domain::{ConversationId, MessageId, ReportId};
use tandem_store::{ConversationRecord, MessageRecord, ReportRecord};

use crate::outbound::realtime::ServerEvent;
use crate::services::events::Event;
use crate::{ApiError, App};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScanOutcome {
    Scanned,
    Hidden(ReportId),
    /// Judged by an earlier delivery of the same request.
    AlreadyJudged,
    /// The message or its conversation is gone (retention): nothing to judge.
    Gone,
}

/// A scan's verdict, and the conversation as it read it (for what follows a stored message).
pub struct Scan {
    pub outcome: ScanOutcome,
    pub conversation: Option<ConversationRecord>,
}

/// Scans a stored message, as it is now, for `now`.
pub async fn scan(
    app: &App,
    conversation_id: &ConversationId,
    message_id: &MessageId,
    now: DateTime<Utc>,
) -> Result<Scan, ApiError> {
    // One query reads the message and the ones before it the repetition rule looks back over.
    let lookback = app.config.moderation_rules.spam_lookback as i32;
    let (recent, conversation) = tokio::try_join!(
        app.store.messages_through(conversation_id, message_id, lookback, now),
        app.store.conversation(conversation_id, now),
    )?;
    let outcome = match &conversation {
        Some(conversation) => judge(app, conversation, message_id, recent, now).await?,
        None => ScanOutcome::Gone,
    };
    Ok(Scan { outcome, conversation })
}

/// The verdict on `message_id`, read with the messages before it.
async fn judge(
    app: &App,
    conversation: &ConversationRecord,
    message_id: &MessageId,
    recent: Vec<MessageRecord>,
    now: DateTime<Utc>,
) -> Result<ScanOutcome, ApiError> {
    let conversation_id = &conversation.conversation_id;
    let mut recent = recent.into_iter();
    let Some(message) = recent.next().filter(|m| &m.message_id == message_id) else {
        return Ok(ScanOutcome::Gone);
    };
    if message.moderation != ModerationState::Visible {
        if message.moderation == ModerationState::Hidden {
            // An earlier delivery may have hidden it and stopped before telling anyone.
            announce_hidden(app, conversation, &message).await;
        }
        return Ok(ScanOutcome::AlreadyJudged);
    }
    let mut earlier: Vec<String> = recent.filter(|m| m.author == message.author).map(|m| m.text).collect();
    earlier.reverse();
    let context = MessageContext {
        text: &message.text,
        sent_at: message.sent_at,
        conversation_started_at: conversation.started_at,
        earlier_by_author: &earlier,
    };
    let findings = app.classifier.classify(&context);
    // The lag users feel: from the send to the verdict.
    let lag = (now - message.sent_at).num_milliseconds().max(0) as f64;
    crate::telemetry::emit(
        &[],
        &[(crate::telemetry::names::MODERATION_LAG, crate::telemetry::Unit::Milliseconds, lag)],
    );
    match verdict(findings, app.config.moderation_rules.hide_at) {
        Verdict::Visible => {
            // Whether the recipient is offline is noted with the verdict: only then does the
            // clean scan travel on to the notification worker (a push), so a message read live
            // costs the pipeline nothing more.
            let recipient_offline = match peer_of(&conversation.participants, &message.author) {
                Some(peer) => app.realtime.connections_of(peer).await?.is_empty(),
                None => false,
            };
            let applied = app.store.mark_scanned(conversation_id, message_id, recipient_offline).await?;
            Ok(if applied { ScanOutcome::Scanned } else { ScanOutcome::AlreadyJudged })
        }
        Verdict::Hide(findings) => {
            let (reason, severity) = automatic_report(&findings);
            let labels: Vec<String> = findings.iter().map(|f| f.label.clone()).collect();
            let report = ReportRecord {
                report_id: ReportId::generate(),
                source: ReportSource::Moderation,
                reporter: None,
                reported_user_id: message.author.clone(),
                conversation_id: Some(conversation_id.clone()),
                message_id: Some(message_id.clone()),
                reason,
                details: format!("hidden by the moderation scan: {}", labels.join(", ")),
                severity,
                status: ReportStatus::Open,
                findings,
                created_at: now,
                updated_at: now,
                resolution: None,
            };
            if !app.store.hide_message(conversation_id, message_id, &report).await? {
                return Ok(ScanOutcome::AlreadyJudged);
            }
            tracing::info!(%message_id, report_id = %report.report_id, labels = ?labels, "message hidden");
            announce_hidden(app, conversation, &message).await;
            Ok(ScanOutcome::Hidden(report.report_id))
        }
    }
}

/// `message.hidden` to both participants. The hide is committed: a failed delivery is
/// logged, not retried (clients also see it hidden in history).
async fn announce_hidden(app: &App, conversation: &ConversationRecord, message: &MessageRecord) {
    let event = ServerEvent::from(Event::MessageHidden {
        conversation_id: &message.conversation_id,
        message_id: &message.message_id,
    });
    let deliveries = conversation.participants.iter().map(|user| app.realtime.to_user(user, &event));
    for (user, result) in conversation.participants.iter().zip(futures::future::join_all(deliveries).await) {
        if let Err(error) = result {
            tracing::warn!(user_id = %user, error = ?error, "message.hidden not delivered");
        }
    }
}
