//! Scheduled jobs, one module per Lambda function: a job reads its input (the scheduled
//! time), calls services and reports what it did. `SCHEDULED_JOBS` names each job's runner
//! so the local stack runs the same code on schedule and on demand.

pub mod conversation_expiry;
pub mod ghost_reminders;
pub mod pairing_sweep;
pub mod push_release;
pub mod retention_purge;
pub mod streaks_rewards;

use std::future::Future;
use std::pin::Pin;
use std::time::Instant;

use chrono::{DateTime, Utc};
use tracing::Instrument;

use crate::deploy::{Deploy, Grant, Trigger};
use crate::{ApiError, App};

/// What a job reports (logged once by [`run_logged`], and returned to the local trigger).
pub type JobResult = Result<serde_json::Value, ApiError>;
/// A job runs for a moment `now`: the scheduled time in AWS, a test clock locally.
pub type JobFn = fn(App, DateTime<Utc>) -> Pin<Box<dyn Future<Output = JobResult> + Send>>;

pub struct ScheduledJob {
    /// The function's binary name (`functions/src/bin/<name>.rs`).
    pub name: &'static str,
    /// The job's module under the crate root (`jobs::pairing_sweep`).
    pub module: &'static str,
    pub run: JobFn,
    /// Its schedule, grants and settings: the source of its part of `template.yaml`.
    pub deploy: Deploy,
}

/// One job from its name, its module and its deployment.
macro_rules! scheduled_job {
    ($name:literal, $module:ident, $deploy:expr) => {
        ScheduledJob {
            name: $name,
            module: concat!("jobs::", stringify!($module)),
            run: |app, now| Box::pin($module::handle(app, now)),
            deploy: $deploy,
        }
    };
}

pub const SCHEDULED_JOBS: &[ScheduledJob] = &[
    scheduled_job!(
        "pairing-sweep",
        pairing_sweep,
        Deploy {
            grants: &[
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::Table(&["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
            ],
            memory_mb: Some(2048),
            timeout_seconds: Some(50),
            ..Deploy::new(
                "Pairs today's pool every minute (match + conversation per pair).",
                Trigger::Schedule { event: "EveryMinute", rate: "rate(1 minute)" }
            )
        }
    ),
    scheduled_job!(
        "conversation-expiry",
        conversation_expiry,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["POST"]),
            ],
            timeout_seconds: Some(50),
            ..Deploy::new(
                "Sends conversation.expiring and expires due conversations (what follows an end comes from the stream).",
                Trigger::Schedule { event: "EveryMinute", rate: "rate(1 minute)" }
            )
        }
    ),
    scheduled_job!(
        "push-release",
        push_release,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:UpdateItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            timeout_seconds: Some(50),
            ..Deploy::new(
                "Releases pushes held by quiet hours once the window has ended (every minute).",
                Trigger::Schedule { event: "EveryMinute", rate: "rate(1 minute)" }
            )
        }
    ),
    scheduled_job!(
        "ghost-reminders",
        ghost_reminders,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:PutItem", "dynamodb:UpdateItem"]),
                Grant::Indexes(&["gsi2"], &["dynamodb:Query"]),
            ],
            timeout_seconds: Some(300),
            ..Deploy::new(
                "Reminds, once per conversation, a participant silent for 6 hours while the other wrote (every 15 minutes).",
                Trigger::Schedule { event: "Every15Minutes", rate: "rate(15 minutes)" }
            )
        }
    ),
    scheduled_job!(
        "streaks-rewards",
        streaks_rewards,
        Deploy {
            grants: &[
                Grant::Table(&["dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"]),
                Grant::Indexes(&["gsi1"], &["dynamodb:Query"]),
            ],
            timeout_seconds: Some(900),
            environment: &[("REWARD_RULES", "RewardRules")],
            ..Deploy::new(
                "Applies the local days that have just ended, per time zone (hourly): streaks, streak points, badges.",
                Trigger::Schedule { event: "Hourly", rate: "rate(1 hour)" }
            )
        }
    ),
    scheduled_job!(
        "retention-purge",
        retention_purge,
        Deploy {
            grants: &[
                Grant::Table(&[
                    "dynamodb:GetItem",
                    "dynamodb:BatchGetItem",
                    "dynamodb:Query",
                    "dynamodb:PutItem",
                    "dynamodb:DeleteItem",
                    "dynamodb:BatchWriteItem",
                ]),
                Grant::Indexes(&["gsi1", "gsi2"], &["dynamodb:Query"]),
                Grant::ManageConnections(&["DELETE"]),
            ],
            timeout_seconds: Some(900),
            ..Deploy::new(
                "Deletes what has passed its retention deadline (TTL may lag ~48 h) and erases accounts whose deletion grace period is over (hourly).",
                Trigger::Schedule { event: "Hourly", rate: "rate(1 hour)" }
            )
        }
    ),
];

impl ScheduledJob {
    /// Runs this job as the Lambda runtime would ([`run_traced`]): the local stack's
    /// scheduler and trigger.
    pub async fn run_traced(&self, app: App, now: DateTime<Utc>, request_id: &str) -> JobResult {
        run_traced(self.name, request_id, app, now, self.run).await
    }
}

/// Runs the job `function` for `now` inside a `job` span (request id, function, scheduled
/// time), its outcome logged once: the one way jobs run, in AWS and locally.
pub async fn run_traced<F, Fut>(
    function: &'static str,
    request_id: &str,
    app: App,
    now: DateTime<Utc>,
    job: F,
) -> JobResult
where
    F: FnOnce(App, DateTime<Utc>) -> Fut,
    Fut: Future<Output = JobResult>,
{
    let span = tracing::info_span!(
        "job",
        %request_id,
        function,
        cold_start = crate::telemetry::cold_start(),
        scheduled_for = %now
    );
    run_logged(function, app, now, job).instrument(span).await
}

pub fn scheduled_job(name: &str) -> Option<&'static ScheduledJob> {
    SCHEDULED_JOBS.iter().find(|job| job.name == name)
}

/// Runs `job` for `now` and logs its report (or its error) once, with the duration, and
/// publishes the duration and failure metrics: the one place job outcomes are recorded.
async fn run_logged<F, Fut>(function: &str, app: App, now: DateTime<Utc>, job: F) -> JobResult
where
    F: FnOnce(App, DateTime<Utc>) -> Fut,
    Fut: Future<Output = JobResult>,
{
    let started = Instant::now();
    // Boxed: job futures are deep, and the runtime's service layers nest them further.
    let result = Box::pin(job(app, now)).await;
    let duration_ms = started.elapsed().as_millis() as u64;
    match &result {
        Ok(report) => tracing::info!(duration_ms, %report, "job finished"),
        Err(error) => tracing::error!(duration_ms, error = ?error, code = error.code().as_str(), "job failed"),
    }
    use crate::telemetry::{Unit, emit, names};
    emit(
        &[("job", function)],
        &[
            (names::JOB_DURATION, Unit::Milliseconds, duration_ms as f64),
            (names::JOB_FAILED, Unit::Count, if result.is_err() { 1.0 } else { 0.0 }),
        ],
    );
    result
}

/// A job's typed report as the JSON it returns.
pub(crate) fn report<T: serde::Serialize>(report: &T) -> JobResult {
    serde_json::to_value(report).map_err(|e| ApiError::Internal(e.to_string()))
}
