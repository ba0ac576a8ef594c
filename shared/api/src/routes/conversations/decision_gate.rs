//! `POST /v1/conversations/{id}/decision-gate` `{gate: 1 | 2 | 3, answer: reveal | not_yet |
//! end}`: the caller's answer at a decision gate (open 10, 20, 30 minutes after the first
//! exchange). Once per gate and caller: the same answer again returns the same, another is
//! 409 `gate_already_answered`; a gate not open yet is 409 `gate_not_open`. "reveal" is a
//! consent (revealed when both consented), "end" closes the conversation.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::ConversationId;
use tandem_domain::reveal::GateAnswer;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::services::reveal::answer_gate;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    gate: u8,
    answer: GateAnswer,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id: ConversationId = path_id(&request, "id")?;
    let body: Body = json_body(&request)?;
    let answered = answer_gate(&app, &id, &caller.user_id, body.gate, body.answer, Utc::now()).await?;
    json_response(StatusCode::OK, &answered)
}
