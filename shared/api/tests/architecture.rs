//! The import rules `docs/architecture.md` states, held by reading the sources: routes and
//! jobs reach the store only through services; services never reach routes, jobs, workers or
//! the edge; no circle among the service modules (`use` lines and inline paths alike).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            files.push(path);
        }
    }
    files
}

/// The source without its `#[cfg(test)]` module (tests may reach anything).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_owned(),
        None => text,
    }
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

#[test]
fn routes_and_jobs_reach_the_store_only_through_services() {
    let mut broken = Vec::new();
    for layer in ["routes", "jobs"] {
        for path in sources(&src().join(layer)) {
            let code = code(&path);
            for forbidden in ["tandem_store", ".store.", "crate::outbound"] {
                if code.contains(forbidden) {
                    broken.push(format!("{} uses {forbidden}", path.display()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "routes and jobs parse, call a service, shape the answer:\n{}", broken.join("\n"));
}

#[test]
fn services_never_reach_routes_jobs_workers_or_the_edge() {
    let mut broken = Vec::new();
    for path in sources(&src().join("services")) {
        let code = code(&path);
        for layer in ["routes", "jobs", "workers", "edge"] {
            if code.contains(&format!("crate::{layer}")) {
                broken.push(format!("{} uses crate::{layer}", path.display()));
            }
        }
    }
    assert!(broken.is_empty(), "services decide; they never import the layers above:\n{}", broken.join("\n"));
}

/// Each module of `dir` → the modules of `dir` it names (`<prefix>x` anywhere in its code).
fn module_graph(dir: &Path, prefix: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut graph = BTreeMap::new();
    for path in sources(dir) {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let code = code(&path);
        let mut named = BTreeSet::new();
        for (at, _) in code.match_indices(prefix) {
            let rest = &code[at + prefix.len()..];
            if let Some(list) = rest.strip_prefix('{') {
                // `services::{a, b::c}`
                let list = &list[..list.find('}').unwrap_or(list.len())];
                named.extend(list.split(',').filter_map(|part| part.trim().split("::").next().map(str::to_owned)));
            } else {
                let module: String = rest.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                named.insert(module);
            }
        }
        named.retain(|module| !module.is_empty() && *module != name && module != "mod");
        graph.insert(name, named);
    }
    graph
}

#[test]
fn no_circle_among_the_services() {
    assert_no_circle(&module_graph(&src().join("services"), "services::"), "service modules");
}

#[test]
fn no_circle_among_the_store_modules() {
    let store = Path::new(env!("CARGO_MANIFEST_DIR")).join("../store/src");
    let mut graph = module_graph(&store, "crate::");
    // The crate root re-exports and the shared plumbing every family uses are no family.
    graph.remove("lib");
    for named in graph.values_mut() {
        for plumbing in ["item", "keys", "error", "retry", "Store", "StoreError"] {
            named.remove(plumbing);
        }
    }
    assert_no_circle(&graph, "store modules");
}

fn assert_no_circle(graph: &BTreeMap<String, BTreeSet<String>>, what: &str) {
    // Depth-first: a module met again while on the current path closes a circle.
    fn visit(
        module: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
        circles: &mut Vec<String>,
    ) {
        if let Some(at) = path.iter().position(|m| m == module) {
            circles.push([&path[at..], &[module.to_owned()]].concat().join(" → "));
            return;
        }
        if !done.insert(module.to_owned()) {
            return;
        }
        path.push(module.to_owned());
        for next in graph.get(module).into_iter().flatten() {
            visit(next, graph, path, done, circles);
        }
        path.pop();
    }
    let mut circles = Vec::new();
    let mut done = BTreeSet::new();
    for module in graph.keys() {
        visit(module, graph, &mut Vec::new(), &mut done, &mut circles);
    }
    assert!(circles.is_empty(), "{what} in a circle:\n{}", circles.join("\n"));
}
