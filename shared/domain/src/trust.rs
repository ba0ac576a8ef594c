//! Reflections (what each participant says about a conversation after it ends) and the trust
//! score they feed: 0–100 per user, starting neutral, moved only by entries of an
//! append-only ledger, each naming its source. The rules here decide how much one event may
//! move a score, so that no single user (or a handful of new accounts) can pump or sink one.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::ValidationErrors;

/// Where every score starts.
pub const NEUTRAL: i32 = 50;
pub const MIN: i32 = 0;
pub const MAX: i32 = 100;
/// A reflection may be left this long after the conversation ended.
pub const REFLECTION_WINDOW: Duration = Duration::days(7);
/// Most tags one reflection may carry.
pub const MAX_TAGS: usize = 5;
/// How far reflections may move one user's score in one UTC day, up and down separately:
/// a burst of reflections (a ring of accounts) is spread over days.
pub const REFLECTION_DAILY_GAIN_CAP: i32 = 3;
pub const REFLECTION_DAILY_LOSS_CAP: i32 = 6;
/// Accounts younger than this weigh half in the reflections they leave.
pub const NEW_ACCOUNT_DAYS: i64 = 14;
/// An admin confirmed a report against the user (warned, suspended or banned them).
pub const REPORT_CONFIRMED: i32 = -10;
/// The user left a conversation without writing a word.
pub const ABANDON: i32 = -2;
/// Matching was paused for ghosting (a run of abandons).
pub const COOLDOWN: i32 = -5;

crate::named_enum! {
    /// Would the author talk to this person again?
    pub enum ReflectionOutcome {
        Again = "again",
        Maybe = "maybe",
        Pass = "pass",
    }
}

crate::named_enum! {
    /// The fixed set of tags a reflection may carry.
    #[derive(PartialOrd, Ord)]
    pub enum ReflectionTag {
        Kind = "kind",
        Funny = "funny",
        Curious = "curious",
        GoodListener = "good_listener",
        Thoughtful = "thoughtful",
        Respectful = "respectful",
        SlowToReply = "slow_to_reply",
        Rude = "rude",
        Inappropriate = "inappropriate",
    }
}

impl ReflectionTag {
    /// Tags that describe behaviour the app exists to discourage: each costs trust.
    pub fn is_negative(self) -> bool {
        matches!(self, ReflectionTag::Rude | ReflectionTag::Inappropriate)
    }
}

/// One participant's reflection on a conversation that ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reflection {
    /// 1 (bad) – 5 (great).
    pub vibe: u8,
    pub outcome: ReflectionOutcome,
    #[serde(default)]
    pub tags: BTreeSet<ReflectionTag>,
}

impl Reflection {
    /// Validates a reflection as sent: vibe 1–5, at most `MAX_TAGS` tags, each once.
    pub fn new(vibe: i64, outcome: ReflectionOutcome, tags: &[ReflectionTag]) -> Result<Self, ValidationErrors> {
        let mut errors = ValidationErrors::default();
        let vibe = match u8::try_from(vibe) {
            Ok(vibe @ 1..=5) => vibe,
            _ => {
                errors.push("vibe", "must be a whole number from 1 to 5");
                0
            }
        };
        let unique: BTreeSet<ReflectionTag> = tags.iter().copied().collect();
        if unique.len() != tags.len() {
            errors.push("tags", "must not repeat a tag");
        }
        if unique.len() > MAX_TAGS {
            errors.push("tags", format!("must hold at most {MAX_TAGS} tags"));
        }
        errors.into_result(Self { vibe, outcome, tags: unique })
    }

    /// What this reflection would move the subject's score by, before the rules below:
    /// vibe around the middle (−2…+2), one more for "again", two less per negative tag.
    pub fn points(&self) -> i32 {
        let vibe = i32::from(self.vibe) - 3;
        let again = i32::from(self.outcome == ReflectionOutcome::Again);
        let negative = self.tags.iter().filter(|tag| tag.is_negative()).count() as i32;
        vibe + again - 2 * negative
    }
}

/// Whether a reflection may still be left on a conversation that ended at `ended_at`.
pub fn reflection_open(ended_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    now >= ended_at && now - ended_at <= REFLECTION_WINDOW
}

crate::named_enum! {
    /// What moved a score: the score's components.
    pub enum TrustSource {
        Reflection = "reflection",
        ReportConfirmed = "report_confirmed",
        Abandon = "abandon",
        Cooldown = "cooldown",
    }
}

