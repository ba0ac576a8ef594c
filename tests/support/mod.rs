//! Test harness: a fresh table in the DynamoDB Local engine that `scripts/test.sh`
//! started, and the local gateway serving the real handlers on a free port.

pub mod calls;
pub mod contract;

pub use calls::{Calls, calls_text, counted, seeded};

use std::sync::atomic::{AtomicU64, Ordering};

use aws_config::{BehaviorVersion, SdkConfig};
use reqwest::StatusCode;
use serde_json::Value;
use tandem_api::App;
use tandem_api::config::{Config, SigningKeys};
use tandem_local::functions::FunctionApps;
use tandem_local::iam::{Iam, LocalResources};
use tandem_local::pipeline::{self, Pipeline, PipelineOptions};
use tandem_local::{gateway, provision, template::Template};
use tokio::sync::oneshot;

pub use serde_json::json;

/// Where the set-up installed the emulators (`TANDEM_LOCAL_DIR`, else `.local`).
pub fn local_dir() -> std::path::PathBuf {
    std::env::var_os("TANDEM_LOCAL_DIR").map(Into::into).unwrap_or_else(|| workspace_root().join(".local"))
}

/// Root of the workspace, for tests that read project files.
pub fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).parent().map(Into::into).unwrap_or_default()
}

/// SDK configuration from the standard environment: the test script points
/// `AWS_ENDPOINT_URL_DYNAMODB` at DynamoDB Local.
pub async fn sdk_config() -> SdkConfig {
    assert!(
        std::env::var_os("AWS_ENDPOINT_URL_DYNAMODB").is_some(),
        "AWS_ENDPOINT_URL_DYNAMODB is not set: run the tests with scripts/test.sh, which starts DynamoDB Local"
    );
    aws_config::defaults(BehaviorVersion::latest()).load().await
}

/// A table of our own, created from `template.yaml`'s declaration.
pub async fn fresh_table(sdk: &SdkConfig) -> String {
    let name = format!("test-{}", uuid::Uuid::new_v4());
    let decl = Template::load().and_then(|t| t.table()).expect("template table");
    provision::create_table(&aws_sdk_dynamodb::Client::new(sdk), &name, &decl).await.expect("create table");
    name
}

/// A background task that ends with its owner.
pub struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

pub struct TestApi {
    pub base: String,
    pub http: reqwest::Client,
    pub app: App,
    pub dynamodb: aws_sdk_dynamodb::Client,
    pub sqs: aws_sdk_sqs::Client,
    /// Queue URLs by logical id (`ModerationQueue`, `ModerationDeadLetterQueue`, …).
    pub queues: std::collections::HashMap<String, String>,
    pub pipeline: Pipeline,
    /// The keys the stack's secret held at start (unless the test chose another source).
    pub signing_keys: SigningKeys,
    /// The app each function runs with, under its own policy of `template.yaml`.
    pub functions: std::sync::Arc<FunctionApps>,
    _stop: oneshot::Sender<()>,
    provisions: provision::MotoProvisions,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Reply {
    /// Asserts the project's error shape and code; returns the `details`.
    pub fn expect_error(&self, status: u16, code: &str) -> &Value {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        let error = &self.body["error"];
        assert_eq!(error["code"], code, "body: {}", self.body);
        assert!(error["message"].as_str().is_some_and(|m| !m.is_empty()), "message: {}", self.body);
        assert!(error["requestId"].as_str().is_some_and(|id| !id.is_empty()), "request_id: {}", self.body);
        assert!(error.get("details").is_some(), "details: {}", self.body);
        &error["details"]
    }
}

/// Signed-in user, as register/login return it.
pub struct Session {
    pub user_id: String,
    pub email: String,
    pub access: String,
    pub refresh: String,
}

pub const PASSWORD: &str = "correct horse battery";

/// Queue visibility timeout in tests: how soon a failed record is redelivered.
pub const VISIBILITY_SECONDS: i32 = 2;

static COUNTER: AtomicU64 = AtomicU64::new(0);

pub fn unique_email() -> String {
    format!("user{}-{}@example.com", COUNTER.fetch_add(1, Ordering::Relaxed), uuid::Uuid::new_v4().simple())
}

impl TestApi {
    pub async fn start() -> Self {
        Self::start_with(|_| {}).await
    }

