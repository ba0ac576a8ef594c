//! Each sample event in events/ (what `sam local invoke` and `cargo lambda invoke` feed a
//! function) through its handler, against DynamoDB Local.

use tandem_api::config::OidcConfig;
use tandem_api::edge::dispatch::respond;
use tandem_api::edge::ws::respond_ws;
use tandem_api::jobs::scheduled_job;
use tandem_api::routes::http_function;
use tandem_api::routes::ws::ws_function;
use tandem_api::workers::queue_worker;
use tandem_tests::*;

#[tokio::test]
async fn every_sample_event_gets_a_documented_non_5xx_response() {
    // OIDC configured, as in production; the sample's placeholder token never reaches the JWKS.
    let api = TestApi::start_with(|config| {
        config.oidc = Some(OidcConfig {
            issuer: "https://id.example.test".into(),
            audience: "tandem-mobile".into(),
            jwks_url: "http://127.0.0.1:9/jwks.json".into(),
        })
    })
    .await;
    let dir = workspace_root().join("events");
    let mut seen = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        if let Some(job) = scheduled_job(&name) {
            let event: aws_lambda_events::eventbridge::EventBridgeEvent = serde_json::from_str(&text)
                .unwrap_or_else(|e| panic!("{name}: not an EventBridge scheduled event: {e}"));
            assert_eq!(event.detail_type, "Scheduled Event");
            let now = event.time.unwrap_or_else(chrono::Utc::now);
            let report =
                job.run_traced(api.app.clone(), now, "sample").await.unwrap_or_else(|e| panic!("{name}: {e:?}"));
            assert!(report.is_object(), "{name}: report {report}");
            seen += 1;
            continue;
        }
        if let Some(worker) = queue_worker(&name) {
            let event: aws_lambda_events::sqs::SqsEvent =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not an SQS event: {e}"));
            let response = worker.run_traced(api.app.clone(), event, "sample").await;
            // The sample names items that do not exist: nothing to do, and nothing failed.
            assert!(response.batch_item_failures.is_empty(), "{name}: {:?}", response.batch_item_failures);
            seen += 1;
            continue;
        }
        if let Some(function) = ws_function(&name) {
            let event: aws_lambda_events::apigw::ApiGatewayWebsocketProxyRequest =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: not a WebSocket event: {e}"));
            let response = respond_ws(api.app.clone(), event.into(), function.name, function.handler).await;
            assert!(response.status_code < 500, "{name}: {}", response.status_code);
            seen += 1;
            continue;
        }
        let function = http_function(&name).unwrap_or_else(|| panic!("events/{name}.json names no function"));
        let raw: serde_json::Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}"));
        let request =
            lambda_http::request::from_str(&text).unwrap_or_else(|e| panic!("{name}: not an API Gateway event: {e}"));
        let (method, path) = (request.method().to_string(), request.uri().path().to_owned());
        let sent: Option<serde_json::Value> = raw["body"].as_str().and_then(|b| serde_json::from_str(b).ok());
        let response = respond(api.app.clone(), request, function.name, function.handler).await;
        let status = response.status().as_u16();
        assert!(status < 500, "{name}: {status}");
        let body = response.body().as_ref();
        if status == 204 {
            assert!(body.is_empty(), "{name}: 204 with a body");
        } else {
            let json: serde_json::Value =
                serde_json::from_slice(body).unwrap_or_else(|_| panic!("{name}: body is not JSON"));
            // The sample's answer is a documented one, in the documented shape.
            contract::check_http(&method, &path, sent.as_ref(), status, &json);
            if status >= 400 {
                let error = &json["error"];
                for field in ["code", "message", "requestId"] {
                    assert!(error[field].is_string(), "{name}: error.{field} missing in {json}");
                }
            }
        }
        seen += 1;
    }
    assert!(seen >= 36, "only {seen} events");
}
