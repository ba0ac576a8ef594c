//! `GET /v1/version`: what is deployed.

use http::StatusCode;
use serde_json::json;

use crate::edge::dispatch::HandlerResult;
use crate::edge::http::json_response;
use crate::{App, Request};

pub async fn handle(_app: App, _request: Request) -> HandlerResult {
    json_response(
        StatusCode::OK,
        &json!({
            "name": "tandem",
            "version": env!("CARGO_PKG_VERSION"),
            "commit": option_env!("TANDEM_GIT_SHA").unwrap_or("unknown"),
            "api": "v1",
        }),
    )
}
