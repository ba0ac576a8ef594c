//! `tandem-local`: the project's local stack.
//!
//! ```text
//! tandem-local up [--port 3000] [--dynamodb-port 8000] [--moto-port 5000] [--persist] [--state-dir DIR] [--no-iam-check]
//! tandem-local emulators --env-file PATH
//! tandem-local iam-report --usage-dir DIR
//! tandem-local generate [--check]
//! ```
//! `up` runs DynamoDB Local, moto and the gateway, provisions the table from
//! `template.yaml` and serves every route on 127.0.0.1. Each stack keeps its environment
//! file, logs, persisted data and development keys in its own state folder
//! (`.local/stacks/<port>` unless `--state-dir`), so two stacks from one checkout do not
//! overwrite each other's. `emulators` runs only the emulators on free ports and writes their
//! environment to a file (the test setup). Under `up` each function runs under its own
//! policy of the template (`tandem_local::iam`) unless `--no-iam-check`. `iam-report` lists
//! the grants no recorded call used (the test run records them). `generate` writes the
//! functions' part of `template.yaml` and their `[[bin]]` entries from the declarations
//! (`tandem_api::deploy`); `--check` only says whether the committed files match.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use tandem_api::config::SigningKeys;
use tandem_local::emulators::{self, EmulatorError, Ports};
use tandem_local::functions::FunctionApps;
use tandem_local::iam::{Iam, LocalResources};
use tandem_local::pipeline::{self, PipelineOptions};
use tandem_local::{gateway, provision, template::Template};

const TABLE_NAME: &str = "tandem-local";
/// The signing keys' secret in moto, as `JwtSigningKeys` is deployed.
const SIGNING_KEYS_SECRET: &str = "tandem/local/jwt-signing-keys";
const USAGE: &str = "usage: tandem-local up [--port N] [--dynamodb-port N] [--moto-port N] [--persist] [--state-dir DIR] [--ws-max-seconds N] [--ws-idle-seconds N] [--no-iam-check]\n       tandem-local emulators --env-file PATH\n       tandem-local iam-report --usage-dir DIR\n       tandem-local generate [--check]";

