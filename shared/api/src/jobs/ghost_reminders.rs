//! `ghost-reminders` (every 15 minutes): participants who have waited 6 hours for an
//! answer, found through the reminder index (GSI2, no scan), are reminded once per
//! conversation. The reminder item's insert reaches the notification worker (event and
//! push); a retried or overlapping run finds it written and reminds no one twice.

use chrono::{DateTime, Utc};

use crate::App;
use crate::jobs::{JobResult, report};
use crate::services::ghosting::send_reminders;

pub async fn handle(app: App, now: DateTime<Utc>) -> JobResult {
    report(&send_reminders(&app, now).await?)
}
