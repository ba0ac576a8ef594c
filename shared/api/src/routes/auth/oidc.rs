//! `POST /v1/auth/oidc`: exchange a provider's id_token for a Tandem session, creating
//! the account on first use. An email already registered with a password is not linked
//! silently: the user must sign in with the password.

use chrono::Utc;
use http::StatusCode;
use serde::{Deserialize, Serialize};
use tandem_domain::User;
use tandem_store::{NewAccount, StoreError};

use crate::auth::{TokenPair, issue_session};
use crate::dispatch::HandlerResult;
use crate::http_io::{json_body, json_response};
use crate::{ApiError, App, Request};

#[derive(Deserialize)]
struct Exchange {
    id_token: String,
}

#[derive(Serialize)]
struct Exchanged<'a> {
    user: &'a User,
    created: bool,
    #[serde(flatten)]
    tokens: TokenPair,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let body: Exchange = json_body(&request)?;
    let verifier = app.oidc.clone().ok_or(ApiError::NotConfigured("OIDC sign-in"))?;
    let identity = verifier.verify(&body.id_token).await?;
    let now = Utc::now();

    let existing = match app.store.oidc_user_id(&identity.issuer, &identity.subject, now).await? {
        Some(user_id) => Some(app.store.user(&user_id, now).await?.ok_or(ApiError::NotFound)?),
        None => None,
    };
    let (user, created) = match existing {
        Some(user) => (user, false),
        None => {
            let user = User::new(identity.email.clone(), now);
            let account = NewAccount {
                user: user.clone(),
                password_hash: None,
                oidc_identity: Some((identity.issuer.clone(), identity.subject.clone())),
            };
            match app.store.create_account(&account).await {
                Ok(()) => (user, true),
                // A parallel first sign-in with the same identity won the race: use its account.
                Err(StoreError::EmailTaken) => {
                    match app.store.oidc_user_id(&identity.issuer, &identity.subject, now).await? {
                        Some(user_id) => (app.store.user(&user_id, now).await?.ok_or(ApiError::NotFound)?, false),
                        None => return Err(ApiError::EmailTaken),
                    }
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    app.store.touch_last_seen(&user.id, now).await?;
    let tokens = issue_session(&app, &user, now).await?;
    let status = if created { StatusCode::CREATED } else { StatusCode::OK };
    json_response(status, &Exchanged { user: &user, created, tokens })
}
