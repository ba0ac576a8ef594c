//! Accounts: registration, password and OIDC sign-in, the caller's own account, profile and weekly intent.

use chrono::{DateTime, Datelike, Utc};
use tandem_domain::credentials::check_new_password;
use tandem_domain::intent::{IntentChoice, WeeklyIntent, iso_week};
use tandem_domain::{Email, ProfileUpdate, User, UserId, ValidationErrors};
use tandem_store::{NewAccount, StoreError, ThrottleSubject};

use crate::auth::{OidcIdentity, password};
use crate::services::sessions::{TokenPair, issue_session};
use crate::{ApiError, App};

/// A signed-in account and its new session.
pub struct SignedIn {
    pub user: User,
    pub tokens: TokenPair,
    /// True when this sign-in created the account.
    pub created: bool,
}

/// Creates an account with email and password (every bad field reported at once) and
/// signs it in.
pub async fn register(app: &App, email: &str, password: String, now: DateTime<Utc>) -> Result<SignedIn, ApiError> {
    let mut errors = ValidationErrors::default();
    let email = Email::parse(email, "email").map_err(|e| errors.0.push(e)).ok();
    let _ = check_new_password(&password).map_err(|e| errors.0.push(e));
    let email = errors.into_result(email)?.ok_or_else(|| ApiError::Internal("email missing".into()))?;
    // Keys first: an account created but never signed in would make the client's retry a 409.
    app.tokens.ready().await?;
    let user = User::new(email, now);
    let password_hash = password::hash(password).await?;
    app.store
        .create_account(&NewAccount { user: user.clone(), password_hash: Some(password_hash), oidc_identity: None })
        .await?;
    tracing::info!(user_id = %user.id, "account registered");
    let tokens = issue_session(app, &user, now).await?;
    Ok(SignedIn { user, tokens, created: true })
}

/// Email and password for a new session, from the client at `source_ip`.
pub async fn sign_in(
    app: &App,
    email: &str,
    password: String,
    source_ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<SignedIn, ApiError> {
    let email = Email::parse(email, "email")?;
    let user = password_sign_in(app, &email, password, source_ip, now).await?;
    let tokens = issue_session(app, &user, now).await?;
    Ok(SignedIn { user, tokens, created: false })
}

/// The user behind `email` and `password`, or `InvalidCredentials` (unknown email and
/// wrong password alike, after the same work); `TooManyAttempts` while the email, or the
/// client address, has failed too often (one client spraying a password over many emails
/// is stopped by the second). Counts failures on both and clears the email's on success.
async fn password_sign_in(
    app: &App,
    email: &Email,
    password: String,
    source_ip: Option<&str>,
    now: DateTime<Utc>,
) -> Result<User, ApiError> {
    let policy = app.config.login_throttle;
    let client_policy = app.config.login_client_limit;
    let client = source_ip.map(ThrottleSubject::Client);
    let (by_email, by_client) =
        tokio::try_join!(app.store.login_throttle(ThrottleSubject::Email(email), now), async {
            match client {
                Some(client) => app.store.login_throttle(client, now).await,
                None => Ok(None),
            }
        })?;
    let email_wait = by_email.and_then(|t| policy.retry_after(t.failures, t.window_ends, now.timestamp()));
    let client_wait = by_client.and_then(|t| client_policy.retry_after(t.failures, t.window_ends, now.timestamp()));
    if let Some(retry_after) = email_wait.max(client_wait) {
        return Err(ApiError::TooManyAttempts { retry_after });
    }
    let claim = app.store.email_claim(email, now).await?;
    let stored_hash = claim.as_ref().and_then(|claim| claim.password_hash.clone());
    let user = match (password::verify(password, stored_hash).await?, claim) {
        (true, Some(claim)) => app.store.user(&claim.user_id, now).await?,
        _ => None,
    };
    let Some(user) = user else {
        app.store.record_login_failure(ThrottleSubject::Email(email), policy.window_seconds, now).await?;
        if let Some(client) = client {
            app.store.record_login_failure(client, client_policy.window_seconds, now).await?;
        }
        return Err(ApiError::InvalidCredentials);
    };
    app.store.clear_login_failures(email).await?;
    app.store.touch_last_seen(&user.id, now).await?;
    Ok(user)
}

/// Exchanges a provider's id token for a session, creating the account on first use.
/// An email already registered with a password is not linked silently (409): the user must
/// sign in with the password. Two parallel first sign-ins with one identity share one account.
pub async fn oidc_sign_in(app: &App, id_token: &str, now: DateTime<Utc>) -> Result<SignedIn, ApiError> {
    let verifier = app.oidc.clone().ok_or(ApiError::NotConfigured("OIDC sign-in"))?;
    let identity = verifier.verify(id_token).await?;
    let (user, created) = match oidc_account(app, &identity, now).await? {
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
                    (oidc_account(app, &identity, now).await?.ok_or(ApiError::EmailTaken)?, false)
                }
                Err(other) => return Err(other.into()),
            }
        }
    };
    app.store.touch_last_seen(&user.id, now).await?;
    let tokens = issue_session(app, &user, now).await?;
    Ok(SignedIn { user, tokens, created })
}

/// The account already linked to this identity, if any.
async fn oidc_account(app: &App, identity: &OidcIdentity, now: DateTime<Utc>) -> Result<Option<User>, ApiError> {
    match app.store.oidc_user_id(&identity.issuer, &identity.subject, now).await? {
        Some(user_id) => Ok(Some(app.store.user(&user_id, now).await?.ok_or(ApiError::NotFound)?)),
        None => Ok(None),
    }
}

/// An account by id (the caller's own, or a participant's); 404 if it no longer exists.
pub async fn account(app: &App, id: &UserId, now: DateTime<Utc>) -> Result<User, ApiError> {
    app.store.user(id, now).await?.ok_or(ApiError::NotFound)
}

/// Sets the caller's intent for the current ISO week of their timezone (a soft pairing
/// preference, read when they next queue).
pub async fn set_intent(
    app: &App,
    id: &UserId,
    intent: WeeklyIntent,
    now: DateTime<Utc>,
) -> Result<IntentChoice, ApiError> {
    let user = account(app, id, now).await?;
    let choice = IntentChoice { intent, week: iso_week(&user.timezone, now), set_at: now };
    app.store.set_intent(id, &choice).await?;
    Ok(choice)
}

/// Replaces the caller's profile (and timezone/locale when given), validating every field.
pub async fn update_profile(
    app: &App,
    id: &UserId,
    body: &serde_json::Value,
    now: DateTime<Utc>,
) -> Result<User, ApiError> {
    let update = ProfileUpdate::from_json(body, now.year())?;
    Ok(app.store.update_profile(id, &update).await?)
}