struct UpOptions {
    port: u16,
    dynamodb_port: u16,
    moto_port: u16,
    persist: bool,
    state_dir: Option<PathBuf>,
    ws_max_seconds: u64,
    ws_idle_seconds: u64,
    iam_check: bool,
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("up") => parse_up(&args[1..]).and_then(up),
        Some("emulators") => match args.get(1..) {
            Some([flag, path]) if flag == "--env-file" => emulators_only(PathBuf::from(path)),
            _ => Err(USAGE.to_owned()),
        },
        Some("iam-report") => match args.get(1..) {
            Some([flag, path]) if flag == "--usage-dir" => iam_report(Path::new(path)),
            _ => Err(USAGE.to_owned()),
        },
        Some("generate") => match args.get(1..) {
            Some([]) => generate(false),
            Some([flag]) if flag == "--check" => generate(true),
            _ => Err(USAGE.to_owned()),
        },
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("tandem-local: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_up(args: &[String]) -> Result<UpOptions, String> {
    let mut options = UpOptions {
        port: 3000,
        dynamodb_port: 8000,
        moto_port: 5000,
        persist: false,
        state_dir: None,
        ws_max_seconds: 2 * 60 * 60,
        ws_idle_seconds: 10 * 60,
        iam_check: true,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut number = || -> Result<u64, String> {
            args.next().and_then(|v| v.parse().ok()).ok_or_else(|| format!("{arg} needs a number\n{USAGE}"))
        };
        match arg.as_str() {
            "--port" => options.port = as_port(number()?)?,
            "--dynamodb-port" => options.dynamodb_port = as_port(number()?)?,
            "--moto-port" => options.moto_port = as_port(number()?)?,
            "--persist" => options.persist = true,
            "--state-dir" => {
                options.state_dir =
                    Some(args.next().map(PathBuf::from).ok_or_else(|| format!("--state-dir needs a folder\n{USAGE}"))?)
            }
            "--ws-max-seconds" => options.ws_max_seconds = number()?,
            "--ws-idle-seconds" => options.ws_idle_seconds = number()?,
            "--no-iam-check" => options.iam_check = false,
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    Ok(options)
}

fn as_port(value: u64) -> Result<u16, String> {
    u16::try_from(value).map_err(|_| format!("{value} is not a port number"))
}

fn local_dir() -> PathBuf {
    std::env::var_os("TANDEM_LOCAL_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".local"))
}

/// Points every AWS SDK client of this process at the emulators through the standard
/// variables. Called before the async runtime starts, while the process has one thread.
fn export(variables: &[(String, String)]) {
    for (name, value) in variables {
        // SAFETY: single-threaded at this point (no runtime, no spawned threads yet).
        unsafe { std::env::set_var(name, value) };
    }
}

fn write_env_file<K: AsRef<str>>(path: &Path, variables: &[(K, String)]) -> Result<(), String> {
    let text: String = variables.iter().map(|(k, v)| format!("export {}='{v}'\n", k.as_ref())).collect();
    std::fs::write(path, text).map_err(|e| format!("writing {}: {e}", path.display()))
}

/// `sam local invoke` against this stack: `sam-env.json` (`--env-vars`) sets the variables
/// the template declares (table, the keys' secret, …); `sam-container-env.json`
/// (`--container-env-vars`) adds the SDK's endpoints and credentials, which the template does
/// not declare. Written to each of `dirs`.
fn write_sam_env_files(dirs: &[&Path], environment: &[(String, String)]) -> Result<(), String> {
    let sdk = |name: &str| name.starts_with("AWS_");
    let declared: serde_json::Map<String, serde_json::Value> =
        environment.iter().filter(|(k, _)| !sdk(k)).map(|(k, v)| (k.clone(), v.clone().into())).collect();
    let container: serde_json::Map<String, serde_json::Value> =
        environment.iter().filter(|(k, _)| sdk(k)).map(|(k, v)| (k.clone(), v.clone().into())).collect();
    for dir in dirs {
        for (file, variables) in [("sam-env.json", &declared), ("sam-container-env.json", &container)] {
            let text = serde_json::to_string_pretty(&serde_json::json!({ "Parameters": variables }))
                .map_err(|e| e.to_string())?;
            let path = dir.join(file);
            std::fs::write(&path, text).map_err(|e| format!("writing {}: {e}", path.display()))?;
        }
    }
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(|e| e.to_string())
}

/// `up`, in named steps: reserve the ports, point the SDK at the emulators, start and
/// provision them, build the app the functions run, then serve until Ctrl-C.
fn up(options: UpOptions) -> Result<(), String> {
    let started = Instant::now();
    let local = local_dir();
    let ports = reserve_ports(&options)?;
    let state = options.state_dir.clone().unwrap_or_else(|| local.join("stacks").join(ports.gateway.to_string()));
    std::fs::create_dir_all(&state).map_err(|e| format!("creating {}: {e}", state.display()))?;
    let mut environment = stack_environment(&ports);
    export(&environment);
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()))
        .with_target(false)
        .init();

    runtime()?.block_on(async move {
        let persist_dir = options.persist.then(|| state.join("dynamodb-data"));
        let running = emulators::start(&local, &state, ports.emulators, persist_dir.as_deref())
            .await
            .map_err(|e| e.to_string())?;
        let sdk_config = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
        let queues = provision_stack(&sdk_config).await?;
        let keys = dev_signing_keys(&state)?;
        provision::put_signing_keys_secret(
            &aws_sdk_secretsmanager::Client::new(&sdk_config),
            SIGNING_KEYS_SECRET,
            &keys,
        )
        .await
        .map_err(|e| e.to_string())?;
        let push_applications = provision::create_push_applications(&aws_sdk_sns::Client::new(&sdk_config), TABLE_NAME)
            .await
            .map_err(|e| e.to_string())?;
        // A restarted moto starts empty: what was provisioned in it is provisioned again.
        let _keeper = provision::MotoProvisions {
            sns: aws_sdk_sns::Client::new(&sdk_config),
            secrets: aws_sdk_secretsmanager::Client::new(&sdk_config),
            push_prefix: TABLE_NAME.to_owned(),
            push_applications: push_applications.clone(),
            secret_name: Some(SIGNING_KEYS_SECRET.to_owned()),
            signing_keys: Some(keys.clone()),
        }
        .keep(std::time::Duration::from_secs(2));
        let app = build_app(&sdk_config, ports.gateway, push_applications, &mut environment)?;
        let functions = function_apps(app, &sdk_config, &queues, options.iam_check).await?;
        let clock = gateway::Clock::default();
        gateway::start_schedules(functions.clone(), clock.clone()).map_err(|e| e.to_string())?;
        let pipeline = pipeline::start(
            functions.clone(),
            &sdk_config,
            aws_sdk_sqs::Client::new(&sdk_config),
            TABLE_NAME,
            TABLE_NAME,
            PipelineOptions::default(),
        )
        .await
        .map_err(|e| e.to_string())?;
        let limits = gateway::WebSocketLimits {
            max_connection: std::time::Duration::from_secs(options.ws_max_seconds),
            idle_timeout: std::time::Duration::from_secs(options.ws_idle_seconds),
        };
        let router = gateway::router(functions.clone(), clock, limits, Some(pipeline.status.clone())).map_err(|e| e.to_string())?;
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", ports.gateway))
            .await
            .map_err(|_| EmulatorError::PortTaken { port: ports.gateway, what: "gateway" }.to_string())?;
        let env_file = state.join("stack.env");
        // The latest stack's environment is also at the usual place, for `source .local/stack.env`.
        let latest = local.join("stack.env");
        write_env_file(&env_file, &environment)?;
        write_env_file(&latest, &environment)?;
        write_sam_env_files(&[&state, &local], &environment)?;
        print_banner(ports.gateway, &running, &queues, options.persist, &env_file);
        println!(
            "  IAM          {}",
            if functions.iam().is_some() {
                "each function runs under its own policy of template.yaml (refusals logged as AccessDenied; --no-iam-check turns it off)"
            } else {
                "off (--no-iam-check): every function has every right"
            }
        );
        println!("ready in {:.1} s; Ctrl-C stops everything", started.elapsed().as_secs_f64());
        gateway::serve(listener, router, shutdown_signal()).await.map_err(|e| e.to_string())?;
        println!("stopping");
        drop(pipeline);
        drop(running);
        Ok(())
    })
}

struct StackPorts {
    gateway: u16,
    emulators: Ports,
}

/// Step 1: every port the stack needs, refused with a clear message when taken.
fn reserve_ports(options: &UpOptions) -> Result<StackPorts, String> {
    let reserve = |port, what| emulators::reserve_port(port, what).map_err(|e| e.to_string());
    Ok(StackPorts {
        gateway: reserve(options.port, "gateway")?,
        emulators: Ports {
            dynamodb: reserve(options.dynamodb_port, "DynamoDB Local")?,
            moto: reserve(options.moto_port, "moto")?,
        },
    })
}

/// Step 2: the environment every function would have: SDK endpoints, table, the signing
/// keys' secret.
fn stack_environment(ports: &StackPorts) -> Vec<(String, String)> {
    let mut environment: Vec<(String, String)> =
        emulators::sdk_environment(ports.emulators.dynamodb, ports.emulators.moto)
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
    environment.push(("TABLE_NAME".into(), TABLE_NAME.to_owned()));
    environment.push(("JWT_SIGNING_KEYS_SECRET".into(), SIGNING_KEYS_SECRET.to_owned()));
    environment
}

/// Step 3: the table and queues of `template.yaml`, created in the emulators.
async fn provision_stack(sdk_config: &aws_config::SdkConfig) -> Result<BTreeMap<String, String>, String> {
    let template = Template::load().map_err(|e| e.to_string())?;
    let table = template.table().map_err(|e| e.to_string())?;
    provision::create_table(&aws_sdk_dynamodb::Client::new(sdk_config), TABLE_NAME, &table)
        .await
        .map_err(|e| e.to_string())?;
    let queues = provision::create_queues(&aws_sdk_sqs::Client::new(sdk_config), TABLE_NAME, &template.queues())
        .await
        .map_err(|e| e.to_string())?;
    Ok(queues.into_iter().collect())
}

/// Step 4: the app the functions run, configured as the template configures them (the
/// gateway serves the Management API itself, on its own port).
fn build_app(
    sdk_config: &aws_config::SdkConfig,
    port: u16,
    push_applications: tandem_api::config::PushApplications,
    environment: &mut Vec<(String, String)>,
) -> Result<tandem_api::App, String> {
    let mut config = tandem_api::config::Config::from_env().map_err(|e| e.to_string())?;
    let base = format!("http://127.0.0.1:{port}");
    environment.push(("WEBSOCKET_ENDPOINT".into(), base.clone()));
    config.websocket_endpoint = Some(base);
    for (name, arn) in [
        ("PUSH_IOS_APPLICATION_ARN", &push_applications.ios),
        ("PUSH_ANDROID_APPLICATION_ARN", &push_applications.android),
    ] {
        environment.extend(arn.clone().map(|arn| (name.to_owned(), arn)));
    }
    config.push_applications = push_applications;
    Ok(tandem_api::App::new(config, sdk_config).with_oidc())
}

/// Step 5: each function's app, under its own policy unless the check is off.
async fn function_apps(
    app: tandem_api::App,
    sdk_config: &aws_config::SdkConfig,
    queues: &BTreeMap<String, String>,
    iam_check: bool,
) -> Result<std::sync::Arc<FunctionApps>, String> {
    if !iam_check {
        return Ok(FunctionApps::unchecked(app));
    }
    let template = Template::load().map_err(|e| e.to_string())?;
    let mut local = LocalResources::new(&template, TABLE_NAME, queues.clone());
    local.secret_name = Some(SIGNING_KEYS_SECRET.to_owned());
    let iam = Iam::new(&template, local).map_err(|e| e.to_string())?;
    FunctionApps::under_iam(app, sdk_config, iam).await.map_err(|e| e.to_string())
}

/// `iam-report`: the template's grants that no call recorded in `usage_dir` used.
fn iam_report(usage_dir: &Path) -> Result<(), String> {
    let template = Template::load().map_err(|e| e.to_string())?;
    let unexercised = tandem_local::iam::usage::unexercised(&template, usage_dir).map_err(|e| e.to_string())?;
    let total: usize = unexercised.values().map(Vec::len).sum();
    println!("IAM grants no tested code path used: {total} (in {} functions)", unexercised.len());
    for grants in unexercised.values() {
        for grant in grants {
            println!("  {:<32} {:<34} {}", grant.function, grant.action, grant.resource);
        }
    }
    Ok(())
}

/// Step 6: what is running where, and how to use it.
fn print_banner(
    port: u16,
    running: &emulators::Emulators,
    queues: &BTreeMap<String, String>,
    persist: bool,
    env_file: &Path,
) {
    println!("Tandem local stack");
    println!("  API          http://127.0.0.1:{port}/v1   (try: curl http://127.0.0.1:{port}/v1/healthz)");
    println!(
        "  DynamoDB     {}  table {TABLE_NAME}{}",
        running.dynamodb_endpoint(),
        if persist { " (persisted)" } else { " (in memory)" }
    );
    println!(
        "  SQS/SNS      {} (moto), queues: {}",
        running.moto_endpoint(),
        queues.keys().cloned().collect::<Vec<_>>().join(", ")
    );
    if let Ok(template) = Template::load() {
        for pipe in template.pipes().unwrap_or_default() {
            println!("  pipe         {}: table stream → {}", pipe.logical_id, pipe.target_queue);
        }
        for worker in template.queue_events().unwrap_or_default() {
            println!("  worker       {} ← {} (batch {})", worker.function, worker.queue, worker.batch_size);
        }
    }
    println!("  pipeline     curl http://127.0.0.1:{port}/_local/pipeline   (records forwarded, batches, failures)");
    println!(
        "  pushes       curl http://127.0.0.1:{port}/_local/push   (what was published, by user and device; POST /_local/push/disable {{\"tokenId\"}} disables a device)"
    );
    println!(
        "  token keys   Secrets Manager secret {SIGNING_KEYS_SECRET} (moto); a new version reaches the functions within 5 min, or at once for a new key id"
    );
    println!("  WebSocket    ws://127.0.0.1:{port}/ws?token=<access token>   (Management API at /@connections/<id>)");
    println!("  schedules    every minute; at once: curl -X POST http://127.0.0.1:{port}/_local/jobs/<function>");
    println!(
        "  jobs' clock  curl -X POST http://127.0.0.1:{port}/_local/clock -H 'content-type: application/json' -d '{{\"advanceSeconds\": 3600}}'"
    );
    println!("  environment  source {}", env_file.display());
}

fn emulators_only(env_file: PathBuf) -> Result<(), String> {
    let local = local_dir();
    let ports = Ports {
        dynamodb: emulators::reserve_port(0, "DynamoDB Local").map_err(|e| e.to_string())?,
        moto: emulators::reserve_port(0, "moto").map_err(|e| e.to_string())?,
    };
    // Logs of their own (removed after a clean stop), so parallel test runs do not mix them.
    let state = local.join("stacks").join(format!("emulators-{}", ports.dynamodb));
    runtime()?.block_on(async move {
        let running = emulators::start(&local, &state, ports, None).await.map_err(|e| e.to_string())?;
        write_env_file(&env_file, &running.sdk_environment())?;
        println!("emulators ready: DynamoDB Local {}, moto {}", running.dynamodb_endpoint(), running.moto_endpoint());
        shutdown_signal().await;
        drop(running);
        let _ = std::fs::remove_dir_all(&state);
        Ok(())
    })
}

/// The development signing keys, kept across restarts so tokens survive a `--persist`
/// restart, and stored in moto's Secrets Manager at start.
fn dev_signing_keys(local: &Path) -> Result<SigningKeys, String> {
    let path = local.join("dev-signing-keys.json");
    if let Ok(text) = std::fs::read_to_string(&path) {
        return SigningKeys::from_json(&text).map_err(|e| format!("{}: {e}", path.display()));
    }
    let keys = SigningKeys::generate("dev-1");
    std::fs::create_dir_all(local).and_then(|_| std::fs::write(&path, keys.to_json())).map_err(|e| e.to_string())?;
    Ok(keys)
}

async fn shutdown_signal() {
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate => {}
    }
}

/// `generate`: the functions' part of the template and their `[[bin]]` entries, from the
/// declarations beside the handlers.
fn generate(check: bool) -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = root.canonicalize().map_err(|e| format!("{}: {e}", root.display()))?;
    let outputs = tandem_local::generate::outputs(&root)?;
    let stale: Vec<_> = outputs.iter().filter(|o| o.differs()).collect();
    if check {
        if stale.is_empty() {
            println!("generated files are up to date");
            return Ok(());
        }
        let names: Vec<String> = stale.iter().map(|o| o.path.display().to_string()).collect();
        return Err(format!("out of date (run `tandem-local generate`): {}", names.join(", ")));
    }
    for output in stale {
        std::fs::write(&output.path, &output.wanted).map_err(|e| format!("{}: {e}", output.path.display()))?;
        println!("wrote {}", output.path.display());
    }
    Ok(())
}
