//! `PUT /v1/me/profile`: replace the profile (and timezone/locale); every bad field is
//! reported at once.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, json_value};
use crate::services::accounts::update_profile;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let body = json_value(&request)?;
    json_response(StatusCode::OK, &update_profile(&app, &caller.user_id, &body, Utc::now()).await?)
}
