//! Prompts: a catalogue administered by admins. Icebreakers open a daily conversation,
//! chosen from the interests both users share; daily prompts rotate by the user's local day
//! and each user may answer one a day, shown to revealed partners only.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::catalogue;
use crate::reveal::fnv1a;
use crate::validation::ValidationErrors;
use crate::{PromptId, UserId};

/// Longest prompt text and answer, in characters.
pub const MAX_PROMPT_CHARS: usize = 280;
pub const MAX_ANSWER_CHARS: usize = 500;
/// Interests an icebreaker may be tagged with.
pub const MAX_PROMPT_INTERESTS: usize = 5;
/// How far back a revealed partner sees a user's answers.
pub const ANSWERS_SHOWN_DAYS: i64 = 7;
/// Answers are deleted this long after they were given.
pub const ANSWER_RETENTION_DAYS: i64 = 30;

crate::named_enum! {
    pub enum PromptKind {
        Icebreaker = "icebreaker",
        Daily = "daily",
    }
}

/// A prompt of the catalogue. Retired (inactive) prompts stay, so answers keep their question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Prompt {
    pub prompt_id: PromptId,
    pub kind: PromptKind,
    pub text: String,
    /// Icebreakers only: the interests it suits (none: suits anyone).
    #[serde(default)]
    pub interests: Vec<String>,
    pub active: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What an admin writes: the text, the interests and whether it is in use. The kind is
/// fixed at creation.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptDraft {
    pub text: String,
    pub interests: Vec<String>,
    pub active: bool,
}

impl PromptDraft {
    /// Checks a draft for a prompt of `kind`: text 1–280 characters, interests from the
    /// catalogue (at most 5, no repeats, icebreakers only). Returns it trimmed and sorted.
    pub fn checked(
        kind: PromptKind,
        text: &str,
        interests: Vec<String>,
        active: bool,
    ) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let text = text.trim().to_owned();
        if text.is_empty() || text.chars().count() > MAX_PROMPT_CHARS {
            errors.push("text", format!("1 to {MAX_PROMPT_CHARS} characters"));
        }
        let mut sorted = interests.clone();
        sorted.sort();
        sorted.dedup();
        if kind == PromptKind::Daily && !interests.is_empty() {
            errors.push("interests", "only icebreakers have interests");
        } else if sorted.len() != interests.len() || interests.len() > MAX_PROMPT_INTERESTS {
            errors.push("interests", format!("at most {MAX_PROMPT_INTERESTS}, each once"));
        }
        for interest in interests.iter().filter(|i| !catalogue::is_interest(i)) {
            errors.push(format!("interests.{interest}"), "not an interest of the catalogue");
        }
        errors.into_result(Self { text, interests: sorted, active })
    }

    pub fn into_prompt(self, prompt_id: PromptId, kind: PromptKind, now: DateTime<Utc>) -> Prompt {
        Prompt {
            prompt_id,
            kind,
            text: self.text,
            interests: self.interests,
            active: self.active,
            created_at: now,
            updated_at: now,
        }
    }
}

/// The icebreaker a conversation opens with: a copy, so editing the catalogue later does
/// not change what a conversation showed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Icebreaker {
    pub prompt_id: PromptId,
    pub text: String,
    /// The shared interest it was chosen for; none for a general icebreaker.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interest: Option<String>,
}

