//! Moderation: what the asynchronous scan receives (the worker comes with its own issue).

use serde::{Deserialize, Serialize};

use crate::UserId;

/// One message to scan; the worker reads the text from the store, so the queue never
/// carries message content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScanRequest {
    pub conversation_id: String,
    pub message_id: String,
    pub author: UserId,
}
