//! Profiles: what a user tells Tandem about themself, and the rules for accepting it.
//!
//! Input arrives as loose JSON and is checked field by field, so that one request
//! reports every bad field rather than the first one serde trips on.

use chrono::NaiveTime;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::str::FromStr;

use crate::catalogue;
use crate::validation::ValidationErrors;

pub const MIN_AGE: i32 = 18;
pub const FIRST_NAME_MAX: usize = 50;
pub const BIO_MAX: usize = 280;
pub const CITY_MAX: usize = 100;
pub const PHOTO_URL_MAX: usize = 2048;
pub const MAX_WEIGHTED_KEYS: usize = 30;
pub const MAX_CHAT_WINDOWS: usize = 6;
pub const LOCALE_MAX: usize = 35;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponsePace {
    Quick,
    Flexible,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Depth {
    Light,
    Moderate,
    Deep,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// Can be paired.
    Visible,
    /// Kept out of pairing without deleting anything.
    Hidden,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CommunicationStyle {
    pub directness: u8,
    pub humour: u8,
    pub response_pace: ResponsePace,
}

/// A window of preferred chat hours in the user's local time; `end < start` wraps midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChatWindow {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Profile {
    pub first_name: String,
    pub birth_year: i32,
    pub bio: String,
    pub city: String,
    pub photo_url: Option<String>,
    /// Catalogue key → weight 0–100.
    pub interests: BTreeMap<String, u8>,
    pub values: BTreeMap<String, u8>,
    pub communication: CommunicationStyle,
    pub depth: Depth,
    pub chat_hours: Vec<ChatWindow>,
    pub visibility: Visibility,
}

/// A validated `PUT /v1/me/profile` body: the whole profile plus the account settings
/// (timezone, locale) that are edited alongside it.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    pub profile: Profile,
    pub timezone: Option<String>,
    pub locale: Option<String>,
}

impl ProfileUpdate {
    /// Validates a request body. `current_year` bounds the birth year (18+ only).
    pub fn from_json(body: &Value, current_year: i32) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let Some(fields) = body.as_object() else {
            errors.push("body", "must be a JSON object");
            return Err(errors);
        };
        let mut reader = FieldReader { fields, errors: &mut errors };
        reader.reject_unknown(&[
            "firstName",
            "birthYear",
            "bio",
            "city",
            "photoUrl",
            "interests",
            "values",
            "communication",
            "depth",
            "chatHours",
            "visibility",
            "timezone",
            "locale",
        ]);

        let first_name = reader.required_text("firstName", FIRST_NAME_MAX);
        let birth_year = reader.birth_year(current_year);
        let bio = reader.optional_text("bio", BIO_MAX).unwrap_or_default();
        let city = reader.optional_text("city", CITY_MAX).unwrap_or_default();
        let photo_url = reader.photo_url();
        let interests = reader.weights("interests", catalogue::is_interest);
        let values = reader.weights("values", catalogue::is_value);
        let communication = reader.communication();
        let depth = reader.enumeration("depth", Depth::Moderate, "one of light, moderate, deep");
        let chat_hours = reader.chat_hours();
        let visibility = reader.enumeration("visibility", Visibility::Visible, "one of visible, hidden");
        let timezone = reader.timezone();
        let locale = reader.locale();

        match (first_name, birth_year, communication) {
            (Some(first_name), Some(birth_year), Some(communication)) if errors.is_empty() => Ok(Self {
                profile: Profile {
                    first_name,
                    birth_year,
                    bio,
                    city,
                    photo_url,
                    interests,
                    values,
                    communication,
                    depth,
                    chat_hours,
                    visibility,
                },
                timezone,
                locale,
            }),
            _ => Err(errors),
        }
    }
}

/// Reads fields of one JSON object, recording each problem under its field path.
struct FieldReader<'a> {
    fields: &'a Map<String, Value>,
    errors: &'a mut ValidationErrors,
}

