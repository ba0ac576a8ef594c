//! What operators watch: the cold-start flag every log span carries, and metrics written as
//! CloudWatch embedded metric format (EMF) lines on stdout, which CloudWatch Logs turns into
//! metrics with no API call on the request path and no extra permission. A small module
//! rather than a crate: one JSON shape, no buffering, no background flush to lose at freeze.
//!
//! Outside Lambda (the local stack, tests) the lines go to the `metrics` debug log instead
//! of interleaving with the console output.

use std::sync::atomic::{AtomicBool, Ordering};

use serde_json::{Map, Value, json};

static COLD: AtomicBool = AtomicBool::new(true);

/// Logs as Lambda's advanced logging controls ask: JSON when `AWS_LAMBDA_LOG_FORMAT` is
/// `JSON`, at `AWS_LAMBDA_LOG_LEVEL` (else `RUST_LOG`, else info) — one level, not
/// per-module directives: the directive parser (`EnvFilter`) links a regex engine, about a
/// megabyte in every function.
pub fn init_logging() {
    use lambda_http::tracing::subscriber::filter::LevelFilter;
    let level = ["AWS_LAMBDA_LOG_LEVEL", "RUST_LOG"]
        .iter()
        .find_map(|name| std::env::var(name).ok())
        .and_then(|value| value.trim().parse::<LevelFilter>().ok())
        .unwrap_or(LevelFilter::INFO);
    let json = std::env::var("AWS_LAMBDA_LOG_FORMAT").is_ok_and(|format| format.eq_ignore_ascii_case("json"));
    let logs = lambda_http::tracing::subscriber::fmt().with_target(false).without_time().with_max_level(level);
    let _ = if json { logs.json().try_init() } else { logs.try_init() };
}

/// True for the first invocation of this execution environment, false after.
pub fn cold_start() -> bool {
    COLD.swap(false, Ordering::Relaxed)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    Milliseconds,
    Seconds,
}

impl Unit {
    fn as_str(self) -> &'static str {
        match self {
            Self::Count => "Count",
            Self::Milliseconds => "Milliseconds",
            Self::Seconds => "Seconds",
        }
    }
}

/// The product metrics (the design notes' list) and the jobs' durations, one name each.
pub mod names {
    pub const QUEUE_WAIT: &str = "QueueWait";
    pub const MATCHES_MADE: &str = "MatchesMade";
    pub const UNMATCHED_AFTER_SWEEP: &str = "UnmatchedAfterSweep";
    pub const MESSAGES_SENT: &str = "MessagesSent";
    pub const DELIVERY_FAILURES: &str = "DeliveryFailures";
    pub const MODERATION_LAG: &str = "ModerationLag";
    pub const PUSHES_SENT: &str = "PushesSent";
    pub const PUSHES_FAILED: &str = "PushesFailed";
    pub const REPORTS_FILED: &str = "ReportsFiled";
    pub const JOB_DURATION: &str = "JobDuration";
    pub const JOB_FAILED: &str = "JobFailed";
}

/// The namespace metrics are published under (`METRICS_NAMESPACE`, set per stage by the
/// template; `Tandem` otherwise).
fn namespace() -> String {
    std::env::var("METRICS_NAMESPACE").ok().filter(|n| !n.is_empty()).unwrap_or_else(|| "Tandem".into())
}

/// One EMF document: `values` under `dimensions` (may be empty), at `timestamp_ms`.
pub fn emf_document(
    namespace: &str,
    dimensions: &[(&str, &str)],
    values: &[(&str, Unit, f64)],
    timestamp_ms: i64,
) -> Value {
    let mut document = Map::new();
    document.insert(
        "_aws".into(),
        json!({
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": [dimensions.iter().map(|(name, _)| *name).collect::<Vec<_>>()],
                "Metrics": values.iter().map(|(name, unit, _)| json!({"Name": name, "Unit": unit.as_str()})).collect::<Vec<_>>(),
            }],
        }),
    );
    for (name, value) in dimensions {
        document.insert((*name).into(), json!(value));
    }
    for (name, _, value) in values {
        document.insert((*name).into(), json!(value));
    }
    Value::Object(document)
}

