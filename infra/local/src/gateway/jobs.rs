//! EventBridge schedules, locally: each scheduled function of the template runs on its
//! rate, and `POST /_local/jobs/{function}` runs one at once (development and tests), both
//! at the gateway clock's time.

use std::time::Duration;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use std::sync::Arc;
use tandem_api::jobs::scheduled_job;

use tandem_api::ApiError;

use super::Gateway;
use super::clock::Clock;
use crate::functions::FunctionApps;
use crate::template::Template;

/// Starts a timer task per schedule; they stop with the runtime.
pub fn start_schedules(functions: Arc<FunctionApps>, clock: Clock) -> Result<(), crate::template::TemplateError> {
    for schedule in Template::load()?.schedules()? {
        let Some(job) = scheduled_job(&schedule.function) else {
            tracing::warn!(function = %schedule.function, "scheduled function has no job runner");
            continue;
        };
        let (app, clock) = (functions.app(&schedule.function), clock.clone());
        tokio::spawn(async move {
            let period = Duration::from_secs(schedule.every_seconds);
            let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                timer.tick().await;
                // The outcome is logged by the job runner itself.
                let request_id = uuid::Uuid::new_v4().to_string();
                let _ = job.run_traced(app.clone(), clock.now(), &request_id).await;
            }
        });
    }
    Ok(())
}

pub(super) async fn run_now(State(gateway): State<Gateway>, Path(function): Path<String>) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let Some(job) = scheduled_job(&function) else {
        let error = ApiError::RouteNotFound { method: "POST".into(), path: format!("/_local/jobs/{function}") };
        return super::error_response(error, &request_id);
    };
    match job.run_traced(gateway.functions.app(&function), gateway.clock.now(), &request_id).await {
        Ok(report) => Json(report).into_response(),
        Err(error) => super::error_response(error, &request_id),
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Advance {
    advance_seconds: i64,
}

pub(super) async fn advance_clock(State(gateway): State<Gateway>, Json(advance): Json<Advance>) -> Response {
    let now = gateway.clock.advance(advance.advance_seconds);
    Json(serde_json::json!({ "now": now })).into_response()
}
