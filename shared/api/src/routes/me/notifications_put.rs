//! `PUT /v1/me/notifications` `{kinds: {match, message, expiring, reminder, safety, reward?},
//! quietHours: {start: "HH:MM", end: "HH:MM"} | null}`: replaces the caller's preferences
//! (omitted parts take their defaults: every kind on, no quiet hours; an omitted `reward`
//! keeps its stored value).

use chrono::Utc;
use http::StatusCode;
use tandem_domain::notifications::PrefsUpdate;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response};
use crate::services::devices::set_prefs;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let update: PrefsUpdate = json_body(&request)?;
    json_response(StatusCode::OK, &set_prefs(&app, &caller.user_id, update, Utc::now()).await?)
}
