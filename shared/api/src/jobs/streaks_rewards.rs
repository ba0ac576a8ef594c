//! `streaks-rewards` (hourly): applies the local days that have just ended, in
//! whatever time zone: each queued day is filed under the hour it ends by (UTC+13 and
//! UTC−10 alike), so a run reads exactly those (plus two hours back, to catch up a failed
//! run). Each day is applied once: streak, streak points and streak badges.

use chrono::{DateTime, Utc};

use crate::App;
use crate::jobs::{JobResult, report};
use crate::services::rewards::apply_ended_days;

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&apply_ended_days(&app, now).await?)
}
