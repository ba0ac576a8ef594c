//! Lambda's SQS event source, locally: pollers receive up to the batch size from a queue in
//! moto, call the worker with a real `SqsEvent`, delete what succeeded and leave the
//! reported failures to reappear after the visibility timeout. moto itself moves a message
//! that was received `maxReceiveCount` times to the dead-letter queue.

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use aws_lambda_events::sqs::{SqsEvent, SqsMessage};
use aws_sdk_sqs::types::{DeleteMessageBatchRequestEntry, MessageSystemAttributeName};
use tandem_api::App;
use tandem_api::workers::QueueWorker;

use super::{QueueDirectory, WorkerStatus};

pub(super) struct Poller {
    pub app: App,
    pub worker: &'static QueueWorker,
    pub queue: String,
    pub batch_size: i32,
    pub report_batch_item_failures: bool,
    pub visibility_timeout: Option<i32>,
    pub queues: Arc<QueueDirectory>,
    pub status: Arc<WorkerStatus>,
}

impl Poller {
    pub async fn run(self) {
        loop {
            if let Err(error) = self.poll_once().await {
                tracing::warn!(worker = self.worker.name, queue = %self.queue, %error, "polling failed; retrying");
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    }

    async fn poll_once(&self) -> Result<(), String> {
        let (url, arn) = self.queues.locate(&self.queue).await?;
        let received = self
            .queues
            .sqs
            .receive_message()
            .queue_url(&url)
            .max_number_of_messages(self.batch_size)
            .wait_time_seconds(1)
            .set_visibility_timeout(self.visibility_timeout)
            .message_system_attribute_names(MessageSystemAttributeName::All)
            .send()
            .await
            .map_err(|e| self.queues.failed(&self.queue, &e))?;
        let messages = received.messages();
        if messages.is_empty() {
            return Ok(());
        }
        let mut event = SqsEvent::default();
        event.records = messages.iter().map(|m| sqs_record(m, &arn)).collect();
        let request_id = uuid::Uuid::new_v4().to_string();
        // The worker runs in its own task: a panic fails the batch (as a crashed Lambda
        // would), it does not stop the poller.
        let (app, worker) = (self.app.clone(), self.worker);
        let outcome = tokio::spawn(async move { worker.run_traced(app, event, &request_id).await })
            .await
            .map_err(|e| e.to_string());
        let failed: HashSet<String> = match &outcome {
            Ok(response) if self.report_batch_item_failures => {
                response.batch_item_failures.iter().map(|f| f.item_identifier.clone()).collect()
            }
            // Without partial-batch reporting any failure retries the whole batch.
            Ok(response) if response.batch_item_failures.is_empty() => HashSet::new(),
            _ => messages.iter().filter_map(|m| m.message_id().map(str::to_owned)).collect(),
        };
        self.status.batches.fetch_add(1, Ordering::Relaxed);
        self.status.failed.fetch_add(failed.len() as u64, Ordering::Relaxed);
        let done: Vec<DeleteMessageBatchRequestEntry> = messages
            .iter()
            .filter(|m| m.message_id().is_some_and(|id| !failed.contains(id)))
            .enumerate()
            .filter_map(|(i, m)| {
                DeleteMessageBatchRequestEntry::builder()
                    .id(i.to_string())
                    .receipt_handle(m.receipt_handle()?)
                    .build()
                    .ok()
            })
            .collect();
        self.status.succeeded.fetch_add(done.len() as u64, Ordering::Relaxed);
        if !done.is_empty() {
            self.queues
                .sqs
                .delete_message_batch()
                .queue_url(&url)
                .set_entries(Some(done))
                .send()
                .await
                .map_err(|e| self.queues.failed(&self.queue, &e))?;
        }
        Ok(())
    }
}

/// The record Lambda's SQS event source would pass for `message`.
fn sqs_record(message: &aws_sdk_sqs::types::Message, queue_arn: &str) -> SqsMessage {
    let mut record = SqsMessage::default();
    record.message_id = message.message_id().map(str::to_owned);
    record.receipt_handle = message.receipt_handle().map(str::to_owned);
    record.body = message.body().map(str::to_owned);
    record.md5_of_body = message.md5_of_body().map(str::to_owned);
    record.attributes = message
        .attributes()
        .map(|attributes| attributes.iter().map(|(k, v)| (k.as_str().to_owned(), v.clone())).collect())
        .unwrap_or_default();
    record.event_source = Some("aws:sqs".to_owned());
    record.event_source_arn = Some(queue_arn.to_owned());
    record.aws_region = queue_arn.split(':').nth(3).map(str::to_owned);
    record
}
