//! `moderation-worker`: every stored message, scanned (SQS ← pipe ← message inserts); then
//! the conversation's decision gate open by now announced, once.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use tandem_store::stream::Change;

use crate::App;
use crate::services::moderation::scan;
use crate::services::reveal::announce_open_gate;

pub async fn handle(app: App, event: SqsEvent) -> SqsBatchResponse {
    super::each_change(event, |change| {
        let app = app.clone();
        async move {
            match change {
                Change::MessageStored { conversation_id, message_id } => {
                    let now = Utc::now();
                    let scanned = scan(&app, &conversation_id, &message_id, now).await?;
                    tracing::info!(%message_id, outcome = ?scanned.outcome, "scanned");
                    if let Some(conversation) = &scanned.conversation {
                        announce_open_gate(&app, conversation, now).await?;
                    }
                }
                other => super::ignored("moderation-worker", &other),
            }
            Ok(())
        }
    })
    .await
}
