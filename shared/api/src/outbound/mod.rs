//! Adapters that send things out of the backend: server events to WebSocket clients
//! (API Gateway Management API) and messages to the SQS queues.

pub mod queue;
pub mod realtime;
