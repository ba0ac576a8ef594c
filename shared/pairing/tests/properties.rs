//! Properties of the engine on random inputs, with the exact solver as the oracle.

use std::collections::HashSet;

use proptest::prelude::*;
use tandem_pairing::matching::{self, Edge};
use tandem_pairing::{EngineConfig, run, synthetic};

/// Random simple graphs: up to `n` vertices, weights 1..=100_000, edges sorted by (a, b).
fn graphs(max_vertices: u32) -> impl Strategy<Value = (usize, Vec<Edge>)> {
    (2..=max_vertices).prop_flat_map(|n| {
        proptest::collection::vec((0..n, 0..n, 1i64..=100_000), 0..(n as usize * 3)).prop_map(move |raw| {
            let mut seen = HashSet::new();
            let mut edges: Vec<Edge> = raw
                .into_iter()
                .filter(|(a, b, _)| a != b)
                .map(|(a, b, weight)| Edge { a: a.min(b), b: a.max(b), weight })
                .filter(|e| seen.insert((e.a, e.b)))
                .collect();
            edges.sort_unstable_by_key(|e| (e.a, e.b));
            (n as usize, edges)
        })
    })
}

fn assert_valid(pairs: &[(usize, usize)], edges: &[Edge]) {
    let existing: HashSet<(usize, usize)> = edges.iter().map(|e| (e.a as usize, e.b as usize)).collect();
    let mut used = HashSet::new();
    for &(a, b) in pairs {
        assert!(existing.contains(&(a, b)), "pair {a}-{b} is not an edge");
        assert!(used.insert(a) && used.insert(b), "a vertex of {a}-{b} is in two pairs");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn every_solver_returns_a_valid_matching_between_greedy_and_the_optimum((n, edges) in graphs(24), seed in any::<u64>()) {
        let optimum = matching::exact(n, &edges);
        let greedy = matching::greedy(n, &edges);
        let improved = matching::improve(n, &edges, &greedy, 8, seed);
        let refined = matching::refine_in_windows(n, &edges, &improved, 6, 50, seed);
        for m in [&optimum, &greedy, &improved, &refined] {
            assert_valid(&m.pairs, &edges);
            prop_assert!(m.weight <= optimum.weight);
        }
        prop_assert!(improved.weight >= greedy.weight);
        prop_assert!(refined.weight >= improved.weight);
    }

    #[test]
    fn windows_as_large_as_the_graph_find_the_optimum((n, edges) in graphs(16), seed in any::<u64>()) {
        let optimum = matching::exact(n, &edges);
        let refined = matching::refine_in_windows(n, &edges, &matching::greedy(n, &edges), n, 1, seed);
        // One window holding the seed's whole connected component: optimal there. With a
        // single connected component the result is the optimum.
        prop_assert!(refined.weight <= optimum.weight);
        let components = components(n, &edges);
        if components == 1 {
            prop_assert_eq!(refined.weight, optimum.weight);
        }
    }

    #[test]
    fn the_engine_never_pairs_a_user_twice_or_a_filtered_pair(size in 2usize..300, seed in any::<u64>()) {
        let (users, excluded) = synthetic::pool(size, seed);
        let config = EngineConfig { seed, ..EngineConfig::default() };
        let offsets: std::collections::HashMap<tandem_domain::UserId, i32> = users.iter().map(|u| (u.id.clone(), u.utc_offset_minutes)).collect();
        let outcome = run(users, &excluded, &config);
        let excluded: HashSet<(tandem_domain::UserId, tandem_domain::UserId)> = excluded.iter().flat_map(|(a, b)| [(a.clone(), b.clone()), (b.clone(), a.clone())]).collect();
        let mut used = HashSet::new();
        for pair in &outcome.pairs {
            let (a, b) = (&outcome.pool[pair.a].id, &outcome.pool[pair.b].id);
            prop_assert!(a != b);
            prop_assert!(used.insert(a.clone()) && used.insert(b.clone()), "user in two pairs");
            prop_assert!(!excluded.contains(&(a.clone(), b.clone())), "excluded pair {a}-{b}");
            prop_assert!((offsets[a] - offsets[b]).abs() <= 120, "offsets too far apart");
            prop_assert!((0.0..=100.0).contains(&pair.score.total));
        }
        prop_assert_eq!(outcome.stats.unmatched, outcome.pool.len() - 2 * outcome.pairs.len());
    }
}

fn components(n: usize, edges: &[Edge]) -> usize {
    let mut parent: Vec<usize> = (0..n).collect();
    fn root(parent: &mut [usize], x: usize) -> usize {
        let mut x = x;
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    for e in edges {
        let (a, b) = (root(&mut parent, e.a as usize), root(&mut parent, e.b as usize));
        parent[a] = b;
    }
    let touched: HashSet<usize> = edges.iter().flat_map(|e| [e.a as usize, e.b as usize]).collect();
    touched.iter().map(|&v| root(&mut parent, v)).collect::<HashSet<_>>().len()
}

#[test]
fn the_engine_is_deterministic_and_ignores_input_order() {
    let (users, excluded) = synthetic::pool(2_000, 9);
    let config = EngineConfig::default();
    let first = run(users.clone(), &excluded, &config);
    let mut reversed = users;
    reversed.reverse();
    let second = run(reversed, &excluded, &config);
    let ids = |o: &tandem_pairing::Outcome| {
        o.pairs.iter().map(|p| (o.pool[p.a].id.clone(), o.pool[p.b].id.clone())).collect::<Vec<_>>()
    };
    assert_eq!(ids(&first), ids(&second));
}

#[test]
fn on_a_thousand_users_the_engine_reaches_99_percent_of_the_optimum_and_never_less_than_greedy() {
    for seed in [11, 12] {
        let config = EngineConfig { exact_vertex_limit: 0, seed, ..EngineConfig::default() };
        let (users, excluded) = synthetic::pool(1_000, seed);
        let outcome = run(users, &excluded, &config);
        let n = outcome.pool.len();
        let optimum = matching::exact(n, &outcome.edges);
        let greedy = matching::greedy(n, &outcome.edges);
        let engine = matching::solve(n, &outcome.edges, &config);
        assert_eq!(engine.pairs.len(), outcome.pairs.len());
        assert!(engine.weight >= greedy.weight);
        assert!(
            engine.weight * 100 >= optimum.weight * 99,
            "seed {seed}: {} vs optimum {}",
            engine.weight,
            optimum.weight
        );
        assert!(engine.pairs.len() * 100 >= optimum.pairs.len() * 99);
    }
}

#[test]
fn small_candidate_graphs_are_solved_exactly() {
    let (users, excluded) = synthetic::pool(120, 5);
    let outcome = run(users, &excluded, &EngineConfig::default());
    assert!(outcome.stats.exact);
    let optimum = matching::exact(outcome.pool.len(), &outcome.edges);
    assert_eq!(outcome.pairs.len(), optimum.pairs.len());
}

#[test]
fn identical_profiles_still_pair_almost_everyone() {
    // Equal scores everywhere: tie-breaking must not funnel every edge to the same users.
    let (mut users, _) = synthetic::pool(400, 3);
    let template = users[0].clone();
    for (i, user) in users.iter_mut().enumerate() {
        *user = tandem_pairing::PoolUser { id: tandem_pairing::synthetic::user_id(i), ..template.clone() };
    }
    let outcome = run(users, &[], &EngineConfig::default());
    assert!(outcome.stats.unmatched <= 4, "unmatched: {}", outcome.stats.unmatched);
}
