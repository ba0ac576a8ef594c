//! Push notifications: which kinds a user wants, their quiet hours, device tokens, and what
//! each push says. Pure: the worker and the store decide when and how, from these.

use std::str::FromStr;

use chrono::{DateTime, Duration, NaiveTime, TimeZone, Timelike, Utc};
use serde::{Deserialize, Serialize};

use crate::{FieldError, ValidationErrors};

crate::named_enum! {
    /// What a push is about; each can be turned off by the user.
    pub enum PushKind {
        /// Today's match (both users).
        Match = "match",
        /// A new message while the recipient has no open connection (coalesced).
        Message = "message",
        /// The conversation has an hour left.
        Expiring = "expiring",
        /// A participant silent for hours while their partner wrote.
        Reminder = "reminder",
        /// A badge earned.
        Reward = "reward",
        /// A warning from moderation: ignores quiet hours.
        Safety = "safety",
    }
}

/// Which kinds the user wants pushed (all by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PushKinds {
    pub r#match: bool,
    pub message: bool,
    pub expiring: bool,
    pub reminder: bool,
    pub safety: bool,
    /// Added after the others: preferences saved before it read as "wanted".
    #[serde(default = "wanted")]
    pub reward: bool,
}

fn wanted() -> bool {
    true
}

impl Default for PushKinds {
    fn default() -> Self {
        Self { r#match: true, message: true, expiring: true, reminder: true, safety: true, reward: true }
    }
}

impl PushKinds {
    pub fn wants(&self, kind: PushKind) -> bool {
        match kind {
            PushKind::Match => self.r#match,
            PushKind::Message => self.message,
            PushKind::Expiring => self.expiring,
            PushKind::Reminder => self.reminder,
            PushKind::Safety => self.safety,
            PushKind::Reward => self.reward,
        }
    }
}

/// A daily window in the user's local time (`"22:00"`–`"07:00"` wraps past midnight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QuietHours {
    #[serde(with = "hh_mm")]
    pub start: NaiveTime,
    #[serde(with = "hh_mm")]
    pub end: NaiveTime,
}

/// What `GET`/`PUT /v1/me/notifications` carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NotificationPrefs {
    #[serde(default)]
    pub kinds: PushKinds,
    /// None by default.
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

/// What `PUT /v1/me/notifications` carries: the preferences whole, except that a kind added
/// after clients shipped (`reward`) may be left out and then keeps its stored value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PrefsUpdate {
    /// Omitted: every kind on.
    #[serde(default)]
    pub kinds: Option<KindsUpdate>,
    #[serde(default)]
    pub quiet_hours: Option<QuietHours>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KindsUpdate {
    pub r#match: bool,
    pub message: bool,
    pub expiring: bool,
    pub reminder: bool,
    pub safety: bool,
    #[serde(default)]
    pub reward: Option<bool>,
}

impl PrefsUpdate {
    /// Whether applying it needs the stored preferences (a kind it leaves out).
    pub fn keeps_a_stored_kind(&self) -> bool {
        self.kinds.is_some_and(|kinds| kinds.reward.is_none())
    }

    /// The preferences after this update over `stored`.
    pub fn applied_to(&self, stored: &NotificationPrefs) -> NotificationPrefs {
        let kinds = match self.kinds {
            None => PushKinds::default(),
            Some(k) => PushKinds {
                r#match: k.r#match,
                message: k.message,
                expiring: k.expiring,
                reminder: k.reminder,
                safety: k.safety,
                reward: k.reward.unwrap_or(stored.kinds.reward),
            },
        };
        NotificationPrefs { kinds, quiet_hours: self.quiet_hours }
    }
}

impl NotificationPrefs {
    /// When a push of `kind` may go out, for a user in `timezone` at `now`: `None` = now;
    /// `Some(t)` = deferred to the end of the quiet window. Safety notices never wait.
    pub fn deferred_until(&self, kind: PushKind, timezone: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let quiet = self.quiet_hours.filter(|_| kind != PushKind::Safety)?;
        quiet.ends_after(timezone, now)
    }
}

impl QuietHours {
    /// Whether `now` falls in the window, and if so the instant it ends.
    pub fn ends_after(&self, timezone: &str, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let zone = chrono_tz::Tz::from_str(timezone).unwrap_or(chrono_tz::UTC);
        let local = now.with_timezone(&zone);
        let time = local.time().with_nanosecond(0).unwrap_or(local.time());
        let inside = if self.start < self.end {
            time >= self.start && time < self.end
        } else {
            time >= self.start || time < self.end
        };
        if !inside {
            return None;
        }
        let mut day = local.date_naive();
        if time >= self.end {
            day = day.succ_opt()?;
        }
        let end = day.and_time(self.end);
        // A window ending in a DST gap ends at the first valid instant after it.
        let resolved = zone
            .from_local_datetime(&end)
            .earliest()
            .or_else(|| zone.from_local_datetime(&(end + Duration::hours(1))).earliest())?;
        Some(resolved.with_timezone(&Utc))
    }
}

