//! Anonymous-first conversations: each side sees a pseudonym until both agree to reveal.
//! Decision gates open at 10, 20 and 30 minutes after the first exchange (both have
//! written); at each, a participant answers reveal / not yet / end. Reveal happens only when
//! both consented (at a gate or directly), and is then permanent for the conversation.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::engagement::ParticipantActivity;

/// Minutes after the first exchange at which each gate (1, 2, 3) opens.
pub const GATE_MINUTES: [i64; 3] = [10, 20, 30];

crate::named_enum! {
    pub enum GateAnswer {
        Reveal = "reveal",
        NotYet = "not_yet",
        End = "end",
    }
}

/// One participant's answer at one gate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GateRecord {
    pub gate: u8,
    /// 0 or 1: the participant's place in the conversation.
    pub participant: u8,
    pub answer: GateAnswer,
    pub at: DateTime<Utc>,
}

/// What a conversation remembers of its reveal, stored on it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RevealState {
    /// Each participant consented (in participant order); a consent is not withdrawn.
    #[serde(default)]
    pub consents: [bool; 2],
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub answers: Vec<GateRecord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revealed_at: Option<DateTime<Utc>>,
    /// Each participant pressed "stay friends" before the end (in participant order): when
    /// both have, they become friends. Like consents, never shown as such.
    #[serde(default)]
    pub stay_friends: [bool; 2],
    /// Bumped by every change: writes are conditioned on it.
    #[serde(default)]
    pub version: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RevealError {
    #[error("gate must be 1, 2 or 3")]
    NoSuchGate,
    #[error("this gate has not opened yet")]
    GateNotOpen,
    #[error("this gate was already answered differently")]
    GateAlreadyAnswered,
}

/// What an answer or a consent did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RevealStep {
    /// Nothing new (the same answer again): nothing to write.
    Unchanged,
    /// Recorded; the conversation stays anonymous for now.
    Recorded,
    /// Recorded, and both have now consented: revealed from this moment.
    Revealed,
    /// Recorded, and the participant chose to end the conversation.
    End,
}

/// When both participants had written: the moment gates count from.
pub fn first_exchange(activity: &[ParticipantActivity; 2]) -> Option<DateTime<Utc>> {
    Some(activity[0].first_message_at?.max(activity[1].first_message_at?))
}

/// The latest gate open at `now` (1–3), if any.
pub fn open_gate(activity: &[ParticipantActivity; 2], now: DateTime<Utc>) -> Option<u8> {
    let since = now - first_exchange(activity)?;
    GATE_MINUTES.iter().rposition(|m| since >= Duration::minutes(*m)).map(|i| i as u8 + 1)
}

/// When gate `gate` opens (or opened), once both have written.
pub fn gate_opens_at(activity: &[ParticipantActivity; 2], gate: u8) -> Option<DateTime<Utc>> {
    let minutes = GATE_MINUTES.get(usize::from(gate).checked_sub(1)?)?;
    Some(first_exchange(activity)? + Duration::minutes(*minutes))
}

impl RevealState {
    pub fn revealed(&self) -> bool {
        self.revealed_at.is_some()
    }

    /// `participant`'s answer at an open gate. The same answer twice changes nothing; a
    /// different one is refused.
    pub fn answer_gate(
        &mut self,
        participant: usize,
        gate: u8,
        answer: GateAnswer,
        activity: &[ParticipantActivity; 2],
        now: DateTime<Utc>,
    ) -> Result<RevealStep, RevealError> {
        if !(1..=GATE_MINUTES.len() as u8).contains(&gate) {
            return Err(RevealError::NoSuchGate);
        }
        if open_gate(activity, now).is_none_or(|open| gate > open) {
            return Err(RevealError::GateNotOpen);
        }
        if let Some(earlier) = self.answers.iter().find(|a| a.gate == gate && usize::from(a.participant) == participant)
        {
            return if earlier.answer == answer {
                Ok(RevealStep::Unchanged)
            } else {
                Err(RevealError::GateAlreadyAnswered)
            };
        }
        self.answers.push(GateRecord { gate, participant: participant as u8, answer, at: now });
        self.version += 1;
        Ok(match answer {
            GateAnswer::Reveal => self.consent_recorded(participant, now),
            GateAnswer::NotYet => RevealStep::Recorded,
            GateAnswer::End => RevealStep::End,
        })
    }

    /// `participant` consents to reveal directly (no gate needed). Idempotent.
    pub fn consent(&mut self, participant: usize, now: DateTime<Utc>) -> RevealStep {
        if self.consents[participant] {
            return RevealStep::Unchanged;
        }
        self.version += 1;
        self.consent_recorded(participant, now)
    }

    /// `participant` presses "stay friends"; `Some(both)` when this is new (`both`: the
    /// other had pressed it already), `None` when they had pressed it before.
    pub fn press_stay_friends(&mut self, participant: usize) -> Option<bool> {
        if self.stay_friends[participant] {
            return None;
        }
        self.stay_friends[participant] = true;
        self.version += 1;
        Some(self.stay_friends == [true, true])
    }

