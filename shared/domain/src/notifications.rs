//! Requests for push notifications, as queued for the push worker.

use serde::{Deserialize, Serialize};

use crate::{ConversationId, MatchId, UserId};

/// One notification for one user. `dedup_key` is stable across retries so the worker
/// can deliver each at most once.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushRequest {
    pub kind: String,
    pub user_id: UserId,
    pub dedup_key: String,
    #[serde(default)]
    pub data: serde_json::Value,
}

impl PushRequest {
    pub fn match_created(user_id: &UserId, match_id: &MatchId, conversation_id: &ConversationId) -> Self {
        Self {
            kind: "match.created".to_owned(),
            user_id: user_id.clone(),
            dedup_key: format!("match.created:{match_id}:{user_id}"),
            data: serde_json::json!({ "matchId": match_id, "conversationId": conversation_id }),
        }
    }
}
