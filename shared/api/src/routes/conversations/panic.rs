//! `POST /v1/conversations/{id}/panic`: leave at once. In one transaction the conversation
//! ends, each blocks the other and a high-severity report is filed; both get
//! `conversation.closed`.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::auth::authenticate;
use crate::conversations::panic_exit;
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let id = path_param(&request, "id")?;
    let report_id = panic_exit(&app, id, &caller.user_id, Utc::now()).await?;
    json_response(StatusCode::OK, &json!({ "conversation_id": id, "state": "ended_by_panic", "report_id": report_id }))
}
