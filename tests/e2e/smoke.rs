//! The deployer's smoke check (`tandem-ops smoke`), run here against the local stack on
//! loopback: the same client code a deployer points at the deployed stack's outputs.

use tandem_ops::smoke::{Endpoints, run};
use tandem_tests::TestApi;

#[tokio::test]
async fn the_smoke_check_passes_against_a_running_stack() {
    let api = TestApi::start().await;
    let endpoints =
        Endpoints { api: api.base.clone(), websocket: format!("{}/ws", api.base.replacen("http://", "ws://", 1)) };
    let steps = run(&endpoints).await.unwrap_or_else(|e| panic!("smoke check: {e}"));
    let names: Vec<&str> = steps.iter().map(|s| s.name).collect();
    assert_eq!(names.len(), 6, "{names:?}");
    assert!(names.iter().any(|n| n.starts_with("WebSocket")), "{names:?}");
}

#[tokio::test]
async fn the_smoke_check_names_the_step_that_fails() {
    let api = TestApi::start().await;
    // A WebSocket address where nothing listens: every HTTP step passes, the socket fails.
    let endpoints = Endpoints { api: api.base.clone(), websocket: "ws://127.0.0.1:9/ws".into() };
    let error = run(&endpoints).await.expect_err("no WebSocket API there");
    assert_eq!(error.step, "WebSocket", "{error}");
}
