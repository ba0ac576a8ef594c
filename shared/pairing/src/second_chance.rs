//! A second look for the users the first matching left unmatched.
//!
//! The candidate graph is a selection, so a user can be left unmatched beside an allowed
//! partner the selection dropped, and the next sweep would build the same graph. Here every
//! unmatched user gets edges to the other unmatched users of its window (up to
//! `second_chance_sample`) and `second_chance_sample` fresh candidates drawn from its whole
//! window (on a complete graph: its whole neighbourhood); the matching is then re-solved
//! (exactly when small, else by augmentations started around those users, which reach
//! them through matched users too). Last, [`complete_maximal`] guarantees the rule users see:
//! nobody stays unmatched while an allowed partner is unmatched too.

use crate::candidates::{Buckets, Exclusions, draw};
use crate::config::EngineConfig;
use crate::features::Features;
use crate::graph::Scored;
use crate::matching::{self, Edge, Matching};
use crate::rng::SplitMix64;
use crate::score::{edge_weight, total};

pub struct Pool<'a> {
    pub features: &'a [Features],
    pub buckets: &'a Buckets,
    pub exclusions: &'a Exclusions,
    pub config: &'a EngineConfig,
}

/// The re-solved matching over `edges` plus the second chance's edges (returned merged).
pub fn second_chance(
    pool: &Pool<'_>,
    scored: &Scored,
    complete_lists: bool,
    mut edges: Vec<Edge>,
    first: Matching,
) -> (Vec<Edge>, Matching, usize) {
    let n = pool.features.len();
    let free = unmatched(n, &first);
    if free.is_empty() {
        return (edges, first, 0);
    }
    let before = edges.len();
    if complete_lists {
        // Every allowed partner of every user is already scored.
        for &u in &free {
            edges.extend(scored[u as usize].iter().map(|&(weight, j)| Edge { a: u.min(j), b: u.max(j), weight }));
        }
    } else {
        edges.extend(fresh_edges(pool, &free));
    }
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    edges.dedup_by_key(|e| (e.a, e.b));
    let matching = if edges.len() == before {
        first
    } else if matching::touched_vertices(n, &edges) <= pool.config.exact_vertex_limit {
        matching::exact(n, &edges)
    } else {
        let rounds = pool.config.improvement_rounds.max(1);
        matching::improve_around(n, &edges, &first, rounds, pool.config.seed, &free)
    };
    let (edges, matching) = complete_maximal(pool, edges, matching);
    (edges, matching, free.len())
}

fn unmatched(n: usize, matching: &Matching) -> Vec<u32> {
    let mut matched = vec![false; n];
    for &(a, b) in &matching.pairs {
        matched[a] = true;
        matched[b] = true;
    }
    (0..n as u32).filter(|&v| !matched[v as usize]).collect()
}

/// For each unmatched user: the other unmatched users of its window and fresh draws from
/// the whole window, scored.
fn fresh_edges(pool: &Pool<'_>, free: &[u32]) -> Vec<Edge> {
    let Pool { features, exclusions, config, .. } = *pool;
    let sample = config.second_chance_sample;
    let free_buckets = Buckets::of(features, free.iter().copied(), config.max_offset_difference_minutes);
    let mut rng = SplitMix64::new(config.seed ^ 0x5ec0_4dc4_a4ce);
    let mut seen = vec![u32::MAX; features.len()];
    let mut edges = Vec::new();
    for &u in free {
        let offset = features[u as usize].utc_offset_minutes;
        let unmatched = free_buckets.compatible_members(offset).filter(|&v| v != u).take(sample);
        let drawn = draw(pool.buckets, offset, sample, &mut rng);
        for v in unmatched.chain(drawn) {
            if seen[v as usize] != u && exclusions.allows(u, v) {
                seen[v as usize] = u;
                let weight = edge_weight(total(&features[u as usize], &features[v as usize], &config.weights));
                edges.push(Edge { a: u.min(v), b: u.max(v), weight });
            }
        }
    }
    edges
}

/// Pairs any two unmatched users who are allowed together, best score first for each, so
/// the result is maximal over all allowed pairs, not only over the candidate graph. Cost
/// O(f · w) for f users still unmatched and w of them per window: f is small here.
pub fn complete_maximal(pool: &Pool<'_>, mut edges: Vec<Edge>, matching: Matching) -> (Vec<Edge>, Matching) {
    let Pool { features, exclusions, config, .. } = *pool;
    let free = unmatched(features.len(), &matching);
    let free_buckets = Buckets::of(features, free.iter().copied(), config.max_offset_difference_minutes);
    let mut taken = vec![false; features.len()];
    let mut added = Vec::new();
    for &u in &free {
        if taken[u as usize] {
            continue;
        }
        let offset = features[u as usize].utc_offset_minutes;
        let best = free_buckets
            .compatible_members(offset)
            .filter(|&v| v != u && !taken[v as usize] && exclusions.allows(u, v))
            .map(|v| (edge_weight(total(&features[u as usize], &features[v as usize], &config.weights)), v))
            .max_by_key(|&(w, v)| (w, std::cmp::Reverse(v)));
        if let Some((weight, v)) = best {
            taken[u as usize] = true;
            taken[v as usize] = true;
            added.push(Edge { a: u.min(v), b: u.max(v), weight });
        }
    }
    if added.is_empty() {
        return (edges, matching);
    }
    let mut pairs = matching.pairs;
    pairs.extend(added.iter().map(|e| (e.a as usize, e.b as usize)));
    edges.extend(added);
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    edges.dedup_by_key(|e| (e.a, e.b));
    // No longer the exact optimum of a graph: pairs were added beside it.
    let matching = matching::finish(pairs, &edges, false);
    (edges, matching)
}
