//! `/v1/me*`: the signed-in user's own account, profile, notification settings, rewards,
//! trust, weekly intent, ghosting acknowledgement, export and deletion.

pub mod deletion_cancel;
pub mod deletion_request;
pub mod export;
pub mod get;
pub mod ghosting_acknowledge;
pub mod intent_put;
pub mod notifications_get;
pub mod notifications_put;
pub mod profile_put;
pub mod rewards_get;
pub mod trust_get;