    pub async fn start_with(customise: impl FnOnce(&mut Config)) -> Self {
        Self::start_full(customise, gateway::WebSocketLimits::default()).await
    }

    /// With WebSocket connection limits of its own (short ones, to test them).
    pub async fn start_full(customise: impl FnOnce(&mut Config), limits: gateway::WebSocketLimits) -> Self {
        Self::start_on(customise, limits, None).await
    }

    /// With its queues in the SQS at `sqs_endpoint` (a moto of the test's own) instead of
    /// the shared one.
    pub async fn start_on(
        customise: impl FnOnce(&mut Config),
        limits: gateway::WebSocketLimits,
        sqs_endpoint: Option<String>,
    ) -> Self {
        Self::start_under(customise, limits, sqs_endpoint, |_| {}).await
    }

    /// With the functions' policies changed by `amend` (a test of what a missing grant does).
    pub async fn start_under(
        customise: impl FnOnce(&mut Config),
        limits: gateway::WebSocketLimits,
        sqs_endpoint: Option<String>,
        amend: impl FnOnce(&mut Iam),
    ) -> Self {
        Self::start_gated(customise, limits, sqs_endpoint, Some(amend)).await
    }

    /// Without the IAM gate: every function calls the emulators directly with the stack's
    /// credentials. Only for a benchmark that measures what the gate costs; tests keep it.
    pub async fn start_without_iam_gate() -> Self {
        Self::start_gated(|_| {}, Default::default(), None, None::<fn(&mut Iam)>).await
    }

    async fn start_gated(
        customise: impl FnOnce(&mut Config),
        limits: gateway::WebSocketLimits,
        sqs_endpoint: Option<String>,
        amend: Option<impl FnOnce(&mut Iam)>,
    ) -> Self {
        // Handler logs show with a failing test's output.
        let filter =
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "warn,tandem_api=info".into());
        let _ = tracing_subscriber::fmt().with_test_writer().with_env_filter(filter).try_init();
        let sdk = sdk_config().await;
        let table = fresh_table(&sdk).await;
        let sqs = match sqs_endpoint {
            Some(endpoint) => {
                aws_sdk_sqs::Client::from_conf(aws_sdk_sqs::config::Builder::from(&sdk).endpoint_url(endpoint).build())
            }
            None => aws_sdk_sqs::Client::new(&sdk),
        };
        let queues = provision::create_queues(&sqs, &table, &Template::load().expect("template").queues())
            .await
            .expect("create queues");
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("http://{}", listener.local_addr().expect("addr"));
        // The signing keys live in Secrets Manager, as deployed: every function that handles
        // tokens reads them under its own policy.
        let secret = format!("{table}/jwt-signing-keys");
        let secrets = aws_sdk_secretsmanager::Client::new(&sdk);
        let signing_keys = SigningKeys::generate("test-1");
        provision::put_signing_keys_secret(&secrets, &secret, &signing_keys).await.expect("store the signing keys");
        let mut config = Config::with_key_source(table.clone(), tandem_api::config::KeySource::Secret(secret.clone()));
        config.websocket_endpoint = Some(base.clone());
        config.push_applications = provision::create_push_applications(&aws_sdk_sns::Client::new(&sdk), &table)
            .await
            .expect("create push applications");
        let provisions = provision::MotoProvisions {
            sns: aws_sdk_sns::Client::new(&sdk),
            secrets: secrets.clone(),
            push_prefix: table.clone(),
            push_applications: config.push_applications.clone(),
            secret_name: Some(secret.clone()),
            signing_keys: Some(signing_keys.clone()),
        };
        customise(&mut config);
        let app = App::new(config, &sdk).with_oidc();
        // Every function under its own policy, as deployed: a missing grant fails its tests.
        let template = Template::load().expect("template");
        let mut local = LocalResources::new(&template, &app.config.table_name, queues.clone().into_iter().collect());
        if let tandem_api::config::KeySource::Secret(name) = &app.config.signing_keys {
            local.secret_name = Some(name.clone());
        }
        let functions = match amend {
            Some(amend) => {
                let mut iam = Iam::new(&template, local).expect("the template's policies");
                amend(&mut iam);
                FunctionApps::under_iam(app.clone(), &sdk, iam).await.expect("IAM gate")
            }
            None => FunctionApps::unchecked(app.clone()),
        };
        // A failed record comes back after 2 s here (3 minutes deployed).
        let options = PipelineOptions { visibility_timeout_seconds: Some(VISIBILITY_SECONDS) };
        let pipeline =
            pipeline::start(functions.clone(), &sdk, sqs.clone(), &table, &table, options).await.expect("pipeline");
        let router =
            gateway::router(functions.clone(), gateway::Clock::default(), limits, Some(pipeline.status.clone()))
                .expect("route table");
        let (stop, stopped) = oneshot::channel::<()>();
        tokio::spawn(gateway::serve(listener, router, async move {
            let _ = stopped.await;
        }));
        Self {
            base,
            http: reqwest::Client::new(),
            app,
            dynamodb: aws_sdk_dynamodb::Client::new(&sdk),
            sqs,
            queues,
            pipeline,
            functions,
            signing_keys,
            _stop: stop,
            provisions,
        }
    }

