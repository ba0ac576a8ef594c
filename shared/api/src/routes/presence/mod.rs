//! `/v1/presence/*`: online state.

pub mod heartbeat;
