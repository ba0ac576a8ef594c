//! `moderation-worker`: every stored message, scanned (SQS ← pipe ← message inserts).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use tandem_store::stream::Change;

use crate::App;
use crate::services::moderation::scan;

pub async fn handle(app: App, event: SqsEvent) -> SqsBatchResponse {
    super::each_change(event, |change| {
        let app = app.clone();
        async move {
            match change {
                Change::MessageStored { conversation_id, message_id } => {
                    let outcome = scan(&app, &conversation_id, &message_id, Utc::now()).await?;
                    tracing::info!(%message_id, outcome = ?outcome, "scanned");
                }
                other => super::ignored("moderation-worker", &other),
            }
            Ok(())
        }
    })
    .await
}
