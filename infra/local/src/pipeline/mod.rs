//! The asynchronous half of `template.yaml`, locally: the table's stream → each
//! `AWS::Pipes::Pipe` (its filters) → the SQS queue in moto → the worker function the
//! template attaches to that queue, with Lambda's SQS semantics (batch size, partial batch
//! failures, redelivery after the visibility timeout, dead-letter queue after
//! `maxReceiveCount`). Started by `tandem-local up` and by the test harness.

mod filter;
mod pipes;
mod transform;
mod workers;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64};

use aws_sdk_dynamodbstreams::types::ShardIteratorType;
use aws_sdk_sqs::types::{QueueAttributeName, SendMessageBatchRequestEntry};
use serde_json::{Value, json};
use tandem_api::workers::queue_worker;
use tokio::sync::Mutex;
use tokio::task::JoinHandle;

pub use filter::Pattern;

use crate::functions::FunctionApps;
use crate::provision;
use crate::template::{QueueDecl, Template};

/// Pollers per worker locally (Lambda's `MaximumConcurrency` caps it lower when declared so).
const LOCAL_POLLERS: u32 = 2;

#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    /// Overrides every queue's visibility timeout on receive (tests use a short one so a
    /// failed record comes back in seconds rather than the deployed 3 minutes).
    pub visibility_timeout_seconds: Option<i32>,
}

/// The running pipes and pollers; dropping it stops them.
pub struct Pipeline {
    tasks: Vec<JoinHandle<()>>,
    pub status: Arc<PipelineStatus>,
}

impl Pipeline {
    /// Stops every pipe and poller (what is in flight is abandoned, as a crash would).
    pub fn stop(&self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        self.stop();
    }
}

#[derive(Debug, Default)]
pub struct PipeStatus {
    pub name: String,
    pub target: String,
    pub forwarded: AtomicU64,
    pub filtered_out: AtomicU64,
    pub send_failures: AtomicU64,
    /// The pipe's next reads of the stream that fail as a throttled or broken `GetRecords`
    /// does (a fault test's way to show where the pipe resumes).
    pub failing_reads: AtomicU32,
}

#[derive(Debug, Default)]
pub struct WorkerStatus {
    pub function: String,
    pub queue: String,
    pub batches: AtomicU64,
    pub succeeded: AtomicU64,
    pub failed: AtomicU64,
}

#[derive(Debug, Default)]
pub struct PipelineStatus {
    pub pipes: Vec<Arc<PipeStatus>>,
    pub workers: Vec<Arc<WorkerStatus>>,
}

impl PipelineStatus {
    /// What `/_local/pipeline` shows.
    pub fn to_json(&self) -> Value {
        use std::sync::atomic::Ordering::Relaxed;
        json!({
            "pipes": self.pipes.iter().map(|p| json!({
                "pipe": p.name, "queue": p.target, "forwarded": p.forwarded.load(Relaxed),
                "filteredOut": p.filtered_out.load(Relaxed), "sendFailures": p.send_failures.load(Relaxed),
            })).collect::<Vec<_>>(),
            "workers": self.workers.iter().map(|w| json!({
                "function": w.function, "queue": w.queue, "batches": w.batches.load(Relaxed),
                "succeeded": w.succeeded.load(Relaxed), "failed": w.failed.load(Relaxed),
            })).collect::<Vec<_>>(),
        })
    }
}

/// The template's queues in moto, by logical id. A restarted moto has lost them: the first
/// call that finds a queue missing creates them all again (same names, same URLs).
pub(crate) struct QueueDirectory {
    sqs: aws_sdk_sqs::Client,
    prefix: String,
    decls: Vec<QueueDecl>,
    located: Mutex<HashMap<String, (String, String)>>,
    lost: std::sync::atomic::AtomicBool,
}

/// What a failed batch send left unsent, and why.
struct SendFailure {
    error: String,
    unsent: Vec<String>,
}

impl QueueDirectory {
    async fn locate(&self, logical_id: &str) -> Result<(String, String), String> {
        use std::sync::atomic::Ordering;
        let mut located = self.located.lock().await;
        if self.lost.swap(false, Ordering::SeqCst) {
            tracing::warn!("queues missing (moto restarted?): creating them again");
            provision::create_queues(&self.sqs, &self.prefix, &self.decls).await.map_err(|e| {
                self.lost.store(true, Ordering::SeqCst);
                e.to_string()
            })?;
            located.clear();
        }
        if let Some(found) = located.get(logical_id) {
            return Ok(found.clone());
        }
        let name = format!("{}-{logical_id}", self.prefix);
        let url = self
            .sqs
            .get_queue_url()
            .queue_name(&name)
            .send()
            .await
            .map_err(|e| self.failed(logical_id, &e))?
            .queue_url()
            .map(str::to_owned)
            .ok_or_else(|| format!("no URL for {name}"))?;
        let attributes = self
            .sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await
            .map_err(|e| self.failed(logical_id, &e))?;
        let arn =
            attributes.attributes().and_then(|a| a.get(&QueueAttributeName::QueueArn)).cloned().unwrap_or_default();
        located.insert(logical_id.to_owned(), (url.clone(), arn.clone()));
        Ok((url, arn))
    }

