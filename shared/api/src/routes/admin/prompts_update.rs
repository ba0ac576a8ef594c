//! `PUT /v1/admin/prompts/{id}` `{text, interests?, active}`: replaces a prompt's text,
//! interests and whether it is in use (its kind stays); `active: false` retires it. 200,
//! audited; 404 for no such prompt.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::services::prompts::update;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    text: String,
    #[serde(default)]
    interests: Vec<String>,
    active: bool,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let admin = authenticate_admin(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let body: Body = json_body(&request)?;
    let prompt = update(&app, &admin.user_id, &id, (&body.text, body.interests, body.active), Utc::now()).await?;
    json_response(StatusCode::OK, &prompt)
}
