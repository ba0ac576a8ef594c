//! Pushes to a user's devices: preferences and quiet hours first, then each active token
//! (its SNS endpoint created on first use), once per notification and device.

use chrono::{DateTime, Utc};
use futures::future::join_all;
use tandem_domain::notifications::Push;
use tandem_domain::{UserId, UserStatus};
use tandem_store::{PushTokenRecord, TokenStatus};

use crate::outbound::push::PushFailure;
use crate::telemetry;
use crate::{ApiError, App};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PushOutcome {
    /// Published to this many devices (0: none registered, or all had it already).
    Sent(usize),
    /// Held until the end of the user's quiet hours.
    Deferred(DateTime<Utc>),
    /// The user turned this kind off, or the account cannot receive pushes.
    NotWanted,
}

/// Pushes `push` to `user`'s devices now, or defers it past their quiet hours. A released
/// push (already deferred once) goes out whatever the hour. Fails, so that the queue
/// retries, only when a device could not be reached for a reason worth retrying; devices
/// already pushed are not pushed again.
pub async fn push_to(
    app: &App,
    user: &UserId,
    push: &Push,
    released: bool,
    now: DateTime<Utc>,
) -> Result<PushOutcome, ApiError> {
    let (prefs, account) = tokio::try_join!(app.store.notification_prefs(user, now), app.store.user(user, now))?;
    let Some(account) = account.filter(|a| !matches!(a.status, UserStatus::Banned | UserStatus::PendingDeletion))
    else {
        return Ok(PushOutcome::NotWanted);
    };
    if !prefs.kinds.wants(push.kind) {
        return Ok(PushOutcome::NotWanted);
    }
    if !released && let Some(due) = prefs.deferred_until(push.kind, &account.timezone, now) {
        app.store.defer_push(user, push, due).await?;
        tracing::info!(user_id = %user, notification_id = %push.notification_id, %due, "push deferred by quiet hours");
        return Ok(PushOutcome::Deferred(due));
    }
    let tokens = app.store.push_tokens(user, now).await?;
    let active = tokens.iter().filter(|t| t.status == TokenStatus::Active);
    let results = join_all(active.map(|token| to_device(app, token, push, now))).await;
    let mut sent = 0;
    for result in results {
        sent += usize::from(result?);
    }
    Ok(PushOutcome::Sent(sent))
}

/// One device: `true` when published now.
async fn to_device(app: &App, token: &PushTokenRecord, push: &Push, now: DateTime<Utc>) -> Result<bool, ApiError> {
    let (user, nid) = (&token.user_id, push.notification_id.as_str());
    if !app.store.claim_push(nid, &token.token_id, now).await? {
        return Ok(false);
    }
    let published = match endpoint(app, token).await {
        Ok(arn) => match app.push.publish(&arn, push).await {
            Ok(message_id) => Ok((arn, message_id)),
            Err(failure) => Err((Some(arn), failure)),
        },
        Err(failure) => Err((None, failure)),
    };
    match published {
        Ok((arn, message_id)) => {
            tracing::info!(user_id = %user, token_id = %token.token_id, kind = push.kind.as_str(), notification_id = nid,
                endpoint_arn = %arn, %message_id, "push published");
            telemetry::count(telemetry::names::PUSHES_SENT, 1);
            Ok(true)
        }
        Err((arn, PushFailure::Gone(reason))) => {
            telemetry::count(telemetry::names::PUSHES_FAILED, 1);
            app.store.disable_push_token(user, &token.token_id, arn.as_deref(), now).await?;
            tracing::warn!(user_id = %user, token_id = %token.token_id, %reason, "push token disabled");
            Ok(false)
        }
        Err((_, PushFailure::NotConfigured(platform))) => {
            tracing::warn!(user_id = %user, token_id = %token.token_id, ?platform, "no push application: not pushed");
            Ok(false)
        }
        Err((_, failure @ PushFailure::Retry(_))) => {
            telemetry::count(telemetry::names::PUSHES_FAILED, 1);
            // Give the claim back, so the retry pushes this device.
            app.store.release_push_claim(nid, &token.token_id).await?;
            Err(ApiError::Internal(failure.to_string()))
        }
    }
}

/// The token's endpoint, created (and remembered on the token) on first use.
async fn endpoint(app: &App, token: &PushTokenRecord) -> Result<String, PushFailure> {
    if let Some(arn) = &token.endpoint_arn {
        return Ok(arn.clone());
    }
    let arn = app.push.endpoint_for(token.platform, &token.token).await?;
    app.store
        .set_push_endpoint(&token.user_id, &token.token_id, &arn)
        .await
        .map_err(|e| PushFailure::Retry(e.to_string()))?;
    Ok(arn)
}

/// What one `push-release` run did.
#[derive(Debug, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReleaseReport {
    pub due: usize,
    pub released: usize,
}

/// Marks every push held by quiet hours whose window has ended as released (a conditional
/// write: a rerun releases nothing twice); the notification pipe passes that change on.
pub async fn release_due(app: &App, now: DateTime<Utc>) -> Result<ReleaseReport, ApiError> {
    let mut report = ReleaseReport::default();
    for shard in 0..tandem_store::keys::PUSH_DUE_SHARDS {
        for deferred in app.store.due_pushes(shard, now).await? {
            report.due += 1;
            if app.store.release_push(&deferred.user_id, &deferred.push.notification_id).await? {
                report.released += 1;
            }
        }
    }
    Ok(report)
}
