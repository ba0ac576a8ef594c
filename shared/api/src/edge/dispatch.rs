//! Runs a handler and shapes its outcome: the single place errors become responses. Every
//! request runs inside a `request` span carrying its id and the function's name, so a line
//! logged deep in a service can be tied to the request that caused it.

use std::future::Future;
use std::time::Instant;

use lambda_http::{Body, Request, Response};
use tracing::Instrument;

use crate::edge::http::request_id;
use crate::{ApiError, App};

/// The result every handler returns.
pub type HandlerResult = Result<Response<Body>, ApiError>;

/// Runs a handler's future, turning a panic into `ApiError::Internal`: the caller gets the
/// error shape (500) instead of a dead execution environment, and the panic is logged.
/// In builds that unwind: the local stack and tests. The deployed bootstraps abort on panic
/// and answer through the hook of [`crate::edge::panic`].
pub async fn caught<T, Fut>(future: Fut) -> Result<T, ApiError>
where
    Fut: Future<Output = Result<T, ApiError>>,
{
    use futures::FutureExt;
    match std::panic::AssertUnwindSafe(future).catch_unwind().await {
        Ok(result) => result,
        Err(panic) => {
            let message = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "a panic without a message".to_owned());
            tracing::error!(panic = %message, "handler panicked");
            Err(ApiError::Internal(format!("handler panicked: {message}")))
        }
    }
}

/// Serves `request` with `handler`, the code of the Lambda function `function`.
pub async fn respond<F, Fut>(app: App, request: Request, function: &'static str, handler: F) -> Response<Body>
where
    F: FnOnce(App, Request) -> Fut,
    Fut: Future<Output = HandlerResult>,
{
    let request_id = request_id(&request);
    let method = request.method().to_string();
    let path = request.uri().path().to_owned();
    let span = tracing::info_span!(
        "request",
        %request_id,
        function,
        cold_start = crate::telemetry::cold_start(),
        %method,
        %path
    );
    async move {
        let started = Instant::now();
        let mut response = match caught(handler(app, request)).await {
            Ok(response) => response,
            Err(error) => {
                if error.status().is_server_error() {
                    tracing::error!(error = ?error, "request failed");
                }
                error.to_response(&request_id)
            }
        };
        if let Ok(value) = request_id.parse() {
            response.headers_mut().insert("x-request-id", value);
        }
        tracing::info!(
            status = response.status().as_u16(),
            latency_ms = started.elapsed().as_millis() as u64,
            "request"
        );
        response
    }
    .instrument(span)
    .await
}
