//! Moderation: what the asynchronous scan receives (the worker comes with its own issue).

use serde::{Deserialize, Serialize};

use crate::{ConversationId, MessageId, UserId};

/// One message to scan; the worker reads the text from the store, so the queue never
/// carries message content.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScanRequest {
    pub conversation_id: ConversationId,
    pub message_id: MessageId,
    pub author: UserId,
}
