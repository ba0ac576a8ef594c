//! `POST /v1/admin/reports/{id}/actions` `{action: dismiss|warn|suspend|ban, note, days?}`:
//! resolves the report and acts on the reported account (audited).

use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use tandem_domain::reports::AdminAction;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_body, json_response, path_id};
use crate::services::admin::act;
use crate::{App, Request};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct Body {
    action: AdminAction,
    #[serde(default)]
    note: String,
    #[serde(default)]
    days: Option<u32>,
}

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let admin = authenticate_admin(&app, &request).await?;
    let id = path_id(&request, "id")?;
    let body: Body = json_body(&request)?;
    let report = act(&app, &admin.user_id, &id, body.action, body.note, body.days, Utc::now()).await?;
    json_response(StatusCode::OK, &report)
}