    fn consent_recorded(&mut self, participant: usize, now: DateTime<Utc>) -> RevealStep {
        self.consents[participant] = true;
        if self.consents == [true, true] && self.revealed_at.is_none() {
            self.revealed_at = Some(now);
            RevealStep::Revealed
        } else {
            RevealStep::Recorded
        }
    }
}

const ADJECTIVES: &[&str] = &[
    "Amber", "Brave", "Calm", "Curious", "Gentle", "Golden", "Happy", "Kind", "Lively", "Mellow", "Quiet", "Quick",
    "Sunny", "Swift", "Warm", "Witty",
];
const ANIMALS: &[&str] = &[
    "Badger", "Crane", "Dolphin", "Falcon", "Fox", "Hare", "Heron", "Lynx", "Otter", "Owl", "Panda", "Robin", "Seal",
    "Sparrow", "Swan", "Wren",
];

/// The name a participant goes by in one conversation until the reveal: stable for the
/// conversation, unrelated across conversations, derived from nothing the partner can read.
pub fn pseudonym(conversation: &str, user: &str) -> String {
    let hash = fnv1a(&format!("pseudonym:{conversation}:{user}"));
    let (a, b) = ((hash >> 32) as usize, hash as u32 as usize);
    format!("{} {}", ADJECTIVES[a % ADJECTIVES.len()], ANIMALS[b % ANIMALS.len()])
}

/// FNV-1a, 64 bits: stable across builds (unlike the standard hasher), enough to pick names.
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default() + Duration::minutes(minutes)
    }

    fn wrote(a: i64, b: i64) -> [ParticipantActivity; 2] {
        let one = |m| ParticipantActivity { first_message_at: Some(at(m)), last_message_at: Some(at(m)), messages: 1 };
        [one(a), one(b)]
    }

    #[test]
    fn gates_count_from_the_first_exchange_not_the_first_message() {
        let activity = wrote(0, 5);
        assert_eq!(first_exchange(&activity), Some(at(5)));
        assert_eq!(open_gate(&activity, at(14)), None);
        assert_eq!(open_gate(&activity, at(15)), Some(1));
        assert_eq!(open_gate(&activity, at(34)), Some(2));
        assert_eq!(open_gate(&activity, at(500)), Some(3));
        assert_eq!(gate_opens_at(&activity, 2), Some(at(25)));
        let one_sided = [activity[0].clone(), ParticipantActivity::default()];
        assert_eq!(open_gate(&one_sided, at(500)), None, "no exchange yet");
    }

    #[test]
    fn reveal_needs_both_consents_and_a_gate_is_answered_once() {
        let activity = wrote(0, 0);
        let mut state = RevealState::default();
        assert_eq!(state.answer_gate(0, 1, GateAnswer::Reveal, &activity, at(9)), Err(RevealError::GateNotOpen));
        assert_eq!(state.answer_gate(0, 4, GateAnswer::Reveal, &activity, at(40)), Err(RevealError::NoSuchGate));
        assert_eq!(state.answer_gate(0, 1, GateAnswer::Reveal, &activity, at(10)), Ok(RevealStep::Recorded));
        assert!(!state.revealed(), "one consent reveals nothing");
        assert_eq!(state.answer_gate(0, 1, GateAnswer::Reveal, &activity, at(11)), Ok(RevealStep::Unchanged));
        assert_eq!(
            state.answer_gate(0, 1, GateAnswer::NotYet, &activity, at(11)),
            Err(RevealError::GateAlreadyAnswered)
        );
        assert_eq!(state.answer_gate(1, 1, GateAnswer::NotYet, &activity, at(12)), Ok(RevealStep::Recorded));
        assert!(!state.revealed());
        assert_eq!(state.answer_gate(1, 2, GateAnswer::Reveal, &activity, at(21)), Ok(RevealStep::Revealed));
        assert_eq!(state.revealed_at, Some(at(21)));
        assert_eq!(state.consent(1, at(22)), RevealStep::Unchanged);
    }

    #[test]
    fn a_direct_consent_reveals_when_the_other_said_yes_at_a_gate() {
        let activity = wrote(0, 0);
        let mut state = RevealState::default();
        assert_eq!(state.consent(1, at(1)), RevealStep::Recorded);
        assert_eq!(state.answer_gate(0, 1, GateAnswer::End, &activity, at(10)), Ok(RevealStep::End));
        assert!(!state.revealed(), "end is not consent");
        assert_eq!(state.consent(0, at(11)), RevealStep::Revealed);
    }

    #[test]
    fn stay_friends_needs_both_and_counts_once() {
        let mut state = RevealState::default();
        assert_eq!(state.press_stay_friends(1), Some(false));
        assert_eq!(state.press_stay_friends(1), None, "a second press changes nothing");
        assert_eq!(state.version, 1);
        assert_eq!(state.press_stay_friends(0), Some(true));
        assert!(!state.revealed(), "staying friends is not a reveal consent");
    }

    #[test]
    fn pseudonyms_are_stable_per_conversation_and_differ_across_them() {
        assert_eq!(pseudonym("c1", "u1"), pseudonym("c1", "u1"));
        let names: std::collections::HashSet<String> = (0..20).map(|c| pseudonym(&format!("c{c}"), "u1")).collect();
        assert!(names.len() > 5, "{names:?}");
    }
}
