//! Adapters that send things out of the backend: server events to WebSocket clients
//! (API Gateway Management API).

pub mod realtime;
