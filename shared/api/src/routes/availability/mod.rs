//! `/v1/availability/today`: join, leave and read today's pool.

pub mod delete;
pub mod get;
pub mod put;
