//! Reading requests and writing JSON responses, with the checks every route shares.

use http::{StatusCode, header};
use lambda_http::request::RequestContext;
use lambda_http::{Body, Request, RequestExt, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::str::FromStr;
use tandem_domain::FieldError;

use crate::ApiError;

/// Bodies are small JSON documents; anything bigger is a mistake or an attack. Sized for
/// the worst legal one: a 2,000-character message whose every character a client escaped
/// as a `\uXXXX\uXXXX` surrogate pair is 24,000 bytes of text, plus its envelope.
pub const MAX_BODY_BYTES: usize = 32 * 1024;

/// The id that ties a response to its log lines: API Gateway's, else Lambda's.
pub fn request_id(request: &Request) -> String {
    let from_gateway = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.clone(),
        _ => None,
    };
    from_gateway
        .or_else(|| request.lambda_context_ref().map(|context| context.request_id.clone()))
        .filter(|id| !id.is_empty())
        .unwrap_or_else(|| uuid::Uuid::new_v4().to_string())
}

/// The caller's address as API Gateway saw it (the TCP peer: not a header a client sets).
pub fn source_ip(request: &Request) -> Option<String> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.clone().filter(|ip| !ip.is_empty()),
        _ => None,
    }
}

/// The body as a JSON value, after content-type and size checks.
pub fn json_value(request: &Request) -> Result<Value, ApiError> {
    let is_json = request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.split(';').next())
        .is_some_and(|mime| {
            let mime = mime.trim().to_ascii_lowercase();
            mime == "application/json" || (mime.starts_with("application/") && mime.ends_with("+json"))
        });
    if !is_json {
        return Err(ApiError::UnsupportedMediaType);
    }
    let bytes: &[u8] = request.body().as_ref();
    if bytes.len() > MAX_BODY_BYTES {
        return Err(ApiError::PayloadTooLarge { limit: MAX_BODY_BYTES });
    }
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::InvalidJson("the body is empty".into()));
    }
    let value: Value = serde_json::from_slice(bytes).map_err(|e| ApiError::InvalidJson(e.to_string()))?;
    // Every request body of the API is an object: an array or a scalar is refused before any
    // field is read (serde would read `[..]` as a struct's fields in order).
    if !value.is_object() {
        return Err(ApiError::InvalidBody("the body must be a JSON object".into()));
    }
    Ok(value)
}

/// The body deserialised into `T`; shape errors name the offending field.
pub fn json_body<T: DeserializeOwned>(request: &Request) -> Result<T, ApiError> {
    serde_json::from_value(json_value(request)?).map_err(|e| ApiError::InvalidBody(e.to_string()))
}

pub fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Result<Response<Body>, ApiError> {
    let text = serde_json::to_string(body).map_err(|e| ApiError::Internal(e.to_string()))?;
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::Text(text))
        .map_err(|e| ApiError::Internal(e.to_string()))
}

pub fn empty_response(status: StatusCode) -> Result<Response<Body>, ApiError> {
    Response::builder().status(status).body(Body::Empty).map_err(|e| ApiError::Internal(e.to_string()))
}

/// A path parameter (API Gateway's `pathParameters`); missing means the route is wrong.
fn path_param<'a>(request: &'a Request, name: &str) -> Result<&'a str, ApiError> {
    request.path_parameters_ref().and_then(|p| p.first(name)).ok_or(ApiError::NotFound)
}

/// A typed id from the path. A malformed id names no resource: 404, like a missing one.
pub fn path_id<T: FromStr>(request: &Request, name: &str) -> Result<T, ApiError> {
    path_param(request, name)?.parse().map_err(|_| ApiError::NotFound)
}

/// A typed id from a body field or query parameter: 400 naming the field when malformed.
pub fn field_id<T: FromStr>(raw: &str, field: &str) -> Result<T, FieldError> {
    raw.parse().map_err(|_| FieldError::new(field, tandem_domain::ids::InvalidId.to_string()))
}

/// An optional typed id from a body field, its error collected in `errors` so a client
/// learns every bad field at once.
pub fn collect_id<T: FromStr>(
    raw: Option<&str>,
    field: &str,
    errors: &mut tandem_domain::ValidationErrors,
) -> Option<T> {
    raw.and_then(|raw| field_id(raw, field).map_err(|e| errors.0.push(e)).ok())
}

/// A query-string parameter, if present.
pub fn query_param<'a>(request: &'a Request, name: &str) -> Option<&'a str> {
    request.query_string_parameters_ref().and_then(|q| q.first(name))
}

/// The `limit` query parameter: `default` when absent, else an integer from 1 to `max`.
pub fn limit_param(request: &Request, default: i32, max: i32) -> Result<i32, FieldError> {
    match query_param(request, "limit") {
        None => Ok(default),
        Some(raw) => raw
            .parse::<i32>()
            .ok()
            .filter(|l| (1..=max).contains(l))
            .ok_or_else(|| FieldError::new("limit", format!("must be an integer from 1 to {max}"))),
    }
}
