//! Presence: a heartbeat item with a short TTL; "online" means it has not expired.

use chrono::{DateTime, Duration, Utc};
use tandem_domain::UserId;
use tandem_domain::availability::PRESENCE_SECONDS;

use crate::item::{key, n};
use crate::keys;
use crate::{Store, StoreError};

impl Store {
    pub async fn heartbeat(&self, id: &UserId, now: DateTime<Utc>) -> Result<DateTime<Utc>, StoreError> {
        let until = now + Duration::seconds(PRESENCE_SECONDS);
        let mut item = key(keys::presence(id));
        item.insert("lastSeen".to_owned(), n(now.timestamp()));
        self.put_expiring(item, until).await?;
        Ok(until)
    }

    pub async fn is_online(&self, id: &UserId, now: DateTime<Utc>) -> Result<bool, StoreError> {
        Ok(self.get_live(keys::presence(id), now.timestamp()).await?.is_some())
    }
}
