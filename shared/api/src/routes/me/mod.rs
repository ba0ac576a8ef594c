//! `/v1/me*`: the signed-in user's own account and profile.

pub mod get;
pub mod profile_put;
