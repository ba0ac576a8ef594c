//! The API Gateway HTTP API (payload format 2.0) event, as AWS sends it to a function.

use std::collections::HashMap;

use base64::Engine;
use chrono::Utc;
use http::{HeaderMap, Uri};
use serde_json::{Map, Value, json};

pub struct HttpEventInput<'a> {
    pub route_key: &'a str,
    pub method: &'a str,
    pub uri: &'a Uri,
    pub headers: &'a HeaderMap,
    pub path_parameters: &'a HashMap<String, String>,
    pub body: &'a [u8],
    pub source_ip: &'a str,
    pub request_id: &'a str,
}

pub fn http_event(input: &HttpEventInput<'_>) -> Value {
    // API Gateway lower-cases header names and joins repeated headers with commas;
    // cookies travel in their own array.
    let mut headers: Map<String, Value> = Map::new();
    let mut cookies = Vec::new();
    for (name, value) in input.headers {
        let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
        if name == http::header::COOKIE {
            cookies.extend(value.split(';').map(|c| Value::String(c.trim().to_owned())));
            continue;
        }
        match headers.get_mut(name.as_str()) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                headers.insert(name.as_str().to_owned(), Value::String(value));
            }
        }
    }
    let raw_query = input.uri.query().unwrap_or("");
    let mut query: Map<String, Value> = Map::new();
    for pair in raw_query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        let (key, value) = (decode(key), decode(value));
        match query.get_mut(&key) {
            Some(Value::String(existing)) => {
                existing.push(',');
                existing.push_str(&value);
            }
            _ => {
                query.insert(key, Value::String(value));
            }
        }
    }
    let (body, is_base64) = match std::str::from_utf8(input.body) {
        Ok(text) => (text.to_owned(), false),
        Err(_) => (base64::engine::general_purpose::STANDARD.encode(input.body), true),
    };
    let now = Utc::now();
    // API Gateway tells functions how the client connected; here it is plain HTTP.
    headers.insert("x-forwarded-proto".to_owned(), Value::String("http".to_owned()));
    let user_agent = headers.get("user-agent").cloned().unwrap_or(Value::String(String::new()));
    let host = headers.get("host").and_then(Value::as_str).unwrap_or("127.0.0.1").to_owned();
    let mut event = json!({
        "version": "2.0",
        "routeKey": input.route_key,
        "rawPath": input.uri.path(),
        "rawQueryString": raw_query,
        "headers": headers,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "local",
            "domainName": host,
            "domainPrefix": "local",
            "http": {
                "method": input.method,
                "path": input.uri.path(),
                "protocol": "HTTP/1.1",
                "sourceIp": input.source_ip,
                "userAgent": user_agent,
            },
            "requestId": input.request_id,
            "routeKey": input.route_key,
            "stage": "$default",
            "time": now.format("%d/%b/%Y:%H:%M:%S %z").to_string(),
            "timeEpoch": now.timestamp_millis(),
        },
        "isBase64Encoded": is_base64,
    });
    if !cookies.is_empty() {
        event["cookies"] = Value::Array(cookies);
    }
    if !query.is_empty() {
        event["queryStringParameters"] = Value::Object(query);
    }
    if !input.path_parameters.is_empty() {
        event["pathParameters"] = json!(input.path_parameters);
    }
    if !input.body.is_empty() {
        event["body"] = Value::String(body);
    }
    event
}

/// Percent-decoding for query strings (`+` is a space).
fn decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while index < bytes.len() {
        match bytes[index] {
            b'+' => out.push(b' '),
            b'%' if index + 2 < bytes.len() => match (hex(bytes[index + 1]), hex(bytes[index + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high << 4 | low);
                    index += 2;
                }
                _ => out.push(b'%'),
            },
            byte => out.push(byte),
        }
        index += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(digit: u8) -> Option<u8> {
    (digit as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builds_a_payload_v2_event_lambda_http_accepts() {
        let uri: Uri = "/v1/blocks/abc?limit=10&q=a+b%21&bad=%zz%".parse().unwrap();
        let mut headers = HeaderMap::new();
        headers.insert("content-type", "application/json".parse().unwrap());
        headers.insert("cookie", "a=1; b=2".parse().unwrap());
        let params = HashMap::from([("userId".to_owned(), "abc".to_owned())]);
        let event = http_event(&HttpEventInput {
            route_key: "DELETE /v1/blocks/{userId}",
            method: "DELETE",
            uri: &uri,
            headers: &headers,
            path_parameters: &params,
            body: b"{}",
            source_ip: "127.0.0.1",
            request_id: "r-1",
        });
        assert_eq!(event["queryStringParameters"]["q"], "a b!");
        assert_eq!(event["queryStringParameters"]["bad"], "%zz%");
        assert_eq!(event["cookies"][1], "b=2");
        let request = lambda_http::request::from_str(&event.to_string()).unwrap();
        use lambda_http::RequestExt;
        assert_eq!(request.method(), "DELETE");
        assert_eq!(request.path_parameters_ref().and_then(|p| p.first("userId")), Some("abc"));
        assert_eq!(request.query_string_parameters_ref().and_then(|q| q.first("limit")), Some("10"));
        assert_eq!(request.body().as_ref(), b"{}");
    }
}
