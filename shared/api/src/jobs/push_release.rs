//! `push-release` (every minute): pushes held by quiet hours whose window has ended are
//! marked released; the notification pipe passes that change to the worker, which pushes.
//! Idempotent: releasing is a conditional write.

use chrono::{DateTime, Utc};

use crate::jobs::{JobResult, report};
use crate::services::push::{ReleaseReport, release_due};
use crate::{ApiError, App};

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&run(&app, now).await?)
}

pub async fn run(app: &App, now: DateTime<Utc>) -> Result<ReleaseReport, ApiError> {
    release_due(app, now).await
}
