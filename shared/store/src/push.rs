//! Push notifications' state: device tokens (in the owner's partition, with a guard item
//! naming the one account that owns each token), preferences, the guard that makes a push
//! to one device happen once, the per-conversation gate that coalesces message pushes, and
//! pushes deferred by quiet hours (in a sparse due index the release job reads).

use aws_sdk_dynamodb::types::{Delete, TransactWriteItem, Update};
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::notifications::{NotificationPrefs, Platform, Push};
use tandem_domain::{ConversationId, MessageId, UserId};

use crate::error::conditional;
use crate::item::{key, n, s, with_key};
use crate::keys::{self, GSI1, GSI1_PK, GSI1_SK, PK, TTL};
use crate::retry::{Attempt, optimistically};
use crate::{Store, StoreError};

/// How long "pushed to this device" is remembered: longer than any redelivery.
/// Outlives every redelivery: the notification dead-letter queue keeps a record 14 days, and
/// a redrive from it must find each device's claim still taken.
const PUSH_GUARD_DAYS: i64 = 15;
/// A deferred push is dropped if nothing released it this long after it was due.
/// The message that opened a message-push window (its push is keyed on it).
const OPENED_BY: &str = "openedBy";

const DEFERRED_GRACE_DAYS: i64 = 2;
/// Attempts at registering a token that another request is moving at the same time.
const REGISTER_ATTEMPTS: usize = 3;