/// Checks a preferences document: quiet hours must have a length.
pub fn check_prefs(prefs: &NotificationPrefs) -> Result<(), ValidationErrors> {
    let mut errors = ValidationErrors::default();
    if let Some(quiet) = prefs.quiet_hours
        && quiet.start == quiet.end
    {
        errors.push("quietHours", "start and end must differ");
    }
    errors.into_result(())
}

mod hh_mm {
    use chrono::NaiveTime;
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(time: &NaiveTime, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&time.format("%H:%M").to_string())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<NaiveTime, D::Error> {
        let text = String::deserialize(deserializer)?;
        NaiveTime::parse_from_str(&text, "%H:%M")
            .ok()
            .filter(|_| text.len() == 5)
            .ok_or_else(|| D::Error::custom(format!("{text:?} is not a time of day as HH:MM")))
    }
}

crate::named_enum! {
    /// The mobile platforms a device token can belong to.
    pub enum Platform {
        Ios = "ios",
        Android = "android",
    }
}

/// Longest device token accepted (FCM tokens run to a few hundred characters).
pub const MAX_TOKEN_LENGTH: usize = 4096;

/// A device token as the platform issued it: printable, no spaces, of a sane length.
pub fn check_token(token: &str) -> Result<(), FieldError> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | ':' | '.');
    if token.len() < 8 || token.len() > MAX_TOKEN_LENGTH || !token.chars().all(allowed) {
        return Err(FieldError::new(
            "token",
            format!("must be 8–{MAX_TOKEN_LENGTH} characters of letters, digits, '_', '-', ':' or '.'"),
        ));
    }
    Ok(())
}

/// A token as the owner sees it listed: enough to recognise, not to reuse.
pub fn mask_token(token: &str) -> String {
    let tail: String = token.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    format!("…{tail}")
}

/// What one push says: the kind, the ids a client needs to open the right screen, and a
/// short text. Never message text (a hidden one least of all), never another user's
/// private data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Push {
    /// Stable per event and recipient: a redelivered request finds the same id.
    pub notification_id: String,
    pub kind: PushKind,
    pub title: String,
    pub body: String,
    /// Ids for the client (`conversationId`, `matchId`, …).
    pub data: std::collections::BTreeMap<String, String>,
}

impl Push {
    pub fn match_created(recipient: &str, match_id: &str, conversation_id: &str) -> Self {
        Self::new(
            format!("match:{match_id}:{recipient}"),
            PushKind::Match,
            "You have a match",
            "Today's conversation is waiting for you.",
            [("matchId", match_id), ("conversationId", conversation_id)],
        )
    }

    /// Named by the message that opened the coalescing window (one push per conversation
    /// per window): a redelivered change pushes under the same id, so no device twice.
    pub fn new_message(recipient: &str, conversation_id: &str, message_id: &str) -> Self {
        Self::new(
            format!("message:{conversation_id}:{recipient}:{message_id}"),
            PushKind::Message,
            "New message",
            "Your match wrote to you.",
            [("conversationId", conversation_id)],
        )
    }

    pub fn expiring(recipient: &str, conversation_id: &str) -> Self {
        Self::new(
            format!("expiring:{conversation_id}:{recipient}"),
            PushKind::Expiring,
            "One hour left",
            "Today's conversation ends in an hour.",
            [("conversationId", conversation_id)],
        )
    }

    pub fn reminder(recipient: &str, conversation_id: &str) -> Self {
        Self::new(
            format!("reminder:{conversation_id}:{recipient}"),
            PushKind::Reminder,
            "Your match is waiting",
            "They wrote to you a while ago: a short answer keeps the conversation alive.",
            [("conversationId", conversation_id)],
        )
    }

    pub fn badge(recipient: &str, badge: crate::rewards::Badge) -> Self {
        Self::new(
            format!("badge:{badge}:{recipient}"),
            PushKind::Reward,
            "New badge",
            badge.title(),
            [("badge", badge.as_str())],
        )
    }

    pub fn warning(recipient: &str, notice_id: &str) -> Self {
        Self::new(
            format!("notice:{notice_id}:{recipient}"),
            PushKind::Safety,
            "A note about your account",
            "Open Tandem to read a message from our safety team.",
            [("noticeId", notice_id)],
        )
    }

