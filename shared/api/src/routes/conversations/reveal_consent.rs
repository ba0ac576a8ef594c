//! `POST /v1/conversations/{id}/reveal-consent`: the caller consents to reveal, without
//! waiting for a gate. Idempotent; the conversation is revealed once both consented
//! (`conversation.revealed` to both).

use chrono::Utc;
use http::StatusCode;
use tandem_domain::ConversationId;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::reveal::consent;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id: ConversationId = path_id(&request, "id")?;
    json_response(StatusCode::OK, &consent(&app, &id, &caller.user_id, Utc::now()).await?)
}
