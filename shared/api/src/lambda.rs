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
