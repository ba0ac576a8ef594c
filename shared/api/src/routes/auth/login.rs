//! `POST /v1/auth/login`: email + password for a new session. Unknown emails and wrong
//! passwords get the same answer after the same work; repeated failures are throttled.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::Email;

use super::SignedIn;
use crate::auth::{issue_session, password};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_body, json_response};
use crate::{ApiError, App, Request};

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Credentials = json_body(&request)?;
    let email = Email::parse(&body.email, "email")?;
    let now = Utc::now();
    let policy = app.config.login_throttle;

    let throttle = app.store.login_throttle(&email, now).await?;
    if let Some(retry_after) =
        throttle.and_then(|state| policy.retry_after(state.failures, state.window_ends, now.timestamp()))
    {
        return Err(ApiError::TooManyAttempts { retry_after });
    }
    let claim = app.store.email_claim(&email, now).await?;
    let stored_hash = claim.as_ref().and_then(|claim| claim.password_hash.clone());
    let verified = password::verify(body.password, stored_hash).await?;
    let user = match (verified, claim) {
        (true, Some(claim)) => app.store.user(&claim.user_id, now).await?,
        _ => None,
    };
    let Some(user) = user else {
        app.store.record_login_failure(&email, policy.window_seconds, now).await?;
        return Err(ApiError::InvalidCredentials);
    };
    app.store.clear_login_failures(&email).await?;
    app.store.touch_last_seen(&user.id, now).await?;
    let tokens = issue_session(&app, &user, now).await?;
    json_response(StatusCode::OK, &SignedIn { user: &user, tokens })
}
