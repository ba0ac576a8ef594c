//! `/v1/push-tokens`: the caller's devices for push notifications.

pub mod create;
pub mod delete;
pub mod list;
