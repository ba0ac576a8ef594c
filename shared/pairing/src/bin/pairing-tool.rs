//! pairing-tool: runs the pairing engine on a pool from a JSON file.
//!
//! ```text
//! pairing-tool POOL.json [--out PAIRS.json] [--edges EDGES.json] [--allowed-edges ALL.json] [--seed N]
//! pairing-tool --synthetic N [--shape SHAPE] [--seed N] > POOL.json
//! ```
//! Formats: docs/pairing.md.

use std::process::ExitCode;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::json;
use tandem_pairing::synthetic::Shape;
use tandem_pairing::{Edge, EngineConfig, PoolUser, allowed_graph, run};

#[derive(Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
#[serde(deny_unknown_fields)]
struct PoolFile {
    users: Vec<PoolUser>,
    #[serde(default)]
    excluded_pairs: Vec<(tandem_domain::UserId, tandem_domain::UserId)>,
    #[serde(default)]
    config: Option<EngineConfig>,
}

const USAGE: &str =
    "usage: pairing-tool POOL.json [--out PAIRS.json] [--edges EDGES.json] [--allowed-edges ALL.json] [--seed N]
       pairing-tool --synthetic N [--shape SHAPE] [--seed N]
shapes: realistic, uniform, skewed-timezones, half-hour-timezones, popular-users,
        communities-and-empty-profiles, many-exclusions, ghosting-histories";

fn main() -> ExitCode {
    match run_tool(std::env::args().skip(1).collect()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("pairing-tool: {message}");
            ExitCode::FAILURE
        }
    }
}

#[derive(Default)]
struct Args {
    input: Option<String>,
    out: Option<String>,
    edges: Option<String>,
    allowed_edges: Option<String>,
    seed: Option<u64>,
    synthetic: Option<usize>,
    shape: Option<Shape>,
}

fn parse(args: Vec<String>) -> Result<Args, String> {
    let mut parsed = Args::default();
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or_else(|| format!("{arg} needs a value\n{USAGE}"));
        match arg.as_str() {
            "--out" => parsed.out = Some(value()?),
            "--edges" => parsed.edges = Some(value()?),
            "--allowed-edges" => parsed.allowed_edges = Some(value()?),
            "--seed" => parsed.seed = Some(value()?.parse::<u64>().map_err(|e| format!("--seed: {e}"))?),
            "--synthetic" => {
                parsed.synthetic = Some(value()?.parse::<usize>().map_err(|e| format!("--synthetic: {e}"))?)
            }
            "--shape" => {
                let name = value()?;
                let shape =
                    Shape::ALL.iter().find(|s| s.slug() == name).ok_or(format!("unknown shape {name}\n{USAGE}"))?;
                parsed.shape = Some(*shape);
            }
            "-h" | "--help" => return Err(USAGE.to_owned()),
            other if parsed.input.is_none() && !other.starts_with("--") => parsed.input = Some(other.to_owned()),
            other => return Err(format!("unexpected argument {other}\n{USAGE}")),
        }
    }
    Ok(parsed)
}

fn run_tool(args: Vec<String>) -> Result<(), String> {
    let args = parse(args)?;
    if let Some(n) = args.synthetic {
        let shape = args.shape.unwrap_or(Shape::Realistic);
        let (users, excluded_pairs) = tandem_pairing::synthetic::shaped(shape, n, args.seed.unwrap_or(1));
        let file = PoolFile { users, excluded_pairs, config: None };
        println!("{}", serde_json::to_string(&file).map_err(|e| e.to_string())?);
        return Ok(());
    }
    let input = args.input.ok_or(USAGE)?;
    let text = std::fs::read_to_string(&input).map_err(|e| format!("{input}: {e}"))?;
    let pool: PoolFile = serde_json::from_str(&text).map_err(|e| format!("{input}: {e}"))?;
    let mut config = pool.config.unwrap_or_default();
    if let Some(seed) = args.seed {
        config.seed = seed;
    }
    if let Some(path) = &args.allowed_edges {
        let (sorted, edges) =
            allowed_graph(pool.users.clone(), &pool.excluded_pairs, &config).map_err(|e| format!("{input}: {e}"))?;
        write(Some(path), &graph_json(&sorted, &edges))?;
    }
    let started = Instant::now();
    let outcome = run(pool.users, &pool.excluded_pairs, &config).map_err(|e| format!("{input}: {e}"))?;
    let engine = started.elapsed();
    let id = |i: usize| outcome.pool[i].id.as_str();
    let mut matched = vec![false; outcome.pool.len()];
    let pairs: Vec<_> = outcome
        .pairs
        .iter()
        .map(|p| {
            matched[p.a] = true;
            matched[p.b] = true;
            json!({ "a": id(p.a), "b": id(p.b), "weight": p.weight, "score": p.score.total,
                    "breakdown": p.score.breakdown, "reasons": p.score.reasons })
        })
        .collect();
    let unmatched: Vec<&str> = (0..outcome.pool.len()).filter(|&i| !matched[i]).map(id).collect();
    let result =
        json!({ "pairs": pairs, "unmatched": unmatched, "totalWeight": outcome.weight, "stats": outcome.stats });
    write(args.out.as_deref(), &result)?;
    if let Some(path) = &args.edges {
        write(Some(path), &graph_json(&outcome.pool, &outcome.edges))?;
    }
    eprintln!(
        "pool {} · candidate edges {} · pairs {} · unmatched {} · total weight {} · engine {:.0} ms",
        outcome.stats.pool,
        outcome.stats.candidate_edges,
        outcome.stats.pairs,
        outcome.stats.unmatched,
        outcome.weight,
        engine.as_secs_f64() * 1000.0
    );
    Ok(())
}

/// `{ "vertices": [id…], "edges": [{ "a": id, "b": id, "weight" }…] }`.
fn graph_json(pool: &[PoolUser], edges: &[Edge]) -> serde_json::Value {
    let id = |i: u32| pool[i as usize].id.as_str();
    let vertices: Vec<&str> = pool.iter().map(|u| u.id.as_str()).collect();
    let edges: Vec<_> = edges.iter().map(|e| json!({ "a": id(e.a), "b": id(e.b), "weight": e.weight })).collect();
    json!({ "vertices": vertices, "edges": edges })
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
