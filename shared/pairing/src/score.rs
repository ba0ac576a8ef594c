//! The affinity score (0–100) of two users, its breakdown and its human-readable reasons.
//!
//! Components, each 0–1 before weighting:
//! - values: cosine similarity of the value-weight vectors;
//! - communication: closeness of directness and humour, and matching response pace;
//! - interests: weighted Jaccard similarity (Σ min / Σ max) of the interest weights;
//! - depth: same preferred depth 1, adjacent 0.5, opposite 0;
//! - availability: overlap of preferred chat hours in UTC (0.5 when either gave none).
//!
//! Then a response-rate bonus and a ghosting penalty, and a clamp to 0–100.

use serde::{Deserialize, Serialize};
use tandem_domain::catalogue;
use tandem_domain::profile::ResponsePace;

use crate::features::Features;

/// Weights in score points; the five components sum to 100. Configuration, not code.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(default, deny_unknown_fields)]
pub struct ScoreWeights {
    pub values: f32,
    pub communication: f32,
    pub interests: f32,
    pub depth: f32,
    pub availability: f32,
    /// Points added for a pair that always replies (scaled by their mean response rate).
    pub response_bonus: f32,
    /// Points removed per conversation abandoned in a row, by either user...
    pub ghosting_penalty_per_abandon: f32,
    /// ...up to this many.
    pub ghosting_penalty_max: f32,
    /// Points for the pair's mean trust (scaled 0–100 → 0–1): a tie-breaker, small next to
    /// the affinity components, so among equally good partners the more trusted come first.
    pub trust: f32,
    /// Points when both users set the same intent for this week (a soft preference).
    pub shared_intent: f32,
}

impl Default for ScoreWeights {
    fn default() -> Self {
        Self {
            values: 35.0,
            communication: 25.0,
            interests: 20.0,
            depth: 10.0,
            availability: 10.0,
            response_bonus: 5.0,
            ghosting_penalty_per_abandon: 5.0,
            ghosting_penalty_max: 15.0,
            trust: 2.0,
            shared_intent: 5.0,
        }
    }
}

/// Points each part contributed to the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScoreBreakdown {
    pub values: f32,
    pub communication: f32,
    pub interests: f32,
    pub depth: f32,
    pub availability: f32,
    pub response_bonus: f32,
    pub ghosting_penalty: f32,
    #[serde(default)]
    pub shared_intent: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Score {
    pub total: f32,
    pub breakdown: ScoreBreakdown,
    pub reasons: Vec<String>,
}

struct Components {
    values: f32,
    communication: f32,
    interests: f32,
    depth: f32,
    availability: f32,
}

fn components(a: &Features, b: &Features) -> Components {
    let dot: u32 = a.values.iter().zip(&b.values).map(|(x, y)| u32::from(*x) * u32::from(*y)).sum();
    let norms = a.values_norm * b.values_norm;
    let values = if norms > 0.0 { (dot as f32 / norms).min(1.0) } else { 0.0 };

    let (mut min_sum, mut max_sum) = (0u32, 0u32);
    for (x, y) in a.interests.iter().zip(&b.interests) {
        min_sum += u32::from(*x.min(y));
        max_sum += u32::from(*x.max(y));
    }
    let interests = if max_sum > 0 { min_sum as f32 / max_sum as f32 } else { 0.0 };

    let pace = if a.pace == b.pace { 1.0 } else { 0.5 };
    let communication =
        0.4 * (1.0 - (a.directness - b.directness).abs()) + 0.4 * (1.0 - (a.humour - b.humour).abs()) + 0.2 * pace;
    let depth = 1.0 - f32::from(a.depth.abs_diff(b.depth)) / 2.0;
    let availability = match (a.slots.count_ones(), b.slots.count_ones()) {
        (0, _) | (_, 0) => 0.5,
        (x, y) => (a.slots & b.slots).count_ones() as f32 / x.min(y) as f32,
    };
    Components { values, communication, interests, depth, availability }
}

fn breakdown(a: &Features, b: &Features, weights: &ScoreWeights) -> (ScoreBreakdown, Components) {
    let c = components(a, b);
    let response_bonus = weights.response_bonus * (a.response_rate + b.response_rate) / 2.0;
    let abandons = f32::from(a.abandoned_in_a_row) + f32::from(b.abandoned_in_a_row);
    let ghosting_penalty = (weights.ghosting_penalty_per_abandon * abandons).min(weights.ghosting_penalty_max);
    let breakdown = ScoreBreakdown {
        values: weights.values * c.values,
        communication: weights.communication * c.communication,
        interests: weights.interests * c.interests,
        depth: weights.depth * c.depth,
        availability: weights.availability * c.availability,
        response_bonus,
        ghosting_penalty,
        shared_intent: if a.intent.is_some() && a.intent == b.intent { weights.shared_intent } else { 0.0 },
    };
    (breakdown, c)
}