    fn new<const N: usize>(
        notification_id: String,
        kind: PushKind,
        title: &str,
        body: &str,
        data: [(&str, &str); N],
    ) -> Self {
        let mut ids: std::collections::BTreeMap<String, String> =
            data.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        ids.insert("kind".to_owned(), kind.as_str().to_owned());
        Self { notification_id, kind, title: title.to_owned(), body: body.to_owned(), data: ids }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_update_without_reward_keeps_the_stored_choice() {
        let mut stored = NotificationPrefs::default();
        stored.kinds.reward = false;
        let kinds =
            r#"{"kinds": {"match": true, "message": false, "expiring": true, "reminder": true, "safety": true}}"#;
        let update: PrefsUpdate = serde_json::from_str(kinds).unwrap();
        assert!(update.keeps_a_stored_kind());
        let applied = update.applied_to(&stored);
        assert!(!applied.kinds.reward, "kept as stored");
        assert!(!applied.kinds.message, "given");
        let with_reward: PrefsUpdate =
            serde_json::from_str(&kinds.replace("true}}", "true, \"reward\": true}}")).unwrap();
        assert!(!with_reward.keeps_a_stored_kind());
        assert!(with_reward.applied_to(&stored).kinds.reward);
        let empty: PrefsUpdate = serde_json::from_str("{}").unwrap();
        assert_eq!(empty.applied_to(&stored), NotificationPrefs::default(), "omitted kinds: every kind on");
    }

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    fn quiet(start: &str, end: &str) -> NotificationPrefs {
        let parse = |t: &str| NaiveTime::parse_from_str(t, "%H:%M").unwrap();
        NotificationPrefs {
            quiet_hours: Some(QuietHours { start: parse(start), end: parse(end) }),
            ..Default::default()
        }
    }

    #[test]
    fn no_quiet_hours_by_default() {
        let prefs = NotificationPrefs::default();
        assert_eq!(prefs.deferred_until(PushKind::Match, "Europe/Paris", at("2026-11-21T03:00:00Z")), None);
        assert!(PushKind::Match != PushKind::Safety && prefs.kinds.wants(PushKind::Message));
    }

    #[test]
    fn a_window_past_midnight_defers_to_its_end_in_local_time() {
        let prefs = quiet("22:00", "07:00");
        // 23:30 in Paris (UTC+1 in November) → 07:00 Paris the next day = 06:00 UTC.
        let late = at("2026-11-21T22:30:00Z");
        assert_eq!(prefs.deferred_until(PushKind::Match, "Europe/Paris", late), Some(at("2026-11-22T06:00:00Z")));
        // 05:00 Paris → 07:00 the same day.
        let early = at("2026-11-22T04:00:00Z");
        assert_eq!(prefs.deferred_until(PushKind::Message, "Europe/Paris", early), Some(at("2026-11-22T06:00:00Z")));
        // 12:00 Paris: outside.
        assert_eq!(prefs.deferred_until(PushKind::Match, "Europe/Paris", at("2026-11-22T11:00:00Z")), None);
        // The end itself is outside the window.
        assert_eq!(prefs.deferred_until(PushKind::Match, "Europe/Paris", at("2026-11-22T06:00:00Z")), None);
    }

    #[test]
    fn a_window_within_a_day_and_safety_notices() {
        let prefs = quiet("13:00", "14:00");
        let lunch = at("2026-11-21T12:15:00Z"); // 13:15 Paris
        assert_eq!(prefs.deferred_until(PushKind::Expiring, "Europe/Paris", lunch), Some(at("2026-11-21T13:00:00Z")));
        assert_eq!(prefs.deferred_until(PushKind::Safety, "Europe/Paris", lunch), None, "safety ignores quiet hours");
    }

    #[test]
    fn a_window_ending_in_a_dst_gap_ends_after_the_gap() {
        // Paris skips 02:00–03:00 on 2027-03-28.
        let prefs = quiet("01:00", "02:30");
        let night = at("2027-03-28T00:30:00Z"); // 01:30 Paris
        assert_eq!(prefs.deferred_until(PushKind::Match, "Europe/Paris", night), Some(at("2027-03-28T01:30:00Z")));
    }

    #[test]
    fn prefs_parse_and_validate() {
        let prefs: NotificationPrefs =
            serde_json::from_str(r#"{"kinds": {"match": true, "message": false, "expiring": true, "reminder": true, "safety": true}, "quietHours": {"start": "22:00", "end": "07:30"}}"#).unwrap();
        assert!(!prefs.kinds.wants(PushKind::Message));
        assert!(check_prefs(&prefs).is_ok());
        assert_eq!(serde_json::to_value(prefs).unwrap()["quietHours"]["end"], "07:30");
        assert!(
            serde_json::from_str::<NotificationPrefs>(r#"{"quietHours": {"start": "7:00", "end": "08:00"}}"#).is_err()
        );
        assert!(
            serde_json::from_str::<NotificationPrefs>(r#"{"quietHours": {"start": "25:00", "end": "08:00"}}"#).is_err()
        );
        assert!(check_prefs(&quiet("08:00", "08:00")).is_err());
    }

    #[test]
    fn tokens_are_checked_and_masked() {
        assert!(check_token("a1b2c3d4e5f6a7b8").is_ok());
        assert!(check_token("fcm:APA91b-x_y.z0123").is_ok());
        for bad in ["short", "has space in it", "new\nline-token", &"x".repeat(MAX_TOKEN_LENGTH + 1)] {
            assert!(check_token(bad).is_err(), "{bad:?}");
        }
        assert_eq!(mask_token("a1b2c3d4e5f6"), "…e5f6");
    }

    #[test]
    fn push_ids_are_stable_per_event_and_recipient() {
        let a = Push::match_created("u1", "m1", "c1");
        assert_eq!(a, Push::match_created("u1", "m1", "c1"));
        assert_ne!(a.notification_id, Push::match_created("u2", "m1", "c1").notification_id);
        assert_eq!(a.data["kind"], "match");
        assert_eq!(Push::new_message("u1", "c1", "m7").notification_id, "message:c1:u1:m7", "keyed on the message");
    }
}
