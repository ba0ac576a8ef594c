//! Adapters that send things out of the backend: server events to WebSocket clients
//! (API Gateway Management API) and mobile pushes (SNS platform endpoints).

pub mod lazy;
pub mod push;
pub mod realtime;
