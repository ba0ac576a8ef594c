//! Pairing benchmark: `cargo bench -p tandem-pairing --bench pairing`.
//!
//! Speed: for each pool size, a synthetic pool runs through the production engine (single
//! thread) three times; the median phase times are reported, with peak memory measured in a
//! child process per size, and the users left unmatched.
//!
//! Quality (`-- --quality`, also part of the default run): on differently shaped pools of
//! up to 3,000 users, the engine's total weight and matched users against the exact optimum
//! of the whole problem: a blossom solver over every allowed pair (not over the engine's
//! candidate graph).
//!
//! Starvation (`-- --starvation`): at every size, pools where a fifth of the users are
//! everyone's favourites; users left unmatched.

use std::process::Command;
use std::time::{Duration, Instant};

use tandem_pairing::synthetic::{self, Shape};
use tandem_pairing::{EngineConfig, allowed_graph, matching, run, unmatched_allowed_pairs};

const SIZES: &[usize] = &[1_000, 3_000, 10_000, 100_000];
const QUALITY_SIZES: &[usize] = &[1_000, 2_000, 3_000];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    if let Some(n) = value("--one").and_then(|n| n.parse().ok()) {
        let shape = value("--shape").and_then(|s| Shape::ALL.iter().copied().find(|x| x.slug() == s));
        one_size(n, shape.unwrap_or(Shape::Realistic));
        return;
    }
    let only = |flag: &str| args.iter().any(|a| a == flag);
    let all = !only("--speed") && !only("--quality") && !only("--starvation");
    if all || only("--speed") {
        speed(Shape::Realistic);
        speed(Shape::PopularUsers);
    }
    if all || only("--starvation") {
        starvation();
    }
    if all || only("--quality") {
        quality();
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn speed(shape: Shape) {
    println!("\nSpeed, {} pools:\n", shape.name());
    println!(
        "| N | candidates ms | scoring ms | matching ms | second chance ms | total ms | edges | pairs | unmatched | peak RSS MiB |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("bench executable");
    for &n in SIZES {
        let output =
            Command::new(&exe).args(["--one", &n.to_string(), "--shape", shape.slug()]).output().expect("child run");
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
}

fn one_size(n: usize, shape: Shape) {
    let config = EngineConfig::default();
    let (users, excluded) = synthetic::shaped(shape, n, 42);
    let mut runs = Vec::new();
    for _ in 0..3 {
        let outcome = run(users.clone(), &excluded, &config).expect("valid pool");
        runs.push(outcome.stats);
    }
    let stats = &runs[0];
    let pick = |f: &dyn Fn(&tandem_pairing::SweepStats) -> Duration| median(runs.iter().map(|r| ms(f(r))).collect());
    println!(
        "| {n} | {:.0} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {} | {:.0} |",
        pick(&|r| r.candidates_time),
        pick(&|r| r.scoring_time),
        pick(&|r| r.matching_time),
        pick(&|r| r.second_chance_time),
        pick(&|r| r.total_time()),
        stats.candidate_edges,
        stats.pairs,
        stats.unmatched,
        peak_rss_mib(),
    );
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

/// Users left unmatched when a fifth of the pool is everyone's favourite, at every size.
fn starvation() {
    println!("\nStarvation: a fifth of the pool is everyone's favourite (popular users):\n");
    println!("| N | engine ms | unmatched | of which with an unmatched allowed partner |");
    println!("|---|---|---|---|");
    for &n in &[40usize, 2_000, 10_000, 30_000, 100_000] {
        let (users, excluded) = synthetic::shaped(Shape::PopularUsers, n, 7);
        let config = EngineConfig::default();
        let started = Instant::now();
        let outcome = run(users, &excluded, &config).expect("valid pool");
        let elapsed = ms(started.elapsed());
        let stranded = stranded_beside_a_partner(&outcome, &excluded, &config);
        println!("| {n} | {elapsed:.0} | {} | {stranded} |", outcome.stats.unmatched);
    }
}

/// Unmatched users with an allowed partner who is unmatched too (checked over every pair).
fn stranded_beside_a_partner(
    outcome: &tandem_pairing::Outcome,
    excluded: &[(tandem_domain::UserId, tandem_domain::UserId)],
    config: &EngineConfig,
) -> usize {
    let pairs = unmatched_allowed_pairs(outcome, excluded, config).expect("few unmatched");
    pairs.iter().flat_map(|(a, b)| [a, b]).collect::<std::collections::HashSet<_>>().len()
}

fn quality() {
    println!("\nQuality against the exact optimum over every allowed pair:\n");
    println!(
        "| shape | N | allowed pairs | exact ms | engine ms | engine weight / optimum | engine matched / optimum's |"
    );
    println!("|---|---|---|---|---|---|---|");
    let mut ratios = Vec::new();
    let mut fewer_matched = 0;
    for &shape in Shape::ALL {
        for &n in QUALITY_SIZES {
            let seed = n as u64 + 1;
            let (users, excluded) = synthetic::shaped(shape, n, seed);
            let config = EngineConfig { seed, ..EngineConfig::default() };
            let (pool, allowed) = allowed_graph(users.clone(), &excluded, &config).expect("small pool");
            let started = Instant::now();
            let optimum = matching::exact(pool.len(), &allowed);
            let exact_ms = ms(started.elapsed());
            let started = Instant::now();
            let outcome = run(users, &excluded, &config).expect("valid pool");
            let engine_ms = ms(started.elapsed());
            // The engine's weight, checked against the allowed graph (not its own edges).
            let weight: i64 =
                outcome.pairs.iter().map(|p| matching::weight_of(&allowed, p.a, p.b).expect("an allowed pair")).sum();
            let ratio = weight as f64 / optimum.weight as f64;
            let matched = 2 * outcome.pairs.len();
            let optimum_matched = 2 * optimum.pairs.len();
            if matched < optimum_matched {
                fewer_matched += 1;
            }
            ratios.push(ratio);
            println!(
                "| {} | {n} | {} | {exact_ms:.0} | {engine_ms:.0} | {:.2} % | {matched} / {optimum_matched} |",
                shape.name(),
                allowed.len(),
                ratio * 100.0,
            );
        }
    }
    let worst = ratios.iter().copied().fold(f64::MAX, f64::min);
    println!(
        "\n{} pools: worst {:.2} %, median {:.2} % of the optimum's weight; {} pools with fewer matched users than the optimum",
        ratios.len(),
        worst * 100.0,
        median(ratios) * 100.0,
        fewer_matched
    );
}
