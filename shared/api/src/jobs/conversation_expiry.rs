//! Conversation expiry (every minute): from the sparse due index, sends
//! `conversation.expiring` once an hour before the end, then expires the conversation,
//! sets its messages' deletion time and sends `conversation.expired`. Idempotent: each
//! step is a conditional write, so an overlapping or retried run does nothing twice.

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use tandem_domain::conversation::{EXPIRING_NOTICE, message_deletion_time};
use tandem_store::ConversationRecord;
use tandem_store::keys::CONVERSATION_DUE_SHARDS;

use crate::conversations::notify_both;
use crate::jobs::JobResult;
use crate::{ApiError, App};

const CONCURRENCY: usize = 16;

#[derive(Debug, Default, Serialize)]
pub struct ExpiryReport {
    pub due: usize,
    pub expiring_sent: usize,
    pub expired: usize,
    pub messages_scheduled_for_deletion: usize,
}

enum Step {
    Expiring,
    Expired(usize),
    Nothing,
}

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    let report = run(&app, now).await?;
    serde_json::to_value(report).map_err(|e| ApiError::Internal(e.to_string()))
}

pub async fn run(app: &App, now: DateTime<Utc>) -> Result<ExpiryReport, ApiError> {
    let mut due = Vec::new();
    for shard in 0..CONVERSATION_DUE_SHARDS {
        due.extend(app.store.due_conversations(shard, now).await?);
    }
    let mut report = ExpiryReport { due: due.len(), ..ExpiryReport::default() };
    let steps: Vec<Result<Step, ApiError>> = stream::iter(due)
        .map(|conversation| step(app, conversation, now))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut first_error = None;
    for result in steps {
        match result {
            Ok(Step::Expiring) => report.expiring_sent += 1,
            Ok(Step::Expired(messages)) => {
                report.expired += 1;
                report.messages_scheduled_for_deletion += messages;
            }
            Ok(Step::Nothing) => {}
            Err(error) => {
                tracing::error!(error = ?error, "expiring a conversation failed");
                first_error.get_or_insert(error);
            }
        }
    }
    tracing::info!(
        due = report.due,
        expiring_sent = report.expiring_sent,
        expired = report.expired,
        messages = report.messages_scheduled_for_deletion,
        "conversation expiry"
    );
    match first_error {
        Some(error) => Err(error),
        None => Ok(report),
    }
}

async fn step(app: &App, conversation: ConversationRecord, now: DateTime<Utc>) -> Result<Step, ApiError> {
    if now >= conversation.expires_at {
        if !app.store.expire_conversation(&conversation, now).await? {
            return Ok(Step::Nothing);
        }
        let messages =
            app.store.set_message_deletion(&conversation.conversation_id, message_deletion_time(now)).await?;
        let mut ended = conversation;
        ended.state = tandem_domain::conversation::ConversationState::Expired;
        ended.ended_at = Some(now);
        notify_both(app, &ended, "conversation.expired").await?;
        return Ok(Step::Expired(messages));
    }
    if !conversation.expiring_sent && now >= conversation.expires_at - EXPIRING_NOTICE {
        if !app.store.mark_expiring_sent(&conversation).await? {
            return Ok(Step::Nothing);
        }
        notify_both(app, &conversation, "conversation.expiring").await?;
        return Ok(Step::Expiring);
    }
    Ok(Step::Nothing)
}
