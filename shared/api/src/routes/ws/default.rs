//! `$default`: any other action gets a clear error naming the valid ones.

use crate::edge::ws::{WsEvent, WsResult};
use crate::{ApiError, App};

pub async fn handle(_app: App, event: WsEvent) -> WsResult {
    let action = event
        .body
        .as_deref()
        .and_then(|b| serde_json::from_str::<serde_json::Value>(b).ok())
        .and_then(|v| v.get("action").and_then(|a| a.as_str()).map(str::to_owned));
    Err(ApiError::Conflict {
        code: "unknown_action",
        message: format!(
            "unknown action {}: use sendMessage, typing, read or ping",
            action.map_or_else(|| "(none)".to_owned(), |a| format!("{a:?}"))
        ),
    })
}
