//! The prompt catalogue (`PROMPTS` partition, `PROMPT#<id>`) and users' daily-prompt
//! answers (`ANSWER#<local day>` in the user's partition, deleted after 30 days). Every
//! catalogue change is one transaction with its audit entry.

use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use tandem_domain::prompts::{ANSWER_RETENTION_DAYS, Prompt, PromptAnswer};
use tandem_domain::{PromptId, UserId};

use crate::item::with_key;
use crate::keys::{self, PK};
use crate::{AuditEntry, Store, StoreError};

impl Store {
    /// The whole catalogue, retired prompts included.
    pub async fn prompts(&self, now: DateTime<Utc>) -> Result<Vec<Prompt>, StoreError> {
        self.query_prefix_as(keys::PROMPT_CATALOGUE, keys::PROMPTS, now).await
    }

    pub async fn prompt(&self, prompt_id: &PromptId, now: DateTime<Utc>) -> Result<Option<Prompt>, StoreError> {
        self.get_as(keys::prompt(prompt_id), now).await
    }

    /// Adds a prompt, audited as `admin`'s.
    pub async fn create_prompt(&self, prompt: &Prompt, admin: &UserId) -> Result<(), StoreError> {
        let put = self.put_if_absent(with_key(keys::prompt(&prompt.prompt_id), prompt)?)?;
        self.transact("TransactWriteItems", vec![put, self.prompt_audit(prompt, admin, "prompt_created")?]).await
    }

    /// Replaces a prompt that exists, audited; `false` if there is none.
    pub async fn update_prompt(&self, prompt: &Prompt, admin: &UserId) -> Result<bool, StoreError> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(with_key(keys::prompt(&prompt.prompt_id), prompt)?))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(StoreError::build)?;
        let actions =
            vec![TransactWriteItem::builder().put(put).build(), self.prompt_audit(prompt, admin, "prompt_updated")?];
        self.transact_unless_taken(actions).await
    }

    fn prompt_audit(&self, prompt: &Prompt, admin: &UserId, action: &str) -> Result<TransactWriteItem, StoreError> {
        self.audit_entry(&AuditEntry {
            actor: admin.clone(),
            action: action.to_owned(),
            resource: format!("prompt:{}", prompt.prompt_id),
            subject: None,
            metadata: serde_json::json!({ "kind": prompt.kind, "active": prompt.active }),
            at: prompt.updated_at,
        })
    }

    /// Stores the user's answer for its day, replacing an earlier one of that day.
    pub async fn put_prompt_answer(&self, answer: &PromptAnswer) -> Result<(), StoreError> {
        let item = with_key(keys::prompt_answer(&answer.user_id, answer.day), answer)?;
        self.put_expiring(item, answer.answered_at + Duration::days(ANSWER_RETENTION_DAYS)).await
    }

    pub async fn prompt_answer(
        &self,
        user: &UserId,
        day: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Option<PromptAnswer>, StoreError> {
        self.get_as(keys::prompt_answer(user, day), now).await
    }

    /// The user's answers for `since` and later days, newest first.
    pub async fn prompt_answers_since(
        &self,
        user: &UserId,
        since: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<PromptAnswer>, StoreError> {
        // The bounds are exclusive and no key has them: just after the day before `since`,
        // and after every day.
        let before = since.pred_opt().unwrap_or(since);
        let lower = format!("{}{before}~", keys::PROMPT_ANSWERS);
        let upper = format!("{}~", keys::PROMPT_ANSWERS);
        let retained = ANSWER_RETENTION_DAYS as i32 + 1;
        let items =
            self.query_between(&keys::user_partition(user), (&lower, &upper), false, retained, now.timestamp()).await?;
        items.into_iter().map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }
}
