//! Pool members as they arrive (readable JSON) and as the engine scores them (compact).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use tandem_domain::intent::WeeklyIntent;
use tandem_domain::profile::{ChatWindow, CommunicationStyle, Depth, Profile, ResponsePace};
use tandem_domain::{UserId, catalogue, trust};

/// A queued user, with the profile features pairing needs. This is the pairing tool's
/// input format and the snapshot stored on a queued availability record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PoolUser {
    pub id: UserId,
    /// The user's UTC offset today, in minutes (Paris in winter: 60).
    pub utc_offset_minutes: i32,
    #[serde(default)]
    pub values: BTreeMap<String, u8>,
    #[serde(default)]
    pub interests: BTreeMap<String, u8>,
    pub communication: CommunicationStyle,
    pub depth: Depth,
    /// Preferred chat windows in the user's local time.
    #[serde(default)]
    pub chat_hours: Vec<ChatWindow>,
    /// Share of conversations the user replied in (0–1); 1 for newcomers.
    #[serde(default = "full_rate")]
    pub response_rate: f32,
    /// Conversations abandoned in a row (never replied).
    #[serde(default)]
    pub abandoned_in_a_row: u8,
    /// Users this one must never be paired with: blocks either way, recent partners.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub excluded: Vec<UserId>,
    /// The user's trust score (0–100) when they queued; neutral for newcomers.
    #[serde(default = "neutral_trust")]
    pub trust: u8,
    /// This week's intent, if the user set one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<WeeklyIntent>,
}

fn full_rate() -> f32 {
    1.0
}

fn neutral_trust() -> u8 {
    trust::NEUTRAL as u8
}

impl PoolUser {
    /// The pairing features of a profile, for a user at `utc_offset_minutes` today.
    pub fn from_profile(id: &UserId, profile: &Profile, utc_offset_minutes: i32) -> Self {
        Self {
            id: id.clone(),
            utc_offset_minutes,
            values: profile.values.clone(),
            interests: profile.interests.clone(),
            communication: profile.communication,
            depth: profile.depth,
            chat_hours: profile.chat_hours.clone(),
            response_rate: 1.0,
            abandoned_in_a_row: 0,
            excluded: Vec::new(),
            trust: neutral_trust(),
            intent: None,
        }
    }
}

/// Quarter-hours in a day: chat windows become a 96-bit mask of UTC slots.
const SLOTS: i32 = 96;

pub const VALUE_KEYS: usize = catalogue::VALUES.len();
pub const INTEREST_KEYS: usize = catalogue::INTERESTS.len();

/// The compact form scored millions of times per sweep: dense weight vectors over the
/// catalogues (one byte per key, so a user's features fit in two cache lines and the
/// similarity loops vectorise on integers).
#[derive(Debug, Clone)]
pub struct Features {
    /// Weight 0–100 per value-catalogue index.
    pub values: [u8; VALUE_KEYS],
    /// Weight 0–100 per interest-catalogue index.
    pub interests: [u8; INTEREST_KEYS],
    /// √(Σ value weight²), in the same units.
    pub values_norm: f32,
    pub directness: f32,
    pub humour: f32,
    pub pace: ResponsePace,
    /// light 0, moderate 1, deep 2.
    pub depth: u8,
    pub abandoned_in_a_row: u8,
    /// Bit i: the user likes to chat in UTC quarter-hour i.
    pub slots: u128,
    pub response_rate: f32,
    pub utc_offset_minutes: i32,
    /// Trust score 0–100.
    pub trust: u8,
    pub intent: Option<WeeklyIntent>,
    /// Catalogue indexes of the user's strongest values, strongest first (candidate index).
    pub top_values: Vec<u8>,
}

fn dense<const N: usize>(weights: &BTreeMap<String, u8>, catalogue: &[&str]) -> [u8; N] {
    let mut out = [0; N];
    for (key, weight) in weights {
        if let Some(i) = catalogue.iter().position(|k| k == key) {
            out[i] = (*weight).min(100);
        }
    }
    out
}

