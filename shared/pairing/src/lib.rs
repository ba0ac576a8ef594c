//! The pairing engine: from a pool of queued users to a set of pairs that maximises the
//! total affinity score. Pure: no I/O, deterministic for a given pool and seed.
//!
//! Four phases, each timed in [`SweepStats`]:
//! 1. [`candidates`]: every allowed pair while the pool is small, else a bounded sample per
//!    user (UTC offsets within 2 h, no hard-filtered pair).
//! 2. [`score`] and [`graph`]: each candidate pair's score (0–100) under configurable
//!    weights; the kept edges are each user's favourites plus a greedy b-matching, so
//!    popular users cannot take every slot.
//! 3. [`matching`]: maximum-weight matching on that general graph: exact (blossom) where
//!    the graph is small, greedy plus augmentations and exact windows beyond.
//! 4. [`second_chance`]: fresh edges for the users left unmatched, a re-solve, and a
//!    completion pass: nobody waits while an allowed partner waits too.
//!
//! `docs/pairing.md` documents the algorithm, its complexity and its measured quality.

pub mod candidates;
pub mod config;
pub mod features;
pub mod graph;
pub mod matching;
mod rng;
pub mod score;
pub mod second_chance;
pub mod synthetic;

use std::time::{Duration, Instant};

use serde::Serialize;
use tandem_domain::UserId;

pub use config::{EngineConfig, EngineError};
pub use features::{Features, PoolUser};
pub use matching::{Edge, Matching};
pub use score::{Score, ScoreBreakdown, ScoreWeights};

/// One pair of the result, by index into the (id-sorted) pool.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Pair {
    pub a: usize,
    pub b: usize,
    /// The pair's edge weight (score × 1000, at least 1).
    pub weight: i64,
    pub score: Score,
}

#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SweepStats {
    pub pool: usize,
    /// Every allowed pair was scored (a small pool), not a sample.
    pub complete_graph: bool,
    pub candidate_edges: usize,
    pub pairs: usize,
    pub unmatched: usize,
    /// Users the first matching left unmatched, given a second chance.
    pub second_chance_users: usize,
    pub exact: bool,
    #[serde(with = "millis")]
    pub candidates_time: Duration,
    #[serde(with = "millis")]
    pub scoring_time: Duration,
    #[serde(with = "millis")]
    pub matching_time: Duration,
    #[serde(with = "millis")]
    pub second_chance_time: Duration,
}

impl SweepStats {
    pub fn total_time(&self) -> Duration {
        self.candidates_time + self.scoring_time + self.matching_time + self.second_chance_time
    }
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
    /// The matching's total weight (Σ score × 1000).
    pub weight: i64,
    /// Every candidate edge with its integer weight (score × 1000), sorted by `(a, b)`.
    pub edges: Vec<Edge>,
    pub stats: SweepStats,
}

/// A pool ready for the engine: sorted by user id (pair indices point here), checked.
fn prepare(mut pool: Vec<PoolUser>, config: &EngineConfig) -> Result<Vec<PoolUser>, EngineError> {
    config.validate()?;
    pool.sort_by(|a, b| a.id.cmp(&b.id));
    config::validate_pool(&pool)?;
    Ok(pool)
}

