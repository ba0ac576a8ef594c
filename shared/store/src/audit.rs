//! The audit log of sensitive actions, kept for abuse investigation (no TTL): by actor (the
//! item's partition) and, when the action concerns a user, by subject (GSI1), so an admin
//! sees every earlier action on a user.

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tandem_domain::UserId;

use crate::item::{s, with_key};
use crate::keys::{self, GSI1, GSI1_PK, GSI1_SK};
use crate::{Store, StoreError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub actor: UserId,
    pub action: String,
    /// `kind:id` of what was acted on (`user:…`, `conversation:…`, `report:…`).
    pub resource: String,
    /// The user the action concerns, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<UserId>,
    #[serde(default, skip_serializing_if = "Value::is_null")]
    pub metadata: Value,
    pub at: DateTime<Utc>,
}

impl Store {
    /// A transaction action recording `actor` doing `action` on `resource`, so the entry
    /// exists exactly when the action does.
    pub(crate) fn audit_action(
        &self,
        actor: &UserId,
        action: &str,
        resource: &str,
        at: DateTime<Utc>,
    ) -> Result<TransactWriteItem, StoreError> {
        self.audit_entry(&AuditEntry {
            actor: actor.clone(),
            action: action.to_owned(),
            resource: resource.to_owned(),
            subject: None,
            metadata: Value::Null,
            at,
        })
    }

    /// The transaction action writing `entry` (indexed by subject when it has one).
    pub(crate) fn audit_entry(&self, entry: &AuditEntry) -> Result<TransactWriteItem, StoreError> {
        let key = keys::audit(&entry.actor, entry.at);
        let sort_key = key.1.clone();
        let mut item = with_key(key, entry)?;
        if let Some(subject) = &entry.subject {
            item.insert(GSI1_PK.to_owned(), s(keys::audit_subject_gsi1(subject)));
            item.insert(GSI1_SK.to_owned(), s(sort_key));
        }
        self.put(item)
    }

    /// Actions concerning `subject`, newest first.
    pub async fn audit_entries_about(&self, subject: &UserId, limit: i32) -> Result<Vec<AuditEntry>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("#gpk = :subject")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_values(":subject", s(keys::audit_subject_gsi1(subject)))
            .scan_index_forward(false)
            .limit(limit)
            .send()
            .await
            .map_err(|e| StoreError::backend("Query", e))?;
        output.items().iter().map(|item| Ok(serde_dynamo::from_item(item.clone())?)).collect()
    }
}
