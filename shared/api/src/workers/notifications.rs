//! `notification-worker`: what committed writes tell users (SQS ← pipe ← match inserts).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use tandem_store::stream::Change;

use crate::App;
use crate::services::notifications::match_created;

pub async fn handle(app: App, event: SqsEvent) -> SqsBatchResponse {
    super::each_change(event, |change| {
        let app = app.clone();
        async move {
            match change {
                Change::MatchCreated { match_id } => match_created(&app, &match_id, Utc::now()).await?,
                other => super::ignored("notification-worker", &other),
            }
            Ok(())
        }
    })
    .await
}
