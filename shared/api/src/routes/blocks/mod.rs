//! `/v1/blocks`: blocking is bilateral for matching: neither is ever paired with the other.

pub mod create;
pub mod delete;
pub mod list;
