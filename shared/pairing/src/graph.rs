//! The candidate graph: every listed pair scored, then the edges the matching works on.
//!
//! Two rules choose the edges, and their union is kept:
//! - each user's `keep_best` best-scored candidates (its own favourites);
//! - a greedy b-matching of degree `balanced_degree` over every scored pair, heaviest
//!   first: an edge is kept while both ends have fewer than `balanced_degree` such edges.
//!   Without it, pools where everyone's favourites are the same few popular users leave
//!   the others with no edge between them, and they are never matched although they could
//!   all be. With it, every user keeps edges to users who keep it too.

use crate::candidates::Lists;
use crate::features::Features;
use crate::matching::Edge;
use crate::score::{MAX_EDGE_WEIGHT, ScoreWeights, edge_weight, total};

/// Each user's scored candidates: `(weight, partner)`.
pub type Scored = Vec<Vec<(i64, u32)>>;

/// Scores every listed pair once. A complete list (each pair once, by its lower index) is
/// recorded on both sides, so every user sees its whole neighbourhood.
pub fn score_lists(features: &[Features], lists: &Lists, weights: &ScoreWeights) -> Scored {
    let mut scored: Scored = lists.lists.iter().map(|l| Vec::with_capacity(l.len())).collect();
    for (i, list) in lists.lists.iter().enumerate() {
        for &j in list {
            let weight = edge_weight(total(&features[i], &features[j as usize], weights));
            scored[i].push((weight, j));
            if lists.complete {
                scored[j as usize].push((weight, i as u32));
            }
        }
    }
    scored
}

/// Every scored pair as an edge (`a < b`, sorted by `(a, b)`, no duplicates).
pub fn every_edge(scored: &Scored) -> Vec<Edge> {
    let mut edges: Vec<Edge> = scored
        .iter()
        .enumerate()
        .flat_map(|(i, list)| {
            let i = i as u32;
            list.iter().filter(move |&&(_, j)| i < j).map(move |&(weight, j)| Edge { a: i, b: j, weight })
        })
        .collect();
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    edges.dedup_by_key(|e| (e.a, e.b));
    edges
}

/// The kept edges (`a < b`, sorted by `(a, b)`, no duplicates).
///
/// Ties among a user's favourites are broken by a seeded hash of the pair, not by index:
/// with many equal scores (similar or sparse profiles) index order would send every user's
/// edges to the same few users.
pub fn select(scored: &Scored, keep_best: usize, balanced_degree: usize, seed: u64) -> Vec<Edge> {
    let mut edges = Vec::with_capacity(scored.len() * (keep_best + balanced_degree));
    let tie = |i: u32, j: u32| crate::rng::mix(seed ^ (u64::from(i.min(j)) << 32 | u64::from(i.max(j))));
    let mut best: Vec<(i64, u32)> = Vec::new();
    for (i, list) in scored.iter().enumerate() {
        let i = i as u32;
        best.clear();
        best.extend_from_slice(list);
        if best.len() > keep_best {
            best.select_nth_unstable_by(keep_best - 1, |x, y| y.0.cmp(&x.0).then(tie(i, x.1).cmp(&tie(i, y.1))));
            best.truncate(keep_best);
        }
        edges.extend(best.iter().map(|&(weight, j)| Edge { a: i.min(j), b: i.max(j), weight }));
    }
    if balanced_degree > 0 {
        balanced(scored, balanced_degree, &mut edges);
    }
    edges.sort_unstable_by_key(|e| (e.a, e.b));
    edges.dedup_by_key(|e| (e.a, e.b));
    edges
}

/// Greedy b-matching, heaviest pair first: a counting sort by weight (weights are integers
/// up to [`MAX_EDGE_WEIGHT`]), so O(pairs) rather than a comparison sort.
fn balanced(scored: &Scored, degree: usize, edges: &mut Vec<Edge>) {
    let mut position = vec![0usize; MAX_EDGE_WEIGHT as usize + 2];
    for list in scored {
        for &(w, _) in list {
            position[w as usize] += 1;
        }
    }
    // Heaviest first: each weight's slots start after every heavier weight's.
    let mut next = 0;
    for w in (0..position.len()).rev() {
        let count = position[w];
        position[w] = next;
        next += count;
    }
    let mut order = vec![(0u32, 0u32); next];
    for (i, list) in scored.iter().enumerate() {
        for &(w, j) in list {
            order[position[w as usize]] = (i as u32, j);
            position[w as usize] += 1;
        }
    }
    // After the fill, position[w] is where weight w's run ends: walk runs to know weights.
    let mut kept: Vec<Vec<u32>> = vec![Vec::new(); scored.len()];
    let mut w = position.len() - 1;
    for (slot, &(i, j)) in order.iter().enumerate() {
        while position[w] <= slot {
            w -= 1;
        }
        let (ki, kj) = (&kept[i as usize], &kept[j as usize]);
        if ki.len() < degree && kj.len() < degree && !ki.contains(&j) {
            kept[i as usize].push(j);
            kept[j as usize].push(i);
            edges.push(Edge { a: i.min(j), b: i.max(j), weight: w as i64 });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn popular_users_cannot_take_every_slot() {
        // Users 0 and 1 are everyone's favourites (weight 90); the others score 50 with each
        // other. Own favourites alone leave 2..6 with edges to 0 and 1 only.
        let n = 6u32;
        let mut scored: Scored = vec![Vec::new(); n as usize];
        for i in 0..n {
            for j in 0..n {
                if i != j {
                    let weight = if i < 2 || j < 2 { 90_000 } else { 50_000 };
                    scored[i as usize].push((weight, j));
                }
            }
        }
        let own_only = select(&scored, 2, 0, 1);
        assert!(own_only.iter().all(|e| e.a < 2), "{own_only:?}");
        let balanced = select(&scored, 2, 2, 1);
        assert!(balanced.iter().any(|e| e.a >= 2 && e.b >= 2), "{balanced:?}");
        let degree = |v: u32| balanced.iter().filter(|e| e.a == v || e.b == v).count();
        assert!((2..n).all(|v| degree(v) >= 2));
    }

    #[test]
    fn kept_edges_are_sorted_unique_and_keep_their_weight() {
        let scored: Scored = vec![vec![(7, 1), (5, 2)], vec![(7, 0)], vec![(5, 0), (3, 1)]];
        let edges = select(&scored, 1, 1, 0);
        assert!(edges.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)));
        assert!(edges.contains(&Edge { a: 0, b: 1, weight: 7 }));
        assert!(edges.contains(&Edge { a: 0, b: 2, weight: 5 }));
    }
}
