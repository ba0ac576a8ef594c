//! `PUT /v1/me/notifications` `{kinds: {match, message, expiring, reminder, safety},
//! quietHours: {start: "HH:MM", end: "HH:MM"} | null}`: replaces the caller's preferences
//! (omitted parts take their defaults: every kind on, no quiet hours).

use http::StatusCode;
use tandem_domain::notifications::NotificationPrefs;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response};
use crate::services::devices::set_prefs;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let prefs: NotificationPrefs = json_body(&request)?;
    json_response(StatusCode::OK, &set_prefs(&app, &caller.user_id, prefs).await?)
}
