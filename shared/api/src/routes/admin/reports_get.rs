//! `GET /v1/admin/reports/{id}`: the report with its context (the reported user's retained
//! messages, earlier reports and actions on them). Opening an open report triages it.

use chrono::Utc;
use http::StatusCode;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, path_id};
use crate::services::admin::report;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    authenticate_admin(&app, &request).await?;
    let id = path_id(&request, "id")?;
    json_response(StatusCode::OK, &report(&app, &id, Utc::now()).await?)
}
