//! Cold start of the deployable bootstraps: each release binary is started as Lambda starts
//! it, against a stand-in of the Lambda Runtime API on 127.0.0.1, with DynamoDB Local and
//! moto (Secrets Manager) behind it, and timed from the process start:
//!
//! - **init**: process start → its first `GET /runtime/invocation/next` (configuration, SDK
//!   clients, the signing keys read from Secrets Manager where the function holds them);
//! - **first invocation**: the event handed over → the response posted (the first request's
//!   own DynamoDB calls and TLS-free connections to the local endpoints included).
//!
//! A read route (`me-get`), a write route (`conversations-messages-send`), a WebSocket route
//! (`ws-ping`, whose reply goes through the Management API) and a job
//! (`conversation-expiry`), 15 fresh processes each; medians and the slowest run.
//!
//! The deployed bootstraps are arm64 (`scripts/build-functions.sh`, what `sam build` makes)
//! and cannot run on this x86_64 machine, so the bench starts host builds of the same
//! functions with the same release profile:
//!
//! ```sh
//! cargo build --release -p tandem-functions --bin me-get --bin conversations-messages-send \
//!   --bin ws-ping --bin conversation-expiry
//! RUST_LOG=warn scripts/with-emulators.sh cargo bench -p tandem-tests --bench cold_start
//! ```

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue};
use axum::routing::{get, post};
use serde_json::Value;
use tandem_api::config::{KeySource, SigningKeys};
use tandem_tests::*;
use tokio::sync::Notify;

const RUNS: usize = 15;

/// One invocation at a time: the event to hand out and when things happened.
#[derive(Default)]
struct Invocation {
    event: Option<Value>,
    first_next: Option<Instant>,
    responded: Option<(Instant, Value)>,
}

#[derive(Clone, Default)]
struct RuntimeApi {
    current: Arc<Mutex<Invocation>>,
    done: Arc<Notify>,
}

async fn next(State(api): State<RuntimeApi>) -> (HeaderMap, String) {
    let event = {
        let mut current = api.current.lock().unwrap();
        current.first_next.get_or_insert_with(Instant::now);
        current.event.take()
    };
    // Later polls (after the one invocation) wait until the process is killed.
    let Some(event) = event else {
        std::future::pending::<()>().await;
        unreachable!()
    };
    let mut headers = HeaderMap::new();
    let deadline = chrono::Utc::now().timestamp_millis() + 30_000;
    headers.insert("lambda-runtime-aws-request-id", HeaderValue::from_static("bench-request"));
    headers.insert("lambda-runtime-deadline-ms", HeaderValue::from_str(&deadline.to_string()).unwrap());
    headers.insert(
        "lambda-runtime-invoked-function-arn",
        HeaderValue::from_static("arn:aws:lambda:us-east-1:000000000000:function:bench"),
    );
    headers.insert("lambda-runtime-trace-id", HeaderValue::from_static("Root=1-00000000-000000000000000000000000"));
    (headers, event.to_string())
}

async fn respond(State(api): State<RuntimeApi>, Path(_id): Path<String>, body: String) -> &'static str {
    let value = serde_json::from_str(&body).unwrap_or(Value::String(body));
    api.current.lock().unwrap().responded = Some((Instant::now(), value));
    api.done.notify_one();
    "{}"
}

async fn failed(State(api): State<RuntimeApi>, body: String) -> &'static str {
    api.current.lock().unwrap().responded = Some((Instant::now(), serde_json::json!({ "runtimeError": body })));
    api.done.notify_one();
    "{}"
}

fn bootstrap(name: &str) -> PathBuf {
    let target =
        std::env::var_os("CARGO_TARGET_DIR").map(PathBuf::from).unwrap_or_else(|| workspace_root().join("target"));
    let path = target.join("release").join(name);
    assert!(path.exists(), "{} is missing: cargo build --release -p tandem-functions --bin {name}", path.display());
    path
}

struct Timing {
    init_ms: f64,
    first_ms: f64,
}

/// Starts `name` once with `event`, returns its timings and the response.
async fn cold_start(api: &RuntimeApi, port: u16, name: &str, env: &[(&str, String)], event: Value) -> (Timing, Value) {
    *api.current.lock().unwrap() = Invocation { event: Some(event), ..Default::default() };
    let mut command = tokio::process::Command::new(bootstrap(name));
    command
        .env("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{port}"))
        .env("AWS_LAMBDA_FUNCTION_NAME", name)
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "256")
        .env("AWS_LAMBDA_LOG_GROUP_NAME", format!("/tandem/bench/functions/{name}"))
        .env("AWS_LAMBDA_LOG_STREAM_NAME", "bench")
        .env("AWS_LAMBDA_LOG_FORMAT", "JSON")
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true);
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let mut child = command.spawn().expect("start the bootstrap");
    tokio::time::timeout(Duration::from_secs(20), api.done.notified()).await.expect("no response within 20 s");
    let _ = child.kill().await;
    let current = api.current.lock().unwrap();
    let first_next = current.first_next.expect("polled");
    let (responded, response) = current.responded.clone().expect("responded");
    let timing = Timing {
        init_ms: (first_next - started).as_secs_f64() * 1000.0,
        first_ms: (responded - first_next).as_secs_f64() * 1000.0,
    };
    (timing, response)
}

