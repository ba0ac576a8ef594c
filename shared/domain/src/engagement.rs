//! Anti-ghosting: how each participant takes part in a conversation, what a conversation's
//! end says about them, and the history pairing and suspension read.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// A participant silent this long while the other has written gets one reminder.
pub const REMINDER_AFTER: Duration = Duration::hours(6);
/// Conversations abandoned in a row (never a message written) before matching is suspended.
pub const ABANDONS_BEFORE_SUSPENSION: u32 = 3;

/// One participant's messages in a conversation, kept on the conversation as they write.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantActivity {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_message_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub messages: u32,
}

/// What an ended conversation says about one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConversationOutcome {
    /// They wrote at least once; otherwise they abandoned it.
    pub answered: bool,
    /// From the partner's first message (or the match, when they wrote first) to their own
    /// first message.
    pub reply_delay: Option<Duration>,
    pub messages: u32,
    pub partner_messages: u32,
}

impl ConversationOutcome {
    pub fn of(started_at: DateTime<Utc>, mine: &ParticipantActivity, partner: &ParticipantActivity) -> Self {
        let reply_delay = mine.first_message_at.map(|mine_first| {
            let from = match partner.first_message_at {
                Some(partner_first) if partner_first < mine_first => partner_first,
                _ => started_at,
            };
            (mine_first - from).max(Duration::zero())
        });
        Self {
            answered: mine.first_message_at.is_some(),
            reply_delay,
            messages: mine.messages,
            partner_messages: partner.messages,
        }
    }

    /// Answered within `limit`.
    pub fn replied_within(&self, limit: Duration) -> bool {
        self.reply_delay.is_some_and(|delay| delay <= limit)
    }
}

/// A user's conversation history: updated once per ended conversation, read by the pairing
/// sweep (from the queue snapshot) and by suspension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Engagement {
    /// Conversations that ended.
    #[serde(default)]
    pub conversations: u32,
    /// Of those, the ones the user wrote in.
    #[serde(default)]
    pub answered: u32,
    /// Of those, the ones answered quickly (the fast-reply limit).
    #[serde(default)]
    pub quick_replies: u32,
    /// Abandoned in a row, up to the latest: a conversation answered resets it.
    #[serde(default)]
    pub abandoned_in_a_row: u32,
    /// Answered in a row, up to the latest: an abandon resets it.
    #[serde(default)]
    pub answered_in_a_row: u32,
}

impl Engagement {
    /// The history after one more ended conversation.
    pub fn after(self, outcome: &ConversationOutcome, quick: bool) -> Self {
        let mut next = self;
        next.conversations += 1;
        if outcome.answered {
            next.answered += 1;
            next.quick_replies += u32::from(quick);
            next.abandoned_in_a_row = 0;
            next.answered_in_a_row += 1;
        } else {
            next.abandoned_in_a_row += 1;
            next.answered_in_a_row = 0;
        }
        next
    }

    /// 0–1 for the pairing bonus: the share of conversations answered, three quarters for
    /// answering and a quarter for answering quickly. Newcomers start at 1.
    pub fn response_rate(&self) -> f32 {
        if self.conversations == 0 {
            return 1.0;
        }
        let answered = self.answered.min(self.conversations) as f32 / self.conversations as f32;
        let quick =
            if self.answered == 0 { 0.0 } else { self.quick_replies.min(self.answered) as f32 / self.answered as f32 };
        answered * (0.75 + 0.25 * quick)
    }

    /// The pairing penalty's input, saturating (the score caps it anyway).
    pub fn abandons_for_pairing(&self) -> u8 {
        u8::try_from(self.abandoned_in_a_row).unwrap_or(u8::MAX)
    }

    /// Whether this run of abandons suspends matching.
    pub fn calls_for_suspension(&self) -> bool {
        self.abandoned_in_a_row >= ABANDONS_BEFORE_SUSPENSION
    }
}

crate::named_enum! {
    /// Why an account is suspended from matching (status `suspended_from_matching`).
    pub enum SuspensionReason {
        /// Conversations abandoned in a row: lifted when the user acknowledges it.
        Ghosting = "ghosting",
    }
}

/// Shown on `GET /v1/me` while matching is suspended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suspension {
    pub reason: SuspensionReason,
    pub since: DateTime<Utc>,
    pub message: String,
}

impl Suspension {
    pub fn ghosting(abandons: u32, since: DateTime<Utc>) -> Self {
        Self {
            reason: SuspensionReason::Ghosting,
            since,
            message: format!(
                "You left your last {abandons} conversations without a word. Matching is paused until you \
                 acknowledge it (POST /v1/me/ghosting/acknowledge)."
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(minutes: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + minutes * 60, 0).unwrap()
    }

    fn activity(first: Option<i64>, messages: u32) -> ParticipantActivity {
        ParticipantActivity { first_message_at: first.map(at), last_message_at: first.map(at), messages }
    }

    #[test]
    fn the_reply_delay_counts_from_the_partner_or_the_match() {
        // The partner wrote at 10, I answered at 40: 30 minutes.
        let outcome = ConversationOutcome::of(at(0), &activity(Some(40), 3), &activity(Some(10), 5));
        assert_eq!(outcome.reply_delay, Some(Duration::minutes(30)));
        assert!(outcome.answered && outcome.replied_within(Duration::minutes(30)));
        // I opened at 5: from the match.
        let opener = ConversationOutcome::of(at(0), &activity(Some(5), 1), &activity(Some(10), 1));
        assert_eq!(opener.reply_delay, Some(Duration::minutes(5)));
        // Never wrote: abandoned, no delay.
        let silent = ConversationOutcome::of(at(0), &activity(None, 0), &activity(Some(10), 4));
        assert!(!silent.answered && silent.reply_delay.is_none() && !silent.replied_within(Duration::days(1)));
    }

    #[test]
    fn abandons_in_a_row_suspend_and_an_answer_resets_the_run() {
        let abandoned = ConversationOutcome { answered: false, reply_delay: None, messages: 0, partner_messages: 2 };
        let answered = ConversationOutcome { answered: true, ..abandoned };
        let mut history = Engagement::default();
        for _ in 0..2 {
            history = history.after(&abandoned, false);
        }
        assert!(!history.calls_for_suspension());
        assert!(history.after(&abandoned, false).calls_for_suspension());
        let reset = history.after(&answered, true);
        assert_eq!((reset.abandoned_in_a_row, reset.answered_in_a_row, reset.conversations), (0, 1, 3));
    }

    #[test]
    fn the_response_rate_weighs_answers_and_their_speed() {
        assert_eq!(Engagement::default().response_rate(), 1.0);
        let all_quick = Engagement { conversations: 4, answered: 4, quick_replies: 4, ..Default::default() };
        assert_eq!(all_quick.response_rate(), 1.0);
        let all_slow = Engagement { quick_replies: 0, ..all_quick };
        assert_eq!(all_slow.response_rate(), 0.75);
        let half = Engagement { conversations: 4, answered: 2, quick_replies: 2, ..Default::default() };
        assert_eq!(half.response_rate(), 0.5);
        let never = Engagement { conversations: 3, abandoned_in_a_row: 3, ..Default::default() };
        assert_eq!(never.response_rate(), 0.0);
    }
}
