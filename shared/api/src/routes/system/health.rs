//! `GET /v1/healthz`: 200 when the function can reach its table, 503 when it cannot.

use chrono::Utc;
use http::StatusCode;
use serde_json::json;

use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::{App, Request};

pub async fn handle(app: App, _request: Request) -> HandlerResult {
    match app.store.ping(Utc::now()).await {
        Ok(()) => json_response(StatusCode::OK, &json!({ "status": "ok", "checks": { "dynamodb": "ok" } })),
        Err(error) => {
            tracing::error!(%error, "health check: table unreachable");
            json_response(
                StatusCode::SERVICE_UNAVAILABLE,
                &json!({ "status": "degraded", "checks": { "dynamodb": "unreachable" } }),
            )
        }
    }
}
