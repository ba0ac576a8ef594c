use tandem_tests::*;

#[tokio::test]
async fn malformed_requests_get_4xx_with_the_error_shape_and_change_nothing() {
    let api = TestApi::start().await;
    let url = format!("{}/v1/auth/register", api.base);
    let json_type = ("content-type", "application/json");

    let malformed = api.send(api.http.post(&url).header(json_type.0, json_type.1).body("{\"email\": ")).await;
    malformed.expect_error(400, "invalid_json");

    let empty = api.send(api.http.post(&url).header(json_type.0, json_type.1)).await;
    empty.expect_error(400, "invalid_json");

    let wrong_type = api.send(api.http.post(&url).header("content-type", "text/plain").body("{}")).await;
    wrong_type.expect_error(415, "unsupported_media_type");

    let no_type = api.send(api.http.post(&url).body(r#"{"email":"a@b.co","password":"0123456789"}"#)).await;
    no_type.expect_error(415, "unsupported_media_type");

    let huge = json!({ "email": "a@example.com", "password": "x".repeat(40 * 1024) });
    api.post("/v1/auth/register", huge).await.expect_error(413, "payload_too_large");

    api.post("/v1/auth/register", json!([1, 2, 3])).await.expect_error(400, "invalid_body");
    api.post("/v1/auth/register", json!({ "email": 5, "password": true })).await.expect_error(400, "invalid_body");
    api.post("/v1/auth/register", json!({ "email": "a@example.com" })).await.expect_error(400, "invalid_body");

    let binary = api.send(api.http.post(&url).header(json_type.0, json_type.1).body(vec![0xff, 0xfe, 0x00])).await;
    binary.expect_error(400, "invalid_json");

    assert!(api.items().await.is_empty(), "no bad request wrote anything");
}

#[tokio::test]
async fn unknown_routes_and_methods_get_404_with_the_error_shape() {
    let api = TestApi::start().await;
    api.get("/v1/nowhere", None).await.expect_error(404, "route_not_found");
    api.get("/v1/auth/login", None).await.expect_error(404, "route_not_found");
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let api = TestApi::start().await;
    let health = api.get("/v1/healthz", None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.body["checks"]["dynamodb"], "ok");
    assert!(health.headers.contains_key("x-request-id"));
    let failed = api.get("/v1/me", None).await;
    assert_eq!(failed.headers["x-request-id"].to_str().unwrap(), failed.body["error"]["requestId"].as_str().unwrap());
}

#[tokio::test]
async fn health_reports_an_unreachable_table_as_503() {
    let api = TestApi::start_with(|config| config.table_name = "no-such-table".into()).await;
    let health = api.get("/v1/healthz", None).await;
    assert_eq!(health.status, 503);
    assert_eq!(health.body["checks"]["dynamodb"], "unreachable");
}

#[tokio::test]
async fn version_and_openapi_are_served() {
    let api = TestApi::start().await;
    let version = api.get("/v1/version", None).await;
    assert_eq!(version.status, 200);
    assert_eq!(version.body["version"], env!("CARGO_PKG_VERSION"));
    let openapi = api.get("/v1/openapi.json", None).await;
    assert_eq!(openapi.status, 200);
    assert_eq!(openapi.body["openapi"], "3.1.0");
}

#[tokio::test]
async fn a_handler_that_panics_answers_500_with_the_error_shape() {
    let api = TestApi::start().await;
    let request = lambda_http::Request::default();
    let response = tandem_api::edge::dispatch::respond(api.app.clone(), request, "panicking", |_, _| async {
        let answer: tandem_api::edge::dispatch::HandlerResult = Err(tandem_api::ApiError::NotFound);
        if answer.is_err() {
            panic!("a bug in a handler");
        }
        answer
    })
    .await;
    assert_eq!(response.status(), 500);
    let body: serde_json::Value = match response.body() {
        lambda_http::Body::Text(text) => serde_json::from_str(text).unwrap(),
        other => panic!("a text body, got {other:?}"),
    };
    assert_eq!(body["error"]["code"], "internal_error");
    assert!(!body.to_string().contains("a bug in a handler"), "the panic's message stays in the log");
}

/// Every route that takes a body refuses one that is not a JSON object (an array, a string,
/// a number) with 400 `invalid_body`, before reading anything from it.
#[tokio::test]
async fn every_route_with_a_body_refuses_a_body_that_is_not_an_object() {
    let api = TestApi::start().await;
    let admin = crate::moderation::admin(&api).await;
    let before = api.get("/v1/me/notifications", Some(&admin.access)).await.body;
    let document: serde_json::Value = serde_json::from_str(tandem_api::routes::system::openapi::DOCUMENT).unwrap();
    let id = tandem_domain::UserId::generate().to_string();
    let mut checked = 0;
    for (path, operations) in document["paths"].as_object().unwrap() {
        for (method, operation) in operations.as_object().unwrap() {
            if operation.get("requestBody").is_none() {
                continue;
            }
            let path = regex_lite::Regex::new(r"\{[^}]+\}").unwrap().replace_all(path, id.as_str()).into_owned();
            for body in ["[]", "[\"light_chat\"]", "\"text\"", "42", "true"] {
                let method = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
                let request = api
                    .http
                    .request(method.clone(), format!("{}{path}", api.base))
                    .bearer_auth(&admin.access)
                    .header("content-type", "application/json")
                    .body(body);
                let reply = api.send(request).await;
                assert_eq!(reply.status, 400, "{method} {path} {body}: {}", reply.body);
                assert_eq!(reply.body["error"]["code"], "invalid_body", "{method} {path} {body}: {}", reply.body);
            }
            checked += 1;
        }
    }
    assert!(checked >= 20, "only {checked} routes with a body: the document lost some");
    assert_eq!(api.get("/v1/me/notifications", Some(&admin.access)).await.body, before, "nothing changed");
}
