//! Moderation: what the asynchronous scan receives, what it decides, and the rules it
//! decides with. The rules are pure and configurable ([`RuleSet`], word lists and thresholds
//! from JSON); a model can replace or join them later behind the [`Classifier`] trait.

mod normalise;
mod rules;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use normalise::{normalise, words};
pub use rules::{LexiconEntry, RuleSet, RulesConfig, RulesError};

crate::named_enum! {
    /// How serious a finding is; reports inherit it.
    pub enum Severity {
        Low = "low",
        Medium = "medium",
        High = "high",
    }
}

impl Severity {
    /// 0 for low up to 2 for high.
    pub fn rank(self) -> u8 {
        match self {
            Severity::Low => 0,
            Severity::Medium => 1,
            Severity::High => 2,
        }
    }
}

impl PartialOrd for Severity {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Severity {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.rank().cmp(&other.rank())
    }
}

/// What one rule found in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// What kind of harm: `harassment`, `hate`, `sexual`, `contact_details`, `spam`, …
    pub label: String,
    pub severity: Severity,
    /// Which rule fired (for reviewers and for tuning), never the matched text itself.
    pub rule: String,
}

/// The message and the context a classifier may need.
#[derive(Debug, Clone, Copy)]
pub struct MessageContext<'a> {
    pub text: &'a str,
    pub sent_at: DateTime<Utc>,
    pub conversation_started_at: DateTime<Utc>,
    /// The author's earlier messages in this conversation (for repetition), newest last.
    pub earlier_by_author: &'a [String],
}

/// Anything that can judge a message: today's heuristic [`RuleSet`], a model tomorrow.
pub trait Classifier: Send + Sync {
    fn classify(&self, message: &MessageContext<'_>) -> Vec<Finding>;
}

/// The scan's decision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Visible,
    /// Hidden for both participants; the most severe finding first (it names the report).
    Hide(Vec<Finding>),
}

/// Hides when any finding reaches `hide_at`.
pub fn verdict(mut findings: Vec<Finding>, hide_at: Severity) -> Verdict {
    findings.sort_by_key(|f| std::cmp::Reverse(f.severity));
    if findings.first().is_some_and(|f| f.severity >= hide_at) { Verdict::Hide(findings) } else { Verdict::Visible }
}
