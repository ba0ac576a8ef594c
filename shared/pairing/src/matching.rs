//! Maximum-weight matching on a general graph.
//!
//! - [`exact`]: Edmonds' blossom algorithm (`rustworkx-core`), O(V³): used when the graph
//!   has at most `exact_vertex_limit` vertices, and as the test and benchmark oracle.
//! - [`greedy`] then [`improve`]: heaviest edges first, then rounds of *short
//!   augmentations* (Pettie and Sanders' "random order augmentations"): for every vertex v
//!   in a seeded random order, the best gain from matching v to a neighbour u, freeing their
//!   mates, and re-matching those mates to each other (a 4-cycle) or to free neighbours
//!   (arms). Only positive gains are applied, so the weight never drops below greedy's.
//!   One round costs O(Σ deg(v)·deg(mate)) — O(n·d²) for average degree d.

use serde::{Deserialize, Serialize};

use crate::EngineConfig;
use crate::rng::SplitMix64;

const NONE: u32 = u32::MAX;

/// An undirected candidate edge, `a < b`, weighing `weight` (score × 1000).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Edge {
    pub a: u32,
    pub b: u32,
    pub weight: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matching {
    /// `(a, b)` with `a < b`, sorted.
    pub pairs: Vec<(usize, usize)>,
    pub weight: i64,
    pub exact: bool,
}

/// The production choice: exact on small graphs, greedy + augmentations beyond.
pub fn solve(vertices: usize, edges: &[Edge], config: &EngineConfig) -> Matching {
    let touched = touched_vertices(vertices, edges);
    if touched <= config.exact_vertex_limit {
        exact(vertices, edges)
    } else {
        let start = greedy(vertices, edges);
        let improved = improve(vertices, edges, &start, config.improvement_rounds, config.seed);
        refine_in_windows(vertices, edges, &improved, config.window_size, config.max_windows, config.seed)
    }
}

pub fn touched_vertices(vertices: usize, edges: &[Edge]) -> usize {
    let mut touched = vec![false; vertices];
    for e in edges {
        touched[e.a as usize] = true;
        touched[e.b as usize] = true;
    }
    touched.iter().filter(|t| **t).count()
}

/// Optimal matching (maximum total weight, any cardinality).
pub fn exact(vertices: usize, edges: &[Edge]) -> Matching {
    use rustworkx_core::max_weight_matching::max_weight_matching;
    use rustworkx_core::petgraph::graph::{NodeIndex, UnGraph};

    let mut graph: UnGraph<(), i64> = UnGraph::with_capacity(vertices, edges.len());
    for _ in 0..vertices {
        graph.add_node(());
    }
    for e in edges {
        graph.add_edge(NodeIndex::new(e.a as usize), NodeIndex::new(e.b as usize), e.weight);
    }
    let result =
        max_weight_matching(&graph, false, |e| Ok::<i128, std::convert::Infallible>(i128::from(*e.weight())), false);
    let pairs = match result {
        Ok(set) => set.into_iter().map(|(a, b)| (a.min(b), a.max(b))).collect(),
        Err(never) => match never {},
    };
    finish(pairs, edges, true)
}

/// Heaviest edge first, ties by vertex ids (deterministic).
pub fn greedy(vertices: usize, edges: &[Edge]) -> Matching {
    let mut order: Vec<&Edge> = edges.iter().collect();
    order.sort_by(|x, y| y.weight.cmp(&x.weight).then((x.a, x.b).cmp(&(y.a, y.b))));
    let mut used = vec![false; vertices];
    let mut pairs = Vec::new();
    for e in order {
        if !used[e.a as usize] && !used[e.b as usize] {
            used[e.a as usize] = true;
            used[e.b as usize] = true;
            pairs.push((e.a as usize, e.b as usize));
        }
    }
    finish(pairs, edges, false)
}

