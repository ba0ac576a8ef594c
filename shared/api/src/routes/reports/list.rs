//! `GET /v1/reports?before=<reportId>&limit=`: the caller's reports, newest first.

use http::StatusCode;
use serde_json::json;
use tandem_domain::ReportId;

use crate::auth::authenticate;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{field_id, json_response, query_param};
use crate::services::reports::mine;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    let caller = authenticate(&app, &request).await?;
    let limit = super::page_limit(&request)?;
    let before = query_param(&request, "before").map(|raw| field_id::<ReportId>(raw, "before")).transpose()?;
    let reports = mine(&app, &caller.user_id, before.as_ref(), limit).await?;
    // A full page may have more behind it: the last id is the cursor for the next one.
    let next_cursor = (reports.len() == limit as usize).then(|| reports.last().map(|r| r.report_id.clone())).flatten();
    json_response(StatusCode::OK, &json!({ "reports": reports, "nextCursor": next_cursor }))
}
