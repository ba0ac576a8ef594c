//! A user's devices and what they want pushed: push tokens (registered, listed masked,
//! removed) and notification preferences.

use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::UserId;
use tandem_domain::notifications::{NotificationPrefs, Platform, PrefsUpdate, check_prefs, check_token, mask_token};
use tandem_store::{PushTokenRecord, TokenStatus};

use crate::{ApiError, App};

/// A token as its owner sees it: never the full token.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PushTokenView {
    pub token_id: String,
    pub platform: Platform,
    pub token: String,
    pub status: TokenStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<&PushTokenRecord> for PushTokenView {
    fn from(record: &PushTokenRecord) -> Self {
        Self {
            token_id: record.token_id.clone(),
            platform: record.platform,
            token: mask_token(&record.token),
            status: record.status,
            created_at: record.created_at,
            updated_at: record.updated_at,
        }
    }
}

/// Registers the caller's device; `true` when the token was new to them.
pub async fn register_token(
    app: &App,
    me: &UserId,
    platform: Platform,
    token: &str,
    now: DateTime<Utc>,
) -> Result<(PushTokenView, bool), ApiError> {
    check_token(token)?;
    let (record, new) = app.store.register_push_token(me, platform, token, now).await?;
    if new {
        tracing::info!(user_id = %me, token_id = %record.token_id, ?platform, "push token registered");
    }
    Ok((PushTokenView::from(&record), new))
}

pub async fn tokens(app: &App, me: &UserId, now: DateTime<Utc>) -> Result<Vec<PushTokenView>, ApiError> {
    Ok(app.store.push_tokens(me, now).await?.iter().map(PushTokenView::from).collect())
}

/// Removes one of the caller's tokens (anyone else's, or an unknown one: 404).
pub async fn remove_token(app: &App, me: &UserId, token_id: &str) -> Result<(), ApiError> {
    let well_formed = token_id.len() == 32 && token_id.chars().all(|c| c.is_ascii_hexdigit());
    if !well_formed || !app.store.delete_push_token(me, token_id).await? {
        return Err(ApiError::NotFound);
    }
    Ok(())
}

pub async fn prefs(app: &App, me: &UserId, now: DateTime<Utc>) -> Result<NotificationPrefs, ApiError> {
    Ok(app.store.notification_prefs(me, now).await?)
}

/// Replaces the caller's preferences with `update` (a kind it leaves out keeps its stored
/// value, so only then are they read).
pub async fn set_prefs(
    app: &App,
    me: &UserId,
    update: PrefsUpdate,
    now: DateTime<Utc>,
) -> Result<NotificationPrefs, ApiError> {
    let stored =
        if update.keeps_a_stored_kind() { app.store.notification_prefs(me, now).await? } else { Default::default() };
    let prefs = update.applied_to(&stored);
    check_prefs(&prefs)?;
    app.store.put_notification_prefs(me, &prefs).await?;
    Ok(prefs)
}
