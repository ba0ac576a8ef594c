//! Health: whether the backend's dependencies answer.

use crate::App;
use chrono::{DateTime, Utc};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    Ok,
    Unreachable,
}

/// One cheap read of the table; a failure is logged here and reported as `Unreachable`.
pub async fn table(app: &App, now: DateTime<Utc>) -> Check {
    match app.store.ping(now).await {
        Ok(()) => Check::Ok,
        Err(error) => {
            tracing::error!(%error, "health check: table unreachable");
            Check::Unreachable
        }
    }
}
