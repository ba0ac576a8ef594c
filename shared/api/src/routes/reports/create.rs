//! `POST /v1/reports` `{reportedUserId, conversationId?, messageId?, reason, details}`: 201
//! with the report; 200 with the first one when this user was already reported for this
//! conversation; 404 for someone the caller never shared a conversation with.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::ValidationErrors;
use tandem_domain::reports::ReportReason;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{collect_id, json_body, json_response};
use crate::routes::idempotent;
use crate::services::reports::{NewReport, file};
use crate::{ApiError, App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    reported_user_id: String,
    #[serde(default)]
    conversation_id: Option<String>,
    #[serde(default)]
    message_id: Option<String>,
    reason: ReportReason,
    #[serde(default)]
    details: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    idempotent(&app, &request, &caller.user_id, || file_report(&app, &request, &caller.user_id)).await
}

async fn file_report(app: &App, request: &Request, caller: &tandem_domain::UserId) -> HandlerResult {
    let body: Body = json_body(request)?;
    // Every malformed id is named at once.
    let mut errors = ValidationErrors::default();
    let reported_user_id = collect_id(Some(&body.reported_user_id), "reportedUserId", &mut errors);
    let conversation_id = collect_id(body.conversation_id.as_deref(), "conversationId", &mut errors);
    let message_id = collect_id(body.message_id.as_deref(), "messageId", &mut errors);
    let reported_user_id =
        errors.into_result(reported_user_id)?.ok_or_else(|| ApiError::Internal("reportedUserId".into()))?;
    let new = NewReport { reported_user_id, conversation_id, message_id, reason: body.reason, details: body.details };
    let (report, created) = file(app, caller, new, Utc::now()).await?;
    json_response(if created { StatusCode::CREATED } else { StatusCode::OK }, &report)
}
