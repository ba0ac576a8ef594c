//! Rewards: the points ledger's kinds and rules, daily streaks and badges. Every award is
//! keyed by user, local day and kind, so awarding twice records nothing twice.

use std::collections::BTreeSet;

use chrono::{Duration, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::engagement::{ConversationOutcome, Engagement};

crate::named_enum! {
    pub enum RewardKind {
        /// First reply within the configured time.
        FastReply = "fast_reply",
        /// Both participants wrote at least the configured number of messages.
        RealConversation = "real_conversation",
        /// A day that continues a streak (queued and answered on consecutive local days).
        DailyStreak = "daily_streak",
        Badge = "badge",
    }
}

crate::named_enum! {
    pub enum Badge {
        FirstConversation = "first_conversation",
        FirstRealConversation = "first_real_conversation",
        Streak7 = "streak_7",
        Streak30 = "streak_30",
        /// Ten conversations in a row without an abandon.
        Reliable10 = "reliable_10",
    }
}

impl PartialOrd for Badge {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Badge {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.as_str().cmp(other.as_str())
    }
}

impl Badge {
    pub fn title(self) -> &'static str {
        match self {
            Badge::FirstConversation => "First conversation",
            Badge::FirstRealConversation => "A real conversation",
            Badge::Streak7 => "Seven days in a row",
            Badge::Streak30 => "Thirty days in a row",
            Badge::Reliable10 => "Ten conversations, never a ghost",
        }
    }
}

/// Points per kind and the thresholds of the rules: configuration (`REWARD_RULES`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardRules {
    /// A first reply within this many minutes is fast (also the "quick" of the response rate).
    pub fast_reply_minutes: u32,
    /// Messages each participant must write for a real conversation.
    pub real_conversation_messages: u32,
    pub points: RewardPoints,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RewardPoints {
    pub fast_reply: u32,
    pub real_conversation: u32,
    pub daily_streak: u32,
    pub badge: u32,
}

impl Default for RewardRules {
    fn default() -> Self {
        Self {
            fast_reply_minutes: 30,
            real_conversation_messages: 10,
            points: RewardPoints { fast_reply: 10, real_conversation: 20, daily_streak: 5, badge: 50 },
        }
    }
}

impl RewardRules {
    pub fn from_json(raw: &str) -> Result<Self, String> {
        let rules: Self = serde_json::from_str(raw).map_err(|e| e.to_string())?;
        if !(1..=1440).contains(&rules.fast_reply_minutes) {
            return Err("fastReplyMinutes must be from 1 to 1440".into());
        }
        if !(1..=1000).contains(&rules.real_conversation_messages) {
            return Err("realConversationMessages must be from 1 to 1000".into());
        }
        Ok(rules)
    }

    pub fn fast_reply(&self) -> Duration {
        Duration::minutes(i64::from(self.fast_reply_minutes))
    }

    pub fn points(&self, kind: RewardKind) -> u32 {
        match kind {
            RewardKind::FastReply => self.points.fast_reply,
            RewardKind::RealConversation => self.points.real_conversation,
            RewardKind::DailyStreak => self.points.daily_streak,
            RewardKind::Badge => self.points.badge,
        }
    }
}

/// One ledger entry to write: at most one per user, local day and slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Award {
    pub kind: RewardKind,
    pub badge: Option<Badge>,
    pub points: u32,
}

impl Award {
    fn of(rules: &RewardRules, kind: RewardKind) -> Self {
        Self { kind, badge: None, points: rules.points(kind) }
    }

    fn badge(rules: &RewardRules, badge: Badge) -> Self {
        Self { kind: RewardKind::Badge, badge: Some(badge), points: rules.points(RewardKind::Badge) }
    }

    /// What makes the entry unique within a user's day: the kind, or the badge (each badge
    /// is its own kind).
    pub fn slot(&self) -> String {
        match self.badge {
            Some(badge) => format!("badge:{badge}"),
            None => self.kind.as_str().to_owned(),
        }
    }
}