/// A function, its environment, and its event for the n-th run.
type Case<'a> = (&'a str, &'a Vec<(&'a str, String)>, Box<dyn Fn(usize) -> Value + 'a>);

fn event(name: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(workspace_root().join(format!("events/{name}.json"))).unwrap())
        .unwrap()
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

#[tokio::main]
async fn main() {
    // The state the functions read: two matched users, their conversation, and the signing
    // keys in a Secrets Manager secret (moto), as deployed.
    let sdk = sdk_config().await;
    let secret = format!("bench-keys-{}", uuid::Uuid::new_v4());
    let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
    tandem_local::provision::put_signing_keys_secret(&secrets, &secret, &SigningKeys::generate("k1")).await.unwrap();
    let secret_id = secret.clone();
    let stack = TestApi::start_with(move |config| config.signing_keys = KeySource::Secret(secret_id)).await;
    let (alice, _bob, conversation) = stack.matched_pair().await;
    // Only the functions under test run: the in-process pipeline (stream → queues →
    // workers) would scan each sent message while the next process starts.
    stack.pipeline.stop();

    let api = RuntimeApi::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = Router::new()
        .route("/2018-06-01/runtime/invocation/next", get(next))
        .route("/2018-06-01/runtime/invocation/{id}/response", post(respond))
        .route("/2018-06-01/runtime/invocation/{id}/error", post(failed))
        .route("/2018-06-01/runtime/init/error", post(failed))
        .with_state(api.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let mut env: Vec<(&str, String)> = vec![
        ("TABLE_NAME", stack.table().to_owned()),
        ("METRICS_NAMESPACE", "Tandem/bench".into()),
        ("WEBSOCKET_ENDPOINT", stack.base.clone()),
    ];
    for name in
        ["AWS_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_DYNAMODB"]
    {
        env.push((name, std::env::var(name).unwrap()));
    }
    let with_keys = {
        let mut env = env.clone();
        env.push(("JWT_SIGNING_KEYS_SECRET", secret.clone()));
        env
    };

    let bearer = format!("Bearer {}", alice.access);
    let cases: Vec<Case> = vec![
        (
            "me-get",
            &with_keys,
            Box::new(|_| {
                let mut e = event("me-get");
                e["headers"]["authorization"] = bearer.clone().into();
                e
            }),
        ),
        (
            "conversations-messages-send",
            &with_keys,
            Box::new(|run| {
                let mut e = event("conversations-messages-send");
                e["headers"]["authorization"] = bearer.clone().into();
                e["pathParameters"]["id"] = conversation.clone().into();
                e["rawPath"] = format!("/v1/conversations/{conversation}/messages").into();
                e["requestContext"]["http"]["path"] = e["rawPath"].clone();
                e["body"] = json!({"clientMessageId": format!("cold-{run}"), "text": format!("cold start {run}")})
                    .to_string()
                    .into();
                e
            }),
        ),
        ("ws-ping", &env, Box::new(|_| event("ws-ping"))),
        ("conversation-expiry", &env, Box::new(|_| event("conversation-expiry"))),
    ];

    println!("cold start, {RUNS} fresh processes per function (host release builds, local Runtime API stand-in)");
    println!("| function | size | init median | init max | first invocation median | max |");
    println!("|---|---|---|---|---|---|");
    for (name, env, make_event) in &cases {
        let mut inits = Vec::new();
        let mut firsts = Vec::new();
        for run in 0..RUNS {
            let (timing, response) = cold_start(&api, port, name, env, make_event(run)).await;
            let status = response["statusCode"].as_u64();
            assert!(
                response.get("runtimeError").is_none() && status.is_none_or(|s| s < 300),
                "{name} answered {response}"
            );
            inits.push(timing.init_ms);
            firsts.push(timing.first_ms);
        }
        let size = std::fs::metadata(bootstrap(name)).unwrap().len() as f64 / 1_048_576.0;
        println!(
            "| `{name}` | {size:.1} MB | {:.1} ms | {:.1} ms | {:.1} ms | {:.1} ms |",
            median(inits.clone()),
            inits.iter().cloned().fold(0.0, f64::max),
            median(firsts.clone()),
            firsts.iter().cloned().fold(0.0, f64::max)
        );
    }
}
