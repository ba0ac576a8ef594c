//! `notification-worker`: what committed writes tell users, as server events and pushes
//! (SQS ← pipe ← match and notice inserts, messages scanned clean, conversations' last
//! hour, pushes released after quiet hours).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use tandem_store::stream::Change;

use crate::App;
use crate::services::notifications::{
    conversation_expiring, match_created, message_scanned, notice_issued, push_released,
};

pub async fn handle(app: App, event: SqsEvent) -> SqsBatchResponse {
    super::each_change(event, |change| {
        let app = app.clone();
        async move {
            let now = Utc::now();
            match change {
                Change::MatchCreated { match_id } => match_created(&app, &match_id, now).await?,
                Change::NoticeIssued { user_id, notice_id } => notice_issued(&app, &user_id, &notice_id, now).await?,
                Change::MessageScanned { conversation_id, message_id } => {
                    message_scanned(&app, &conversation_id, &message_id, now).await?
                }
                Change::ConversationExpiring { conversation_id } => {
                    conversation_expiring(&app, &conversation_id, now).await?
                }
                Change::PushReleased { user_id, notification_id } => {
                    push_released(&app, &user_id, &notification_id, now).await?
                }
                other => super::ignored("notification-worker", &other),
            }
            Ok(())
        }
    })
    .await
}
