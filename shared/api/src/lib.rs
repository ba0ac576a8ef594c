//! The HTTP edge of Tandem: configuration, authentication, the error shape, and the
//! route handlers. Every Lambda binary and the local gateway call the same handlers.
//!
//! A handler is `async fn handle(app: App, request: Request) -> Result<Response<Body>, ApiError>`;
//! `lambda::serve_http` runs one in AWS Lambda, `dispatch::respond` turns its result into a
//! response with the project's error shape.

pub mod app;
pub mod auth;
pub mod config;
pub mod conversations;
pub mod dispatch;
pub mod error;
pub mod http_io;
pub mod jobs;
pub mod lambda;
pub mod pairing;
pub mod queue;
pub mod realtime;
pub mod routes;
pub mod safety;
pub mod ws;

pub use app::App;
pub use error::ApiError;
pub use lambda_http::{Body, Request, Response};