/// Runs the phases. The pool is sorted by user id first, so the result does not depend on
/// the order users were read in; a pool or configuration the engine cannot honour (the same
/// user twice, `keepBest` 0, …) is refused.
pub fn run(
    pool: Vec<PoolUser>,
    excluded_pairs: &[(UserId, UserId)],
    config: &EngineConfig,
) -> Result<Outcome, EngineError> {
    let pool = prepare(pool, config)?;
    let features: Vec<Features> = pool.iter().map(Features::from).collect();

    let started = Instant::now();
    let exclusions = candidates::Exclusions::new(&pool, excluded_pairs, config.trust_floor);
    let buckets = candidates::Buckets::new(&features, config.max_offset_difference_minutes);
    let lists = candidates::generate(&features, &buckets, &exclusions, config);
    let candidates_time = started.elapsed();

    let started = Instant::now();
    let scored = graph::score_lists(&features, &lists, &config.weights);
    // A complete graph small enough for the exact solver is solved whole: the optimum.
    let listed_pairs: usize = lists.lists.iter().map(Vec::len).sum();
    let whole = lists.complete && listed_pairs <= config.exact_edge_limit && pool.len() <= config.exact_vertex_limit;
    let edges = if whole {
        graph::every_edge(&scored)
    } else {
        graph::select(&scored, config.keep_best, config.balanced_degree, config.seed)
    };
    let scoring_time = started.elapsed();

    let started = Instant::now();
    let first = matching::solve(pool.len(), &edges, config);
    let matching_time = started.elapsed();

    let started = Instant::now();
    let context = second_chance::Pool { features: &features, buckets: &buckets, exclusions: &exclusions, config };
    let (edges, matching, second_chance_users) =
        second_chance::second_chance(&context, &scored, lists.complete, edges, first);
    let second_chance_time = started.elapsed();

    let pairs: Vec<Pair> = matching
        .pairs
        .iter()
        .map(|&(a, b)| Pair {
            a,
            b,
            weight: matching::weight_of(&edges, a, b).unwrap_or(0),
            score: score::explain(&features[a], &features[b], &config.weights),
        })
        .collect();
    let stats = SweepStats {
        pool: pool.len(),
        complete_graph: lists.complete,
        candidate_edges: edges.len(),
        pairs: pairs.len(),
        unmatched: pool.len() - 2 * pairs.len(),
        second_chance_users,
        exact: matching.exact,
        candidates_time,
        scoring_time,
        matching_time,
        second_chance_time,
    };
    Ok(Outcome { pool, pairs, weight: matching.weight, edges, stats })
}

/// Above this many compatible pairs the complete allowed graph is not built (memory).
pub const ALLOWED_GRAPH_PAIR_LIMIT: usize = 50_000_000;

/// Every allowed pair of the pool with its weight: the whole problem the engine
/// approximates, for the exact optimum in benchmarks and tests and for outside checks.
pub fn allowed_graph(
    pool: Vec<PoolUser>,
    excluded_pairs: &[(UserId, UserId)],
    config: &EngineConfig,
) -> Result<(Vec<PoolUser>, Vec<Edge>), EngineError> {
    let pool = prepare(pool, config)?;
    let features: Vec<Features> = pool.iter().map(Features::from).collect();
    let exclusions = candidates::Exclusions::new(&pool, excluded_pairs, config.trust_floor);
    let buckets = candidates::Buckets::new(&features, config.max_offset_difference_minutes);
    let pairs = buckets.compatible_pairs();
    if pairs > ALLOWED_GRAPH_PAIR_LIMIT {
        return Err(EngineError::TooLarge { pairs, limit: ALLOWED_GRAPH_PAIR_LIMIT });
    }
    let lists = candidates::Lists { lists: candidates::complete(&features, &buckets, &exclusions), complete: true };
    let edges = graph::every_edge(&graph::score_lists(&features, &lists, &config.weights));
    Ok((pool, edges))
}

/// Pairs of users the outcome left unmatched who are allowed together, checked over every
/// pair of them (not the candidate graph): the rule "nobody waits beside an allowed partner
/// who waits too" holds when this is empty. For tests and benchmarks.
pub fn unmatched_allowed_pairs(
    outcome: &Outcome,
    excluded_pairs: &[(UserId, UserId)],
    config: &EngineConfig,
) -> Result<Vec<(UserId, UserId)>, EngineError> {
    let mut matched = vec![false; outcome.pool.len()];
    for pair in &outcome.pairs {
        matched[pair.a] = true;
        matched[pair.b] = true;
    }
    let unmatched: Vec<PoolUser> =
        outcome.pool.iter().zip(&matched).filter(|(_, m)| !**m).map(|(user, _)| user.clone()).collect();
    let (unmatched, edges) = allowed_graph(unmatched, excluded_pairs, config)?;
    Ok(edges.iter().map(|e| (unmatched[e.a as usize].id.clone(), unmatched[e.b as usize].id.clone())).collect())
}