/// The icebreaker for two users: among active icebreakers tagged with an interest both
/// have, those on the interest they share most strongly (the lower of the two weights);
/// else a general one. Several equal candidates: one picked by `seed` (the conversation
/// id), so the choice is stable and spread over the catalogue.
pub fn choose_icebreaker(
    catalogue: &[Prompt],
    a: &BTreeMap<String, u8>,
    b: &BTreeMap<String, u8>,
    seed: &str,
) -> Option<Icebreaker> {
    let shared = |interest: &String| match (a.get(interest), b.get(interest)) {
        (Some(&x), Some(&y)) if x.min(y) > 0 => Some(x.min(y)),
        _ => None,
    };
    let icebreakers = catalogue.iter().filter(|p| p.active && p.kind == PromptKind::Icebreaker);
    // Each icebreaker's best shared interest: (weight, interest).
    let tagged: Vec<(u8, &String, &Prompt)> = icebreakers
        .clone()
        .filter_map(|p| {
            p.interests
                .iter()
                .filter_map(|i| shared(i).map(|w| (w, i)))
                .max_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(x.1)))
                .map(|(w, i)| (w, i, p))
        })
        .collect();
    let pick = |candidates: Vec<(&Prompt, Option<&String>)>| {
        let mut candidates = candidates;
        candidates.sort_by(|x, y| x.0.prompt_id.cmp(&y.0.prompt_id));
        let index = (fnv1a(&format!("icebreaker:{seed}")) % candidates.len().max(1) as u64) as usize;
        candidates.get(index).map(|(p, interest)| Icebreaker {
            prompt_id: p.prompt_id.clone(),
            text: p.text.clone(),
            interest: interest.cloned(),
        })
    };
    if let Some(best) = tagged.iter().map(|(w, _, _)| *w).max() {
        // The strongest shared interest first; other icebreakers of the same weight compete.
        let top: Vec<_> = tagged.iter().filter(|(w, _, _)| *w == best).map(|(_, i, p)| (*p, Some(*i))).collect();
        return pick(top);
    }
    pick(icebreakers.filter(|p| p.interests.is_empty()).map(|p| (p, None)).collect())
}

/// The daily prompt of `day`: active daily prompts in creation order, one a day in turn.
pub fn daily_prompt(catalogue: &[Prompt], day: NaiveDate) -> Option<&Prompt> {
    let mut daily: Vec<&Prompt> = catalogue.iter().filter(|p| p.active && p.kind == PromptKind::Daily).collect();
    daily.sort_by(|x, y| x.prompt_id.cmp(&y.prompt_id));
    let turn = day.num_days_from_ce().unsigned_abs() as usize;
    daily.get(turn % daily.len().max(1)).copied()
}

/// A user's answer to a daily prompt: one per local day (answering again that day replaces
/// it). Keeps the question as it was asked.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PromptAnswer {
    pub user_id: UserId,
    pub prompt_id: PromptId,
    pub question: String,
    pub text: String,
    /// The user's local day it answers for.
    pub day: NaiveDate,
    pub answered_at: DateTime<Utc>,
}

