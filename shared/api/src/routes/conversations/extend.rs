//! `POST /v1/conversations/{id}/extend`: consent to +24 h. Both must consent, at least one
//! must be premium, once. 202 while waiting for the other; 200 once extended (both get
//! `conversation.extended`).

use chrono::Utc;
use http::StatusCode;
use tandem_store::ExtensionOutcome;

use crate::auth::authenticate;
use crate::conversations::{ConversationView, extend};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let id = path_param(&request, "id")?;
    match extend(&app, id, &caller.user_id, Utc::now()).await? {
        ExtensionOutcome::Requested(pending) => {
            json_response(StatusCode::ACCEPTED, &ConversationView::of(&pending, &[]))
        }
        ExtensionOutcome::Extended(extended) => json_response(StatusCode::OK, &ConversationView::of(&extended, &[])),
    }
}
