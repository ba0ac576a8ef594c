//! `GET /v1/openapi.json`: the OpenAPI 3.1 document of every route, its `servers` naming
//! the origin it was fetched from (so a client generated from it calls the right API).

use std::sync::OnceLock;

use http::StatusCode;
use lambda_http::RequestExt;
use lambda_http::request::RequestContext;
use serde_json::{Value, json};

use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::{ApiError, App, Request};

/// Kept in sync with `template.yaml` by the route-drift tests, and with the handlers by the
/// end-to-end suite, which validates every request and response against it.
pub const DOCUMENT: &str = include_str!("../../../openapi.json");
/// The WebSocket API's description (AsyncAPI 3.0), validated against every event the
/// end-to-end suite receives.
pub const ASYNCAPI_DOCUMENT: &str = include_str!("../../../asyncapi.json");

pub async fn handle(_app: App, request: Request) -> HandlerResult {
    // Parsed once per cold start; each request only names its origin.
    static PARSED: OnceLock<Result<Value, String>> = OnceLock::new();
    let parsed = PARSED.get_or_init(|| serde_json::from_str(DOCUMENT).map_err(|e| e.to_string()));
    let mut document = parsed.clone().map_err(ApiError::Internal)?;
    if let Some(origin) = origin(&request) {
        document["servers"] = json!([{ "url": origin }]);
    }
    json_response(StatusCode::OK, &document)
}

/// `{scheme}://{domain}[/{stage}]`: API Gateway's domain and stage, the scheme from
/// `X-Forwarded-Proto` (https in AWS, http on the local stack).
fn origin(request: &Request) -> Option<String> {
    let Some(RequestContext::ApiGatewayV2(context)) = request.request_context_ref() else { return None };
    let domain = context.domain_name.as_deref().filter(|d| !d.is_empty())?;
    let scheme = match request.headers().get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("http") => "http",
        _ => "https",
    };
    let stage = context.stage.as_deref().filter(|s| *s != "$default").map(|s| format!("/{s}")).unwrap_or_default();
    Some(format!("{scheme}://{domain}{stage}"))
}
