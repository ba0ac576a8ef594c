//! Properties of the engine on random inputs, with the exact solver as the oracle.

use std::collections::HashSet;

use proptest::prelude::*;
use tandem_pairing::matching::{self, Edge};
use tandem_pairing::synthetic::Shape;
use tandem_pairing::{
    EngineConfig, EngineError, Outcome, PoolUser, allowed_graph, run, synthetic, unmatched_allowed_pairs,
};

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
        let outcome = run(users, &excluded, &config).expect("valid pool");
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

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// The rule users see: nobody waits while an allowed partner waits too.
    #[test]
    fn no_user_is_left_unmatched_beside_an_unmatched_allowed_partner(
        size in 2usize..400,
        shape in proptest::sample::select(Shape::ALL),
        seed in any::<u64>(),
        sampled in any::<bool>(),
    ) {
        let (users, excluded) = synthetic::shaped(shape, size, seed);
        // Also through the sampled path (as at scale), with a small sample to stress it.
        let config = if sampled {
            EngineConfig { seed, complete_pair_limit: 0, sample_size: 8, keep_best: 2, balanced_degree: 1, second_chance_sample: 4, exact_vertex_limit: 0, ..EngineConfig::default() }
        } else {
            EngineConfig { seed, ..EngineConfig::default() }
        };
        let outcome = run(users, &excluded, &config).expect("valid pool");
        let stranded = unmatched_allowed_pairs(&outcome, &excluded, &config).expect("small");
        prop_assert!(stranded.is_empty(), "{shape:?}: unmatched but allowed together: {stranded:?}");
    }

    /// The trust floor: a user below it is paired only with another below it, and the
    /// floor strands nobody beside an allowed partner (complete and sampled paths).
    #[test]
    fn users_below_the_trust_floor_are_paired_only_together(
        size in 2usize..300,
        seed in any::<u64>(),
        low_share in 0u64..50,
        sampled in any::<bool>(),
    ) {
        let (mut users, excluded) = synthetic::pool(size, seed);
        for (i, user) in users.iter_mut().enumerate() {
            let draw = seed.wrapping_add(i as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15) >> 40;
            user.trust = if draw % 100 < low_share { (draw % 30) as u8 } else { 30 + (draw % 71) as u8 };
        }
        let config = if sampled {
            EngineConfig { seed, complete_pair_limit: 0, sample_size: 8, keep_best: 2, balanced_degree: 1, second_chance_sample: 4, exact_vertex_limit: 0, ..EngineConfig::default() }
        } else {
            EngineConfig { seed, ..EngineConfig::default() }
        };
        let outcome = run(users, &excluded, &config).expect("valid pool");
        for pair in &outcome.pairs {
            let (a, b) = (&outcome.pool[pair.a], &outcome.pool[pair.b]);
            prop_assert_eq!(a.trust < config.trust_floor, b.trust < config.trust_floor, "{} ({}) with {} ({})", a.id, a.trust, b.id, b.trust);
        }
        let stranded = unmatched_allowed_pairs(&outcome, &excluded, &config).expect("small");
        prop_assert!(stranded.is_empty(), "unmatched but allowed together: {stranded:?}");
    }

    /// Small pools are solved exactly over every allowed pair: the optimum's weight and
    /// matched users.
    #[test]
    fn small_pools_get_the_optimum_over_every_allowed_pair(
        size in 2usize..160,
        shape in proptest::sample::select(Shape::ALL),
        seed in any::<u64>(),
    ) {
        let (users, excluded) = synthetic::shaped(shape, size, seed);
        let config = EngineConfig { seed, ..EngineConfig::default() };
        let (pool, allowed) = allowed_graph(users.clone(), &excluded, &config).expect("small");
        let optimum = matching::exact(pool.len(), &allowed);
        let outcome = run(users, &excluded, &config).expect("valid pool");
        prop_assert_eq!(outcome.weight, optimum.weight);
        prop_assert_eq!(outcome.pairs.len(), optimum.pairs.len());
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
    let first = run(users.clone(), &excluded, &config).expect("valid pool");
    let mut reversed = users;
    reversed.reverse();
    let second = run(reversed, &excluded, &config).expect("valid pool");
    let ids =
        |o: &Outcome| o.pairs.iter().map(|p| (o.pool[p.a].id.clone(), o.pool[p.b].id.clone())).collect::<Vec<_>>();
    assert_eq!(ids(&first), ids(&second));
}