/// Awards for one participant of an ended conversation: fast reply, real conversation and
/// the badges their history now earns (`history` already includes this conversation).
pub fn conversation_awards(
    rules: &RewardRules,
    outcome: &ConversationOutcome,
    history: &Engagement,
    earned: &BTreeSet<Badge>,
) -> Vec<Award> {
    let mut awards = Vec::new();
    if !outcome.answered {
        return awards;
    }
    if outcome.replied_within(rules.fast_reply()) {
        awards.push(Award::of(rules, RewardKind::FastReply));
    }
    let real = outcome.messages >= rules.real_conversation_messages
        && outcome.partner_messages >= rules.real_conversation_messages;
    if real {
        awards.push(Award::of(rules, RewardKind::RealConversation));
    }
    let mut badges = vec![Badge::FirstConversation];
    if real {
        badges.push(Badge::FirstRealConversation);
    }
    if history.answered_in_a_row >= 10 {
        badges.push(Badge::Reliable10);
    }
    awards.extend(badges.into_iter().filter(|b| !earned.contains(b)).map(|b| Award::badge(rules, b)));
    awards
}

/// How a local day went for streaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayOutcome {
    /// Queued and wrote in the day's conversation: the streak grows.
    Answered,
    /// Queued, but no one was matched with them: the streak neither grows nor breaks.
    Unmatched,
    /// Queued, matched and silent: the streak breaks.
    Ghosted,
}

/// Consecutive local days with an answered conversation. A day without any activity breaks
/// the streak; that is seen when the next active day is applied, or by [`Streak::current_on`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Streak {
    pub current: u32,
    pub best: u32,
    /// The last local day applied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_day: Option<NaiveDate>,
}

impl Streak {
    /// The streak after `day`; `None` when `day` is not after the last day applied (applying
    /// a day twice, or out of order, changes nothing).
    pub fn after(&self, day: NaiveDate, outcome: DayOutcome) -> Option<Streak> {
        if self.last_day.is_some_and(|last| day <= last) {
            return None;
        }
        let continues = self.last_day.is_some_and(|last| day.pred_opt() == Some(last));
        let current = match outcome {
            DayOutcome::Answered if continues => self.current + 1,
            DayOutcome::Answered => 1,
            DayOutcome::Unmatched if continues => self.current,
            DayOutcome::Unmatched | DayOutcome::Ghosted => 0,
        };
        Some(Streak { current, best: self.best.max(current), last_day: Some(day) })
    }

    /// The streak as it stands on local day `today`: broken if neither today nor yesterday
    /// was applied.
    pub fn current_on(&self, today: NaiveDate) -> u32 {
        match self.last_day {
            Some(last) if last == today || today.pred_opt() == Some(last) => self.current,
            _ => 0,
        }
    }
}

