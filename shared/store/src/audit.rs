//! The audit log of sensitive actions, kept for abuse investigation (no TTL).

use aws_sdk_dynamodb::types::TransactWriteItem;
use chrono::{DateTime, Utc};
use serde::Serialize;
use tandem_domain::UserId;

use crate::item::with_key;
use crate::keys;
use crate::{Store, StoreError};

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct AuditEntry<'a> {
    actor: &'a UserId,
    action: &'a str,
    resource: &'a str,
    at: DateTime<Utc>,
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
        self.put(with_key(keys::audit(actor, at), &AuditEntry { actor, action, resource, at })?)
    }
}
