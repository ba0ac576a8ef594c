//! What a panic answers in a deployed function.
//!
//! The deployed bootstraps abort on panic (`[profile.release]`): the unwinding tables and
//! landing pads were over a quarter of every binary. Before the process ends, the hook
//! installed here logs the panic and answers the invocation in flight through the Lambda
//! Runtime API, so the caller is never left with a bare 502:
//! - an HTTP route answers 500 with the error shape (`internal_error`, the request id);
//! - a WebSocket route answers 500 with the error document as its body;
//! - a job or a queue worker reports a failed invocation (a worker's batch is retried, as on
//!   any failure; a job's next scheduled run picks up what is still due).
//!
//! Lambda then starts a fresh execution environment for the next event (one cold start per
//! panic; panics are bugs — request paths hold no `unwrap`). Builds that unwind (the local
//! stack, tests) answer through `dispatch::caught` instead, and do not install the hook.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::sync::Mutex;
use std::time::Duration;

use serde_json::{Value, json};

use crate::ApiError;

/// How the invocation in flight is answered.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Answer {
    /// An API Gateway HTTP route: a response with the error shape for this request id.
    Http { request_id: String },
    /// An API Gateway WebSocket route: a response whose body is the error document.
    WebSocket { request_id: String },
    /// A job or a queue worker: a failed invocation.
    Failure,
}

struct InFlight {
    invocation_id: String,
    answer: Answer,
}

/// The invocation this process is serving (Lambda hands a process one at a time).
static IN_FLIGHT: Mutex<Option<InFlight>> = Mutex::new(None);

/// Marks an invocation as in flight until the guard is dropped.
#[must_use]
pub struct InFlightGuard(());

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        *IN_FLIGHT.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) = None;
    }
}

/// Records the invocation `invocation_id` (Lambda's request id) and how a panic answers it.
pub fn in_flight(invocation_id: &str, answer: Answer) -> InFlightGuard {
    *IN_FLIGHT.lock().unwrap_or_else(|poisoned| poisoned.into_inner()) =
        Some(InFlight { invocation_id: invocation_id.to_owned(), answer });
    InFlightGuard(())
}

/// Installs the hook in a build that aborts on panic; a build that unwinds answers through
/// `dispatch::caught` and keeps the default hook.
pub fn install_if_aborting(function: &'static str) {
    if cfg!(panic = "abort") {
        match std::env::var("AWS_LAMBDA_RUNTIME_API") {
            Ok(runtime_api) => install(function, runtime_api),
            Err(_) => tracing::warn!("AWS_LAMBDA_RUNTIME_API is not set: a panic will not be answered"),
        }
    }
}

/// Installs the hook: log the panic, answer the invocation in flight at `runtime_api`
/// (`host:port`), then let the panic go on (it aborts the process in a deployed build).
pub fn install(function: &'static str, runtime_api: String) {
    std::panic::set_hook(Box::new(move |info| {
        let message = info
            .payload()
            .downcast_ref::<&str>()
            .map(|message| (*message).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "a panic without a message".to_owned());
        let location = info.location().map(ToString::to_string).unwrap_or_default();
        tracing::error!(panic = %message, %location, function, "handler panicked");
        let in_flight = IN_FLIGHT.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).take();
        if let Some(in_flight) = in_flight
            && let Err(error) = answer(&runtime_api, &in_flight.invocation_id, &in_flight.answer)
        {
            tracing::error!(%error, "the panicked invocation could not be answered");
        }
    }));
}

/// The Runtime API request that answers a panicked invocation: its path and JSON body.
pub fn runtime_request(invocation_id: &str, answer: &Answer) -> (String, Value) {
    let error = ApiError::Internal("handler panicked".to_owned());
    let base = format!("/2018-06-01/runtime/invocation/{invocation_id}");
    match answer {
        Answer::Http { request_id } => (
            format!("{base}/response"),
            json!({
                "statusCode": error.status().as_u16(),
                "headers": { "content-type": "application/json", "x-request-id": request_id },
                "body": error.body(request_id).to_string(),
                "isBase64Encoded": false,
            }),
        ),
        Answer::WebSocket { request_id } => (
            format!("{base}/response"),
            json!({ "statusCode": error.status().as_u16(), "body": error.body(request_id).to_string() }),
        ),
        Answer::Failure => {
            (format!("{base}/error"), json!({ "errorType": error.code(), "errorMessage": "handler panicked" }))
        }
    }
}

/// Posts the answer with a blocking HTTP/1.1 request: the hook runs on the panicking thread,
/// outside any async context, and the process ends right after.
fn answer(runtime_api: &str, invocation_id: &str, answer: &Answer) -> std::io::Result<()> {
    let (path, body) = runtime_request(invocation_id, answer);
    let body = body.to_string();
    let mut stream = TcpStream::connect(runtime_api)?;
    stream.set_write_timeout(Some(Duration::from_secs(2)))?;
    stream.set_read_timeout(Some(Duration::from_secs(2)))?;
    let error_type =
        if matches!(answer, Answer::Failure) { "Lambda-Runtime-Function-Error-Type: Unhandled\r\n" } else { "" };
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: {runtime_api}\r\nContent-Type: application/json\r\n{error_type}\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    stream.flush()?;
    // Wait for the Runtime API's answer, so the response is taken before the process ends.
    let mut status = [0u8; 12];
    stream.read_exact(&mut status)?;
    if status.starts_with(b"HTTP/1.1 2") || status.starts_with(b"HTTP/1.0 2") {
        Ok(())
    } else {
        Err(std::io::Error::other(format!("the Runtime API answered {}", String::from_utf8_lossy(&status))))
    }
}
