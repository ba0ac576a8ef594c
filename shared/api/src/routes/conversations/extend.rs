//! `POST /v1/conversations/{id}/extend`: consent to +24 h. Both must consent, at least one
//! must be premium, once. 202 while waiting for the other; 200 once extended (both get
//! `conversation.extended`).

use chrono::Utc;
use http::StatusCode;
use tandem_domain::conversation::{ExtensionRefusal, check_extension, is_open};
use tandem_store::ExtensionOutcome;

use crate::auth::authenticate;
use crate::conversations::{ConversationView, notify_both, participant_view};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, path_param};
use crate::pairing::current_user;
use crate::{ApiError, App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let now = Utc::now();
    let id = path_param(&request, "id")?;
    let conversation = participant_view(&app, id, &caller.user_id, now).await?;
    if !is_open(conversation.state, conversation.expires_at, now) {
        return Err(ApiError::Conflict { code: "conversation_closed", message: "this conversation is over".into() });
    }
    let mut any_premium = false;
    for user in &conversation.participants {
        any_premium |= current_user(&app, user, now).await?.premium;
    }
    check_extension(conversation.extended, any_premium).map_err(|refusal| match refusal {
        ExtensionRefusal::AlreadyExtended => {
            ApiError::Conflict { code: "already_extended", message: refusal.to_string() }
        }
        ExtensionRefusal::NoPremium => {
            ApiError::ForbiddenBecause { code: "premium_required", message: refusal.to_string() }
        }
    })?;
    match app.store.request_extension(&conversation, &caller.user_id, now).await? {
        Some(ExtensionOutcome::Requested(pending)) => {
            json_response(StatusCode::ACCEPTED, &ConversationView::of(&pending, &[]))
        }
        Some(ExtensionOutcome::Extended(extended)) => {
            notify_both(&app, &extended, "conversation.extended").await?;
            json_response(StatusCode::OK, &ConversationView::of(&extended, &[]))
        }
        None => Err(ApiError::NotFound),
    }
}
