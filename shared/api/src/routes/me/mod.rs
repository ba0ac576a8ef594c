//! `/v1/me*`: the signed-in user's own account and profile.

pub mod get;
pub mod notifications_get;
pub mod notifications_put;
pub mod profile_put;
