//! `GET /v1/openapi.json`: the OpenAPI 3.1 document of every route.

use http::{StatusCode, header};
use lambda_http::{Body, Response};

use crate::edge::dispatch::HandlerResult;
use crate::{ApiError, App, Request};

/// Kept in sync with `template.yaml` by the route-drift tests.
pub const DOCUMENT: &str = include_str!("../../../openapi.json");

pub async fn handle(_app: App, _request: Request) -> HandlerResult {
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::Text(DOCUMENT.to_owned()))
        .map_err(|e| ApiError::Internal(e.to_string()))
}
