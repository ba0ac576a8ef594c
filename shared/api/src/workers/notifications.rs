//! `notification-worker`: what committed writes tell users (SQS ← pipe ← match and
//! notice inserts).

use aws_lambda_events::sqs::{SqsBatchResponse, SqsEvent};
use chrono::Utc;
use tandem_store::stream::Change;

use crate::App;
use crate::services::notifications::{match_created, notice_issued};

pub async fn handle(app: App, event: SqsEvent) -> SqsBatchResponse {
    super::each_change(event, |change| {
        let app = app.clone();
        async move {
            match change {
                Change::MatchCreated { match_id } => match_created(&app, &match_id, Utc::now()).await?,
                Change::NoticeIssued { user_id, notice_id } => {
                    notice_issued(&app, &user_id, &notice_id, Utc::now()).await?
                }
                other => super::ignored("notification-worker", &other),
            }
            Ok(())
        }
    })
    .await
}
