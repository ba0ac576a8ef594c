//! `pairing-sweep` (every minute): pairs today's pool (`services::matchmaking`).

use chrono::{DateTime, Utc};

use crate::App;
use crate::jobs::{JobResult, report};
use crate::services::matchmaking::sweep;

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&sweep(&app, now).await?)
}
