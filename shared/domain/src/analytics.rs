//! Product analytics events: what the design notes measure (queue wait, match success
//! rate, conversation outcomes, report rate). Append-only, kept 90 days, and anonymous by
//! construction: no user id, no message text, nothing that joins back to a person.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

crate::named_enum! {
    pub enum AnalyticsKind {
        /// A queued user was matched: how long they waited.
        QueueWait = "queue_wait",
        /// A pair was matched: its score.
        MatchMade = "match_made",
        /// A queued user's local day ended without a match: how long they waited.
        Unmatched = "unmatched",
        /// A conversation ended: how, how long, how much was said.
        ConversationOutcome = "conversation_outcome",
        /// A report was filed: its source, reason and severity.
        ReportFiled = "report_filed",
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyticsEvent {
    pub kind: AnalyticsKind,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<f32>,
    /// How a conversation ended (expired, closed, ended_by_panic).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub messages: Option<u32>,
    /// Both participants wrote.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub severity: Option<String>,
}

impl AnalyticsEvent {
    pub fn new(kind: AnalyticsKind, at: DateTime<Utc>) -> Self {
        Self {
            kind,
            at,
            wait_seconds: None,
            score: None,
            state: None,
            duration_seconds: None,
            messages: None,
            answered: None,
            source: None,
            reason: None,
            severity: None,
        }
    }

    pub fn queue_wait(queued_at: DateTime<Utc>, matched_at: DateTime<Utc>) -> Self {
        Self {
            wait_seconds: Some((matched_at - queued_at).num_seconds().max(0)),
            ..Self::new(AnalyticsKind::QueueWait, matched_at)
        }
    }

    pub fn unmatched(queued_at: DateTime<Utc>, dropped_at: DateTime<Utc>) -> Self {
        Self {
            wait_seconds: Some((dropped_at - queued_at).num_seconds().max(0)),
            ..Self::new(AnalyticsKind::Unmatched, dropped_at)
        }
    }

    pub fn match_made(score: f32, at: DateTime<Utc>) -> Self {
        Self { score: Some(score), ..Self::new(AnalyticsKind::MatchMade, at) }
    }
}
