//! `POST /v1/blocks` `{user_id, reason?}`: block a user: never paired again, and an active
//! conversation between the two is closed. Idempotent.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::UserId;
use tandem_domain::availability::local_day;

use crate::auth::authenticate;
use crate::conversations::close_between;
use crate::dispatch::HandlerResult;
use crate::http_io::{json_body, json_response};
use crate::pairing::current_user;
use crate::{ApiError, App, Request};

const REASON_MAX: usize = 500;

#[derive(Deserialize)]
struct NewBlock {
    user_id: String,
    #[serde(default)]
    reason: Option<String>,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let body: NewBlock = json_body(&request)?;
    let other =
        UserId::parse(&body.user_id).ok_or_else(|| tandem_domain::FieldError::new("user_id", "must be a user id"))?;
    if other == caller.user_id {
        return Err(tandem_domain::FieldError::new("user_id", "you cannot block yourself").into());
    }
    let reason = body.reason.map(|r| r.trim().to_owned()).filter(|r| !r.is_empty());
    if reason.as_ref().is_some_and(|r| r.chars().count() > REASON_MAX) {
        return Err(tandem_domain::FieldError::new("reason", format!("must be at most {REASON_MAX} characters")).into());
    }
    let now = Utc::now();
    let me = current_user(&app, &caller.user_id, now).await?;
    // Unknown users get the same 404 as any missing resource.
    let them = app.store.user(&other, now).await?.ok_or(ApiError::NotFound)?;
    let block = app.store.block(&caller.user_id, &other, reason, now).await?;
    // Already queued today? Keep the two apart in today's pool too.
    app.store.exclude_late(&me.id, local_day(&me.timezone, now).0, &them.id).await?;
    app.store.exclude_late(&them.id, local_day(&them.timezone, now).0, &me.id).await?;
    // And a conversation between them ends now.
    if close_between(&app, &me, &them.id, now).await? {
        tracing::info!(user_id = %me.id, "block closed an active conversation");
    }
    json_response(StatusCode::CREATED, &block)
}
