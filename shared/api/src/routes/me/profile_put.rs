//! `PUT /v1/me/profile`: replace the caller's profile (and timezone/locale when given).

use chrono::{Datelike, Utc};
use http::StatusCode;
use tandem_domain::ProfileUpdate;

use crate::auth::authenticate;
use crate::dispatch::HandlerResult;
use crate::http_io::{json_response, json_value};
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request)?;
    let update = ProfileUpdate::from_json(&json_value(&request)?, Utc::now().year())?;
    let user = app.store.update_profile(&caller.user_id, &update).await?;
    json_response(StatusCode::OK, &user)
}
