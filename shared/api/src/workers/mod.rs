//! Queue workers, one module per Lambda function: each SQS message is one change of the
//! table (a DynamoDB stream record an EventBridge pipe forwarded). A worker reads the change
//! and calls a service; a record that fails is reported in `batchItemFailures`, so only it
//! is redelivered (and reaches the dead-letter queue after the queue's `maxReceiveCount`).
//! `QUEUE_WORKERS` names each worker's runner so the local stack runs the same code.

pub mod moderation;
pub mod notifications;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent, SqsMessage};
use futures::stream::{self, StreamExt};
use tandem_store::stream::{Change, parse_change};
use tracing::Instrument;

use crate::deploy::{Deploy, Grant, Trigger};
use crate::{ApiError, App};

/// A worker's batch runner: takes the batch, answers which records failed.
pub type WorkerFn = fn(App, SqsEvent) -> Pin<Box<dyn Future<Output = SqsBatchResponse> + Send>>;

pub struct QueueWorker {
    /// The function's binary name (`functions/src/bin/<name>.rs`).
    pub name: &'static str,
    /// The worker's module under the crate root (`workers::moderation`).
    pub module: &'static str,
    pub run: WorkerFn,
    /// Its queue, grants and settings: the source of its part of `template.yaml`.
    pub deploy: Deploy,
}

/// One worker from its name, its module and its deployment.
macro_rules! queue_worker {
    ($name:literal, $module:ident, $deploy:expr) => {
        QueueWorker {
            name: $name,
            module: concat!("workers::", stringify!($module)),
            run: |app, event| Box::pin($module::handle(app, event)),
            deploy: $deploy,
        }
    };
}

pub const QUEUE_WORKERS: &[QueueWorker] = &[
    queue_worker!(
        "moderation-worker",
        moderation,
        Deploy {
            grants: &[
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            timeout_seconds: Some(30),
            ..Deploy::new(
                "Scans stored messages; hides and reports what the rules flag.",
                Trigger::Queue { queue: "ModerationQueue", batch_size: 10, max_concurrency: 5 }
            )
        }
    ),
    queue_worker!(
        "notification-worker",
        notifications,
        Deploy {
            grants: &[
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:PutItem",
                    "dynamodb:UpdateItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:Query",
                ]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
                Grant::PushApplications(&["sns:CreatePlatformEndpoint"]),
                Grant::PushEndpoints(&["sns:SetEndpointAttributes", "sns:Publish"]),
            ],
            timeout_seconds: Some(30),
            environment: &[
                ("PUSH_IOS_APPLICATION_ARN", "PushIosApplicationArn"),
                ("PUSH_ANDROID_APPLICATION_ARN", "PushAndroidApplicationArn"),
                ("PUSH_MESSAGE_COALESCE_MINUTES", "PushMessageCoalesceMinutes"),
                ("REWARD_RULES", "RewardRules"),
            ],
            ..Deploy::new(
                "Tells users what committed writes mean for them (server events and pushes).",
                Trigger::Queue { queue: "NotificationQueue", batch_size: 10, max_concurrency: 10 }
            )
        }
    ),
];

impl QueueWorker {
    /// Runs this worker on one batch as the Lambda runtime would ([`run_traced`]): the local
    /// stack's queue poller.
    pub async fn run_traced(&self, app: App, event: SqsEvent, request_id: &str) -> SqsBatchResponse {
        run_traced(self.name, request_id, app, event, self.run).await
    }
}

pub fn queue_worker(name: &str) -> Option<&'static QueueWorker> {
    QUEUE_WORKERS.iter().find(|worker| worker.name == name)
}

/// Records of one batch processed at once (each is a few table reads and writes).
const RECORD_CONCURRENCY: usize = 10;

/// Runs the worker `function` on one batch inside a `batch` span, logging its outcome once:
/// the one way workers run, in AWS and locally.
pub async fn run_traced<F, Fut>(
    function: &'static str,
    request_id: &str,
    app: App,
    event: SqsEvent,
    run: F,
) -> SqsBatchResponse
where
    F: FnOnce(App, SqsEvent) -> Fut,
    Fut: Future<Output = SqsBatchResponse>,
{
    let span = tracing::info_span!(
        "batch",
        %request_id,
        function,
        cold_start = crate::telemetry::cold_start(),
        records = event.records.len()
    );
    async move {
        let started = Instant::now();
        let records = event.records.len();
        // Boxed: worker futures are deep, and the runtime's service layers nest them further.
        let response = Box::pin(run(app, event)).await;
        let failed = response.batch_item_failures.len();
        let duration_ms = started.elapsed().as_millis() as u64;
        if failed > 0 {
            tracing::warn!(records, failed, duration_ms, "batch finished with failures (redelivered)");
        } else {
            tracing::info!(records, duration_ms, "batch finished");
        }
        response
    }
    .instrument(span)
    .await
}

/// Applies `process` to the change each record carries, at most [`RECORD_CONCURRENCY`] at
/// once; failed and unreadable records are reported for redelivery.
pub(crate) async fn each_change<F, Fut>(event: SqsEvent, process: F) -> SqsBatchResponse
where
    F: Fn(Change) -> Fut,
    Fut: Future<Output = Result<(), ApiError>>,
{
    let process = &process;
    let failures: Vec<String> = stream::iter(event.records)
        .map(|record| async move {
            let id = record.message_id.clone().unwrap_or_default();
            let span = tracing::info_span!("record", message_id = %id, receive_count = receive_count(&record));
            let outcome = async {
                let change = parse_change(record.body.as_deref().unwrap_or_default())?;
                process(change).await
            }
            .instrument(span.clone())
            .await;
            match outcome {
                Ok(()) => None,
                Err(error) => {
                    span.in_scope(|| tracing::error!(error = ?error, code = error.code().as_str(), "record failed"));
                    Some(id)
                }
            }
        })
        .buffer_unordered(RECORD_CONCURRENCY)
        .filter_map(|failed| async move { failed })
        .collect()
        .await;
    let mut response = SqsBatchResponse::default();
    response.set_failures(failures);
    response
}

fn receive_count(record: &SqsMessage) -> u32 {
    record.attributes.get("ApproximateReceiveCount").and_then(|n| n.parse().ok()).unwrap_or(1)
}

/// A change a worker's pipe should not have let through: logged, not retried.
pub(crate) fn ignored(worker: &str, change: &Change) {
    tracing::warn!(worker, change = ?change, "change outside this worker's filter ignored");
}
