//! `/v1/push-tokens`: the caller's devices for push notifications.

pub mod tokens_create;
pub mod tokens_delete;
pub mod tokens_list;
