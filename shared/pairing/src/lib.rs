//! The pairing engine: from a pool of queued users to a set of pairs that maximises the
//! total affinity score. Pure: no I/O, deterministic for a given pool and seed.
//!
//! Three phases, each timed in [`SweepStats`]:
//! 1. [`candidates`]: for each user, a bounded set of compatible users (UTC offsets within
//!    2 h, no hard-filtered pair), without comparing every pair in the pool.
//! 2. [`score`]: each candidate pair's score (0–100) under configurable weights; each user
//!    keeps its best `k`, and the union of those lists is the candidate graph.
//! 3. [`matching`]: maximum-weight matching on that general graph: exact (blossom) where
//!    the graph is small, greedy plus short augmentations beyond.
//!
//! `docs/pairing.md` documents the algorithm, its complexity and its measured quality.

pub mod candidates;
pub mod features;
pub mod matching;
mod rng;
pub mod score;
pub mod synthetic;

use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use tandem_domain::UserId;

pub use features::{Features, PoolUser};
pub use matching::{Edge, Matching};
pub use score::{Score, ScoreBreakdown, ScoreWeights};

/// Tunables of a sweep; `Default` is what production runs.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
#[serde(default)]
pub struct EngineConfig {
    pub weights: ScoreWeights,
    /// Pairs are allowed only if their UTC offsets differ by at most this.
    pub max_offset_difference_minutes: i32,
    /// Users scored per user (sampled when the compatible pool is larger).
    pub sample_size: usize,
    /// Best-scored candidates each user keeps as graph edges.
    pub keep_best: usize,
    /// Candidate graphs with at most this many vertices are solved exactly.
    pub exact_vertex_limit: usize,
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
            sample_size: 48,
            keep_best: 10,
            exact_vertex_limit: 400,
            improvement_rounds: 8,
            window_size: 300,
            max_windows: 150,
            seed: 0x7a6e_6465_6d21,
        }
    }
}

/// One pair of the result, by index into the (id-sorted) pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    pub score: Score,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepStats {
    pub pool: usize,
    pub candidate_edges: usize,
    pub pairs: usize,
    pub unmatched: usize,
    pub exact: bool,
    #[serde(with = "millis")]
    pub candidates_time: Duration,
    #[serde(with = "millis")]
    pub scoring_time: Duration,
    #[serde(with = "millis")]
    pub matching_time: Duration,
}

mod millis {
    use std::time::Duration;

    pub fn serialize<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(duration.as_secs_f64() * 1000.0)
    }
}

/// The result of one sweep over a pool.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The pool sorted by id: `Pair` indices point here.
    pub pool: Vec<PoolUser>,
    pub pairs: Vec<Pair>,
    /// Every candidate edge with its integer weight (score × 1000).
    pub edges: Vec<Edge>,
    pub stats: SweepStats,
}

/// Runs the three phases. The pool is sorted by user id first, so the result does not
/// depend on the order users were read in.
pub fn run(mut pool: Vec<PoolUser>, excluded_pairs: &[(UserId, UserId)], config: &EngineConfig) -> Outcome {
    pool.sort_by(|a, b| a.id.cmp(&b.id));
    pool.dedup_by(|a, b| a.id == b.id);
    let features: Vec<Features> = pool.iter().map(Features::from).collect();

    let started = Instant::now();
    let exclusions = candidates::Exclusions::new(&pool, excluded_pairs);
    let lists = candidates::generate(&pool, &features, &exclusions, config);
    let candidates_time = started.elapsed();

    let started = Instant::now();
    let edges = score::best_edges(&features, &lists, &config.weights, config.keep_best, config.seed);
    let scoring_time = started.elapsed();

    let started = Instant::now();
    let matching = matching::solve(pool.len(), &edges, config);
    let matching_time = started.elapsed();

    let pairs: Vec<Pair> = matching
        .pairs
        .iter()
        .map(|&(a, b)| Pair { a, b, score: score::explain(&features[a], &features[b], &config.weights) })
        .collect();
    let stats = SweepStats {
        pool: pool.len(),
        candidate_edges: edges.len(),
        pairs: pairs.len(),
        unmatched: pool.len() - 2 * pairs.len(),
        exact: matching.exact,
        candidates_time,
        scoring_time,
        matching_time,
    };
    Outcome { pool, pairs, edges, stats }
}
