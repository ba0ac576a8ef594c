//! Unauthenticated operational routes: health, version, the OpenAPI document.

pub mod health;
pub mod openapi;
pub mod version;
