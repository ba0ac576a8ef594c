//! CORS as API Gateway applies an HTTP API's `CorsConfiguration`: it answers preflights
//! itself and adds the headers to the function's responses for allowed origins.

use axum::response::{IntoResponse, Response};
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};

use crate::template::CorsDecl;

/// The preflight answer, when `method` and `headers` make one.
pub(super) fn preflight(cors: Option<&CorsDecl>, method: &Method, headers: &HeaderMap) -> Option<Response> {
    let cors = cors?;
    if method != Method::OPTIONS || !headers.contains_key(header::ACCESS_CONTROL_REQUEST_METHOD) {
        return None;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    if let Some(origin) = allowed_origin(cors, headers) {
        let out = response.headers_mut();
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        insert_list(out, header::ACCESS_CONTROL_ALLOW_METHODS, &cors.methods);
        insert_list(out, header::ACCESS_CONTROL_ALLOW_HEADERS, &cors.headers);
        if let Ok(max_age) = HeaderValue::from_str(&cors.max_age.to_string()) {
            out.insert(header::ACCESS_CONTROL_MAX_AGE, max_age);
        }
        out.insert(header::VARY, HeaderValue::from_static("origin"));
    }
    Some(response)
}

/// Adds the CORS headers to a response for an allowed origin.
pub(super) fn decorate(cors: Option<&CorsDecl>, request: &HeaderMap, response: &mut Response) {
    let Some(cors) = cors else { return };
    if let Some(origin) = allowed_origin(cors, request) {
        let out = response.headers_mut();
        out.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        insert_list(out, header::ACCESS_CONTROL_EXPOSE_HEADERS, &cors.expose);
        out.insert(header::VARY, HeaderValue::from_static("origin"));
    }
}

fn allowed_origin(cors: &CorsDecl, headers: &HeaderMap) -> Option<HeaderValue> {
    let origin = headers.get(header::ORIGIN)?;
    let text = origin.to_str().ok()?;
    cors.origins.iter().any(|allowed| allowed == "*" || allowed.eq_ignore_ascii_case(text)).then(|| origin.clone())
}

fn insert_list(headers: &mut HeaderMap, name: header::HeaderName, values: &[String]) {
    if let Ok(value) = HeaderValue::from_str(&values.join(",")) {
        headers.insert(name, value);
    }
}
