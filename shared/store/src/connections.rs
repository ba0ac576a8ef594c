//! WebSocket connections: one item per connection (a user may have several devices),
//! listed per user through GSI1; short TTL as a backstop for missed disconnects.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::UserId;

use crate::item::{s, with_key};
use crate::keys::{self, GSI1, GSI1_PK, GSI1_SK};
use crate::{Store, StoreError};

/// API Gateway closes connections after 2 h; the record outlives that a little.
pub const CONNECTION_TTL: Duration = Duration::hours(3);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConnectionRecord {
    pub connection_id: String,
    pub user_id: UserId,
    pub connected_at: DateTime<Utc>,
}

impl Store {
    pub async fn add_connection(&self, record: &ConnectionRecord) -> Result<(), StoreError> {
        let mut item = with_key(keys::connection(&record.connection_id), record)?;
        item.insert(GSI1_PK.to_owned(), s(keys::user_connections_gsi1(&record.user_id)));
        item.insert(GSI1_SK.to_owned(), s(&record.connection_id));
        crate::retention::purge_at(&mut item, record.connected_at + CONNECTION_TTL);
        self.put_item(item).await
    }

    pub async fn remove_connection(&self, connection_id: &str) -> Result<(), StoreError> {
        self.delete(keys::connection(connection_id)).await
    }

    pub async fn connection(
        &self,
        connection_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<ConnectionRecord>, StoreError> {
        let item = self.get_live(keys::connection(connection_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// The user's open connections (GSI1: eventually consistent, a connection made a
    /// moment ago may be missing; a stale one is removed on 410 Gone).
    pub async fn connections_of(&self, user: &UserId, now: DateTime<Utc>) -> Result<Vec<ConnectionRecord>, StoreError> {
        let output = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("#gpk = :user")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_values(":user", s(keys::user_connections_gsi1(user)))
            .send()
            .await
            .map_err(|e| StoreError::backend("Query", e))?;
        output
            .items()
            .iter()
            .filter(|item| !crate::item::is_expired(item, now.timestamp()))
            .map(|item| Ok(serde_dynamo::from_item(item.clone())?))
            .collect()
    }
}
