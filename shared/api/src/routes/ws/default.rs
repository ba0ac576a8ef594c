//! `$default`: any other action gets a clear error naming the valid ones; a frame that is
//! not JSON gets `invalid_json`.

use crate::edge::ws::{WsEvent, WsResult};
use crate::error::ErrorCode;
use crate::{ApiError, App};

pub async fn handle(_app: App, event: WsEvent) -> WsResult {
    // A frame that is not JSON at all lands here too (no action can be read from it).
    let body: serde_json::Value = event.body()?;
    let action = body.get("action").and_then(|a| a.as_str()).map(str::to_owned);
    Err(ApiError::Conflict {
        code: ErrorCode::UnknownAction,
        message: format!(
            "unknown action {}: use sendMessage, typing, read or ping",
            action.map_or_else(|| "(none)".to_owned(), |a| format!("{a:?}"))
        ),
    })
}
