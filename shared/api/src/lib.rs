//! The application layer of Tandem: what every Lambda function and the local gateway run.
//!
//! The folders are the architecture (`docs/architecture.md` is the map):
//! - [`routes`], [`jobs`] and [`workers`]: entry points. A route parses its request, calls one
//!   service and shapes the response; a job reads its input, calls services and reports; a
//!   worker reads the table changes a queue delivers and calls a service per change.
//! - [`services`]: the use cases. They decide, taking typed inputs and returning typed outcomes.
//! - [`edge`]: HTTP and WebSocket plumbing: request parsing, dispatch (the one place errors
//!   become responses), serving a handler as a Lambda.
//! - [`outbound`]: adapters that send things out (WebSocket delivery, pushes); [`secrets`]:
//!   the Secrets Manager adapter the access-token keys are read through.
//! - [`auth`]: credential mechanics (access tokens, password hashing, OIDC verification).
//! - [`app`], [`config`], [`error`]: the composition root, its configuration, the one error type.
//! - [`telemetry`]: the cold-start flag of the log spans and the CloudWatch (EMF) metrics.

pub mod app;
pub mod auth;
pub mod config;
pub mod deploy;
pub mod edge;
pub mod error;
pub mod jobs;
pub mod outbound;
pub mod routes;
pub mod sdk;
pub mod secrets;
pub mod services;
pub mod telemetry;
pub mod workers;

pub use app::App;
pub use error::ApiError;
pub use lambda_http::{Body, Request, Response};