/// Checks an answer's text; returns it trimmed.
pub fn clean_answer(raw: &str) -> Result<String, ValidationErrors> {
    let text = raw.trim();
    let mut errors = ValidationErrors::default();
    if text.is_empty() || text.chars().count() > MAX_ANSWER_CHARS {
        errors.push("text", format!("1 to {MAX_ANSWER_CHARS} characters"));
    }
    errors.into_result(text.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at() -> DateTime<Utc> {
        DateTime::<Utc>::from_timestamp(1_795_000_000, 0).unwrap_or_default()
    }

    fn prompt(n: u128, kind: PromptKind, interests: &[&str]) -> Prompt {
        Prompt {
            prompt_id: PromptId::from_uuid(uuid::Uuid::from_u128((n << 80) | (7 << 76) | (2 << 62))).expect("a v7 id"),
            kind,
            text: format!("prompt {n}"),
            interests: interests.iter().map(|i| i.to_string()).collect(),
            active: true,
            created_at: at(),
            updated_at: at(),
        }
    }

    fn weights(pairs: &[(&str, u8)]) -> BTreeMap<String, u8> {
        pairs.iter().map(|(k, w)| (k.to_string(), *w)).collect()
    }

    #[test]
    fn the_icebreaker_follows_the_most_strongly_shared_interest() {
        let catalogue = vec![
            prompt(1, PromptKind::Icebreaker, &[]),
            prompt(2, PromptKind::Icebreaker, &["books"]),
            prompt(3, PromptKind::Icebreaker, &["climbing", "hiking"]),
            prompt(4, PromptKind::Icebreaker, &["cooking"]),
            prompt(5, PromptKind::Daily, &[]),
        ];
        let a = weights(&[("books", 40), ("climbing", 90), ("cooking", 100)]);
        let b = weights(&[("books", 80), ("climbing", 70)]);
        // Shared: books (40), climbing (70); cooking is a's alone.
        for seed in ["c1", "c2", "c3"] {
            let chosen = choose_icebreaker(&catalogue, &a, &b, seed).expect("an icebreaker");
            assert_eq!(chosen.prompt_id, catalogue[2].prompt_id);
            assert_eq!(chosen.interest.as_deref(), Some("climbing"));
        }
        // Nothing shared: a general icebreaker, never one tagged for someone else's interest.
        let general = choose_icebreaker(&catalogue, &weights(&[("art", 50)]), &weights(&[("yoga", 50)]), "c1");
        assert_eq!(general.map(|g| (g.prompt_id, g.interest)), Some((catalogue[0].prompt_id.clone(), None)));
        // No active icebreaker at all: none.
        let mut retired = catalogue.clone();
        retired.iter_mut().for_each(|p| p.active = false);
        assert_eq!(choose_icebreaker(&retired, &a, &b, "c1"), None);
    }

    #[test]
    fn equal_icebreakers_are_picked_by_seed_stably_and_spread() {
        let catalogue: Vec<Prompt> = (1..=4).map(|n| prompt(n, PromptKind::Icebreaker, &["music"])).collect();
        let both = weights(&[("music", 60)]);
        let first = choose_icebreaker(&catalogue, &both, &both, "conversation-1");
        assert_eq!(first, choose_icebreaker(&catalogue, &both, &both, "conversation-1"));
        let picked: std::collections::HashSet<_> = (0..40)
            .filter_map(|c| choose_icebreaker(&catalogue, &both, &both, &format!("conversation-{c}")))
            .map(|i| i.prompt_id)
            .collect();
        assert!(picked.len() > 1, "{picked:?}");
    }

    #[test]
    fn daily_prompts_rotate_by_day_over_active_ones() {
        let mut catalogue: Vec<Prompt> = (1..=3).map(|n| prompt(n, PromptKind::Daily, &[])).collect();
        catalogue.push(prompt(9, PromptKind::Icebreaker, &[]));
        let day = NaiveDate::from_ymd_opt(2026, 11, 22).expect("a date");
        let seen: Vec<_> = (0..3)
            .filter_map(|d| daily_prompt(&catalogue, day + chrono::Duration::days(d)))
            .map(|p| p.prompt_id.clone())
            .collect();
        assert_eq!(seen.iter().collect::<std::collections::HashSet<_>>().len(), 3);
        assert_eq!(daily_prompt(&catalogue, day), daily_prompt(&catalogue, day + chrono::Duration::days(3)));
        catalogue.iter_mut().filter(|p| p.kind == PromptKind::Daily).for_each(|p| p.active = false);
        assert_eq!(daily_prompt(&catalogue, day), None);
    }

    #[test]
    fn drafts_are_checked_whole() {
        let draft = PromptDraft::checked(
            PromptKind::Icebreaker,
            "  What got you into climbing? ",
            vec!["climbing".into()],
            true,
        )
        .expect("valid");
        assert_eq!(draft.text, "What got you into climbing?");
        let errors = PromptDraft::checked(PromptKind::Daily, " ", vec!["astrology".into()], true).expect_err("invalid");
        let fields: Vec<_> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["text", "interests", "interests.astrology"]);
        let repeated = PromptDraft::checked(PromptKind::Icebreaker, "hi", vec!["books".into(), "books".into()], true);
        assert!(repeated.is_err());
        assert!(clean_answer(&"x".repeat(MAX_ANSWER_CHARS + 1)).is_err());
        assert_eq!(clean_answer("  a walk by the sea ").ok().as_deref(), Some("a walk by the sea"));
    }
}