fn total_of(b: &ScoreBreakdown) -> f32 {
    let sum = b.values + b.communication + b.interests + b.depth + b.availability + b.response_bonus + b.shared_intent
        - b.ghosting_penalty;
    sum.clamp(0.0, 100.0)
}

/// The score pairing maximises, 0–100: the affinity plus the pair's trust points. Trust
/// stays out of [`explain`]: a user who knows their own trust could read the partner's from it.
pub fn total(a: &Features, b: &Features, weights: &ScoreWeights) -> f32 {
    let trust = weights.trust * (f32::from(a.trust) + f32::from(b.trust)) / 200.0;
    (total_of(&breakdown(a, b, weights).0) + trust).clamp(0.0, 100.0)
}

/// The heaviest edge: a score of 100.
pub const MAX_EDGE_WEIGHT: i64 = 100_000;

/// Integer edge weight: the score in thousandths, so matching is exact arithmetic. An
/// allowed pair weighs at least 1 even at score 0: a conversation with anyone allowed beats
/// waiting, so the matching never leaves two allowed users apart.
pub fn edge_weight(score: f32) -> i64 {
    ((score * 1000.0).round() as i64).clamp(1, MAX_EDGE_WEIGHT)
}

/// The affinity the pair is shown, with its breakdown and reasons (computed for chosen
/// pairs only). Without the trust points, which are nobody's to see.
pub fn explain(a: &Features, b: &Features, weights: &ScoreWeights) -> Score {
    let (breakdown, c) = breakdown(a, b, weights);
    let total = (total_of(&breakdown) * 10.0).round() / 10.0;
    let round = |x: f32| (x * 10.0).round() / 10.0;
    let breakdown = ScoreBreakdown {
        values: round(breakdown.values),
        communication: round(breakdown.communication),
        interests: round(breakdown.interests),
        depth: round(breakdown.depth),
        availability: round(breakdown.availability),
        response_bonus: round(breakdown.response_bonus),
        ghosting_penalty: round(breakdown.ghosting_penalty),
        shared_intent: round(breakdown.shared_intent),
    };
    Score { total, breakdown, reasons: reasons(a, b, &c) }
}

/// Catalogue indexes both users weigh above zero, strongest shared weight first.
fn shared(a: &[u8], b: &[u8]) -> Vec<(usize, u8)> {
    let mut out: Vec<(usize, u8)> = a
        .iter()
        .zip(b)
        .enumerate()
        .filter(|(_, (x, y))| **x > 0 && **y > 0)
        .map(|(i, (x, y))| (i, *x.min(y)))
        .collect();
    out.sort_by(|x, y| y.1.cmp(&x.1).then(x.0.cmp(&y.0)));
    out
}

