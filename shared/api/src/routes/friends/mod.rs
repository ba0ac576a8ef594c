//! `/v1/friends*`: the caller's friendships.

pub mod delete;
pub mod list;
