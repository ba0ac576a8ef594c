//! Weekly intent: what a user hopes for from this week's conversations. A soft preference
//! for pairing, valid for the ISO week (in the user's timezone) it was set in.

use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};

use crate::availability::local_day;

crate::named_enum! {
    pub enum WeeklyIntent {
        DeepTalk = "deep_talk",
        LightChat = "light_chat",
        PractiseLanguage = "practise_language",
        MakeLocalFriend = "make_local_friend",
    }
}

impl WeeklyIntent {
    /// How a match reason names two users who share it.
    pub fn reason(self) -> &'static str {
        match self {
            WeeklyIntent::DeepTalk => "you both want a deep talk this week",
            WeeklyIntent::LightChat => "you both want a light chat this week",
            WeeklyIntent::PractiseLanguage => "you both want to practise a language this week",
            WeeklyIntent::MakeLocalFriend => "you both want to make a local friend this week",
        }
    }
}

/// The intent a user set, and the week it holds for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct IntentChoice {
    pub intent: WeeklyIntent,
    /// ISO week in the user's timezone when it was set, e.g. `2026-W47`.
    pub week: String,
    pub set_at: DateTime<Utc>,
}

impl IntentChoice {
    /// The intent, if it was set for the week `now` falls in (in `timezone`).
    pub fn current(&self, timezone: &str, now: DateTime<Utc>) -> Option<WeeklyIntent> {
        (self.week == iso_week(timezone, now)).then_some(self.intent)
    }
}

/// The ISO week (`YYYY-Www`) `now` falls in, in `timezone`.
pub fn iso_week(timezone: &str, now: DateTime<Utc>) -> String {
    let (day, _) = local_day(timezone, now);
    let week = day.iso_week();
    format!("{}-W{:02}", week.year(), week.week())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).map(|t| t.with_timezone(&Utc)).expect("valid time")
    }

    #[test]
    fn the_week_is_the_user_s_local_iso_week() {
        // Sunday 23:30 UTC is already Monday in Tokyo: a new ISO week there, not in London.
        let now = at("2026-11-22T23:30:00Z");
        assert_eq!(iso_week("Europe/London", now), "2026-W47");
        assert_eq!(iso_week("Asia/Tokyo", now), "2026-W48");
        // ISO years: 1 January 2027 is a Friday in week 53 of 2026.
        assert_eq!(iso_week("UTC", at("2027-01-01T12:00:00Z")), "2026-W53");
    }

    #[test]
    fn an_intent_holds_for_its_week_only() {
        let set = at("2026-11-18T10:00:00Z");
        let choice = IntentChoice { intent: WeeklyIntent::DeepTalk, week: iso_week("UTC", set), set_at: set };
        assert_eq!(choice.current("UTC", at("2026-11-22T23:59:00Z")), Some(WeeklyIntent::DeepTalk));
        assert_eq!(choice.current("UTC", at("2026-11-23T00:00:00Z")), None);
    }

    #[test]
    fn intents_are_named_on_the_wire() {
        assert_eq!(
            serde_json::to_string(&WeeklyIntent::PractiseLanguage).ok().as_deref(),
            Some("\"practise_language\"")
        );
        assert!(serde_json::from_str::<WeeklyIntent>("\"romance\"").is_err());
    }
}
