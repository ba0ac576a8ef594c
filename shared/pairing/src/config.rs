//! The engine's tunables and the checks that refuse a configuration or a pool the engine
//! cannot run on (a clear error, never a panic).

use serde::{Deserialize, Serialize};
use tandem_domain::UserId;

use crate::features::PoolUser;
use crate::score::ScoreWeights;

/// Tunables of a sweep; `Default` is what production runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    pub weights: ScoreWeights,
    /// Pairs are allowed only if their UTC offsets differ by at most this.
    pub max_offset_difference_minutes: i32,
    /// Users whose trust is below this are paired only with each other: those who earned
    /// it are protected from them, while they keep having conversations (the reflections
    /// that can raise their trust again) rather than being paused out of the product.
    pub trust_floor: u8,
    /// Pools with at most this many compatible (ordered) pairs are scored completely:
    /// every allowed pair is a candidate. Larger pools are sampled.
    pub complete_pair_limit: usize,
    /// Users scored per user when the pool is sampled.
    pub sample_size: usize,
    /// Best-scored candidates each user keeps as graph edges...
    pub keep_best: usize,
    /// ...plus the edges of a greedy b-matching of this degree over every scored pair: each
    /// user also keeps edges to users who keep it, so popular users cannot take every slot.
    pub balanced_degree: usize,
    /// Fresh candidates drawn for each user the first matching left unmatched.
    pub second_chance_sample: usize,
    /// Candidate graphs with at most this many vertices are solved exactly...
    pub exact_vertex_limit: usize,
    /// ...and a complete graph with at most this many allowed pairs is solved whole, without
    /// selecting edges first (the exact solver's time grows with vertices × edges).
    pub exact_edge_limit: usize,
    /// Rounds of short augmentations after greedy, beyond the exact limit.
    pub improvement_rounds: usize,
    /// Vertices per window of the exact large-neighbourhood search...
    pub window_size: usize,
    /// ...and the most windows one sweep solves.
    pub max_windows: usize,
    pub seed: u64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        Self {
            weights: ScoreWeights::default(),
            max_offset_difference_minutes: 120,
            trust_floor: 30,
            complete_pair_limit: 9_000_000,
            sample_size: 48,
            keep_best: 6,
            balanced_degree: 6,
            second_chance_sample: 200,
            exact_vertex_limit: 2_000,
            exact_edge_limit: 40_000,
            improvement_rounds: 8,
            window_size: 300,
            max_windows: 150,
            seed: 0x7a6e_6465_6d21,
        }
    }
}

/// The earliest and latest UTC offsets in use (Baker Island, Line Islands), in minutes.
pub const OFFSET_RANGE: std::ops::RangeInclusive<i32> = -720..=840;
/// Above this, memory (O(n · sample)) or the exact solver's time (O(V³)) gets out of hand.
const SAMPLE_SIZE_MAX: usize = 5_000;
const EXACT_VERTEX_MAX: usize = 5_000;
const EXACT_EDGE_MAX: usize = 1_000_000;
const WINDOW_SIZE_MAX: usize = 2_000;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("invalid pairing configuration: {field} {problem}")]
    Config { field: &'static str, problem: String },
    #[error("user {0} appears more than once in the pool")]
    DuplicateUser(UserId),
    #[error("the complete graph of {pairs} compatible pairs is over the limit of {limit}")]
    TooLarge { pairs: usize, limit: usize },
    #[error("user {id}: {problem}")]
    User { id: UserId, problem: String },
}

fn config_error(field: &'static str, problem: impl Into<String>) -> EngineError {
    EngineError::Config { field, problem: problem.into() }
}