    pub fn table(&self) -> &str {
        &self.app.config.table_name
    }

    /// Sends a request and checks the exchange against the documented contract.
    pub async fn send(&self, request: reqwest::RequestBuilder) -> Reply {
        let (client, request) = request.build_split();
        let request = request.expect("request");
        let (method, path) = (request.method().to_string(), request.url().path().to_owned());
        let sent: Option<Value> =
            request.body().and_then(|b| b.as_bytes()).and_then(|b| serde_json::from_slice(b).ok());
        let response = client.execute(request).await.expect("request");
        let status = response.status();
        let headers = response.headers().clone();
        let text = response.text().await.expect("body");
        let body =
            if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        contract::check_http(&method, &path, sent.as_ref(), status.as_u16(), &body);
        Reply { status, headers, body }
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.send(self.http.post(format!("{}{path}", self.base)).json(&body)).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Reply {
        let mut request = self.http.get(format!("{}{path}", self.base));
        if let Some(token) = token {
            request = request.bearer_auth(token);
        }
        self.send(request).await
    }

    pub async fn put(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(self.http.put(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    pub async fn delete(&self, path: &str, token: &str) -> Reply {
        self.send(self.http.delete(format!("{}{path}", self.base)).bearer_auth(token)).await
    }

    pub async fn post_auth(&self, path: &str, token: &str, body: Value) -> Reply {
        self.send(self.http.post(format!("{}{path}", self.base)).bearer_auth(token).json(&body)).await
    }

    /// Runs a scheduled job now, as the local stack's trigger does.
    pub async fn run_job(&self, function: &str) -> Reply {
        self.send(self.http.post(format!("{}/_local/jobs/{function}", self.base))).await
    }

    /// Every message currently on the queue `logical_id` (received, then deleted): the
    /// dead-letter queues, in tests of what fails.
    pub async fn drain_queue(&self, logical_id: &str) -> Vec<Value> {
        let url = &self.queues[logical_id];
        let mut messages = Vec::new();
        loop {
            let batch =
                self.sqs.receive_message().queue_url(url).max_number_of_messages(10).send().await.expect("receive");
            if batch.messages().is_empty() {
                return messages;
            }
            for message in batch.messages() {
                messages.push(serde_json::from_str(message.body().unwrap_or("null")).expect("JSON message"));
                self.sqs
                    .delete_message()
                    .queue_url(url)
                    .receipt_handle(message.receipt_handle().unwrap_or_default())
                    .send()
                    .await
                    .expect("delete");
            }
        }
    }

    /// Polls `check` every 50 ms until it returns `Some`, for at most `seconds`.
    pub async fn eventually<T, F, Fut>(&self, seconds: u64, what: &str, mut check: F) -> T
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = Option<T>>,
    {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
        loop {
            if let Some(value) = check().await {
                return value;
            }
            assert!(tokio::time::Instant::now() < deadline, "not within {seconds} s: {what}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }

    /// A registered user with a complete, visible profile in `timezone`.
    pub async fn member(&self, first_name: &str, timezone: &str) -> Session {
        let session = self.register(&unique_email()).await;
        let profile = json!({
            "firstName": first_name,
            "birthYear": 1994,
            "city": "Lyon",
            "interests": {"hiking": 80, "books": 60, "music": 40},
            "values": {"honesty": 90, "curiosity": 70},
            "communication": {"directness": 60, "humour": 70, "responsePace": "quick"},
            "depth": "deep",
            "chatHours": [{"start": "19:00", "end": "22:00"}],
            "timezone": timezone
        });
        let reply = self.put("/v1/me/profile", &session.access, profile).await;
        assert_eq!(reply.status, 200, "profile: {}", reply.body);
        session
    }

    pub async fn register(&self, email: &str) -> Session {
        let reply = self.post("/v1/auth/register", json!({ "email": email, "password": PASSWORD })).await;
        assert_eq!(reply.status, StatusCode::CREATED, "register: {}", reply.body);
        session(&reply.body, email)
    }

    pub async fn login(&self, email: &str, password: &str) -> Reply {
        self.post("/v1/auth/login", json!({ "email": email, "password": password })).await
    }

    /// Every item in the table (tests use small tables of their own).
    pub async fn items(&self) -> Vec<std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>> {
        let mut items = Vec::new();
        let mut start = None;
        loop {
            let page = self
                .dynamodb
                .scan()
                .table_name(self.table())
                .set_exclusive_start_key(start)
                .consistent_read(true)
                .send()
                .await
                .expect("scan");
            items.extend(page.items().iter().cloned());
            start = page.last_evaluated_key().cloned();
            if start.is_none() {
                return items;
            }
        }
    }

    /// The deletion deadline (`ttl`, epoch seconds) of each message of a conversation, as stored.
    pub async fn message_deadlines(&self, conversation: &str) -> Vec<Option<i64>> {
        let partition = format!("CONV#{conversation}");
        let text = |item: &std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue>, name: &str| {
            item.get(name).and_then(|v| v.as_s().ok()).cloned().unwrap_or_default()
        };
        self.items()
            .await
            .into_iter()
            .filter(|item| text(item, "pk") == partition && text(item, "sk").starts_with("MSG#"))
            .map(|item| item.get("ttl").and_then(|v| v.as_n().ok()).and_then(|n| n.parse().ok()))
            .collect()
    }

    /// Items whose partition key starts with `prefix`.
    pub async fn count_items(&self, prefix: &str) -> usize {
        self.items()
            .await
            .iter()
            .filter(|item| item.get("pk").and_then(|v| v.as_s().ok()).is_some_and(|pk| pk.starts_with(prefix)))
            .count()
    }
}

pub fn session(body: &Value, email: &str) -> Session {
    Session {
        user_id: body["user"]["id"].as_str().expect("user.id").to_owned(),
        email: email.to_owned(),
        access: body["accessToken"].as_str().expect("access_token").to_owned(),
        refresh: body["refreshToken"].as_str().expect("refresh_token").to_owned(),
    }
}

/// A WebSocket client of the local gateway's chat API.
pub struct Chat {
    stream: tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    /// Events read while waiting for another kind, in arrival order.
    pub backlog: Vec<Value>,
    /// How long to wait for one event before failing.
    pub patience: std::time::Duration,
}

impl Chat {
    /// Connects with `?token=`; the HTTP status of a refused handshake otherwise.
    pub async fn connect(api: &TestApi, token: &str) -> Result<Chat, u16> {
        let url = format!("{}/ws?token={token}", api.base.replacen("http://", "ws://", 1));
        match tokio_tungstenite::connect_async(url).await {
            Ok((stream, _)) => Ok(Chat { stream, backlog: Vec::new(), patience: std::time::Duration::from_secs(5) }),
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
            Err(other) => panic!("websocket connect: {other}"),
        }
    }

    pub async fn send(&mut self, message: Value) {
        use futures::SinkExt;
        self.stream
            .send(tokio_tungstenite::tungstenite::Message::Text(message.to_string().into()))
            .await
            .expect("send");
    }

    /// The next server event (`patience` at most); `None` if the server closed the socket.
    pub async fn next(&mut self) -> Option<Value> {
        self.next_in_time().await.expect("an event in time")
    }

    /// The next event, `None` when the socket closed, `Err` when none came within `patience`.
    pub async fn next_in_time(&mut self) -> Result<Option<Value>, tokio::time::error::Elapsed> {
        use futures::StreamExt;
        loop {
            let frame = tokio::time::timeout(self.patience, self.stream.next()).await?;
            match frame {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => {
                    let event: Value = serde_json::from_str(&text).expect("JSON event");
                    contract::check_event(&event);
                    return Ok(Some(event));
                }
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(_))) | None | Some(Err(_)) => return Ok(None),
                Some(Ok(_)) => continue,
            }
        }
    }

    /// The next event of type `kind`, keeping others in `backlog`.
    /// The next event of `kind` (earlier others kept for later), or `None` when none came
    /// within `patience` or the socket closed: for a benchmark, which counts what is late.
    pub async fn expect_in_time(&mut self, kind: &str) -> Option<Value> {
        if let Some(i) = self.backlog.iter().position(|e| e["type"] == kind) {
            return Some(self.backlog.remove(i));
        }
        loop {
            let event = self.next_in_time().await.ok()??;
            if event["type"] == kind {
                return Some(event);
            }
            self.backlog.push(event);
        }
    }

    pub async fn expect(&mut self, kind: &str) -> Value {
        if let Some(i) = self.backlog.iter().position(|e| e["type"] == kind) {
            return self.backlog.remove(i);
        }
        loop {
            let event = self.next().await.unwrap_or_else(|| panic!("socket closed while waiting for {kind}"));
            if event["type"] == kind {
                return event;
            }
            self.backlog.push(event);
        }
    }

    /// Whether nothing arrives within `millis`.
    pub async fn quiet_for(&mut self, millis: u64) -> bool {
        use futures::StreamExt;
        tokio::time::timeout(std::time::Duration::from_millis(millis), self.stream.next()).await.is_err()
    }

    /// Sends a raw text frame (not necessarily JSON).
    pub async fn send_text(&mut self, text: String) {
        use futures::SinkExt;
        self.stream.send(tokio_tungstenite::tungstenite::Message::Text(text.into())).await.expect("send");
    }

    /// The close code the server ends the socket with (`None`: closed without one).
    pub async fn close_code(&mut self) -> Option<u16> {
        use futures::StreamExt;
        loop {
            let frame = tokio::time::timeout(self.patience, self.stream.next()).await.expect("closed in time");
            match frame {
                Some(Ok(tokio_tungstenite::tungstenite::Message::Close(frame))) => {
                    return frame.map(|f| u16::from(f.code));
                }
                None | Some(Err(_)) => return None,
                Some(Ok(_)) => continue,
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.stream.close(None).await;
    }
}

impl TestApi {
    /// Sets one attribute of a user's account item directly (what no route may change:
    /// premium, the creation time), as a fixture.
    pub async fn set_account_attribute(
        &self,
        user_id: &str,
        name: &str,
        value: aws_sdk_dynamodb::types::AttributeValue,
    ) {
        use aws_sdk_dynamodb::types::AttributeValue;
        self.dynamodb
            .update_item()
            .table_name(self.table())
            .key("pk", AttributeValue::S(format!("USER#{user_id}")))
            .key("sk", AttributeValue::S("USER".into()))
            .update_expression("SET #name = :value")
            .expression_attribute_names("#name", name)
            .expression_attribute_values(":value", value)
            .send()
            .await
            .expect("set an account attribute");
    }

    /// Provisions again what moto loses, as `tandem-local up` does, while the guard lives.
    /// Off by default here: tests that delete a platform application on purpose want it gone.
    pub fn keep_moto_provisioned(&self, period: std::time::Duration) -> AbortOnDrop {
        AbortOnDrop(self.provisions.clone().keep(period))
    }

    /// Advances the gateway's job clock.
    pub async fn advance_clock(&self, seconds: i64) {
        let reply = self.post("/_local/clock", json!({ "advanceSeconds": seconds })).await;
        assert_eq!(reply.status, 200, "{}", reply.body);
    }

    /// Two members queued and matched by the sweep; returns them and the conversation id.
    pub async fn matched_pair(&self) -> (Session, Session, String) {
        let (a, b) = (self.member("Ana", "Europe/Paris").await, self.member("Ben", "Europe/Paris").await);
        let conversation = self.match_them(&a, &b).await;
        (a, b, conversation)
    }

    /// Queues `a` and `b` and runs the sweep, which matches them; the conversation id.
    pub async fn match_them(&self, a: &Session, b: &Session) -> String {
        let queue = || async {
            for s in [a, b] {
                let reply = self.put("/v1/availability/today", &s.access, json!({})).await;
                assert_eq!(reply.status, 200, "{}", reply.body);
            }
        };
        queue().await;
        let mut report = self.run_job("pairing-sweep").await;
        if report.body["created"] == 0 && report.body["staleDropped"].as_u64().unwrap_or(0) > 0 {
            // The sweep ran as the users' local day ended and dropped the day they queued
            // for: queue them for the new day and sweep again.
            queue().await;
            report = self.run_job("pairing-sweep").await;
        }
        assert_eq!(report.body["created"], 1, "{}", report.body);
        let today = self.get("/v1/match/today", Some(&a.access)).await;
        today.body["conversationId"].as_str().expect("conversation id").to_owned()
    }
}

// Push helpers: devices registered over HTTP, pushes read back from the local stack.

/// Registers a device for `session`; its `tokenId`.
pub async fn device(api: &TestApi, session: &Session, platform: &str, token: &str) -> String {
    let reply = api.post_auth("/v1/push-tokens", &session.access, json!({"platform": platform, "token": token})).await;
    assert!(reply.status == 201 || reply.status == 200, "{}", reply.body);
    reply.body["tokenId"].as_str().unwrap().to_owned()
}

/// Every push published so far.
pub async fn pushes(api: &TestApi) -> Vec<Value> {
    let reply = api.get("/_local/push", None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body["pushes"].as_array().cloned().unwrap_or_default()
}

pub fn push_count(pushes: &[Value], token_id: &str, kind: &str) -> usize {
    pushes.iter().filter(|p| p["tokenId"] == token_id && p["kind"] == kind).count()
}

/// Waits until `token_id` has received `n` pushes of `kind`; then the list.
pub async fn until_pushed(api: &TestApi, token_id: &str, kind: &str, n: usize) -> Vec<Value> {
    api.eventually(15, &format!("{n} {kind} push(es) to {token_id}"), || async {
        let all = pushes(api).await;
        (push_count(&all, token_id, kind) >= n).then_some(all)
    })
    .await
}

pub fn uuid_hex() -> String {
    uuid::Uuid::new_v4().simple().to_string()
}
