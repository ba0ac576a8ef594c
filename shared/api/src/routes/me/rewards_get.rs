//! `GET /v1/me/rewards`: points, current and best streak, badges with the day earned, and
//! the ledger newest first (`?limit=` 1–100, default 20; `?cursor=` from `nextCursor`).

use chrono::{NaiveDate, Utc};
use http::StatusCode;
use tandem_domain::FieldError;
use tandem_domain::rewards::{Badge, RewardKind};

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, limit_param, query_param};
use crate::services::rewards::rewards;
use crate::{App, Request};

const DEFAULT_LIMIT: i32 = 20;
const MAX_LIMIT: i32 = 100;

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let limit = limit_param(&request, DEFAULT_LIMIT, MAX_LIMIT)?;
    let cursor = query_param(&request, "cursor").map(check_cursor).transpose()?;
    json_response(StatusCode::OK, &rewards(&app, &caller.user_id, cursor, limit, Utc::now()).await?)
}

/// A cursor is a ledger entry's `<day>#<slot>`, as `nextCursor` gives it.
fn check_cursor(raw: &str) -> Result<&str, FieldError> {
    let valid = raw.split_once('#').is_some_and(|(day, slot)| {
        let known_slot = match slot.strip_prefix("badge:") {
            Some(badge) => Badge::from_name(badge).is_some(),
            None => RewardKind::from_name(slot).is_some_and(|k| k != RewardKind::Badge),
        };
        day.parse::<NaiveDate>().is_ok() && known_slot
    });
    if valid { Ok(raw) } else { Err(FieldError::new("cursor", "must be a nextCursor this route returned")) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_are_the_ones_the_route_hands_out() {
        for good in ["2026-11-21#fast_reply", "2026-01-02#badge:streak_7"] {
            assert!(check_cursor(good).is_ok(), "{good}");
        }
        for bad in ["", "2026-11-21", "yesterday#fast_reply", "2026-11-21#badge", "2026-11-21#badge:nope", "x#y#z"] {
            assert!(check_cursor(bad).is_err(), "{bad}");
        }
    }
}
