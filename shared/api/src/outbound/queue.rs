//! SQS queues where the backend leaves work for the queue workers (push, moderation).

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use serde::Serialize;

use crate::ApiError;

/// SQS takes at most ten messages per batch.
const BATCH: usize = 10;

#[derive(Clone, Debug)]
pub struct SqsQueue {
    client: aws_sdk_sqs::Client,
    url: Option<String>,
    /// The configuration variable naming the queue, for the error when it is missing.
    variable: &'static str,
}

impl SqsQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: Option<String>, variable: &'static str) -> Self {
        Self { client, url, variable }
    }

    /// Sends every message as JSON; fails if any was not accepted.
    pub async fn send<T: Serialize>(&self, messages: &[T]) -> Result<(), ApiError> {
        if messages.is_empty() {
            return Ok(());
        }
        let url = self.url.as_deref().ok_or(ApiError::NotConfigured(self.variable))?;
        for chunk in messages.chunks(BATCH) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, message) in chunk.iter().enumerate() {
                let body = serde_json::to_string(message).map_err(|e| ApiError::Internal(e.to_string()))?;
                let entry = SendMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .message_body(body)
                    .build()
                    .map_err(|e| ApiError::Internal(e.to_string()))?;
                entries.push(entry);
            }
            let output =
                self.client.send_message_batch().queue_url(url).set_entries(Some(entries)).send().await.map_err(
                    |e| {
                        ApiError::Internal(format!(
                            "SQS SendMessageBatch: {}",
                            aws_sdk_sqs::error::DisplayErrorContext(&e)
                        ))
                    },
                )?;
            if !output.failed().is_empty() {
                return Err(ApiError::Internal(format!("SQS refused {} message(s)", output.failed().len())));
            }
        }
        Ok(())
    }
}
