//! pairing-tool: runs the pairing engine on a pool from a JSON file.
//!
//! ```text
//! pairing-tool POOL.json [--out PAIRS.json] [--edges EDGES.json] [--seed N]
//! pairing-tool --synthetic N [--seed N] > POOL.json
//! ```
//! Formats: docs/pairing.md.

use std::collections::HashSet;
use std::process::ExitCode;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tandem_pairing::{EngineConfig, PoolUser, run};

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
struct PoolFile {
    users: Vec<PoolUser>,
    #[serde(default)]
    excluded_pairs: Vec<(tandem_domain::UserId, tandem_domain::UserId)>,
    #[serde(default)]
    config: Option<EngineConfig>,
}

const USAGE: &str = "usage: pairing-tool POOL.json [--out PAIRS.json] [--edges EDGES.json] [--seed N]\n       pairing-tool --synthetic N [--seed N]";

fn main() -> ExitCode {
    match run_tool(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pairing-tool: {message}");
            ExitCode::FAILURE
        }
    }
}

fn run_tool(args: Vec<String>) -> Result<(), String> {
    let (mut input, mut out, mut edges_out, mut seed, mut synthetic) = (None, None, None, None, None);
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--out" => out = Some(value()?),
            "--edges" => edges_out = Some(value()?),
            "--seed" => seed = Some(value()?.parse::<u64>().map_err(|e| format!("--seed: {e}"))?),
            "--synthetic" => synthetic = Some(value()?.parse::<usize>().map_err(|e| format!("--synthetic: {e}"))?),
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other if input.is_none() && !other.starts_with("--") => input = Some(other.to_owned()),
            other => return Err(format!("unexpected argument {other}\n{USAGE}")),
        }
    }
    if let Some(n) = synthetic {
        let (users, excluded_pairs) = tandem_pairing::synthetic::pool(n, seed.unwrap_or(1));
        let file = PoolFile { users, excluded_pairs, config: None };
        println!("{}", serde_json::to_string(&file).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let input = input.ok_or(USAGE)?;
    let text = std::fs::read_to_string(&input).map_err(|e| format!("{input}: {e}"))?;
    let pool: PoolFile = serde_json::from_str(&text).map_err(|e| format!("{input}: {e}"))?;
    let mut config = pool.config.unwrap_or_default();
    if let Some(seed) = seed {
        config.seed = seed;
    }
    let outcome = run(pool.users, &pool.excluded_pairs, &config);
    let id = |i: usize| outcome.pool[i].id.as_str();
    let matched: HashSet<usize> = outcome.pairs.iter().flat_map(|p| [p.a, p.b]).collect();
    let pairs: Vec<_> = outcome
        .pairs
        .iter()
        .map(|p| {
            let weight =
                outcome.edges.iter().find(|e| (e.a as usize, e.b as usize) == (p.a, p.b)).map_or(0, |e| e.weight);
            json!({ "a": id(p.a), "b": id(p.b), "weight": weight, "score": p.score.total,
                    "breakdown": p.score.breakdown, "reasons": p.score.reasons })
        })
        .collect();
    let total_weight: i64 = pairs.iter().filter_map(|p| p["weight"].as_i64()).sum();
    let unmatched: Vec<&str> = (0..outcome.pool.len()).filter(|i| !matched.contains(i)).map(id).collect();
    let result = json!({ "pairs": pairs, "unmatched": unmatched, "totalWeight": total_weight, "stats": outcome.stats });
    write(out.as_deref(), &result)?;
    if let Some(path) = edges_out {
        let vertices: Vec<&str> = outcome.pool.iter().map(|u| u.id.as_str()).collect();
        let edges: Vec<_> = outcome
            .edges
            .iter()
            .map(|e| json!({ "a": id(e.a as usize), "b": id(e.b as usize), "weight": e.weight }))
            .collect();
        write(Some(&path), &json!({ "vertices": vertices, "edges": edges }))?;
    }
    eprintln!(
        "pool {} · candidate edges {} · pairs {} · unmatched {} · total weight {}",
        outcome.stats.pool, outcome.stats.candidate_edges, outcome.stats.pairs, outcome.stats.unmatched, total_weight
    );
    Ok(())
}

fn write(path: Option<&str>, value: &serde_json::Value) -> Result<(), String> {
    let text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    match path {
        Some(path) => std::fs::write(path, text).map_err(|e| format!("{path}: {e}")),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}
