//! Daily availability: each user's "today" is a date in their own time zone.

use chrono::{DateTime, NaiveDate, Offset, TimeZone, Utc};
use std::str::FromStr;

crate::named_enum! {
    /// A user's availability for one local day: idle (no record) → queued → matched.
    pub enum AvailabilityState {
        Idle = "idle",
        Queued = "queued",
        Matched = "matched",
    }
}

/// Availability records are kept this long (then DynamoDB TTL removes them).
pub const AVAILABILITY_RETENTION_DAYS: i64 = 7;
/// Pairs are not repeated within this many days.
pub const REPEAT_PAIR_DAYS: i64 = 30;
/// A heartbeat keeps a user "online" this long.
pub const PRESENCE_SECONDS: i64 = 90;

/// The user's local date and UTC offset (minutes) at `now`. Unknown zones fall back to UTC.
pub fn local_day(timezone: &str, now: DateTime<Utc>) -> (NaiveDate, i32) {
    let zone = chrono_tz::Tz::from_str(timezone).unwrap_or(chrono_tz::UTC);
    let local = zone.from_utc_datetime(&now.naive_utc());
    (local.date_naive(), local.offset().fix().local_minus_utc() / 60)
}

/// When local day `day` ends in `timezone`: the first instant of the next local day (at a
/// DST gap over midnight, the first instant that exists). Unknown zones fall back to UTC.
pub fn local_day_end(timezone: &str, day: NaiveDate) -> DateTime<Utc> {
    let zone = chrono_tz::Tz::from_str(timezone).unwrap_or(chrono_tz::UTC);
    let next = day.succ_opt().unwrap_or(day);
    (0..=2)
        .filter_map(|hour| next.and_hms_opt(hour, 0, 0))
        .find_map(|midnight| zone.from_local_datetime(&midnight).earliest())
        .map_or_else(|| next.and_time(chrono::NaiveTime::MIN).and_utc(), |end| end.with_timezone(&Utc))
}

/// The local date at `now` for anyone at `offset_minutes`.
pub fn day_at_offset(offset_minutes: i32, now: DateTime<Utc>) -> NaiveDate {
    (now + chrono::Duration::minutes(i64::from(offset_minutes))).date_naive()
}

/// Every UTC offset in use in the time-zone database, in minutes: the pairing pool's
/// buckets. A sweep reads each bucket; a test checks the list against chrono-tz.
pub const POOL_OFFSETS: &[i32] = &[
    -720, -660, -600, -570, -540, -480, -420, -360, -300, -240, -210, -180, -150, -120, -60, 0, 60, 120, 180, 210, 240,
    270, 300, 330, 345, 360, 390, 420, 480, 525, 540, 570, 600, 630, 660, 720, 765, 780, 825, 840,
];

/// Why a user may not queue today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum QueueRefusal {
    #[error("matching is suspended for this account until the user acknowledges it")]
    Suspended,
    #[error("this account cannot be matched")]
    NotActive,
    #[error("this account is scheduled for deletion: cancel the deletion to be matched again")]
    PendingDeletion,
    #[error("you still have an active conversation: one at a time")]
    ConversationActive,
    #[error("you were already matched on this local day (the time zone changed since): one conversation a day")]
    AlreadyMatchedToday,
    #[error("matching is suspended for this account until {0}")]
    SuspendedUntil(DateTime<Utc>),
    #[error("complete your profile before asking for a match")]
    NoProfile,
    #[error("your profile is hidden: make it visible to be matched")]
    Hidden,
}

/// Whether `user` may join today's pool at `now`.
pub fn check_can_queue(user: &crate::User, now: DateTime<Utc>) -> Result<&crate::Profile, QueueRefusal> {
    match user.status {
        crate::UserStatus::Active => {}
        crate::UserStatus::SuspendedFromMatching => return Err(QueueRefusal::Suspended),
        crate::UserStatus::Banned => return Err(QueueRefusal::NotActive),
        crate::UserStatus::PendingDeletion => return Err(QueueRefusal::PendingDeletion),
    }
    if let Some(until) = user.matching_suspended_until.filter(|until| *until > now) {
        return Err(QueueRefusal::SuspendedUntil(until));
    }
    let profile = user.profile.as_ref().ok_or(QueueRefusal::NoProfile)?;
    if profile.visibility == crate::profile::Visibility::Hidden {
        return Err(QueueRefusal::Hidden);
    }
    Ok(profile)
}

