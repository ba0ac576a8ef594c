//! `PUT /v1/admin/users/{id}/premium` `{premium: bool}`: grants or removes premium (audited).

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::services::admin::set_premium;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    premium: bool,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let admin = authenticate_admin(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let body: Body = json_body(&request)?;
    json_response(StatusCode::OK, &set_premium(&app, &admin.user_id, &id, body.premium, Utc::now()).await?)
}