/// The weight of edge `a`–`b` (`a < b`) in `edges` sorted by `(a, b)`: a binary search.
pub fn weight_of(edges: &[Edge], a: usize, b: usize) -> Option<i64> {
    let i = edges.partition_point(|e| (e.a as usize, e.b as usize) < (a, b));
    edges.get(i).filter(|e| (e.a as usize, e.b as usize) == (a, b)).map(|e| e.weight)
}

pub fn finish(mut pairs: Vec<(usize, usize)>, edges: &[Edge], exact: bool) -> Matching {
    debug_assert!(edges.windows(2).all(|w| (w[0].a, w[0].b) < (w[1].a, w[1].b)), "edges sorted by (a, b)");
    pairs.sort_unstable();
    let weight = pairs.iter().map(|&(a, b)| weight_of(edges, a, b).unwrap_or(0)).sum();
    Matching { pairs, weight, exact }
}

/// Compressed adjacency lists.
struct Graph {
    start: Vec<usize>,
    neighbour: Vec<u32>,
    weight: Vec<i64>,
}

impl Graph {
    fn new(vertices: usize, edges: &[Edge]) -> Self {
        let mut degree = vec![0usize; vertices + 1];
        for e in edges {
            degree[e.a as usize] += 1;
            degree[e.b as usize] += 1;
        }
        let mut start = vec![0usize; vertices + 1];
        for v in 0..vertices {
            start[v + 1] = start[v] + degree[v];
        }
        let mut fill = start.clone();
        let mut neighbour = vec![0u32; start[vertices]];
        let mut weight = vec![0i64; start[vertices]];
        for e in edges {
            for (from, to) in [(e.a, e.b), (e.b, e.a)] {
                let slot = fill[from as usize];
                neighbour[slot] = to;
                weight[slot] = e.weight;
                fill[from as usize] += 1;
            }
        }
        Self { start, neighbour, weight }
    }

    fn adjacent(&self, v: u32) -> impl Iterator<Item = (u32, i64)> + '_ {
        let range = self.start[v as usize]..self.start[v as usize + 1];
        self.neighbour[range.clone()].iter().copied().zip(self.weight[range].iter().copied())
    }

    fn weight_between(&self, a: u32, b: u32) -> Option<i64> {
        self.adjacent(a).find(|(n, _)| *n == b).map(|(_, w)| w)
    }
}

/// Most edges one augmentation adds: the new edge, and a closing edge or two arms.
const MAX_ADDED: usize = 3;

/// A local change: add these edges, dropping the current matches of their endpoints.
#[derive(Clone, Copy)]
struct Augmentation {
    gain: i64,
    added: [(u32, u32, i64); MAX_ADDED],
    len: usize,
}

impl Augmentation {
    fn push(mut self, a: u32, b: u32, w: i64) -> Self {
        self.added[self.len] = (a, b, w);
        self.len += 1;
        self
    }
}

struct State<'g> {
    graph: &'g Graph,
    mate: Vec<u32>,
    mate_weight: Vec<i64>,
    /// Free neighbours of each vertex: arms are only searched where one exists.
    free_neighbours: Vec<u32>,
}

