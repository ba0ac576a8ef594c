//! HTTP and WebSocket plumbing: reading requests, running handlers inside a traced span,
//! turning their errors into the project's error shape, serving them as Lambda functions.

pub mod dispatch;
pub mod http;
pub mod lambda;
pub mod panic;
pub mod ws;