#[test]
fn on_a_thousand_users_the_engine_reaches_99_percent_of_the_whole_optimum_and_matches_as_many() {
    // Against the exact optimum over every allowed pair, on the shapes that starve a
    // sampled graph most (popular users, skewed timezones).
    for (shape, seed) in [(Shape::PopularUsers, 11), (Shape::SkewedTimezones, 12)] {
        let config = EngineConfig { seed, ..EngineConfig::default() };
        let (users, excluded) = synthetic::shaped(shape, 1_000, seed);
        let (pool, allowed) = allowed_graph(users.clone(), &excluded, &config).expect("small");
        let optimum = matching::exact(pool.len(), &allowed);
        let outcome = run(users, &excluded, &config).expect("valid pool");
        let weight: i64 = outcome.pairs.iter().map(|p| matching::weight_of(&allowed, p.a, p.b).expect("allowed")).sum();
        assert_eq!(weight, outcome.weight);
        assert!(weight * 100 >= optimum.weight * 99, "{shape:?}: {weight} vs optimum {}", optimum.weight);
        assert!(
            outcome.pairs.len() >= optimum.pairs.len(),
            "{shape:?}: {} pairs vs {}",
            outcome.pairs.len(),
            optimum.pairs.len()
        );
    }
}

#[test]
fn forty_users_whose_favourites_are_the_same_few_are_all_matched() {
    // Everyone's best ten are the same popular users: kept favourites alone left 16 of 40
    // without an edge between them.
    let (mut users, _) = synthetic::shaped(Shape::Realistic, 40, 3);
    let popular = synthetic::shaped(Shape::PopularUsers, 400, 3)
        .0
        .into_iter()
        .filter(|u| u.response_rate == 1.0 && u.values.len() == 6);
    for (user, mainstream) in users.iter_mut().take(10).zip(popular) {
        *user = PoolUser { id: user.id.clone(), ..mainstream };
    }
    for user in &mut users {
        user.utc_offset_minutes = 60;
    }
    // Through the sampled path too, where only the balanced selection and the second chance help.
    for config in [
        EngineConfig::default(),
        EngineConfig { complete_pair_limit: 0, exact_vertex_limit: 0, sample_size: 20, ..EngineConfig::default() },
    ] {
        let outcome = run(users.clone(), &[], &config).expect("valid pool");
        assert_eq!(outcome.stats.unmatched, 0, "{:?}", outcome.stats);
    }
}

#[test]
fn invalid_configuration_and_duplicate_users_are_refused_not_a_panic() {
    let (users, _) = synthetic::pool(50, 1);
    let error =
        run(users.clone(), &[], &EngineConfig { keep_best: 0, ..EngineConfig::default() }).expect_err("refused");
    assert!(matches!(error, EngineError::Config { field: "keepBest", .. }), "{error}");
    let mut twice = users.clone();
    twice.push(PoolUser { utc_offset_minutes: 0, ..users[7].clone() });
    let error = run(twice, &[], &EngineConfig::default()).expect_err("refused");
    assert_eq!(error, EngineError::DuplicateUser(users[7].id.clone()));
    let mut far = users;
    far[3].utc_offset_minutes = 5_000;
    assert!(matches!(run(far, &[], &EngineConfig::default()), Err(EngineError::User { .. })));
}

#[test]
fn small_candidate_graphs_are_solved_exactly() {
    let (users, excluded) = synthetic::pool(120, 5);
    let outcome = run(users, &excluded, &EngineConfig::default()).expect("valid pool");
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
    let outcome = run(users, &[], &EngineConfig::default()).expect("valid pool");
    assert!(outcome.stats.unmatched <= 4, "unmatched: {}", outcome.stats.unmatched);
}
