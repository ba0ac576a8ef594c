//! Analytics events: append-only, anonymous, filed in the purge index at 90 days. Each
//! event's id is a hash of what it is about (kind and a source id that is not stored), so
//! a retried write records nothing twice and nothing joins back to a user.

use aws_sdk_dynamodb::types::TransactWriteItem;
use tandem_domain::analytics::AnalyticsEvent;
use tandem_domain::privacy::analytics_deadline;

use crate::error::conditional;
use crate::item::{Item, with_key};
use crate::keys::{self, PK};
use crate::{Store, StoreError};

/// A stable, one-way id for the event about `source` (a match, report, conversation or
/// availability key): the source cannot be read back from it.
fn event_id(event: &AnalyticsEvent, source: &str) -> String {
    keys::digest_id(&format!("{}:{source}", event.kind))
}

fn event_item(event: &AnalyticsEvent, source: &str) -> Result<Item, StoreError> {
    let mut item = with_key(keys::analytics_event(event.at, &event_id(event, source)), event)?;
    crate::retention::purge_at(&mut item, analytics_deadline(event.at));
    Ok(item)
}

impl Store {
    /// The transaction action recording `event` once per `source`.
    pub(crate) fn analytics_put(&self, event: &AnalyticsEvent, source: &str) -> Result<TransactWriteItem, StoreError> {
        self.put(event_item(event, source)?)
    }

    /// Records `event` once per `source` (a repeat changes nothing).
    pub async fn record_analytics(&self, event: &AnalyticsEvent, source: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(event_item(event, source)?))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        conditional("PutItem", result).map(|_| ())
    }
}