impl<'a> FieldReader<'a> {
    fn present(&self, name: &str) -> Option<&'a Value> {
        let fields: &'a Map<String, Value> = self.fields;
        fields.get(name).filter(|value| !value.is_null())
    }

    fn reject_unknown(&mut self, known: &[&str]) {
        let unknown: Vec<String> = self.fields.keys().filter(|k| !known.contains(&k.as_str())).cloned().collect();
        for name in unknown {
            self.errors.push(name, "is not a profile field");
        }
    }

    fn text(&mut self, name: &str, max: usize, required: bool) -> Option<String> {
        let Some(value) = self.present(name) else {
            if required {
                self.errors.push(name, "is required");
            }
            return None;
        };
        let Some(text) = value.as_str() else {
            self.errors.push(name, "must be a string");
            return None;
        };
        let text = text.trim();
        if text.chars().any(char::is_control) {
            self.errors.push(name, "must not contain control characters");
            return None;
        }
        if required && text.is_empty() {
            self.errors.push(name, "must not be empty");
            return None;
        }
        if text.chars().count() > max {
            self.errors.push(name, format!("must be at most {max} characters"));
            return None;
        }
        Some(text.to_owned())
    }

    fn required_text(&mut self, name: &str, max: usize) -> Option<String> {
        self.text(name, max, true)
    }

    fn optional_text(&mut self, name: &str, max: usize) -> Option<String> {
        self.text(name, max, false)
    }

    fn birth_year(&mut self, current_year: i32) -> Option<i32> {
        let Some(value) = self.present("birthYear") else {
            self.errors.push("birthYear", "is required");
            return None;
        };
        let Some(year) = value.as_i64().and_then(|y| i32::try_from(y).ok()) else {
            self.errors.push("birthYear", "must be an integer year");
            return None;
        };
        // With only a year known, a minor must never pass: someone born in
        // `current_year - 18` may still be 17 today, so the latest year accepted is the one
        // whose every birthday is 18 years behind (`current_year - 19`). Adults born late in
        // `current_year - 18` wait until the new year; a minor is never paired with adults.
        let latest = current_year - MIN_AGE - 1;
        if year > latest {
            self.errors.push("birthYear", format!("users must be at least {MIN_AGE}: born in {latest} or earlier"));
            return None;
        }
        if year < 1900 {
            self.errors.push("birthYear", "must be 1900 or later");
            return None;
        }
        Some(year)
    }

    fn photo_url(&mut self) -> Option<String> {
        let url = self.optional_text("photoUrl", PHOTO_URL_MAX)?;
        if url.is_empty() {
            return None;
        }
        let host = url.strip_prefix("https://").map(|rest| rest.split(['/', '?', '#']).next().unwrap_or(""));
        match host {
            Some(host) if !host.is_empty() && !host.contains(char::is_whitespace) => Some(url),
            _ => {
                self.errors.push("photoUrl", "must be an https:// URL");
                None
            }
        }
    }

    fn weights(&mut self, name: &str, in_catalogue: fn(&str) -> bool) -> BTreeMap<String, u8> {
        let mut weights = BTreeMap::new();
        let Some(value) = self.present(name) else {
            return weights;
        };
        let Some(entries) = value.as_object() else {
            self.errors.push(name, "must be an object of catalogue key → weight 0–100");
            return weights;
        };
        if entries.len() > MAX_WEIGHTED_KEYS {
            self.errors.push(name, format!("must have at most {MAX_WEIGHTED_KEYS} entries"));
        }
        for (key, weight) in entries {
            let field = format!("{name}.{key}");
            if !in_catalogue(key) {
                self.errors.push(field, "is not in the catalogue");
                continue;
            }
            match percentage(weight) {
                Some(weight) => {
                    weights.insert(key.clone(), weight);
                }
                None => self.errors.push(field, "must be an integer from 0 to 100"),
            }
        }
        weights
    }

    fn communication(&mut self) -> Option<CommunicationStyle> {
        let defaults = CommunicationStyle { directness: 50, humour: 50, response_pace: ResponsePace::Flexible };
        let Some(value) = self.present("communication") else {
            return Some(defaults);
        };
        let Some(fields) = value.as_object() else {
            self.errors.push("communication", "must be an object");
            return None;
        };
        let mut style = defaults;
        let mut ok = true;
        for (key, value) in fields {
            let field = format!("communication.{key}");
            match key.as_str() {
                "directness" | "humour" => match percentage(value) {
                    Some(v) if key == "directness" => style.directness = v,
                    Some(v) => style.humour = v,
                    None => {
                        self.errors.push(field, "must be an integer from 0 to 100");
                        ok = false;
                    }
                },
                "responsePace" => match serde_json::from_value(value.clone()) {
                    Ok(pace) => style.response_pace = pace,
                    Err(_) => {
                        self.errors.push(field, "must be one of quick, flexible");
                        ok = false;
                    }
                },
                _ => {
                    self.errors.push(field, "is not a communication field");
                    ok = false;
                }
            }
        }
        ok.then_some(style)
    }

    fn enumeration<T: serde::de::DeserializeOwned>(&mut self, name: &str, default: T, expected: &str) -> T {
        let Some(value) = self.present(name) else {
            return default;
        };
        serde_json::from_value(value.clone()).unwrap_or_else(|_| {
            self.errors.push(name, format!("must be {expected}"));
            default
        })
    }

    fn chat_hours(&mut self) -> Vec<ChatWindow> {
        let Some(value) = self.present("chatHours") else {
            return Vec::new();
        };
        let Some(items) = value.as_array() else {
            self.errors.push("chatHours", "must be an array of {start, end} windows");
            return Vec::new();
        };
        if items.len() > MAX_CHAT_WINDOWS {
            self.errors.push("chatHours", format!("must have at most {MAX_CHAT_WINDOWS} windows"));
        }
        let mut windows = Vec::new();
        for (index, item) in items.iter().enumerate() {
            let start = parse_clock(item.get("start"));
            let end = parse_clock(item.get("end"));
            match (start, end) {
                (Some(start), Some(end)) if start != end => windows.push(ChatWindow { start, end }),
                _ => self.errors.push(format!("chatHours[{index}]"), "must have distinct start and end times as HH:MM"),
            }
        }
        windows
    }

    fn timezone(&mut self) -> Option<String> {
        let name = self.optional_text("timezone", 64)?;
        match chrono_tz::Tz::from_str(&name) {
            Ok(zone) => Some(zone.name().to_owned()),
            Err(_) => {
                self.errors.push("timezone", "must be an IANA time zone name, such as Europe/Paris");
                None
            }
        }
    }

    fn locale(&mut self) -> Option<String> {
        let locale = self.optional_text("locale", LOCALE_MAX)?;
        if is_language_tag(&locale) {
            Some(locale)
        } else {
            self.errors.push("locale", "must be a language tag, such as en or fr-FR");
            None
        }
    }
}

