//! `GET /v1/conversations/{id}`: the conversation, both read positions and, once revealed,
//! the partner's recent daily-prompt answers (participants only).

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::conversation_views::ConversationView;
use crate::services::conversations::status;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let now = Utc::now();
    let status = status(&app, &id, &caller.user_id, now).await?;
    let view = ConversationView {
        partner_answers: status.partner_answers,
        ..ConversationView::of(&status.conversation, &status.reads, now)
    };
    json_response(StatusCode::OK, &view)
}
