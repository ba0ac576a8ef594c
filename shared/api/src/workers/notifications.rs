//! `notification-worker`: what committed writes tell users, as server events and pushes
//! (SQS ← pipe ← match, notice, reminder, badge, block, decision-gate and reveal inserts, messages scanned clean,
//! conversations' last hour and end, pushes released after quiet hours). What follows a
//! conversation's end and a block is done here, from the committed change.

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use tandem_store::stream::Change;

use crate::App;
use crate::services::notifications::{
    badge_earned, conversation_changed, match_created, message_scanned, notice_issued, push_released, reminder_sent,
};
use crate::services::reveal::{gate_opened, revealed};
use crate::services::safety::block_committed;

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
                Change::ConversationChanged { conversation_id } => {
                    conversation_changed(&app, &conversation_id, now).await?
                }
                Change::ReminderSent { conversation_id, user_id } => {
                    reminder_sent(&app, &conversation_id, &user_id, now).await?
                }
                Change::GateOpened { conversation_id, gate } => gate_opened(&app, &conversation_id, gate, now).await?,
                Change::Revealed { conversation_id } => revealed(&app, &conversation_id, now).await?,
                Change::BadgeEarned { user_id, badge } => badge_earned(&app, &user_id, badge, now).await?,
                Change::Blocked { owner, other } => block_committed(&app, &owner, &other, now).await?,
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
