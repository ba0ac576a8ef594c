//! What each Lambda function needs deployed, declared once beside its handler (in
//! `routes::HTTP_FUNCTIONS`, `routes::ws::WS_FUNCTIONS`, `jobs::SCHEDULED_JOBS`,
//! `workers::QUEUE_WORKERS`): what it does, what triggers it, what it may touch, and what
//! differs from the defaults. `tandem-local generate` writes the functions' part of
//! `template.yaml`, the bootstraps in `functions/src/bin/` and their `[[bin]]` entries from
//! it; CI fails when the committed files differ from what it writes.

/// One function's deployment.
#[derive(Debug, Clone, Copy)]
pub struct Deploy {
    /// The template's `Description`: what the function does, in a line.
    pub description: &'static str,
    pub trigger: Trigger,
    /// What its code calls, as IAM statements (each on its own resource).
    pub grants: &'static [Grant],
    /// `MemorySize` when not the default (256 MB).
    pub memory_mb: Option<u32>,
    /// `Timeout` when not the default (10 s).
    pub timeout_seconds: Option<u32>,
    /// Environment variables beyond the defaults, each from a template parameter (`!Ref`).
    pub environment: &'static [(&'static str, &'static str)],
}

impl Deploy {
    /// A function with the defaults: no grants, no extra environment.
    pub const fn new(description: &'static str, trigger: Trigger) -> Self {
        Self { description, trigger, grants: &[], memory_mb: None, timeout_seconds: None, environment: &[] }
    }
}

/// What invokes a function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Trigger {
    /// A route of the HTTP API.
    Http { method: &'static str, path: &'static str },
    /// The HTTP API's `$default` route (whatever no other route matched).
    HttpDefault,
    /// A route of the WebSocket API (bound to its route key by the hand-written part of the
    /// template: the route, the integration and the permission).
    WebSocket,
    /// An EventBridge schedule (`rate(…)`): no retries, a failed run recorded on the job
    /// failure queue, reserved concurrency when the stack asks for it.
    Schedule { event: &'static str, rate: &'static str },
    /// An SQS queue of the template, read in batches with partial failures.
    Queue { queue: &'static str, batch_size: u32, max_concurrency: u32 },
}

/// One IAM statement of a function's policy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Grant {
    /// DynamoDB actions on the table.
    Table(&'static [&'static str]),
    /// DynamoDB actions on some of the table's indexes.
    Indexes(&'static [&'static str], &'static [&'static str]),
    /// Reading the access-token signing keys (`secretsmanager:GetSecretValue`, with the
    /// secret's name in `JWT_SIGNING_KEYS_SECRET`).
    SigningKeys,
    /// The Management API on WebSocket connections (`execute-api:ManageConnections`), for
    /// these methods: `POST` sends to a connection, `DELETE` closes it.
    ManageConnections(&'static [&'static str]),
    /// SNS actions on the push platform applications.
    PushApplications(&'static [&'static str]),
    /// SNS actions on the push endpoints.
    PushEndpoints(&'static [&'static str]),
}

/// A declared function: what its bootstrap serves and how it is deployed.
#[derive(Debug, Clone, Copy)]
pub struct Declared {
    /// The binary name (`functions/src/bin/<name>.rs`, the template's `Binary`).
    pub name: &'static str,
    /// The handler's module under `tandem_api` (its `handle` serves the function).
    pub module: &'static str,
    /// The `edge::lambda` entry point its bootstrap calls.
    pub serve: &'static str,
    /// How its bootstrap prepares the app, when not as every function does.
    pub prepare: Option<&'static str>,
    pub deploy: &'static Deploy,
}

/// Every declared function, in declaration order.
pub fn functions() -> Vec<Declared> {
    let http = crate::routes::HTTP_FUNCTIONS.iter().map(|f| Declared {
        name: f.name,
        module: f.module,
        serve: if f.prepare.is_some() { "serve_http_with" } else { "serve_http" },
        prepare: f.prepare,
        deploy: &f.deploy,
    });
    let ws = crate::routes::ws::WS_FUNCTIONS.iter().map(|f| Declared {
        name: f.name,
        module: f.module,
        serve: "serve_ws",
        prepare: None,
        deploy: &f.deploy,
    });
    let jobs = crate::jobs::SCHEDULED_JOBS.iter().map(|f| Declared {
        name: f.name,
        module: f.module,
        serve: "serve_job",
        prepare: None,
        deploy: &f.deploy,
    });
    let workers = crate::workers::QUEUE_WORKERS.iter().map(|f| Declared {
        name: f.name,
        module: f.module,
        serve: "serve_worker",
        prepare: None,
        deploy: &f.deploy,
    });
    http.chain(ws).chain(jobs).chain(workers).collect()
}