impl State<'_> {
    fn new(graph: &Graph, vertices: usize) -> State<'_> {
        let free_neighbours = (0..vertices).map(|v| (graph.start[v + 1] - graph.start[v]) as u32).collect();
        State { graph, mate: vec![NONE; vertices], mate_weight: vec![0; vertices], free_neighbours }
    }

    fn set_free(&mut self, x: u32, free: bool) {
        for (n, _) in self.graph.adjacent(x) {
            if free {
                self.free_neighbours[n as usize] += 1;
            } else {
                self.free_neighbours[n as usize] -= 1;
            }
        }
    }

    fn unmatch(&mut self, x: u32) {
        let m = self.mate[x as usize];
        if m != NONE {
            for y in [x, m] {
                self.mate[y as usize] = NONE;
                self.mate_weight[y as usize] = 0;
                self.set_free(y, true);
            }
        }
    }

    fn pair(&mut self, a: u32, b: u32, weight: i64) {
        for (x, y) in [(a, b), (b, a)] {
            self.mate[x as usize] = y;
            self.mate_weight[x as usize] = weight;
            self.set_free(x, false);
        }
    }

    fn is_free(&self, x: u32) -> bool {
        self.mate[x as usize] == NONE
    }

    /// The best free neighbour of `x` not in `busy`.
    fn best_free(&self, x: u32, busy: &[u32]) -> Option<(u32, i64)> {
        if x == NONE || self.free_neighbours[x as usize] == 0 {
            return None;
        }
        self.graph
            .adjacent(x)
            .filter(|(n, _)| self.is_free(*n) && !busy.contains(n))
            .max_by_key(|&(n, w)| (w, std::cmp::Reverse(n)))
    }

    /// Completes a chain whose freed ends are `a` and `b` (either may be NONE): leave them
    /// free, join them (closing a cycle), or give each a free neighbour (arms).
    fn finish(&self, a: u32, b: u32, busy: &[u32], chain: Augmentation, best: &mut Option<Augmentation>) {
        let mut offer = |candidate: Augmentation| {
            if candidate.gain > 0 && best.is_none_or(|current| candidate.gain > current.gain) {
                *best = Some(candidate);
            }
        };
        offer(chain);
        if let Some(w) = (a != NONE && b != NONE).then(|| self.graph.weight_between(a, b)).flatten() {
            offer(Augmentation { gain: chain.gain + w, ..chain.push(a, b, w) });
        }
        let arm_a = self.best_free(a, busy);
        let arm_b = self.best_free(b, busy);
        let mut armed = chain;
        if let Some((x, w)) = arm_a {
            armed = armed.push(a, x, w);
            armed.gain += w;
        }
        if let Some((y, w)) = arm_b {
            if arm_a.is_some_and(|(x, _)| x == y) {
                // Both want the same free vertex: give it to the heavier arm only.
                if arm_a.is_some_and(|(_, wa)| w > wa) {
                    let mut alternative = chain.push(b, y, w);
                    alternative.gain += w;
                    offer(alternative);
                }
            } else {
                armed = armed.push(b, y, w);
                armed.gain += w;
            }
        }
        offer(armed);
    }

    /// The best augmentation that starts by matching `v` to one of its neighbours.
    fn best_augmentation(&self, v: u32) -> Option<Augmentation> {
        let mv = self.mate[v as usize];
        let empty = Augmentation { gain: -self.mate_weight[v as usize], added: [(NONE, NONE, 0); MAX_ADDED], len: 0 };
        let mut best = None;
        for (u1, w1) in self.graph.adjacent(v) {
            if u1 == mv {
                continue;
            }
            let m1 = self.mate[u1 as usize];
            let mut one = empty.push(v, u1, w1);
            one.gain += w1 - self.mate_weight[u1 as usize];
            self.finish(m1, mv, &[v, u1, m1, mv], one, &mut best);
        }
        best
    }

    fn apply(&mut self, augmentation: &Augmentation) {
        let added = &augmentation.added[..augmentation.len];
        for &(a, b, _) in added {
            self.unmatch(a);
            self.unmatch(b);
        }
        for &(a, b, w) in added {
            self.pair(a, b, w);
        }
    }
}

/// Improves `start` by augmentations until none is left (or `rounds` passes over the
/// vertices that may still have one). `edges` must be sorted by `(a, b)`.
pub fn improve(vertices: usize, edges: &[Edge], start: &Matching, rounds: usize, seed: u64) -> Matching {
    improve_from(vertices, edges, start, rounds, seed, None)
}

/// [`improve`], first visiting only `around` and their neighbours: after a local change
/// (edges added for a few vertices) the rest of the matching has no augmentation left.
pub fn improve_around(
    vertices: usize,
    edges: &[Edge],
    start: &Matching,
    rounds: usize,
    seed: u64,
    around: &[u32],
) -> Matching {
    improve_from(vertices, edges, start, rounds, seed, Some(around))
}

