//! `/v1/conversations/{id}*`: the 24-hour conversation. Non-participants get 404.

pub mod close;
pub mod decision_gate;
pub mod extend;
pub mod get;
pub mod messages_list;
pub mod messages_send;
pub mod panic;
pub mod read;
pub mod reflection;
pub mod reveal_consent;
pub mod stay_friends;