/// The UTC quarter-hours covered by local windows at `offset` minutes.
pub fn utc_slots(windows: &[ChatWindow], offset: i32) -> u128 {
    use chrono::Timelike;
    let mut mask = 0u128;
    for window in windows {
        let start = (window.start.hour() * 60 + window.start.minute()) as i32 / 15;
        let end = (window.end.hour() * 60 + window.end.minute()) as i32 / 15;
        let length = (end - start).rem_euclid(SLOTS);
        let shift = offset.div_euclid(15);
        for step in 0..length {
            let slot = (start + step - shift).rem_euclid(SLOTS);
            mask |= 1u128 << slot;
        }
    }
    mask
}

impl From<&PoolUser> for Features {
    fn from(user: &PoolUser) -> Self {
        let values: [u8; VALUE_KEYS] = dense(&user.values, catalogue::VALUES);
        let values_norm = (values.iter().map(|w| u32::from(*w).pow(2)).sum::<u32>() as f32).sqrt();
        let mut strongest: Vec<(u8, u8)> =
            values.iter().enumerate().filter(|(_, w)| **w > 0).map(|(i, w)| (i as u8, *w)).collect();
        strongest.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        Self {
            top_values: strongest.iter().take(3).map(|(i, _)| *i).collect(),
            values,
            values_norm,
            interests: dense(&user.interests, catalogue::INTERESTS),
            directness: f32::from(user.communication.directness) / 100.0,
            humour: f32::from(user.communication.humour) / 100.0,
            pace: user.communication.response_pace,
            depth: match user.depth {
                Depth::Light => 0,
                Depth::Moderate => 1,
                Depth::Deep => 2,
            },
            slots: utc_slots(&user.chat_hours, user.utc_offset_minutes),
            response_rate: user.response_rate.clamp(0.0, 1.0),
            abandoned_in_a_row: user.abandoned_in_a_row,
            utc_offset_minutes: user.utc_offset_minutes,
            trust: user.trust.min(100),
            intent: user.intent,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveTime;

    fn window(start: &str, end: &str) -> ChatWindow {
        ChatWindow {
            start: NaiveTime::parse_from_str(start, "%H:%M").unwrap(),
            end: NaiveTime::parse_from_str(end, "%H:%M").unwrap(),
        }
    }

    #[test]
    fn chat_windows_shift_to_utc_and_wrap_midnight() {
        // 18:00–19:00 in Paris (UTC+1) is 17:00–18:00 UTC: slots 68..72.
        assert_eq!(utc_slots(&[window("18:00", "19:00")], 60), 0b1111u128 << 68);
        // 23:30–00:30 at UTC wraps: slots 94, 95, 0, 1.
        assert_eq!(utc_slots(&[window("23:30", "00:30")], 0), (0b11u128 << 94) | 0b11);
        // Negative offsets: 20:00–20:15 in New York (UTC-5) is 01:00 UTC, slot 4.
        assert_eq!(utc_slots(&[window("20:00", "20:15")], -300), 1u128 << 4);
    }

    #[test]
    fn unknown_catalogue_keys_are_ignored() {
        let user = PoolUser {
            id: crate::synthetic::user_id(0),
            utc_offset_minutes: 0,
            values: [("honesty".to_owned(), 80), ("made-up".to_owned(), 90)].into(),
            interests: BTreeMap::new(),
            communication: CommunicationStyle { directness: 50, humour: 50, response_pace: ResponsePace::Quick },
            depth: Depth::Deep,
            chat_hours: vec![],
            response_rate: 1.0,
            abandoned_in_a_row: 0,
            excluded: vec![],
            trust: 50,
            intent: None,
        };
        let features = Features::from(&user);
        assert_eq!(features.values.iter().filter(|w| **w > 0).count(), 1);
        assert_eq!(features.top_values.len(), 1);
    }
}
