//! The smoke check a deployer runs after `sam deploy`: the deployed API answers as the app
//! needs it to, from the user's side of the wire. It registers a throwaway account, signs in,
//! reads it back, opens a WebSocket with the token and pings, then schedules the account's
//! erasure (7 days, as any user's).

use std::time::{Duration, Instant};

use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

/// Where the deployed stack answers (the stack's `ApiUrl` and `WebSocketUrl` outputs).
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `https://{id}.execute-api.{region}.amazonaws.com` (no trailing slash needed).
    pub api: String,
    /// `wss://{id}.execute-api.{region}.amazonaws.com/live`.
    pub websocket: String,
}

/// One step that passed, and how long it took from here.
#[derive(Debug, Clone)]
pub struct Step {
    pub name: &'static str,
    pub elapsed: Duration,
}

#[derive(Debug, thiserror::Error)]
#[error("{step}: {reason}")]
pub struct SmokeError {
    pub step: &'static str,
    pub reason: String,
}

const PASSWORD: &str = "smoke-check correct horse battery";
const WAIT: Duration = Duration::from_secs(15);

/// Runs every step in order; stops at the first that fails.
pub async fn run(endpoints: &Endpoints) -> Result<Vec<Step>, SmokeError> {
    let api = endpoints.api.trim_end_matches('/');
    let http = reqwest::Client::builder().timeout(WAIT).build().map_err(|e| fail("client", e))?;
    let email = format!("smoke-{}@example.com", uuid::Uuid::new_v4().simple());
    let mut steps = Vec::new();

    let started = Instant::now();
    expect(http.get(format!("{api}/v1/healthz")).send().await, 200, "GET /v1/healthz").await?;
    steps.push(Step { name: "GET /v1/healthz", elapsed: started.elapsed() });

    let started = Instant::now();
    let credentials = json!({ "email": email, "password": PASSWORD });
    let register = http.post(format!("{api}/v1/auth/register")).json(&credentials).send().await;
    expect(register, 201, "POST /v1/auth/register").await?;
    steps.push(Step { name: "POST /v1/auth/register", elapsed: started.elapsed() });

    let started = Instant::now();
    let login =
        expect(http.post(format!("{api}/v1/auth/login")).json(&credentials).send().await, 200, "POST /v1/auth/login")
            .await?;
    let token = login["accessToken"]
        .as_str()
        .ok_or_else(|| SmokeError { step: "POST /v1/auth/login", reason: format!("no accessToken in {login}") })?
        .to_owned();
    steps.push(Step { name: "POST /v1/auth/login", elapsed: started.elapsed() });

    let started = Instant::now();
    let me = expect(http.get(format!("{api}/v1/me")).bearer_auth(&token).send().await, 200, "GET /v1/me").await?;
    if me["email"] != email {
        return Err(SmokeError { step: "GET /v1/me", reason: format!("another account answered: {me}") });
    }
    steps.push(Step { name: "GET /v1/me", elapsed: started.elapsed() });

    let started = Instant::now();
    ping_over_websocket(&endpoints.websocket, &token).await?;
    steps.push(Step { name: "WebSocket connect, ping → pong", elapsed: started.elapsed() });

    let started = Instant::now();
    let erase = http.post(format!("{api}/v1/me/deletion")).bearer_auth(&token).send().await;
    expect(erase, 202, "POST /v1/me/deletion").await?;
    steps.push(Step { name: "POST /v1/me/deletion (the smoke account)", elapsed: started.elapsed() });
    Ok(steps)
}

async fn ping_over_websocket(base: &str, token: &str) -> Result<(), SmokeError> {
    const STEP: &str = "WebSocket";
    let separator = if base.contains('?') { '&' } else { '?' };
    let url = format!("{}{separator}token={token}", base.trim_end_matches('/'));
    let connect = tokio::time::timeout(WAIT, tokio_tungstenite::connect_async(url.as_str()));
    let (mut socket, _) = connect
        .await
        .map_err(|_| fail(STEP, "no handshake within 15 s"))?
        .map_err(|e| fail(STEP, format!("connect refused: {e}")))?;
    socket.send(Message::text(json!({ "action": "ping" }).to_string())).await.map_err(|e| fail(STEP, e))?;
    let pong = tokio::time::timeout(WAIT, async {
        while let Some(message) = socket.next().await {
            let message = message.map_err(|e| fail(STEP, e))?;
            if let Message::Text(text) = message {
                let event: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
                if event["type"] == "pong" {
                    return Ok(());
                }
            }
        }
        Err(fail(STEP, "closed before the pong"))
    });
    pong.await.map_err(|_| fail(STEP, "no pong within 15 s"))??;
    let _ = socket.close(None).await;
    Ok(())
}

async fn expect(
    sent: Result<reqwest::Response, reqwest::Error>,
    status: u16,
    step: &'static str,
) -> Result<Value, SmokeError> {
    let response = sent.map_err(|e| fail(step, e))?;
    let answered = response.status().as_u16();
    let body: Value = response.json().await.unwrap_or(Value::Null);
    if answered != status {
        return Err(SmokeError { step, reason: format!("answered {answered}, expected {status}: {body}") });
    }
    Ok(body)
}

fn fail(step: &'static str, reason: impl std::fmt::Display) -> SmokeError {
    SmokeError { step, reason: reason.to_string() }
}
