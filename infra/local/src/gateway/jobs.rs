//! EventBridge schedules, locally: each scheduled function of the template runs on its
//! rate, and `POST /_local/jobs/{function}` runs one at once (development and tests).

use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use tandem_api::jobs::scheduled_job;
use tandem_api::{ApiError, App};

use crate::template::Template;

/// Starts a timer task per schedule; they stop with the runtime.
pub fn start_schedules(app: App) -> Result<(), crate::template::TemplateError> {
    for schedule in Template::load()?.schedules()? {
        let Some(job) = scheduled_job(&schedule.function) else {
            tracing::warn!(function = %schedule.function, "scheduled function has no job runner");
            continue;
        };
        let app = app.clone();
        tokio::spawn(async move {
            let period = Duration::from_secs(schedule.every_seconds);
            let mut timer = tokio::time::interval_at(tokio::time::Instant::now() + period, period);
            loop {
                timer.tick().await;
                if let Err(error) = (job.run)(app.clone()).await {
                    tracing::error!(job = job.name, error = ?error, "scheduled run failed");
                }
            }
        });
    }
    Ok(())
}

pub(super) async fn run_now(State(app): State<App>, Path(function): Path<String>) -> Response {
    let request_id = uuid::Uuid::new_v4().to_string();
    let Some(job) = scheduled_job(&function) else {
        return super::error_response(
            ApiError::RouteNotFound { method: "POST".into(), path: format!("/_local/jobs/{function}") },
            &request_id,
        );
    };
    match (job.run)(app).await {
        Ok(report) => axum::Json(report).into_response(),
        Err(error) => super::error_response(error, &request_id),
    }
}
