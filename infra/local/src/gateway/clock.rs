//! The local stack's clock for scheduled jobs: real time plus an offset that tests and
//! developers can advance (`POST /_local/clock`), so a 24-hour conversation can expire
//! without waiting. Request handlers keep the real time.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use chrono::{DateTime, Duration, Utc};

#[derive(Clone, Default, Debug)]
pub struct Clock {
    offset_seconds: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + Duration::seconds(self.offset_seconds.load(Ordering::Relaxed))
    }

    pub fn advance(&self, seconds: i64) -> DateTime<Utc> {
        self.offset_seconds.fetch_add(seconds, Ordering::Relaxed);
        self.now()
    }
}
