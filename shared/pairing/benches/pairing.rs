//! Pairing benchmark: `cargo bench -p tandem-pairing --bench pairing`.
//!
//! For each pool size, a synthetic pool runs through the production engine (single
//! thread) three times; the median phase times are reported, with peak memory measured in
//! a child process per size. Where the exact solver finishes (N ≤ 3,000) the engine's
//! total weight and matched users are compared with the optimum on the same candidate
//! graph, over several seeds, and with greedy alone for reference.

use std::process::Command;
use std::time::{Duration, Instant};

use tandem_pairing::{EngineConfig, matching, run, synthetic};

const SIZES: &[usize] = &[1_000, 3_000, 10_000, 100_000];
const QUALITY_SEEDS: &[u64] = &[1, 2, 3, 4, 5];

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if let Some(n) = args.iter().position(|a| a == "--one").and_then(|i| args.get(i + 1)).and_then(|n| n.parse().ok()) {
        one_size(n);
        return;
    }
    if args.iter().any(|a| a == "--quality") {
        quality();
        return;
    }
    println!("| N | candidates ms | scoring ms | matching ms | total ms | edges | pairs | unmatched | peak RSS MiB |");
    println!("|---|---|---|---|---|---|---|---|---|");
    let exe = std::env::current_exe().expect("bench executable");
    for &n in SIZES {
        let output = Command::new(&exe).arg("--one").arg(n.to_string()).output().expect("child run");
        print!("{}", String::from_utf8_lossy(&output.stdout));
    }
    println!();
    quality();
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

fn one_size(n: usize) {
    let config = EngineConfig::default();
    let (users, excluded) = synthetic::pool(n, 42);
    let mut runs = Vec::new();
    for _ in 0..3 {
        let started = Instant::now();
        let outcome = run(users.clone(), &excluded, &config);
        runs.push((outcome.stats, started.elapsed()));
    }
    let (stats, _) = &runs[0];
    let pick = |f: &dyn Fn(&(tandem_pairing::SweepStats, Duration)) -> Duration| {
        median(runs.iter().map(|r| ms(f(r))).collect())
    };
    println!(
        "| {n} | {:.0} | {:.0} | {:.0} | {:.0} | {} | {} | {} | {:.0} |",
        pick(&|r| r.0.candidates_time),
        pick(&|r| r.0.scoring_time),
        pick(&|r| r.0.matching_time),
        pick(&|r| r.0.candidates_time + r.0.scoring_time + r.0.matching_time),
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

fn quality() {
    println!(
        "| N | seed | exact ms | engine weight / optimum | greedy weight / optimum | engine matched / optimum's |"
    );
    println!("|---|---|---|---|---|---|");
    let mut worst = f64::MAX;
    let mut worst_matched = f64::MAX;
    for &n in &[1_000usize, 3_000] {
        for &seed in QUALITY_SEEDS {
            let config = EngineConfig { exact_vertex_limit: 0, seed, ..EngineConfig::default() };
            let (users, excluded) = synthetic::pool(n, seed);
            let outcome = run(users, &excluded, &config);
            let started = Instant::now();
            let optimum = matching::exact(n, &outcome.edges);
            let exact_ms = ms(started.elapsed());
            let greedy = matching::greedy(n, &outcome.edges);
            let engine_weight: i64 = outcome
                .pairs
                .iter()
                .map(|p| {
                    outcome.edges.iter().find(|e| (e.a as usize, e.b as usize) == (p.a, p.b)).map_or(0, |e| e.weight)
                })
                .sum();
            let ratio = engine_weight as f64 / optimum.weight as f64;
            let matched = outcome.pairs.len() as f64 / optimum.pairs.len() as f64;
            worst = worst.min(ratio);
            worst_matched = worst_matched.min(matched);
            println!(
                "| {n} | {seed} | {exact_ms:.0} | {:.2} % | {:.2} % | {:.2} % |",
                ratio * 100.0,
                greedy.weight as f64 / optimum.weight as f64 * 100.0,
                matched * 100.0
            );
        }
    }
    println!(
        "\nworst engine/optimum weight: {:.2} %, worst matched/optimum: {:.2} %",
        worst * 100.0,
        worst_matched * 100.0
    );
}
