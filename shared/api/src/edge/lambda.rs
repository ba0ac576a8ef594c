//! The Lambda entry points: every function binary is `serve_http`, `serve_ws`,
//! `serve_job` or `serve_worker` with its own name and handler. The app (SDK clients, configuration) is built
//! once per cold start, outside the handler.

use std::future::Future;

use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
use aws_lambda_events::eventbridge::EventBridgeEvent;
use aws_lambda_events::sqs::SqsEvent;
use lambda_http::lambda_runtime::{self, Diagnostic, LambdaEvent};
use lambda_http::{Request, RequestExt, service_fn};

use crate::App;
use crate::edge::dispatch::{HandlerResult, respond};
use crate::edge::http::request_id;
use crate::edge::panic::{self, Answer};
use crate::edge::ws::{WsEvent, WsResult, respond_ws};
use crate::jobs::{JobResult, run_traced};

pub use lambda_http::Error;

/// What every function does first: logging, and the answer a panic will give.
fn start(name: &'static str) {
    crate::telemetry::init_logging();
    panic::install_if_aborting(name);
}

/// Serves the HTTP route handler of the function `name`.
pub async fn serve_http<F, Fut>(name: &'static str, handler: F) -> Result<(), Error>
where
    F: Fn(App, Request) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send,
{
    serve_http_with(name, |app| app, handler).await
}

/// Serves the HTTP route handler of the function `name` with an app `prepare` completes
/// (`App::with_oidc`: parts only this function needs, and links).
pub async fn serve_http_with<F, Fut>(name: &'static str, prepare: fn(App) -> App, handler: F) -> Result<(), Error>
where
    F: Fn(App, Request) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send,
{
    start(name);
    let app = prepare(App::from_env().await?);
    lambda_http::run(service_fn(move |request: Request| {
        let app = app.clone();
        let invocation_id = request.lambda_context_ref().map(|context| context.request_id.clone()).unwrap_or_default();
        let in_flight = panic::in_flight(&invocation_id, Answer::Http { request_id: request_id(&request) });
        async move {
            let response = respond(app, request, name, handler).await;
            drop(in_flight);
            Ok::<_, std::convert::Infallible>(response)
        }
    }))
    .await
}

/// Serves the WebSocket route handler of the function `name`.
pub async fn serve_ws<F, Fut>(name: &'static str, handler: F) -> Result<(), Error>
where
    F: Fn(App, WsEvent) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = WsResult> + Send,
{
    start(name);
    let app = App::from_env().await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
        let app = app.clone();
        let in_flight_id = event.context.request_id.clone();
        let event: WsEvent = event.payload.into();
        let in_flight = panic::in_flight(&in_flight_id, Answer::WebSocket { request_id: event.request_id.clone() });
        async move {
            let response = respond_ws(app, event, name, handler).await;
            drop(in_flight);
            Ok::<_, Error>(response)
        }
    }))
    .await
}

/// Runs the scheduled job of the function `name` for every EventBridge event. A failed run
/// returns a [`Diagnostic`] whose `errorType` is the error's code.
pub async fn serve_job<F, Fut>(name: &'static str, job: F) -> Result<(), Error>
where
    F: Fn(App, chrono::DateTime<chrono::Utc>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = JobResult> + Send,
{
    start(name);
    let app = App::from_env().await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<EventBridgeEvent>| {
        let app = app.clone();
        // The rule's scheduled time: the run acts for the minute it was scheduled for. Neither
        // EventBridge nor Lambda retries a failed run (`MaximumRetryAttempts: 0` on both,
        // events older than 60 s dropped); the next scheduled run picks up what is still due.
        let now = event.payload.time.unwrap_or_else(chrono::Utc::now);
        let in_flight = panic::in_flight(&event.context.request_id, Answer::Failure);
        async move {
            let result = run_traced(name, &event.context.request_id, app, now, job).await;
            drop(in_flight);
            result.map_err(Diagnostic::from)
        }
    }))
    .await
}

/// Runs the queue worker of the function `name` for every SQS batch, answering the records
/// that failed (`ReportBatchItemFailures`).
pub async fn serve_worker<F, Fut>(name: &'static str, run: F) -> Result<(), Error>
where
    F: Fn(App, SqsEvent) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = aws_lambda_events::sqs::SqsBatchResponse> + Send,
{
    start(name);
    let app = App::from_env().await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<SqsEvent>| {
        let app = app.clone();
        let in_flight = panic::in_flight(&event.context.request_id, Answer::Failure);
        async move {
            let response = crate::workers::run_traced(name, &event.context.request_id, app, event.payload, run).await;
            drop(in_flight);
            Ok::<_, Error>(response)
        }
    }))
    .await
}
