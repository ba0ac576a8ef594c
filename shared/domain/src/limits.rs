//! Per-user and per-client limits: fixed windows, counted in the table.

use serde::{Deserialize, Serialize};

/// At most `max` actions per window of `window_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RateLimit {
    pub max: u32,
    pub window_seconds: i64,
}

impl RateLimit {
    /// Messages per user: a fast typist stays well under it, a script does not.
    pub const SEND_MESSAGES: RateLimit = RateLimit { max: 30, window_seconds: 60 };
    /// Reports per user: enough for a bad day, not for flooding the triage queue.
    pub const FILE_REPORTS: RateLimit = RateLimit { max: 10, window_seconds: 3600 };

    /// The start of the window `now` (epoch seconds) falls in.
    pub fn window_start(&self, now: i64) -> i64 {
        now - now.rem_euclid(self.window_seconds.max(1))
    }

    /// Seconds to wait when `count` actions were made in the window starting at `start`;
    /// `None` while allowed.
    pub fn retry_after(&self, count: u32, start: i64, now: i64) -> Option<i64> {
        let ends = start + self.window_seconds;
        (count > self.max && ends > now).then(|| ends - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_are_fixed_and_the_limit_is_inclusive() {
        let limit = RateLimit { max: 2, window_seconds: 60 };
        assert_eq!(limit.window_start(125), 120);
        assert_eq!(limit.retry_after(2, 120, 125), None);
        assert_eq!(limit.retry_after(3, 120, 125), Some(55));
        assert_eq!(limit.retry_after(3, 120, 180), None);
    }
}
