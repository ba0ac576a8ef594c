//! `retention-purge` (hourly): deletes what has passed its retention deadline (ended
//! conversations' messages and everything in their partition, availability records,
//! connections, analytics events) and erases accounts whose deletion grace period is
//! over. DynamoDB TTL would delete most of it eventually, up to ~48 h late; reads hide it
//! from the deadline on, and this run makes it physically gone within the hour.

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::App;
use crate::jobs::{JobResult, report};
use crate::services::retention::purge_due;

/// Stops in time for the function's 15-minute timeout; the next run continues.
const TIME_BUDGET: Duration = Duration::from_secs(12 * 60);

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&purge_due(&app, now, TIME_BUDGET).await?)
}
