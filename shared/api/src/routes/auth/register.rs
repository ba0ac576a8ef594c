//! `POST /v1/auth/register`: create an account with email and password, and sign it in.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::credentials::check_new_password;
use tandem_domain::{Email, User, ValidationErrors};
use tandem_store::NewAccount;

use super::SignedIn;
use crate::auth::{issue_session, password};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_body, json_response};
use crate::{App, Request};

#[derive(Deserialize)]
struct Registration {
    email: String,
    password: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Registration = json_body(&request)?;
    let mut errors = ValidationErrors::default();
    let email = Email::parse(&body.email, "email").map_err(|e| errors.0.push(e)).ok();
    let _ = check_new_password(&body.password).map_err(|e| errors.0.push(e));
    let email = errors.into_result(email)?.ok_or_else(|| crate::ApiError::Internal("email missing".into()))?;

    let now = Utc::now();
    let user = User::new(email, now);
    let password_hash = password::hash(body.password).await?;
    app.store
        .create_account(&NewAccount { user: user.clone(), password_hash: Some(password_hash), oidc_identity: None })
        .await?;
    tracing::info!(user_id = %user.id, "account registered");
    let tokens = issue_session(&app, &user, now).await?;
    json_response(StatusCode::CREATED, &SignedIn { user: &user, tokens })
}