impl EngineConfig {
    /// Refuses settings the engine cannot honour.
    pub fn validate(&self) -> Result<(), EngineError> {
        let within = |field: &'static str, value: usize, min: usize, max: usize| {
            if value < min || value > max {
                Err(config_error(field, format!("must be between {min} and {max} (got {value})")))
            } else {
                Ok(())
            }
        };
        within("sampleSize", self.sample_size, 1, SAMPLE_SIZE_MAX)?;
        within("keepBest", self.keep_best, 1, SAMPLE_SIZE_MAX)?;
        within("balancedDegree", self.balanced_degree, 0, SAMPLE_SIZE_MAX)?;
        within("secondChanceSample", self.second_chance_sample, 0, SAMPLE_SIZE_MAX)?;
        within("exactVertexLimit", self.exact_vertex_limit, 0, EXACT_VERTEX_MAX)?;
        within("exactEdgeLimit", self.exact_edge_limit, 0, EXACT_EDGE_MAX)?;
        within("windowSize", self.window_size, 2, WINDOW_SIZE_MAX)?;
        within("trustFloor", usize::from(self.trust_floor), 0, 100)?;
        let widest = OFFSET_RANGE.end() - OFFSET_RANGE.start();
        if !(0..=widest).contains(&self.max_offset_difference_minutes) {
            return Err(config_error(
                "maxOffsetDifferenceMinutes",
                format!("must be between 0 and {widest} (got {})", self.max_offset_difference_minutes),
            ));
        }
        let w = &self.weights;
        for (field, value) in [
            ("weights.values", w.values),
            ("weights.communication", w.communication),
            ("weights.interests", w.interests),
            ("weights.depth", w.depth),
            ("weights.availability", w.availability),
            ("weights.responseBonus", w.response_bonus),
            ("weights.ghostingPenaltyPerAbandon", w.ghosting_penalty_per_abandon),
            ("weights.ghostingPenaltyMax", w.ghosting_penalty_max),
            ("weights.trust", w.trust),
            ("weights.sharedIntent", w.shared_intent),
        ] {
            if !value.is_finite() || value < 0.0 {
                return Err(config_error(field, format!("must be a finite number ≥ 0 (got {value})")));
            }
        }
        Ok(())
    }
}

/// Refuses a pool the result would be ambiguous for: the same user twice (which record
/// counts would depend on input order) or a user outside what the features can express.
pub fn validate_pool(sorted_pool: &[PoolUser]) -> Result<(), EngineError> {
    if let Some(pair) = sorted_pool.windows(2).find(|w| w[0].id == w[1].id) {
        return Err(EngineError::DuplicateUser(pair[0].id.clone()));
    }
    for user in sorted_pool {
        let problem = if !OFFSET_RANGE.contains(&user.utc_offset_minutes) {
            format!(
                "utcOffsetMinutes {} is outside {}..={}",
                user.utc_offset_minutes,
                OFFSET_RANGE.start(),
                OFFSET_RANGE.end()
            )
        } else if !(0.0..=1.0).contains(&user.response_rate) {
            format!("responseRate {} is outside 0..=1", user.response_rate)
        } else if user.trust > 100 {
            format!("trust {} is outside 0..=100", user.trust)
        } else {
            continue;
        };
        return Err(EngineError::User { id: user.id.clone(), problem });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_zeros_are_refused_with_the_field_named() {
        assert_eq!(EngineConfig::default().validate(), Ok(()));
        for config in [
            EngineConfig { keep_best: 0, ..EngineConfig::default() },
            EngineConfig { sample_size: 0, ..EngineConfig::default() },
            EngineConfig { window_size: 1, ..EngineConfig::default() },
        ] {
            let error = config.validate().expect_err("refused");
            assert!(matches!(error, EngineError::Config { .. }), "{error}");
        }
        let error = EngineConfig { keep_best: 0, ..EngineConfig::default() }.validate().expect_err("refused");
        assert_eq!(error.to_string(), "invalid pairing configuration: keepBest must be between 1 and 5000 (got 0)");
    }

    #[test]
    fn negative_or_not_finite_weights_are_refused() {
        let mut config = EngineConfig::default();
        config.weights.values = f32::NAN;
        assert!(config.validate().is_err());
        config.weights.values = -1.0;
        assert!(config.validate().is_err());
        let config = EngineConfig { max_offset_difference_minutes: -5, ..EngineConfig::default() };
        assert!(config.validate().is_err());
    }
}
