//! Scheduled jobs, one module per Lambda function. `SCHEDULED_JOBS` names each job's
//! runner so the local stack can run the same code on schedule and on demand.

pub mod conversation_expiry;
pub mod pairing_sweep;

use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, Utc};

use crate::{ApiError, App};

/// What a job reports (logged, and returned to the local trigger).
pub type JobResult = Result<serde_json::Value, ApiError>;
/// A job runs for a moment `now`: the scheduled time in AWS, a test clock locally.
pub type JobFn = fn(App, DateTime<Utc>) -> Pin<Box<dyn Future<Output = JobResult> + Send>>;

pub struct ScheduledJob {
    /// The function's binary name (`functions/src/bin/<name>.rs`).
    pub name: &'static str,
    pub run: JobFn,
}

pub const SCHEDULED_JOBS: &[ScheduledJob] = &[
    ScheduledJob { name: "pairing-sweep", run: |app, now| Box::pin(pairing_sweep::handle(app, now)) },
    ScheduledJob { name: "conversation-expiry", run: |app, now| Box::pin(conversation_expiry::handle(app, now)) },
];

pub fn scheduled_job(name: &str) -> Option<&'static ScheduledJob> {
    SCHEDULED_JOBS.iter().find(|job| job.name == name)
}
