//! Properties of the streak and ledger rules, over arbitrary sequences of local days.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use tandem_domain::engagement::{ConversationOutcome, Engagement};
use tandem_domain::rewards::{Award, Badge, DayOutcome, RewardRules, Streak, conversation_awards, day_awards};

fn start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
}

fn outcome() -> impl Strategy<Value = DayOutcome> {
    prop_oneof![Just(DayOutcome::Answered), Just(DayOutcome::Unmatched), Just(DayOutcome::Ghosted)]
}

/// Days with activity: an increasing sequence of local days (gaps allowed) and their outcomes.
fn days() -> impl Strategy<Value = Vec<(NaiveDate, DayOutcome)>> {
    prop::collection::vec((0u64..3, outcome()), 0..60).prop_map(|steps| {
        let mut day = start();
        steps
            .into_iter()
            .map(|(gap, outcome)| {
                day = day + Days::new(gap + 1);
                (day, outcome)
            })
            .collect()
    })
}

/// The streak as the definition says: the longest run of answered days ending at the last
/// day, counting unmatched days as neither growing nor breaking it, any missing day breaking it.
fn by_definition(days: &[(NaiveDate, DayOutcome)]) -> u32 {
    let mut current = 0;
    let mut previous: Option<NaiveDate> = None;
    for (day, outcome) in days {
        let consecutive = previous.is_some_and(|p| *day == p + Days::new(1));
        current = match (outcome, consecutive) {
            (DayOutcome::Answered, true) => current + 1,
            (DayOutcome::Answered, false) => 1,
            (DayOutcome::Unmatched, true) => current,
            _ => 0,
        };
        previous = Some(*day);
    }
    current
}

/// Applies days as the job does: each through `Streak::after`, with the ledger keyed by
/// (day, slot) and badges earned once.
fn run(days: &[(NaiveDate, DayOutcome)], repeats: usize) -> (Streak, BTreeMap<(NaiveDate, String), Award>) {
    let rules = RewardRules::default();
    let mut streak = Streak::default();
    let mut earned = BTreeSet::new();
    let mut ledger = BTreeMap::new();
    for (day, outcome) in days {
        for _ in 0..repeats {
            let Some(next) = streak.after(*day, *outcome) else { continue };
            for award in day_awards(&rules, *outcome, &next, &earned) {
                earned.extend(award.badge);
                ledger.entry((*day, award.slot())).or_insert(award);
            }
            streak = next;
        }
    }
    (streak, ledger)
}

proptest! {
    #[test]
    fn the_streak_matches_its_definition(days in days()) {
        let (streak, _) = run(&days, 1);
        prop_assert_eq!(streak.current, by_definition(&days));
        prop_assert!(streak.best >= streak.current);
        let answered = days.iter().filter(|(_, o)| *o == DayOutcome::Answered).count() as u32;
        prop_assert!(streak.best <= answered);
    }

    #[test]
    fn applying_every_day_again_changes_nothing(days in days(), repeats in 2usize..4) {
        prop_assert_eq!(run(&days, 1), run(&days, repeats));
    }

    #[test]
    fn the_ledger_has_one_entry_per_day_and_slot_and_each_badge_once(days in days()) {
        let (streak, ledger) = run(&days, 1);
        let badges: Vec<Badge> = ledger.values().filter_map(|a| a.badge).collect();
        let unique: BTreeSet<Badge> = badges.iter().copied().collect();
        prop_assert_eq!(badges.len(), unique.len());
        prop_assert_eq!(unique.contains(&Badge::Streak7), streak.best >= 7);
        prop_assert_eq!(unique.contains(&Badge::Streak30), streak.best >= 30);
        // Streak points only on answered days that continue a streak.
        for (day, slot) in ledger.keys() {
            if slot == "daily_streak" {
                let outcome = days.iter().find(|(d, _)| d == day).map(|(_, o)| *o);
                prop_assert_eq!(outcome, Some(DayOutcome::Answered));
            }
        }
    }

    #[test]
    fn a_day_shows_the_streak_only_while_it_is_unbroken(days in days(), later in 0u64..4) {
        let (streak, _) = run(&days, 1);
        if let Some(last) = streak.last_day {
            let today = last + Days::new(later);
            let shown = streak.current_on(today);
            prop_assert_eq!(shown, if later <= 1 { streak.current } else { 0 });
        }
    }

    #[test]
    fn conversation_awards_never_reward_silence_or_repeat_a_badge(
        answered in any::<bool>(),
        delay in 0i64..600,
        messages in 0u32..30,
        partner_messages in 0u32..30,
        in_a_row in 0u32..20,
        earned in prop::collection::btree_set(prop::sample::select(Badge::ALL.to_vec()), 0..5),
    ) {
        let rules = RewardRules::default();
        let outcome = ConversationOutcome {
            answered,
            reply_delay: answered.then(|| chrono::Duration::minutes(delay)),
            messages: if answered { messages.max(1) } else { 0 },
            partner_messages,
        };
        let history = Engagement { answered_in_a_row: in_a_row, ..Default::default() };
        let awards = conversation_awards(&rules, &outcome, &history, &earned);
        if !answered {
            prop_assert!(awards.is_empty());
        }
        let slots: BTreeSet<String> = awards.iter().map(Award::slot).collect();
        prop_assert_eq!(slots.len(), awards.len(), "one entry per slot");
        for award in &awards {
            if let Some(badge) = award.badge {
                prop_assert!(!earned.contains(&badge));
            }
        }
        prop_assert_eq!(slots.contains("fast_reply"), answered && delay <= i64::from(rules.fast_reply_minutes));
    }
}