fn percentage(value: &Value) -> Option<u8> {
    value.as_u64().filter(|v| *v <= 100).map(|v| v as u8)
}

fn parse_clock(value: Option<&Value>) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(value?.as_str()?, "%H:%M").ok()
}

/// A BCP 47-shaped tag: a 2–3 letter language, then alphanumeric subtags of 1–8.
fn is_language_tag(tag: &str) -> bool {
    let mut parts = tag.split('-');
    let language_ok =
        parts.next().is_some_and(|lang| (2..=3).contains(&lang.len()) && lang.chars().all(|c| c.is_ascii_alphabetic()));
    language_ok && parts.all(|sub| (1..=8).contains(&sub.len()) && sub.chars().all(|c| c.is_ascii_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const YEAR: i32 = 2026;

    fn valid_body() -> Value {
        json!({
            "firstName": "Ada",
            "birthYear": 1990,
            "bio": "Engines and poetry.",
            "city": "London",
            "photoUrl": "https://cdn.example.com/ada.jpg",
            "interests": {"science": 90, "books": 60},
            "values": {"honesty": 100, "curiosity": 80},
            "communication": {"directness": 70, "humour": 40, "responsePace": "quick"},
            "depth": "deep",
            "chatHours": [{"start": "18:00", "end": "22:30"}, {"start": "23:00", "end": "01:00"}],
            "visibility": "visible",
            "timezone": "Europe/London",
            "locale": "en-GB"
        })
    }

    fn fields(errors: ValidationErrors) -> Vec<String> {
        errors.0.into_iter().map(|e| e.field).collect()
    }

    #[test]
    fn accepts_a_complete_profile() {
        let update = ProfileUpdate::from_json(&valid_body(), YEAR).unwrap();
        assert_eq!(update.profile.first_name, "Ada");
        assert_eq!(update.profile.interests.get("science"), Some(&90));
        assert_eq!(update.profile.communication.response_pace, ResponsePace::Quick);
        assert_eq!(update.profile.chat_hours.len(), 2);
        assert_eq!(update.timezone.as_deref(), Some("Europe/London"));
        assert_eq!(update.locale.as_deref(), Some("en-GB"));
    }

    #[test]
    fn fills_defaults_for_optional_fields() {
        let update = ProfileUpdate::from_json(&json!({"firstName": "Bo", "birthYear": 2000}), YEAR).unwrap();
        assert_eq!(update.profile.depth, Depth::Moderate);
        assert_eq!(update.profile.visibility, Visibility::Visible);
        assert_eq!(update.profile.communication.directness, 50);
        assert!(update.timezone.is_none() && update.locale.is_none());
    }

    #[test]
    fn lists_every_bad_field() {
        let body = json!({
            "firstName": "",
            "birthYear": 2010,
            "bio": "x".repeat(281),
            "photoUrl": "http://insecure.example.com/a.jpg",
            "interests": {"science": 101, "astrology": 50},
            "values": {"honesty": "high"},
            "communication": {"directness": -1, "responsePace": "slow"},
            "depth": "bottomless",
            "chatHours": [{"start": "25:00", "end": "10:00"}],
            "visibility": "everyone",
            "timezone": "Mars/Olympus",
            "locale": "english!",
            "favouriteColour": "blue"
        });
        let mut got = fields(ProfileUpdate::from_json(&body, YEAR).unwrap_err());
        got.sort();
        let mut want = vec![
            "bio",
            "birthYear",
            "chatHours[0]",
            "communication.directness",
            "communication.responsePace",
            "depth",
            "favouriteColour",
            "firstName",
            "interests.astrology",
            "interests.science",
            "locale",
            "photoUrl",
            "timezone",
            "values.honesty",
            "visibility",
        ];
        want.sort();
        assert_eq!(got, want);
    }

    #[test]
    fn birth_year_must_guarantee_adulthood() {
        let with_year = |year: i32| json!({"firstName": "A", "birthYear": year});
        assert!(ProfileUpdate::from_json(&with_year(YEAR - 19), YEAR).is_ok());
        // Born in YEAR-18: possibly still 17 today, so refused.
        assert_eq!(fields(ProfileUpdate::from_json(&with_year(YEAR - 18), YEAR).unwrap_err()), vec!["birthYear"]);
        assert_eq!(fields(ProfileUpdate::from_json(&with_year(YEAR - 17), YEAR).unwrap_err()), vec!["birthYear"]);
        assert_eq!(fields(ProfileUpdate::from_json(&with_year(1899), YEAR).unwrap_err()), vec!["birthYear"]);
    }

    #[test]
    fn bio_limit_counts_characters_not_bytes() {
        let mut body = valid_body();
        body["bio"] = json!("é".repeat(280));
        assert!(ProfileUpdate::from_json(&body, YEAR).is_ok());
        body["bio"] = json!("é".repeat(281));
        assert_eq!(fields(ProfileUpdate::from_json(&body, YEAR).unwrap_err()), vec!["bio"]);
    }

    #[test]
    fn rejects_non_object_bodies() {
        assert_eq!(fields(ProfileUpdate::from_json(&json!([1, 2]), YEAR).unwrap_err()), vec!["body"]);
    }

    #[test]
    fn language_tags() {
        for ok in ["en", "fr-FR", "zh-Hant-TW", "es-419"] {
            assert!(is_language_tag(ok), "{ok}");
        }
        for bad in ["", "e", "english", "en_GB", "en-", "fr-FRANCEXXX"] {
            assert!(!is_language_tag(bad), "{bad}");
        }
    }
}
