//! `POST /v1/auth/login`: email + password for a new session. Unknown emails and wrong
//! passwords get the same answer after the same work; repeated failures are throttled.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::Email;

use super::SignedIn;
use crate::auth::{issue_session, password_sign_in};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_body, json_response};
use crate::{App, Request};

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Credentials = json_body(&request)?;
    let email = Email::parse(&body.email, "email")?;
    let now = Utc::now();
    let user = password_sign_in(&app, &email, body.password, now).await?;
    let tokens = issue_session(&app, &user, now).await?;
    json_response(StatusCode::OK, &SignedIn { user: &user, tokens })
}