crate::named_enum! {
    /// Why a ledger entry moved the score by what it did.
    pub enum TrustRule {
        /// Counted in full.
        Counted = "counted",
        /// The author's account is new: half weight.
        NewAccount = "new_account",
        /// Cut by the daily cap on reflections.
        DailyCap = "daily_cap",
        /// The author reflected on this user before: only the first reflection of a pair counts.
        RepeatPair = "repeat_pair",
        /// The subject blocked or reported the author: the author's word does not count.
        Retaliation = "retaliation",
        /// The score is already at its bound.
        Bounded = "bounded",
    }
}

/// A user's score and what it is made of: the sum of each source's ledger entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustComponents {
    #[serde(default)]
    pub reflections: i32,
    #[serde(default)]
    pub reports_confirmed: i32,
    #[serde(default)]
    pub abandons: i32,
    #[serde(default)]
    pub cooldowns: i32,
}

impl TrustComponents {
    /// 0–100: neutral plus every component, kept within bounds.
    pub fn score(&self) -> i32 {
        (NEUTRAL + self.reflections + self.reports_confirmed + self.abandons + self.cooldowns).clamp(MIN, MAX)
    }

    pub fn add(&mut self, source: TrustSource, delta: i32) {
        match source {
            TrustSource::Reflection => self.reflections += delta,
            TrustSource::ReportConfirmed => self.reports_confirmed += delta,
            TrustSource::Abandon => self.abandons += delta,
            TrustSource::Cooldown => self.cooldowns += delta,
        }
    }
}

/// How much reflections already moved a user's score on one UTC day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DailyReflections {
    pub day: Option<NaiveDate>,
    #[serde(default)]
    pub gained: i32,
    #[serde(default)]
    pub lost: i32,
}

impl DailyReflections {
    /// The tally for `today` (a new day starts at zero).
    pub fn on(self, today: NaiveDate) -> Self {
        if self.day == Some(today) { self } else { Self { day: Some(today), gained: 0, lost: 0 } }
    }
}

/// What is known about a reflection's author and subject when it is weighed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReflectionContext {
    pub author_created_at: DateTime<Utc>,
    /// The author reflected on this subject before (another conversation).
    pub repeat_pair: bool,
    /// The subject blocked or reported the author.
    pub retaliation: bool,
}

/// The ledger entry a reflection makes: how much it moves the subject's score, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Weighed {
    pub delta: i32,
    pub rule: TrustRule,
    /// The subject's daily tally after this entry.
    pub daily: DailyReflections,
}

/// Weighs a reflection on `subject` (whose components and daily tally are as read).
pub fn weigh_reflection(
    reflection: &Reflection,
    context: ReflectionContext,
    subject: &TrustComponents,
    daily: DailyReflections,
    now: DateTime<Utc>,
) -> Weighed {
    let daily = daily.on(now.date_naive());
    let unchanged = |rule| Weighed { delta: 0, rule, daily };
    if context.retaliation {
        return unchanged(TrustRule::Retaliation);
    }
    if context.repeat_pair {
        return unchanged(TrustRule::RepeatPair);
    }
    let mut delta = reflection.points();
    let mut rule = TrustRule::Counted;
    if now - context.author_created_at < Duration::days(NEW_ACCOUNT_DAYS) {
        // Half, rounded towards zero: a new account's +1 counts for nothing.
        delta /= 2;
        rule = TrustRule::NewAccount;
    }
    let capped = delta.clamp(-(REFLECTION_DAILY_LOSS_CAP - daily.lost), REFLECTION_DAILY_GAIN_CAP - daily.gained);
    if capped != delta {
        rule = TrustRule::DailyCap;
    }
    let score = subject.score();
    let bounded = capped.clamp(MIN - score, MAX - score);
    if bounded != capped {
        rule = TrustRule::Bounded;
    }
    let daily = DailyReflections {
        day: daily.day,
        gained: daily.gained + bounded.max(0),
        lost: daily.lost + (-bounded).max(0),
    };
    Weighed { delta: bounded, rule, daily }
}

