//! The push queue (SQS): where jobs leave notification requests for the push worker.

use aws_sdk_sqs::types::SendMessageBatchRequestEntry;
use tandem_domain::notifications::PushRequest;

use crate::ApiError;

/// SQS takes at most ten messages per batch.
const BATCH: usize = 10;

#[derive(Clone, Debug)]
pub struct PushQueue {
    client: aws_sdk_sqs::Client,
    url: Option<String>,
}

impl PushQueue {
    pub fn new(client: aws_sdk_sqs::Client, url: Option<String>) -> Self {
        Self { client, url }
    }

    /// Sends every request; fails if any message was not accepted.
    pub async fn send(&self, requests: &[PushRequest]) -> Result<(), ApiError> {
        if requests.is_empty() {
            return Ok(());
        }
        let url = self.url.as_deref().ok_or(ApiError::NotConfigured("PUSH_QUEUE_URL"))?;
        for chunk in requests.chunks(BATCH) {
            let mut entries = Vec::with_capacity(chunk.len());
            for (i, request) in chunk.iter().enumerate() {
                let body = serde_json::to_string(request).map_err(|e| ApiError::Internal(e.to_string()))?;
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
                return Err(ApiError::Internal(format!("SQS refused {} push request(s)", output.failed().len())));
            }
        }
        Ok(())
    }
}
