//! Notifications derived from committed writes (the table's stream, through the
//! notification queue): `match.created` to both users of a committed match and
//! `account.warning` for a notice; pushes join here.

use chrono::{DateTime, Utc};
use serde_json::json;
use tandem_domain::{MatchId, ReportId, UserId};

use crate::outbound::realtime::ServerEvent;
use crate::{ApiError, App};

/// `match.created` to both users at once. Fails (so the queue redelivers) only when the
/// match or a user's connections could not be read; a device that misses it sees the match
/// on `GET /v1/match/today`.
pub async fn match_created(app: &App, match_id: &MatchId, now: DateTime<Utc>) -> Result<(), ApiError> {
    let Some(record) = app.store.pairing_match(match_id, now).await? else {
        tracing::warn!(%match_id, "a committed match is gone: nothing to tell");
        return Ok(());
    };
    let event = ServerEvent::new(
        "match.created",
        json!({ "matchId": record.match_id, "conversationId": record.conversation_id }),
    );
    let [a, b] = &record.users;
    let (to_a, to_b) = tokio::join!(app.realtime.to_user(a, &event), app.realtime.to_user(b, &event));
    to_a?;
    to_b?;
    Ok(())
}

/// `account.warning` with the notice (an admin's warning) to the user's open connections.
pub async fn notice_issued(
    app: &App,
    user_id: &UserId,
    notice_id: &ReportId,
    now: DateTime<Utc>,
) -> Result<(), ApiError> {
    let Some(notice) = app.store.notice(user_id, notice_id, now).await? else {
        tracing::warn!(%notice_id, "a committed notice is gone: nothing to tell");
        return Ok(());
    };
    let event = ServerEvent::of("account.warning", "notice", &notice);
    app.realtime.to_user(user_id, &event).await?;
    Ok(())
}
