//! The HTTP API's `$default` route: a path or method no other route serves gets the
//! project's error shape (`404 route_not_found`), not API Gateway's own body.

use crate::edge::dispatch::HandlerResult;
use crate::{ApiError, App, Request};

pub async fn handle(_app: App, request: Request) -> HandlerResult {
    Err(ApiError::RouteNotFound { method: request.method().to_string(), path: request.uri().path().to_owned() })
}
