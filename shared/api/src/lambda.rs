//! The Lambda entry point shared by every HTTP function binary.

use std::future::Future;

use lambda_http::{Request, service_fn};

use crate::App;
use crate::dispatch::{HandlerResult, respond};

pub use lambda_http::Error;

/// Builds the app once (cold start), then serves `handler` for every invocation.
pub async fn serve_http<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(App, Request) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = HandlerResult> + Send,
{
    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    lambda_http::run(service_fn(move |request: Request| {
        let app = app.clone();
        async move { Ok::<_, std::convert::Infallible>(respond(app, request, handler).await) }
    }))
    .await
}

/// Builds the app once (cold start), then runs `job` for every scheduled event. A failed
/// run returns an error, so EventBridge's retry policy applies.
pub async fn serve_job<F, Fut>(job: F) -> Result<(), Error>
where
    F: Fn(App, chrono::DateTime<chrono::Utc>) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = crate::jobs::JobResult> + Send,
{
    use aws_lambda_events::eventbridge::EventBridgeEvent;
    use lambda_http::lambda_runtime::{self, LambdaEvent};

    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<EventBridgeEvent>| {
        let app = app.clone();
        async move {
            tracing::info!(request_id = %event.context.request_id, "scheduled run");
            // The rule's scheduled time, so a retried run acts for the same minute.
            let now = event.payload.time.unwrap_or_else(chrono::Utc::now);
            job(app, now).await.map_err(|error| {
                tracing::error!(error = ?error, "scheduled run failed");
                Error::from(error.to_string())
            })
        }
    }))
    .await
}

/// Builds the app once (cold start), then serves a WebSocket route handler.
pub async fn serve_ws<F, Fut>(handler: F) -> Result<(), Error>
where
    F: Fn(App, crate::ws::WsEvent) -> Fut + Copy + Send + Sync + 'static,
    Fut: Future<Output = crate::ws::WsResult> + Send,
{
    use aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest;
    use lambda_http::lambda_runtime::{self, LambdaEvent};

    lambda_http::tracing::init_default_subscriber();
    let app = App::from_env().await?;
    lambda_runtime::run(lambda_runtime::service_fn(move |event: LambdaEvent<ApiGatewayWebsocketProxyRequest>| {
        let app = app.clone();
        async move { Ok::<_, Error>(crate::ws::respond_ws(app, event.payload.into(), handler).await) }
    }))
    .await
}