/// Publishes `values` under `dimensions`.
pub fn emit(dimensions: &[(&str, &str)], values: &[(&str, Unit, f64)]) {
    if values.is_empty() {
        return;
    }
    write(&emf_document(&namespace(), dimensions, values, chrono::Utc::now().timestamp_millis()));
}

/// One EMF line: stdout in Lambda (CloudWatch Logs extracts it), the debug log elsewhere.
fn write(document: &Value) {
    if std::env::var_os("AWS_LAMBDA_FUNCTION_NAME").is_some() {
        println!("{document}");
    } else {
        tracing::debug!(target: "metrics", "{document}");
    }
}

/// Publishes many observations of one metric (CloudWatch takes up to 100 values per metric
/// and document, so larger sets go in several lines).
pub fn observations(name: &str, unit: Unit, values: &[f64]) {
    let now = chrono::Utc::now().timestamp_millis();
    for document in observation_documents(&namespace(), name, unit, values, now) {
        write(&document);
    }
}

/// The EMF documents carrying `values` of one metric, at most 100 values each.
pub fn observation_documents(namespace: &str, name: &str, unit: Unit, values: &[f64], timestamp_ms: i64) -> Vec<Value> {
    let documents = values.chunks(100).map(|chunk| {
        let mut document = emf_document(namespace, &[], &[(name, unit, 0.0)], timestamp_ms);
        document[name] = json!(chunk);
        document
    });
    documents.collect()
}

/// Publishes one count without dimensions (skipped when zero: an absent datapoint and a
/// zero sum graph the same, and the logs stay quiet).
pub fn count(name: &str, value: usize) {
    if value > 0 {
        emit(&[], &[(name, Unit::Count, value as f64)]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn documents_follow_the_embedded_metric_format() {
        let document = emf_document(
            "Tandem/dev",
            &[("job", "pairing-sweep")],
            &[("JobDuration", Unit::Milliseconds, 812.0), ("MatchesMade", Unit::Count, 3.0)],
            1_700_000_000_000,
        );
        let directive = &document["_aws"]["CloudWatchMetrics"][0];
        assert_eq!(document["_aws"]["Timestamp"], 1_700_000_000_000_i64);
        assert_eq!(directive["Namespace"], "Tandem/dev");
        assert_eq!(directive["Dimensions"], json!([["job"]]));
        assert_eq!(
            directive["Metrics"],
            json!([{"Name": "JobDuration", "Unit": "Milliseconds"}, {"Name": "MatchesMade", "Unit": "Count"}])
        );
        // Every metric and dimension named in the directive is a member of the root.
        assert_eq!(document["job"], "pairing-sweep");
        assert_eq!(document["JobDuration"], 812.0);
        assert_eq!(document["MatchesMade"], 3.0);
    }

    #[test]
    fn no_dimensions_is_one_empty_dimension_set() {
        let document = emf_document("Tandem", &[], &[("MessagesSent", Unit::Count, 1.0)], 0);
        assert_eq!(document["_aws"]["CloudWatchMetrics"][0]["Dimensions"], json!([[]]));
    }

    #[test]
    fn many_observations_go_in_documents_of_at_most_100_values() {
        let values: Vec<f64> = (0..250).map(f64::from).collect();
        let documents = observation_documents("Tandem", "QueueWait", Unit::Seconds, &values, 0);
        let sizes: Vec<usize> = documents.iter().map(|d| d["QueueWait"].as_array().unwrap().len()).collect();
        assert_eq!(sizes, [100, 100, 50]);
        assert_eq!(documents[2]["QueueWait"][49], 249.0);
        assert_eq!(documents[0]["_aws"]["CloudWatchMetrics"][0]["Metrics"][0]["Unit"], "Seconds");
        assert!(observation_documents("Tandem", "QueueWait", Unit::Seconds, &[], 0).is_empty());
    }

    #[test]
    fn only_the_first_call_is_a_cold_start() {
        // Other tests in this process may have taken it already; after any call it is false.
        let _ = cold_start();
        assert!(!cold_start());
    }
}