/// Awards for a local day that was applied: the streak day and the streak badges.
pub fn day_awards(rules: &RewardRules, outcome: DayOutcome, after: &Streak, earned: &BTreeSet<Badge>) -> Vec<Award> {
    let mut awards = Vec::new();
    if outcome == DayOutcome::Answered && after.current >= 2 {
        awards.push(Award::of(rules, RewardKind::DailyStreak));
    }
    for (length, badge) in [(7, Badge::Streak7), (30, Badge::Streak30)] {
        if after.current >= length && !earned.contains(&badge) {
            awards.push(Award::badge(rules, badge));
        }
    }
    awards
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(n: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(n))
    }

    #[test]
    fn consecutive_answered_days_build_a_streak_and_a_gap_resets_it() {
        let mut streak = Streak::default();
        for n in 0..3 {
            streak = streak.after(day(n), DayOutcome::Answered).unwrap();
        }
        assert_eq!((streak.current, streak.best), (3, 3));
        assert_eq!(streak.current_on(day(3)), 3);
        assert_eq!(streak.current_on(day(4)), 0, "a missed day shows as broken");
        let after_gap = streak.after(day(4), DayOutcome::Answered).unwrap();
        assert_eq!((after_gap.current, after_gap.best), (1, 3));
    }

    #[test]
    fn an_unmatched_day_bridges_and_a_ghosted_day_breaks() {
        let two = Streak::default()
            .after(day(0), DayOutcome::Answered)
            .and_then(|s| s.after(day(1), DayOutcome::Answered))
            .unwrap();
        let bridged = two.after(day(2), DayOutcome::Unmatched).unwrap();
        assert_eq!(bridged.current, 2);
        assert_eq!(bridged.after(day(3), DayOutcome::Answered).unwrap().current, 3);
        assert_eq!(two.after(day(2), DayOutcome::Ghosted).unwrap().current, 0);
    }

    #[test]
    fn a_day_applied_twice_changes_nothing() {
        let once = Streak::default().after(day(5), DayOutcome::Answered).unwrap();
        assert_eq!(once.after(day(5), DayOutcome::Answered), None);
        assert_eq!(once.after(day(4), DayOutcome::Answered), None);
    }

    #[test]
    fn conversation_awards_follow_the_rules_and_badges_come_once() {
        let rules = RewardRules::default();
        let outcome = ConversationOutcome {
            answered: true,
            reply_delay: Some(Duration::minutes(5)),
            messages: 12,
            partner_messages: 10,
        };
        let history = Engagement { conversations: 1, answered: 1, answered_in_a_row: 1, ..Default::default() };
        let awards = conversation_awards(&rules, &outcome, &history, &BTreeSet::new());
        let slots: Vec<String> = awards.iter().map(Award::slot).collect();
        assert_eq!(
            slots,
            ["fast_reply", "real_conversation", "badge:first_conversation", "badge:first_real_conversation"]
        );
        let earned = BTreeSet::from([Badge::FirstConversation, Badge::FirstRealConversation]);
        let slow = ConversationOutcome { reply_delay: Some(Duration::minutes(31)), messages: 9, ..outcome };
        assert!(conversation_awards(&rules, &slow, &history, &earned).is_empty());
        let silent = ConversationOutcome { answered: false, reply_delay: None, ..outcome };
        assert!(conversation_awards(&rules, &silent, &history, &BTreeSet::new()).is_empty());
        let reliable = Engagement { answered_in_a_row: 10, ..history };
        let slots: Vec<String> =
            conversation_awards(&rules, &slow, &reliable, &earned).iter().map(Award::slot).collect();
        assert_eq!(slots, ["badge:reliable_10"]);
    }

    #[test]
    fn streak_days_earn_points_from_the_second_day_and_badges_at_7_and_30() {
        let rules = RewardRules::default();
        let first = Streak { current: 1, best: 1, last_day: Some(day(0)) };
        assert!(day_awards(&rules, DayOutcome::Answered, &first, &BTreeSet::new()).is_empty());
        let seventh = Streak { current: 7, best: 7, last_day: Some(day(6)) };
        let slots: Vec<String> =
            day_awards(&rules, DayOutcome::Answered, &seventh, &BTreeSet::new()).iter().map(Award::slot).collect();
        assert_eq!(slots, ["daily_streak", "badge:streak_7"]);
        let earned = BTreeSet::from([Badge::Streak7]);
        assert_eq!(day_awards(&rules, DayOutcome::Unmatched, &seventh, &earned), vec![]);
    }

    #[test]
    fn rules_parse_and_validate() {
        let shipped = serde_json::to_string(&RewardRules::default()).unwrap();
        assert_eq!(RewardRules::from_json(&shipped).unwrap(), RewardRules::default());
        let zero = shipped.replace("\"fastReplyMinutes\":30", "\"fastReplyMinutes\":0");
        assert!(RewardRules::from_json(&zero).is_err());
        assert!(RewardRules::from_json("{\"points\": {}}").is_err());
    }
}
