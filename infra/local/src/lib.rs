//! The local stack: everything the deployed backend is, on 127.0.0.1, with no AWS account.
//!
//! - [`emulators`] runs Amazon DynamoDB Local (the real engine) and moto (SQS, SNS).
//! - [`template`] reads `template.yaml`, the one declaration of the table and the routes.
//! - [`provision`] creates the table from that declaration.
//! - [`iam`] runs each function under its own policy of the template, and
//!   [`functions`] gives each function its app (its own credentials, through the gate).
//! - [`gateway`] serves every route by building the API Gateway event AWS would send and
//!   calling the same handler the Lambda runs.
//! - [`pipeline`] runs the asynchronous half: stream → pipes → queues → queue workers.

pub mod emulators;
pub mod functions;
pub mod gateway;
pub mod generate;
pub mod iam;
pub mod pipeline;
pub mod provision;
pub mod template;
