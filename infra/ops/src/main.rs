//! `tandem-ops`: what operators do to a deployment that no API allows.
//!
//! ```text
//! tandem-ops grant-admin --email EMAIL [--table TABLE]
//! tandem-ops smoke --api URL --websocket URL
//! ```
//! `smoke` checks a deployed stack from the user's side (its outputs `ApiUrl` and
//! `WebSocketUrl`): register, login, `GET /v1/me`, a WebSocket connect and ping, then the
//! throwaway account's erasure is requested. For `grant-admin` the table comes from `--table` or `TABLE_NAME`; AWS credentials, region and endpoints
//! from the standard chain, so the same command works against AWS (`AWS_PROFILE=…`) and
//! against the local stack (`source .local/stack.env`). The user signs in again (or
//! refreshes) to get a token carrying the role.

use std::process::ExitCode;

use tandem_domain::Email;
use tandem_store::{Store, StoreError};

const USAGE: &str =
    "usage: tandem-ops grant-admin --email EMAIL [--table TABLE]\n       tandem-ops smoke --api URL --websocket URL";

#[tokio::main]
async fn main() -> ExitCode {
    match run(std::env::args().skip(1).collect()).await {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("tandem-ops: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: Vec<String>) -> Result<String, String> {
    let (command, options) = args.split_first().ok_or(USAGE)?;
    match command.as_str() {
        "grant-admin" => grant_admin(options).await,
        "smoke" => smoke(options).await,
        other => Err(format!("unknown command {other}\n{USAGE}")),
    }
}

async fn smoke(options: &[String]) -> Result<String, String> {
    let (mut api, mut websocket) = (None, None);
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options.next().ok_or_else(|| format!("{option} needs a value\n{USAGE}"))?;
        match option.as_str() {
            "--api" => api = Some(value.clone()),
            "--websocket" => websocket = Some(value.clone()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let endpoints = tandem_ops::smoke::Endpoints {
        api: api.ok_or_else(|| format!("--api is required\n{USAGE}"))?,
        websocket: websocket.ok_or_else(|| format!("--websocket is required\n{USAGE}"))?,
    };
    let steps = tandem_ops::smoke::run(&endpoints).await.map_err(|e| format!("smoke check failed at {e}"))?;
    let lines: Vec<String> =
        steps.iter().map(|step| format!("  ok  {:<44} {:>6} ms", step.name, step.elapsed.as_millis())).collect();
    Ok(format!("smoke check of {} passed:\n{}", endpoints.api, lines.join("\n")))
}

async fn grant_admin(options: &[String]) -> Result<String, String> {
    let mut email = None;
    let mut table = std::env::var("TABLE_NAME").ok();
    let mut options = options.iter();
    while let Some(option) = options.next() {
        let value = options.next().ok_or_else(|| format!("{option} needs a value\n{USAGE}"))?;
        match option.as_str() {
            "--email" => email = Some(value.clone()),
            "--table" => table = Some(value.clone()),
            other => return Err(format!("unknown option {other}\n{USAGE}")),
        }
    }
    let email = Email::parse(email.as_deref().ok_or(USAGE)?, "email").map_err(|e| format!("--email: {}", e.message))?;
    let table = table.ok_or("no table: pass --table or set TABLE_NAME")?;
    let sdk = aws_config::defaults(aws_config::BehaviorVersion::latest()).load().await;
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk), table.clone());
    match store.grant_admin(&email, chrono::Utc::now()).await {
        Ok(user) => {
            Ok(format!("{} ({}) is now an admin in {table}; they sign in again to use it", user.email, user.id))
        }
        Err(StoreError::NotFound) => Err(format!("no account for {email} in {table}")),
        Err(error) => Err(error.to_string()),
    }
}
