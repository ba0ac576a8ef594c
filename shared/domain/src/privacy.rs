//! Data lifecycle (SPEC §5): how long each kind of data lives, and the account deletion
//! grace period. The retention table in `docs/data-model.md` names the same deadlines.

use chrono::{DateTime, Duration, Utc};

/// Product analytics events are kept this long.
pub const ANALYTICS_RETENTION_DAYS: i64 = 90;
/// A requested deletion happens this long after the request (cancellable until then).
pub const DELETION_GRACE_DAYS: i64 = 7;
/// A match outlives its conversation's longest possible life (24 h, one 24 h extension)
/// and the 2 days its messages are kept: a backstop for its TTL, the purge removes it
/// with its conversation.
pub const MATCH_RETENTION: Duration = Duration::days(4);

/// When an account whose deletion was requested at `requested_at` is erased.
pub fn deletion_due(requested_at: DateTime<Utc>) -> DateTime<Utc> {
    requested_at + Duration::days(DELETION_GRACE_DAYS)
}

/// When an analytics event recorded at `at` is deleted.
pub fn analytics_deadline(at: DateTime<Utc>) -> DateTime<Utc> {
    at + Duration::days(ANALYTICS_RETENTION_DAYS)
}

/// A secret shown in an export or a listing: its last four characters only.
pub fn mask(secret: &str) -> String {
    let tail: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_only_the_last_four_characters() {
        assert_eq!(mask("abcdef123456"), "…3456");
        assert_eq!(mask("ab"), "…ab");
    }

    #[test]
    fn deletion_is_due_a_week_after_the_request() {
        let at = DateTime::parse_from_rfc3339("2026-01-01T10:00:00Z").unwrap().with_timezone(&Utc);
        assert_eq!(deletion_due(at).to_rfc3339(), "2026-01-08T10:00:00+00:00");
    }
}
