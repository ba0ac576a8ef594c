//! `GET /v1/admin/users/{id}`: an account with the reports about it and the actions taken.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::admin::user;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    authenticate_admin(&app, &request).await?;
    let id = path_id(&request, "id")?;
    json_response(StatusCode::OK, &user(&app, &id, Utc::now()).await?)
}