tandem_domain::named_enum! {
    pub enum TokenStatus {
        Active = "active",
        /// The platform said the endpoint is gone: never used again unless registered afresh.
        Disabled = "disabled",
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PushTokenRecord {
    pub token_id: String,
    pub user_id: UserId,
    pub platform: Platform,
    pub token: String,
    /// The SNS platform endpoint, created by the push worker on first use.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint_arn: Option<String>,
    pub status: TokenStatus,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenOwner {
    user_id: UserId,
}

/// The preferences item: the document under one attribute (its shape refuses unknown keys).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct PrefsItem {
    prefs: NotificationPrefs,
}

tandem_domain::named_enum! {
    pub enum DeferredStatus {
        Deferred = "deferred",
        Released = "released",
    }
}

/// A push waiting for the end of its recipient's quiet hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeferredPush {
    pub user_id: UserId,
    pub push: Push,
    pub due_at: DateTime<Utc>,
    pub status: DeferredStatus,
}

/// The id of a device token: the same token on the same platform always gets the same id.
pub fn token_id(platform: Platform, token: &str) -> String {
    keys::digest_id(&format!("{platform}:{token}"))
}

impl Store {
    /// Registers `token` for `user`: idempotent per token; a token another account held
    /// moves to `user` (a shared or resold phone); a disabled one becomes active again and
    /// forgets its endpoint, so the worker enables the endpoint afresh on first use. The
    /// record, and whether the token is new to `user`.
    pub async fn register_push_token(
        &self,
        user: &UserId,
        platform: Platform,
        token: &str,
        now: DateTime<Utc>,
    ) -> Result<(PushTokenRecord, bool), StoreError> {
        let id = token_id(platform, token);
        let id = &id;
        let registered = optimistically(REGISTER_ATTEMPTS, move || async move {
            let owner: Option<TokenOwner> = self
                .get_live(keys::push_token_owner(id), now.timestamp())
                .await?
                .map(serde_dynamo::from_item)
                .transpose()?;
            let previous = match &owner {
                Some(owner) => self.push_token(&owner.user_id, id, now).await?,
                None => None,
            };
            let kept = previous.as_ref().filter(|p| p.user_id == *user);
            let record = PushTokenRecord {
                token_id: id.clone(),
                user_id: user.clone(),
                platform,
                token: token.to_owned(),
                endpoint_arn: previous
                    .as_ref()
                    .filter(|p| p.status == TokenStatus::Active)
                    .and_then(|p| p.endpoint_arn.clone()),
                status: TokenStatus::Active,
                created_at: kept.map_or(now, |p| p.created_at),
                updated_at: now,
            };
            let mut actions = vec![self.claim_token_owner(id, user, owner.as_ref())?];
            actions.push(self.put(with_key(keys::push_token(user, id), &record)?)?);
            if let Some(other) = owner.as_ref().filter(|o| o.user_id != *user) {
                actions.push(delete_action(&self.table, keys::push_token(&other.user_id, id))?);
            }
            Ok::<_, StoreError>(if self.transact_unless_taken(actions).await? {
                Attempt::Done((record, kept.is_none()))
            } else {
                Attempt::Again
            })
        })
        .await?;
        registered.ok_or_else(|| StoreError::Malformed(format!("push token {id} kept changing owner")))
    }

    /// The guard update: `user` owns the token, if the owner is still who we read.
    fn claim_token_owner(
        &self,
        id: &str,
        user: &UserId,
        read: Option<&TokenOwner>,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::push_token_owner(id))))
            .update_expression("SET userId = :user")
            .expression_attribute_values(":user", s(user.as_str()));
        update = match read {
            Some(owner) => update
                .condition_expression("userId = :read")
                .expression_attribute_values(":read", s(owner.user_id.as_str())),
            None => update.condition_expression("attribute_not_exists(#pk)").expression_attribute_names("#pk", PK),
        };
        Ok(TransactWriteItem::builder().update(update.build().map_err(StoreError::build)?).build())
    }

    /// The account that owns a device token now, if any.
    pub async fn push_token_owner(&self, token_id: &str, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError> {
        let owner: Option<TokenOwner> = self
            .get_live(keys::push_token_owner(token_id), now.timestamp())
            .await?
            .map(serde_dynamo::from_item)
            .transpose()?;
        Ok(owner.map(|o| o.user_id))
    }

    pub async fn push_token(
        &self,
        user: &UserId,
        token_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<PushTokenRecord>, StoreError> {
        let item = self.get_live(keys::push_token(user, token_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Every token of `user`, active and disabled, oldest first.
    pub async fn push_tokens(&self, user: &UserId, now: DateTime<Utc>) -> Result<Vec<PushTokenRecord>, StoreError> {
        let partition = keys::user_partition(user);
        let lower = keys::PUSH_TOKENS.to_owned();
        let upper = format!("{}\u{10FFFF}", keys::PUSH_TOKENS);
        let items = self.query_between(&partition, (&lower, &upper), true, 100, now.timestamp()).await?;
        let mut tokens: Vec<PushTokenRecord> =
            items.into_iter().map(serde_dynamo::from_item).collect::<Result<_, _>>()?;
        tokens.sort_by_key(|t| t.created_at);
        Ok(tokens)
    }

    /// Removes one of `user`'s tokens; `false` when they have no such token.
    pub async fn delete_push_token(&self, user: &UserId, token_id: &str) -> Result<bool, StoreError> {
        let mine = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::push_token(user, token_id))))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .build()
            .map_err(StoreError::build)?;
        let owner = Delete::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::push_token_owner(token_id))))
            .condition_expression("userId = :user")
            .expression_attribute_values(":user", s(user.as_str()))
            .build()
            .map_err(StoreError::build)?;
        let actions =
            vec![TransactWriteItem::builder().delete(mine).build(), TransactWriteItem::builder().delete(owner).build()];
        self.transact_unless_taken(actions).await
    }

    /// Stores the endpoint created for an active token; `false` if it changed meanwhile.
    pub async fn set_push_endpoint(&self, user: &UserId, token_id: &str, arn: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::push_token(user, token_id))))
            .update_expression("SET endpointArn = :arn")
            .condition_expression("#status = :active")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":arn", s(arn))
            .expression_attribute_values(":active", s(TokenStatus::Active.as_str()))
            .send()
            .await;
        Ok(conditional("UpdateItem", result)?.is_some())
    }

    /// Disables a token the platform refused (at its endpoint `arn`, or when creating
    /// one), unless it was registered afresh since (a new registration forgets the endpoint).
    pub async fn disable_push_token(
        &self,
        user: &UserId,
        token_id: &str,
        arn: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let update = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::push_token(user, token_id))))
            .update_expression("SET #status = :disabled, updatedAt = :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_values(":disabled", s(TokenStatus::Disabled.as_str()))
            .expression_attribute_values(":now", s(now.to_rfc3339()));
        let update = match arn {
            Some(arn) => update.condition_expression("endpointArn = :arn").expression_attribute_values(":arn", s(arn)),
            None => update
                .condition_expression("attribute_exists(#pk) AND attribute_not_exists(endpointArn)")
                .expression_attribute_names("#pk", PK),
        };
        Ok(conditional("UpdateItem", update.send().await)?.is_some())
    }

    /// The user's notification preferences (the defaults until they set any).
    pub async fn notification_prefs(&self, user: &UserId, now: DateTime<Utc>) -> Result<NotificationPrefs, StoreError> {
        let item = self.get_live(keys::notification_prefs(user), now.timestamp()).await?;
        let stored: Option<PrefsItem> = item.map(serde_dynamo::from_item).transpose()?;
        Ok(stored.map(|s| s.prefs).unwrap_or_default())
    }

    pub async fn put_notification_prefs(&self, user: &UserId, prefs: &NotificationPrefs) -> Result<(), StoreError> {
        self.client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(with_key(keys::notification_prefs(user), &PrefsItem { prefs: *prefs })?))
            .send()
            .await
            .map_err(|e| StoreError::backend("PutItem", e))?;
        Ok(())
    }

    /// Claims "push `notification_id` to this device"; `false` when it was claimed before
    /// (a redelivered request).
    pub async fn claim_push(
        &self,
        notification_id: &str,
        token_id: &str,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let mut item = key(keys::push_guard(notification_id, token_id));
        item.insert(TTL.to_owned(), n((now + Duration::days(PUSH_GUARD_DAYS)).timestamp()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        Ok(conditional("PutItem", result)?.is_some())
    }

    /// Gives a claim back after a publish that failed and will be retried.
    pub async fn release_push_claim(&self, notification_id: &str, token_id: &str) -> Result<(), StoreError> {
        self.delete(keys::push_guard(notification_id, token_id)).await
    }

    /// Opens the recipient's message-push window for a conversation with `message_id`:
    /// `true` when this message pushes (no window was open, or this message opened the one
    /// that is: a redelivery), `false` while another message's window is open (coalesced).
    pub async fn open_message_push_window(
        &self,
        conversation_id: &ConversationId,
        recipient: &UserId,
        window: Duration,
        message_id: &MessageId,
        now: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let until = now + window;
        let gate = keys::message_push_gate(conversation_id, recipient);
        let mut item = key(gate.clone());
        item.insert("until".to_owned(), n(until.timestamp()));
        item.insert(OPENED_BY.to_owned(), s(message_id.as_str()));
        item.insert(TTL.to_owned(), n((until + Duration::days(1)).timestamp()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk) OR #until <= :now")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#until", "until")
            .expression_attribute_values(":now", n(now.timestamp()))
            .send()
            .await;
        if conditional("PutItem", result)?.is_some() {
            return Ok(true);
        }
        // Open: by this very message (a redelivery, which pushes under the same id and so
        // reaches only the devices not yet pushed), or by another (coalesced).
        let current = self.get_live(gate, now.timestamp()).await?;
        Ok(current.is_some_and(|item| item.get(OPENED_BY).and_then(|v| v.as_s().ok()) == Some(&message_id.to_string())))
    }

    /// Keeps `push` for `user` until `due`; `false` if it was deferred before.
    pub async fn defer_push(&self, user: &UserId, push: &Push, due: DateTime<Utc>) -> Result<bool, StoreError> {
        let record =
            DeferredPush { user_id: user.clone(), push: push.clone(), due_at: due, status: DeferredStatus::Deferred };
        let mut item = with_key(keys::deferred_push(user, &push.notification_id), &record)?;
        item.insert(GSI1_PK.to_owned(), s(keys::push_due_gsi1(user)));
        item.insert(GSI1_SK.to_owned(), s(keys::due_sort_key(due, &push.notification_id)));
        item.insert(TTL.to_owned(), n((due + Duration::days(DEFERRED_GRACE_DAYS)).timestamp()));
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .send()
            .await;
        Ok(conditional("PutItem", result)?.is_some())
    }

    /// Deferred pushes due at `now` in one shard of the due index.
    pub async fn due_pushes(&self, shard: u32, now: DateTime<Utc>) -> Result<Vec<DeferredPush>, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(GSI1)
            .key_condition_expression("#gpk = :partition AND #gsk <= :now")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .expression_attribute_values(":partition", s(keys::push_due_partition(shard)))
            .expression_attribute_values(":now", s(keys::due_sort_key(now, "~")));
        let items = self.query_all(query).await?;
        let live = items.into_iter().filter(|item| !crate::item::is_expired(item, now.timestamp()));
        live.map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }

    /// Marks a deferred push released (the change the notification pipe passes on) and
    /// takes it out of the due index; `false` if another run released it first.
    pub async fn release_push(&self, user: &UserId, notification_id: &str) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::deferred_push(user, notification_id))))
            .update_expression("SET #status = :released REMOVE #gpk, #gsk")
            .condition_expression("#status = :deferred")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .expression_attribute_values(":released", s(DeferredStatus::Released.as_str()))
            .expression_attribute_values(":deferred", s(DeferredStatus::Deferred.as_str()))
            .send()
            .await;
        Ok(conditional("UpdateItem", result)?.is_some())
    }

    pub async fn deferred_push(
        &self,
        user: &UserId,
        notification_id: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<DeferredPush>, StoreError> {
        let item = self.get_live(keys::deferred_push(user, notification_id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    pub async fn delete_deferred_push(&self, user: &UserId, notification_id: &str) -> Result<(), StoreError> {
        self.delete(keys::deferred_push(user, notification_id)).await
    }
}

fn delete_action(table: &str, key_pair: (String, String)) -> Result<TransactWriteItem, StoreError> {
    let delete = Delete::builder().table_name(table).set_key(Some(key(key_pair))).build().map_err(StoreError::build)?;
    Ok(TransactWriteItem::builder().delete(delete).build())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_ids_are_stable_and_per_platform() {
        assert_eq!(token_id(Platform::Ios, "abc12345"), token_id(Platform::Ios, "abc12345"));
        assert_ne!(token_id(Platform::Ios, "abc12345"), token_id(Platform::Android, "abc12345"));
        assert_eq!(token_id(Platform::Ios, "abc12345").len(), 32);
    }
}
