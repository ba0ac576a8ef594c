//! The API's contract, checked on every exchange of the end-to-end suite: each HTTP
//! response (and each accepted request body) is validated against the OpenAPI document,
//! each WebSocket event against the AsyncAPI document, and every JSON key on the wire must
//! be camelCase. A test that provokes an undocumented status, shape or key fails.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use jsonschema::{Draft, Validator};
use serde_json::{Value, json};

struct Documents {
    openapi: Value,
    asyncapi: Value,
    validators: Mutex<HashMap<String, Arc<Validator>>>,
}

fn documents() -> &'static Documents {
    static DOCUMENTS: OnceLock<Documents> = OnceLock::new();
    DOCUMENTS.get_or_init(|| Documents {
        openapi: serde_json::from_str(tandem_api::routes::system::openapi::DOCUMENT).expect("openapi.json"),
        asyncapi: serde_json::from_str(tandem_api::routes::system::openapi::ASYNCAPI_DOCUMENT).expect("asyncapi.json"),
        validators: Mutex::new(HashMap::new()),
    })
}

/// A validator for `schema`, whose `#/components/...` references resolve in `root`.
fn validator(key: String, schema: &Value, root: &Value) -> Arc<Validator> {
    let docs = documents();
    let mut cache = docs.validators.lock().unwrap_or_else(|p| p.into_inner());
    cache
        .entry(key)
        .or_insert_with(|| {
            let wrapped = json!({ "allOf": [schema], "components": root["components"] });
            Arc::new(
                jsonschema::options()
                    .with_draft(Draft::Draft202012)
                    .should_validate_formats(true)
                    .build(&wrapped)
                    .unwrap_or_else(|e| panic!("schema does not compile: {e}\n{schema}")),
            )
        })
        .clone()
}

fn assert_valid(validator: &Validator, instance: &Value, what: &str) {
    let errors: Vec<String> =
        validator.iter_errors(instance).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "{what} breaks the documented contract:\n  {}\nbody: {instance}", errors.join("\n  "));
}

/// Fails on any object key that is not camelCase (letters and digits, starting lower-case).
/// Map keys chosen by users (catalogue keys, checks) are camelCase-compatible too.
pub fn assert_camel_case(value: &Value, what: &str) {
    fn walk(value: &Value, path: &str, what: &str) {
        match value {
            Value::Object(map) => {
                for (key, child) in map {
                    let camel = key.chars().next().is_some_and(|c| c.is_ascii_lowercase())
                        && key.chars().all(|c| c.is_ascii_alphanumeric());
                    assert!(camel, "{what}: key {path}.{key} is not camelCase");
                    walk(child, &format!("{path}.{key}"), what);
                }
            }
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| walk(v, &format!("{path}[{i}]"), what)),
            _ => {}
        }
    }
    walk(value, "$", what);
}

/// Every partner a user is shown, anywhere in a response or event: before the reveal no
/// first name, city or photo (nor, in a conversation, their prompt answers); after it
/// exactly the fields `revealedFields` names.
pub fn assert_partners_show_only_what_was_revealed(value: &Value, what: &str) {
    const IDENTIFYING: [&str; 3] = ["firstName", "city", "photoUrl"];
    fn walk(value: &Value, path: &str, what: &str) {
        match value {
            Value::Object(map) => {
                if let Some(partner) =
                    map.get("partner").and_then(Value::as_object).filter(|p| p.contains_key("pseudonym"))
                {
                    let shown: Vec<&str> = IDENTIFYING.iter().copied().filter(|f| partner.contains_key(*f)).collect();
                    let listed: Vec<&str> =
                        partner["revealedFields"].as_array().into_iter().flatten().filter_map(Value::as_str).collect();
                    if partner.get("revealed") != Some(&Value::Bool(true)) {
                        assert!(shown.is_empty(), "{what}: {path}.partner shows {shown:?} before the reveal");
                    }
                    assert_eq!(shown, listed, "{what}: {path}.partner shows other fields than revealedFields names");
                }
                // A conversation shows the partner's prompt answers only once revealed.
                if map.contains_key("partnerAnswers") {
                    let revealed = map.get("reveal").and_then(|r| r.get("revealed")) == Some(&Value::Bool(true));
                    assert!(revealed, "{what}: {path} shows the partner's prompt answers before the reveal");
                }
                for (key, child) in map {
                    walk(child, &format!("{path}.{key}"), what);
                }
            }
            Value::Array(items) => items.iter().enumerate().for_each(|(i, v)| walk(v, &format!("{path}[{i}]"), what)),
            _ => {}
        }
    }
    walk(value, "$", what);
}

/// The documented path template matching a concrete path (`{id}` matches one segment).
fn operation<'a>(method: &str, path: &str) -> Option<(&'a str, &'a Value)> {
    let parts: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    let paths = documents().openapi["paths"].as_object()?;
    paths.iter().find_map(|(template, ops)| {
        let segments: Vec<&str> = template.split('/').collect();
        let matches = segments.len() == parts.len()
            && segments.iter().zip(&parts).all(|(s, p)| (s.starts_with('{') && !p.is_empty()) || s == p);
        let op = ops.get(method.to_ascii_lowercase())?;
        matches.then_some((template.as_str(), op))
    })
}

/// Checks one HTTP exchange against the OpenAPI document.
pub fn check_http(method: &str, path: &str, request: Option<&Value>, status: u16, response: &Value) {
    if path.starts_with("/_local/") {
        return; // the local stack's own controls are not part of the API
    }
    let what = format!("{method} {path} → {status}");
    // The OpenAPI document is a document of its own format (`$ref`, schema names), not API data.
    if !response.is_null() && path != "/v1/openapi.json" {
        assert_camel_case(response, &what);
        assert_partners_show_only_what_was_revealed(response, &what);
    }
    let Some((template, op)) = operation(method, path) else {
        // Unrouted paths answer the error shape (checked by its own test).
        return;
    };
    let root = &documents().openapi;
    let documented = &op["responses"][status.to_string()];
    assert!(documented.is_object(), "{what}: status {status} is not documented for {method} {template}");
    match documented.pointer("/content/application~1json/schema") {
        Some(schema) => {
            let key = format!("{method} {template} {status}");
            assert_valid(&validator(key, schema, root), response, &what);
        }
        None => assert!(response.is_null(), "{what}: documented without a body, got {response}"),
    }
    // A request the API accepted must be one the document allows (a client generated from
    // the document must be able to send it).
    if let (true, Some(body), Some(schema)) =
        ((200..300).contains(&status), request, op.pointer("/requestBody/content/application~1json/schema"))
    {
        let key = format!("{method} {template} request");
        assert_valid(&validator(key, schema, root), body, &format!("{what}: accepted request"));
    }
}

/// Checks one WebSocket event (server → client) against the AsyncAPI document.
pub fn check_event(event: &Value) {
    let kind = event["type"].as_str().unwrap_or_else(|| panic!("event without a type: {event}"));
    assert_camel_case(event, &format!("event {kind}"));
    assert_partners_show_only_what_was_revealed(event, &format!("event {kind}"));
    let root = &documents().asyncapi;
    let name = format!("server.{}", kind.replace('.', "_"));
    let message = root
        .pointer(&format!("/channels/live/messages/{name}"))
        .unwrap_or_else(|| panic!("event {kind} is not in asyncapi.json: {event}"));
    assert_valid(&validator(format!("event {kind}"), &message["payload"], root), event, &format!("event {kind}"));
}