fn improve_from(
    vertices: usize,
    edges: &[Edge],
    start: &Matching,
    rounds: usize,
    seed: u64,
    around: Option<&[u32]>,
) -> Matching {
    let graph = Graph::new(vertices, edges);
    let mut state = State::new(&graph, vertices);
    for &(a, b) in &start.pairs {
        let w = graph.weight_between(a as u32, b as u32).unwrap_or(0);
        state.pair(a as u32, b as u32, w);
    }
    // Work list: every vertex (or those around a change) at first; then only those near
    // a change.
    let mut pending: Vec<u32> = match around {
        None => (0..vertices as u32).filter(|&v| graph.start[v as usize] < graph.start[v as usize + 1]).collect(),
        Some(around) => {
            let mut near = vec![false; vertices];
            for &v in around {
                near[v as usize] = true;
                for (n, _) in graph.adjacent(v) {
                    near[n as usize] = true;
                }
            }
            (0..vertices as u32).filter(|&v| near[v as usize]).collect()
        }
    };
    let mut queued = vec![false; vertices];
    let mut rng = SplitMix64::new(seed ^ 0x005e_ed0f_a06e);
    for _ in 0..rounds {
        if pending.is_empty() {
            break;
        }
        rng.shuffle(&mut pending);
        let mut next = Vec::new();
        for &v in &pending {
            queued[v as usize] = false;
        }
        for &v in &pending {
            let Some(augmentation) = state.best_augmentation(v) else {
                continue;
            };
            state.apply(&augmentation);
            for &(a, b, _) in &augmentation.added[..augmentation.len] {
                for x in [a, b] {
                    for (n, _) in graph.adjacent(x).chain(std::iter::once((x, 0))) {
                        if !queued[n as usize] {
                            queued[n as usize] = true;
                            next.push(n);
                        }
                    }
                }
            }
        }
        pending = next;
    }
    let pairs = (0..vertices as u32)
        .filter_map(|v| {
            let m = state.mate[v as usize];
            (m != NONE && v < m).then_some((v as usize, m as usize))
        })
        .collect();
    finish(pairs, edges, false)
}

