//! `GET /v1/admin/reports?status=&severity=&cursor=&limit=`: the triage queue (open by
//! default), most severe then oldest first; `nextCursor` pages on.

use http::StatusCode;
use serde_json::json;
use tandem_domain::moderation::Severity;
use tandem_domain::reports::ReportStatus;

use crate::auth::authenticate_admin;
use crate::edge::dispatch::HandlerResult;
use crate::edge::http::{json_response, query_param};
use crate::routes::admin::named;
use crate::routes::reports::page_limit;
use crate::services::admin::queue;
use crate::{App, Request};

pub async fn handle(app: App, request: Request) -> HandlerResult {
    authenticate_admin(&app, &request).await?;
    let status = named(&request, "status", ReportStatus::from_name, ReportStatus::ALL.iter().map(|s| s.as_str()))?;
    let severity = named(&request, "severity", Severity::from_name, Severity::ALL.iter().map(|s| s.as_str()))?;
    let limit = page_limit(&request)?;
    let page = queue(&app, status, severity, query_param(&request, "cursor"), limit).await?;
    json_response(StatusCode::OK, &json!({ "reports": page.reports, "nextCursor": page.next }))
}