/// An earlier match of the user, as "one conversation a day" weighs it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EarlierMatch {
    pub started_at: DateTime<Utc>,
    /// The conversation is still open (active and not yet expired).
    pub open: bool,
}

/// One conversation a day, whatever the time zone did: queueing for local `day` (in
/// `timezone`, now) is refused while an earlier conversation is still open, or when an
/// earlier match already fell on `day` as this zone counts days (a user who moved their
/// zone back after being matched would otherwise live the same day twice).
pub fn check_one_conversation_a_day(
    timezone: &str,
    day: NaiveDate,
    earlier: &[EarlierMatch],
) -> Result<(), QueueRefusal> {
    if earlier.iter().any(|m| m.open) {
        return Err(QueueRefusal::ConversationActive);
    }
    if earlier.iter().any(|m| local_day(timezone, m.started_at).0 == day) {
        return Err(QueueRefusal::AlreadyMatchedToday);
    }
    Ok(())
}

/// Birth year to age this year (the profile only knows the year).
pub fn age_in(year: i32, birth_year: i32) -> i32 {
    year - birth_year
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_conversation_a_day_holds_across_time_zone_changes() {
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // Matched at 10:00 UTC: 2026-11-22 in Kiritimati (UTC+14), 2026-11-21 in Honolulu.
        let matched = EarlierMatch { started_at: utc("2026-11-21T10:00:00Z"), open: false };
        let day = |s: &str| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(
            check_one_conversation_a_day("Pacific/Honolulu", day("2026-11-21"), &[matched]),
            Err(QueueRefusal::AlreadyMatchedToday)
        );
        assert_eq!(check_one_conversation_a_day("Pacific/Honolulu", day("2026-11-22"), &[matched]), Ok(()));
        let open = EarlierMatch { open: true, ..matched };
        assert_eq!(
            check_one_conversation_a_day("Pacific/Honolulu", day("2026-11-23"), &[open]),
            Err(QueueRefusal::ConversationActive)
        );
        assert_eq!(check_one_conversation_a_day("UTC", day("2026-11-21"), &[]), Ok(()));
    }

    #[test]
    fn local_days_end_at_the_zone_s_midnight() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 21).unwrap();
        let utc = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(local_day_end("Pacific/Tongatapu", day), utc("2026-11-21T11:00:00Z"));
        assert_eq!(local_day_end("Pacific/Honolulu", day), utc("2026-11-22T10:00:00Z"));
        assert_eq!(local_day_end("Asia/Kolkata", day), utc("2026-11-21T18:30:00Z"));
        // Chile moves its clocks at midnight: 2026-09-06 starts at 01:00 local.
        let gap = NaiveDate::from_ymd_opt(2026, 9, 5).unwrap();
        assert_eq!(local_day_end("America/Santiago", gap), utc("2026-09-06T04:00:00Z"));
    }
    use chrono::Datelike;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn today_is_the_users_own_date() {
        let now = at("2026-11-21T23:30:00Z");
        assert_eq!(local_day("Europe/Paris", now), (NaiveDate::from_ymd_opt(2026, 11, 22).unwrap(), 60));
        assert_eq!(local_day("America/New_York", now), (NaiveDate::from_ymd_opt(2026, 11, 21).unwrap(), -300));
        assert_eq!(local_day("Nowhere/Special", now).1, 0);
        assert_eq!(day_at_offset(60, now).day(), 22);
        assert_eq!(day_at_offset(-300, now).day(), 21);
    }

    #[test]
    fn every_zone_offset_has_a_pool_bucket() {
        for instant in ["2026-01-15T12:00:00Z", "2026-07-15T12:00:00Z"] {
            for zone in chrono_tz::TZ_VARIANTS {
                let (_, offset) = local_day(zone.name(), at(instant));
                assert!(POOL_OFFSETS.contains(&offset), "{} at {instant}: {offset}", zone.name());
            }
        }
    }
}
