//! `push-release` (every minute): pushes held by quiet hours whose window has ended are
//! marked released; the notification pipe passes that change to the worker, which pushes.
//! Idempotent: releasing is a conditional write.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::jobs::{JobResult, report};
use crate::{ApiError, App};

#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseReport {
    pub due: usize,
    pub released: usize,
}

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&run(&app, now).await?)
}

pub async fn run(app: &App, now: DateTime<Utc>) -> Result<ReleaseReport, ApiError> {
    let mut report = ReleaseReport::default();
    for shard in 0..tandem_store::keys::PUSH_DUE_SHARDS {
        for deferred in app.store.due_pushes(shard, now).await? {
            report.due += 1;
            if app.store.release_push(&deferred.user_id, &deferred.push.notification_id).await? {
                report.released += 1;
            }
        }
    }
    Ok(report)
}
