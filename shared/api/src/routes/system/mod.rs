//! Unauthenticated operational routes: health, version, the OpenAPI document.

pub mod health;
pub mod not_found;
pub mod openapi;
pub mod version;