    /// Sends `bodies` in `SendMessageBatch` calls of at most ten; on failure, says which
    /// bodies SQS has not taken (the whole chunk on a failed call, the failed entries otherwise).
    async fn send_batch(&self, logical_id: &str, bodies: &[String]) -> Result<(), SendFailure> {
        let unsent_from = |start: usize, error: String| SendFailure { error, unsent: bodies[start..].to_vec() };
        let (url, _) = self.locate(logical_id).await.map_err(|error| unsent_from(0, error))?;
        for (chunk_index, chunk) in bodies.chunks(10).enumerate() {
            let entries = chunk
                .iter()
                .enumerate()
                .map(|(i, body)| SendMessageBatchRequestEntry::builder().id(i.to_string()).message_body(body).build())
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| unsent_from(chunk_index * 10, e.to_string()))?;
            let sent = self
                .sqs
                .send_message_batch()
                .queue_url(&url)
                .set_entries(Some(entries))
                .send()
                .await
                .map_err(|e| unsent_from(chunk_index * 10, self.failed(logical_id, &e)))?;
            if let Some(first) = sent.failed().first() {
                let failed: Vec<usize> = sent.failed().iter().filter_map(|f| f.id().parse().ok()).collect();
                let mut unsent: Vec<String> = failed.iter().filter_map(|i| chunk.get(*i)).cloned().collect();
                unsent.extend_from_slice(&bodies[((chunk_index + 1) * 10).min(bodies.len())..]);
                let error = format!("{}: {}", first.code(), first.message().unwrap_or_default());
                return Err(SendFailure { error, unsent });
            }
        }
        Ok(())
    }

    /// Describes an SQS failure, noting a missing queue for the next [`locate`](Self::locate).
    fn failed<E>(&self, logical_id: &str, error: &aws_sdk_sqs::error::SdkError<E>) -> String
    where
        E: aws_sdk_sqs::error::ProvideErrorMetadata + std::error::Error + 'static,
    {
        use aws_sdk_sqs::error::ProvideErrorMetadata;
        if matches!(error.code(), Some("AWS.SimpleQueueService.NonExistentQueue" | "QueueDoesNotExist")) {
            self.lost.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        format!("{logical_id}: {}", aws_sdk_sqs::error::DisplayErrorContext(error))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    #[error(transparent)]
    Template(#[from] crate::template::TemplateError),
    #[error("the template attaches {0} to a queue, but it has no queue worker")]
    UnknownWorker(String),
    #[error("the table {0} has no stream: {1}")]
    NoStream(String, String),
    #[error("a pipe filter: {0}")]
    Filter(String),
}

/// Starts every pipe and worker of the template for `table`, whose queues are named
/// `<queue_prefix>-<LogicalId>` (as [`provision::create_queues`] made them) in `sqs`.
pub async fn start(
    functions: Arc<FunctionApps>,
    sdk_config: &aws_config::SdkConfig,
    sqs: aws_sdk_sqs::Client,
    table: &str,
    queue_prefix: &str,
    options: PipelineOptions,
) -> Result<Pipeline, PipelineError> {
    let template = Template::load()?;
    let described = aws_sdk_dynamodb::Client::new(sdk_config).describe_table().table_name(table).send().await;
    let stream_arn = described
        .map_err(|e| {
            PipelineError::NoStream(table.to_owned(), aws_sdk_dynamodb::error::DisplayErrorContext(&e).to_string())
        })?
        .table()
        .and_then(|t| t.latest_stream_arn())
        .map(str::to_owned)
        .ok_or_else(|| PipelineError::NoStream(table.to_owned(), "StreamSpecification missing".into()))?;
    let queues = Arc::new(QueueDirectory {
        sqs,
        prefix: queue_prefix.to_owned(),
        decls: template.queues(),
        located: Mutex::new(HashMap::new()),
        lost: Default::default(),
    });
    let streams = aws_sdk_dynamodbstreams::Client::new(sdk_config);
    let mut tasks = Vec::new();
    let mut status = PipelineStatus::default();
    for decl in template.pipes()? {
        let patterns =
            decl.filters.iter().map(Pattern::parse).collect::<Result<Vec<_>, _>>().map_err(PipelineError::Filter)?;
        let pipe_status = Arc::new(PipeStatus {
            name: decl.logical_id.clone(),
            target: decl.target_queue.clone(),
            ..Default::default()
        });
        status.pipes.push(pipe_status.clone());
        let pipe = pipes::Pipe {
            streams: streams.clone(),
            stream_arn: stream_arn.clone(),
            patterns,
            queue: decl.target_queue,
            starting_position: ShardIteratorType::from(decl.starting_position.as_str()),
            batch_size: decl.batch_size as i32,
            input_template: decl.input_template,
            queues: queues.clone(),
            status: pipe_status,
        };
        tasks.push(tokio::spawn(pipe.run()));
    }
    for decl in template.queue_events()? {
        let worker = queue_worker(&decl.function).ok_or_else(|| PipelineError::UnknownWorker(decl.function.clone()))?;
        let worker_status =
            Arc::new(WorkerStatus { function: decl.function.clone(), queue: decl.queue.clone(), ..Default::default() });
        status.workers.push(worker_status.clone());
        for _ in 0..decl.maximum_concurrency.clamp(1, LOCAL_POLLERS) {
            let poller = workers::Poller {
                app: functions.app(worker.name),
                worker,
                queue: decl.queue.clone(),
                batch_size: decl.batch_size as i32,
                report_batch_item_failures: decl.report_batch_item_failures,
                visibility_timeout: options.visibility_timeout_seconds,
                queues: queues.clone(),
                status: worker_status.clone(),
            };
            tasks.push(tokio::spawn(poller.run()));
        }
    }
    Ok(Pipeline { tasks, status: Arc::new(status) })
}
