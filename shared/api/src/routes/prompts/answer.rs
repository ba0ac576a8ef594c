//! `POST /v1/prompts/{id}/answer` `{text}`: the caller's answer to an active daily prompt
//! for their local day (again the same day replaces it). 200 with the answer; 404 for no
//! such daily prompt, 409 `prompt_retired`, 400 for a text outside 1–500 characters or one
//! moderation would hide. Shown to revealed partners only.

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::services::prompts::answer;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    text: String,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let body: Body = json_body(&request)?;
    json_response(StatusCode::OK, &answer(&app, &caller.user_id, &id, &body.text, Utc::now()).await?)
}
