//! `conversation-expiry` (every minute): from the sparse due index, sends
//! `conversation.expiring` once an hour before the end, then expires the conversation
//! (`services::conversations::expiry_step`). Idempotent: each step is a conditional write.

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;

use crate::jobs::{JobResult, report};
use crate::services::conversations::{ExpiryStep, due_conversations, expiry_step};
use crate::{ApiError, App};

const CONCURRENCY: usize = 16;

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ExpiryReport {
    pub due: usize,
    pub expiring_sent: usize,
    pub expired: usize,
}

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&run(&app, now).await?)
}

pub async fn run(app: &App, now: DateTime<Utc>) -> Result<ExpiryReport, ApiError> {
    let due = due_conversations(app, now).await?;
    let mut report = ExpiryReport { due: due.len(), ..ExpiryReport::default() };
    let steps: Vec<Result<ExpiryStep, ApiError>> = stream::iter(due)
        .map(|conversation| expiry_step(app, conversation, now))
        .buffer_unordered(CONCURRENCY)
        .collect()
        .await;
    let mut first_error = None;
    for result in steps {
        match result {
            Ok(ExpiryStep::ExpiringSent) => report.expiring_sent += 1,
            Ok(ExpiryStep::Expired) => report.expired += 1,
            Ok(ExpiryStep::Nothing) => {}
            Err(error) => {
                tracing::error!(error = ?error, "expiring a conversation failed");
                first_error.get_or_insert(error);
            }
        }
    }
    match first_error {
        // Steps done are kept; the failed ones are still due and the next run retries them.
        Some(error) => Err(error),
        None => Ok(report),
    }
}