fn reasons(a: &Features, b: &Features, c: &Components) -> Vec<String> {
    let mut reasons = Vec::new();
    for (value, _) in shared(&a.values, &b.values).into_iter().filter(|(_, w)| *w >= 50).take(2) {
        reasons.push(format!("you both value {}", catalogue::VALUES[value]));
    }
    match shared(&a.interests, &b.interests).len() {
        0 => {}
        1 => reasons.push("1 shared interest".to_owned()),
        n => reasons.push(format!("{n} shared interests")),
    }
    if c.communication >= 0.8 {
        reasons.push("similar communication styles".to_owned());
    }
    if a.depth == b.depth {
        let depth = ["light", "moderate", "deep"][a.depth as usize];
        reasons.push(format!("you both like {depth} conversations"));
    }
    if a.slots != 0 && b.slots != 0 && c.availability >= 0.5 {
        reasons.push("your chat hours overlap".to_owned());
    }
    if a.pace == ResponsePace::Quick && b.pace == ResponsePace::Quick {
        reasons.push("you both reply quickly".to_owned());
    }
    if let Some(intent) = a.intent.filter(|intent| b.intent == Some(*intent)) {
        reasons.push(intent.reason().to_owned());
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::features::PoolUser;
    use tandem_domain::intent::WeeklyIntent;
    use tandem_domain::profile::{CommunicationStyle, Depth};

    fn user(values: &[(&str, u8)], interests: &[(&str, u8)], depth: Depth) -> Features {
        Features::from(&PoolUser {
            id: crate::synthetic::user_id(0),
            utc_offset_minutes: 0,
            values: values.iter().map(|(k, w)| (k.to_string(), *w)).collect(),
            interests: interests.iter().map(|(k, w)| (k.to_string(), *w)).collect(),
            communication: CommunicationStyle { directness: 60, humour: 40, response_pace: ResponsePace::Quick },
            depth,
            chat_hours: vec![],
            response_rate: 1.0,
            abandoned_in_a_row: 0,
            excluded: vec![],
            trust: 50,
            intent: None,
        })
    }

    #[test]
    fn identical_profiles_score_the_maximum_and_say_why() {
        let a =
            user(&[("honesty", 90), ("curiosity", 70)], &[("hiking", 80), ("books", 50), ("music", 30)], Depth::Deep);
        let score = explain(&a, &a.clone(), &ScoreWeights::default());
        // values 35 + communication 25 + interests 20 + depth 10 + availability 5 (unknown) + bonus 5.
        assert_eq!(score.total, 100.0);
        assert_eq!(score.breakdown.availability, 5.0);
        assert!(score.reasons.contains(&"you both value honesty".to_owned()), "{:?}", score.reasons);
        assert!(score.reasons.contains(&"3 shared interests".to_owned()));
        assert!(score.reasons.contains(&"you both like deep conversations".to_owned()));
    }

    #[test]
    fn score_is_symmetric_and_bounded() {
        let a = user(&[("honesty", 90)], &[("hiking", 80)], Depth::Deep);
        let b = user(&[("family", 60), ("honesty", 20)], &[("gaming", 80)], Depth::Light);
        let w = ScoreWeights::default();
        assert_eq!(total(&a, &b, &w), total(&b, &a, &w));
        assert!((0.0..=100.0).contains(&total(&a, &b, &w)));
        assert!(total(&a, &b, &w) < total(&a, &a.clone(), &w));
    }

    #[test]
    fn weights_are_configuration() {
        let a = user(&[("honesty", 90)], &[], Depth::Deep);
        let b = user(&[("family", 90)], &[], Depth::Deep);
        let values_only = ScoreWeights {
            values: 100.0,
            communication: 0.0,
            interests: 0.0,
            depth: 0.0,
            availability: 0.0,
            response_bonus: 0.0,
            trust: 0.0,
            ..ScoreWeights::default()
        };
        assert_eq!(total(&a, &b, &values_only), 0.0, "no shared value");
        assert_eq!(total(&a, &a.clone(), &values_only), 100.0);
    }

    #[test]
    fn ghosting_lowers_the_score_up_to_a_cap() {
        let mut a = user(&[("honesty", 90)], &[], Depth::Deep);
        // Without the trust points the clean pair scores exactly 100, below the clamp.
        let w = ScoreWeights { trust: 0.0, ..ScoreWeights::default() };
        let clean = total(&a, &a.clone(), &w);
        a.abandoned_in_a_row = 1;
        let b = user(&[("honesty", 90)], &[], Depth::Deep);
        assert_eq!(total(&a, &b, &w), clean - 5.0);
        a.abandoned_in_a_row = 10;
        assert_eq!(total(&a, &b, &w), clean - 15.0);
    }

    #[test]
    fn trust_breaks_ties_between_equally_good_partners() {
        let me = user(&[("honesty", 90)], &[("hiking", 60)], Depth::Light);
        let mut trusted = user(&[("honesty", 90)], &[("books", 60)], Depth::Light);
        let mut doubted = trusted.clone();
        trusted.trust = 90;
        doubted.trust = 30;
        let w = ScoreWeights::default();
        let (high, low) = (total(&me, &trusted, &w), total(&me, &doubted, &w));
        assert!(high > low, "{high} vs {low}");
        // A tie-breaker: the whole trust range moves the score by at most the weight.
        assert!(high - low <= w.trust, "{high} vs {low}");
        // What the pair is shown carries nothing of either's trust.
        assert_eq!(explain(&me, &trusted, &w), explain(&me, &doubted, &w));
    }

    #[test]
    fn a_shared_intent_adds_its_points_and_says_so() {
        let mut a = user(&[("honesty", 90)], &[("hiking", 60)], Depth::Light);
        let mut b = user(&[("family", 90)], &[("books", 60)], Depth::Light);
        let w = ScoreWeights::default();
        let without = total(&a, &b, &w);
        a.intent = Some(WeeklyIntent::DeepTalk);
        assert_eq!(total(&a, &b, &w), without, "one-sided intent is not shared");
        b.intent = Some(WeeklyIntent::LightChat);
        assert_eq!(total(&a, &b, &w), without, "different intents");
        b.intent = Some(WeeklyIntent::DeepTalk);
        assert_eq!(total(&a, &b, &w), without + w.shared_intent);
        let score = explain(&a, &b, &w);
        assert_eq!(score.breakdown.shared_intent, w.shared_intent);
        assert!(score.reasons.contains(&"you both want a deep talk this week".to_owned()), "{:?}", score.reasons);
    }
}
