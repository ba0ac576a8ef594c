//! `POST /v1/conversations/{id}/extend`: consent to +24 h; 202 while waiting for the other
//! participant, 200 once extended.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::routes::idempotent;
use crate::services::conversation_views::ConversationView;
use crate::services::conversations::{ExtensionOutcome, extend};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    idempotent(&app, &request, &caller.user_id, || async {
        let (status, conversation) = match extend(&app, &id, &caller.user_id, Utc::now()).await? {
            ExtensionOutcome::Requested(pending) => (StatusCode::ACCEPTED, pending),
            ExtensionOutcome::Extended(extended) => (StatusCode::OK, extended),
        };
        json_response(status, &ConversationView::of(&conversation, &[], Utc::now()))
    })
    .await
}
