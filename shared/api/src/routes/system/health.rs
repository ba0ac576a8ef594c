//! `GET /v1/healthz`: 200 when the table answers, 503 otherwise (no authentication).

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::services::health::{Check, table};
use crate::{App, Request};

pub async fn handle(app: App, _request: Request) -> HandlerResult {
    match table(&app, Utc::now()).await {
        Check::Ok => json_response(StatusCode::OK, &json!({ "status": "ok", "checks": { "dynamodb": "ok" } })),
        Check::Unreachable => json_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &json!({ "status": "degraded", "checks": { "dynamodb": "unreachable" } }),
        ),
    }
}