/// Large-neighbourhood search: re-solves small connected windows of the graph exactly.
///
/// From seed vertices in random order, a window grows breadth-first to `window_size`
/// vertices, each joining with its mate, so any matching of the window's induced
/// subgraph combines with the rest. The window's optimum (blossom)
/// replaces its part of the matching when heavier. This finds the long alternating cycles
/// and paths that short augmentations miss. At most `max_windows` windows are solved; a
/// vertex inside an earlier window does not seed another.
pub fn refine_in_windows(
    vertices: usize,
    edges: &[Edge],
    start: &Matching,
    window_size: usize,
    max_windows: usize,
    seed: u64,
) -> Matching {
    let graph = Graph::new(vertices, edges);
    let mut mate = vec![NONE; vertices];
    for &(a, b) in &start.pairs {
        mate[a] = b as u32;
        mate[b] = a as u32;
    }
    let mut seeds: Vec<u32> =
        (0..vertices as u32).filter(|&v| graph.start[v as usize] < graph.start[v as usize + 1]).collect();
    SplitMix64::new(seed ^ 0x0b10_550f).shuffle(&mut seeds);
    let mut local = vec![NONE; vertices];
    let mut covered = vec![false; vertices];
    let mut window: Vec<u32> = Vec::with_capacity(window_size + 2);
    let mut solved = 0;
    for &seed_vertex in &seeds {
        if solved >= max_windows {
            break;
        }
        if covered[seed_vertex as usize] {
            continue;
        }
        solved += 1;
        window.clear();
        let admit = |x: u32, window: &mut Vec<u32>, local: &mut Vec<u32>| {
            if local[x as usize] == NONE {
                local[x as usize] = window.len() as u32;
                window.push(x);
            }
        };
        admit(seed_vertex, &mut window, &mut local);
        if mate[seed_vertex as usize] != NONE {
            admit(mate[seed_vertex as usize], &mut window, &mut local);
        }
        // Breadth-first, taking each vertex with its mate, so every matched edge of a
        // window vertex lies inside the window and the window never exceeds its size.
        let mut next = 0;
        'grow: while next < window.len() {
            let x = window[next];
            next += 1;
            for (n, _) in graph.adjacent(x) {
                if local[n as usize] != NONE {
                    continue;
                }
                let m = mate[n as usize];
                if window.len() + 1 + usize::from(m != NONE) > window_size {
                    break 'grow;
                }
                admit(n, &mut window, &mut local);
                if m != NONE {
                    admit(m, &mut window, &mut local);
                }
            }
        }
        // The inner half no longer seeds windows; the outer half may, so windows overlap
        // and improvements crossing a window's edge are found from the next one.
        for &x in &window[..window.len().div_ceil(2)] {
            covered[x as usize] = true;
        }
        let mut inside: Vec<Edge> = Vec::new();
        let mut current = 0;
        for (i, &x) in window.iter().enumerate() {
            for (n, w) in graph.adjacent(x) {
                let j = local[n as usize];
                if j != NONE && (i as u32) < j {
                    inside.push(Edge { a: i as u32, b: j, weight: w });
                    if mate[x as usize] == n {
                        current += w;
                    }
                }
            }
        }
        inside.sort_unstable_by_key(|e| (e.a, e.b));
        let best = exact(window.len(), &inside);
        if best.weight > current {
            for &x in &window {
                mate[x as usize] = NONE;
            }
            for &(a, b) in &best.pairs {
                mate[window[a] as usize] = window[b];
                mate[window[b] as usize] = window[a];
            }
        }
        for &x in &window {
            local[x as usize] = NONE;
        }
    }
    let pairs = (0..vertices as u32)
        .filter_map(|v| {
            let m = mate[v as usize];
            (m != NONE && v < m).then_some((v as usize, m as usize))
        })
        .collect();
    finish(pairs, edges, false)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn edge(a: u32, b: u32, weight: i64) -> Edge {
        Edge { a, b, weight }
    }

    #[test]
    fn greedy_is_fooled_by_a_path_and_augmentation_fixes_it() {
        // 0-1 (5), 1-2 (6), 2-3 (5): greedy takes 1-2 (6); the optimum is 0-1 + 2-3 (10).
        let edges = vec![edge(0, 1, 5), edge(1, 2, 6), edge(2, 3, 5)];
        assert_eq!(greedy(4, &edges).weight, 6);
        assert_eq!(exact(4, &edges).weight, 10);
        let improved = improve(4, &edges, &greedy(4, &edges), 4, 1);
        assert!(!improved.exact);
        assert_eq!(improved.weight, 10);
        assert_eq!(improved.pairs, vec![(0, 1), (2, 3)]);
    }

    #[test]
    fn four_cycles_are_swapped() {
        // Square 0-1-2-3 with heavy diagonal-free cycle: 0-1 (10), 2-3 (10) vs 1-2 (11), 3-0 (11).
        let edges = vec![edge(0, 1, 10), edge(0, 3, 11), edge(1, 2, 11), edge(2, 3, 10)];
        let start = Matching { pairs: vec![(0, 1), (2, 3)], weight: 20, exact: false };
        assert_eq!(improve(4, &edges, &start, 4, 7).weight, 22);
    }

    #[test]
    fn empty_graphs_match_nothing() {
        assert_eq!(exact(3, &[]).pairs, vec![]);
        assert_eq!(greedy(3, &[]).pairs, vec![]);
        assert_eq!(improve(0, &[], &greedy(0, &[]), 3, 0).pairs, vec![]);
    }
}