/// A penalty (report confirmed, abandon, cooldown) on a score as read: never below 0.
pub fn weigh_penalty(penalty: i32, subject: &TrustComponents) -> (i32, TrustRule) {
    let score = subject.score();
    let bounded = penalty.max(MIN - score);
    (bounded, if bounded == penalty { TrustRule::Counted } else { TrustRule::Bounded })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(day: u32, hour: u32) -> DateTime<Utc> {
        chrono::NaiveDate::from_ymd_opt(2026, 5, day).unwrap().and_hms_opt(hour, 0, 0).unwrap().and_utc()
    }

    fn veteran() -> ReflectionContext {
        ReflectionContext { author_created_at: at(1, 0) - Duration::days(90), repeat_pair: false, retaliation: false }
    }

    fn great() -> Reflection {
        Reflection::new(5, ReflectionOutcome::Again, &[ReflectionTag::Kind]).unwrap()
    }

    #[test]
    fn a_reflection_is_validated_whole() {
        let errors =
            Reflection::new(6, ReflectionOutcome::Pass, &[ReflectionTag::Rude, ReflectionTag::Rude]).unwrap_err();
        let fields: Vec<&str> = errors.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["vibe", "tags"]);
        assert!(Reflection::new(0, ReflectionOutcome::Pass, &[]).is_err());
        let six = [
            ReflectionTag::Kind,
            ReflectionTag::Funny,
            ReflectionTag::Curious,
            ReflectionTag::GoodListener,
            ReflectionTag::Thoughtful,
            ReflectionTag::Respectful,
        ];
        assert!(Reflection::new(3, ReflectionOutcome::Maybe, &six).is_err());
        assert!(Reflection::new(3, ReflectionOutcome::Maybe, &six[..5]).is_ok());
    }

    #[test]
    fn points_follow_vibe_outcome_and_negative_tags() {
        assert_eq!(great().points(), 3);
        assert_eq!(Reflection::new(3, ReflectionOutcome::Maybe, &[]).unwrap().points(), 0);
        let bad = Reflection::new(1, ReflectionOutcome::Pass, &[ReflectionTag::Rude, ReflectionTag::Inappropriate]);
        assert_eq!(bad.unwrap().points(), -6);
    }

    #[test]
    fn the_window_is_seven_days_after_the_end() {
        assert!(reflection_open(at(1, 0), at(8, 0)));
        assert!(!reflection_open(at(1, 0), at(8, 1)));
        assert!(!reflection_open(at(2, 0), at(1, 0)));
    }

    #[test]
    fn retaliation_and_repeat_pairs_count_for_nothing() {
        let neutral = TrustComponents::default();
        let today = DailyReflections::default();
        let retaliation = ReflectionContext { retaliation: true, ..veteran() };
        let weighed = weigh_reflection(&great(), retaliation, &neutral, today, at(3, 12));
        assert_eq!((weighed.delta, weighed.rule), (0, TrustRule::Retaliation));
        let repeat = ReflectionContext { repeat_pair: true, ..veteran() };
        assert_eq!(weigh_reflection(&great(), repeat, &neutral, today, at(3, 12)).rule, TrustRule::RepeatPair);
    }

    #[test]
    fn new_accounts_weigh_half() {
        let new = ReflectionContext { author_created_at: at(3, 0), ..veteran() };
        let weighed = weigh_reflection(&great(), new, &TrustComponents::default(), Default::default(), at(3, 12));
        assert_eq!((weighed.delta, weighed.rule), (1, TrustRule::NewAccount));
    }

    #[test]
    fn the_daily_cap_spreads_a_burst_over_days() {
        let mut components = TrustComponents::default();
        let mut daily = DailyReflections::default();
        let mut gained_on_day_three = 0;
        for _ in 0..10 {
            let weighed = weigh_reflection(&great(), veteran(), &components, daily, at(3, 12));
            components.add(TrustSource::Reflection, weighed.delta);
            daily = weighed.daily;
            gained_on_day_three += weighed.delta;
        }
        assert_eq!(gained_on_day_three, REFLECTION_DAILY_GAIN_CAP);
        let next_day = weigh_reflection(&great(), veteran(), &components, daily, at(4, 1));
        assert_eq!((next_day.delta, next_day.rule), (3, TrustRule::Counted));

        let bad = Reflection::new(1, ReflectionOutcome::Pass, &[ReflectionTag::Rude]).unwrap();
        let first = weigh_reflection(&bad, veteran(), &components, next_day.daily, at(4, 2));
        assert_eq!(first.delta, -4);
        let second = weigh_reflection(&bad, veteran(), &components, first.daily, at(4, 3));
        assert_eq!((second.delta, second.rule), (-2, TrustRule::DailyCap));
    }

    #[test]
    fn scores_stay_within_bounds() {
        let high = TrustComponents { reflections: 49, ..Default::default() };
        let weighed = weigh_reflection(&great(), veteran(), &high, Default::default(), at(3, 12));
        assert_eq!((weighed.delta, weighed.rule, high.score() + weighed.delta), (1, TrustRule::Bounded, 100));
        let low = TrustComponents { reports_confirmed: -48, ..Default::default() };
        assert_eq!(weigh_penalty(REPORT_CONFIRMED, &low), (-2, TrustRule::Bounded));
        assert_eq!(weigh_penalty(ABANDON, &TrustComponents::default()), (ABANDON, TrustRule::Counted));
        let mut all = TrustComponents::default();
        all.add(TrustSource::Cooldown, COOLDOWN);
        all.add(TrustSource::Abandon, ABANDON);
        assert_eq!(all.score(), NEUTRAL + COOLDOWN + ABANDON);
    }
}
