//! Refresh-token sessions: each login starts a family; every refresh rotates the token;
//! presenting a used token revokes the whole family (reuse detection).

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::UserId;

use crate::error::conditional;
use crate::item::{key, n, with_key};
use crate::keys::{self, PK};
use crate::{Store, StoreError};

/// A refresh token to store: only its hash is kept.
#[derive(Debug, Clone)]
pub struct SessionStart {
    pub user_id: UserId,
    pub family_id: String,
    pub token_hash: String,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefreshOutcome {
    Rotated {
        user_id: UserId,
        family_id: String,
    },
    /// Unknown, expired or revoked token.
    Invalid,
    /// The token had already been used: the family is now revoked.
    ReuseDetected {
        user_id: UserId,
    },
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct RefreshTokenItem {
    user_id: UserId,
    family_id: String,
    ttl: i64,
    /// The user's tokens, listed through GSI1 (erasure deletes them all).
    gsi1pk: String,
    gsi1sk: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    used_at: Option<i64>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SessionItem {
    user_id: UserId,
    revoked: bool,
    created_at: DateTime<Utc>,
    ttl: i64,
    gsi1pk: String,
    gsi1sk: String,
}

impl Store {
    pub async fn start_session(&self, start: &SessionStart, now: DateTime<Utc>) -> Result<(), StoreError> {
        let session = SessionItem {
            user_id: start.user_id.clone(),
            revoked: false,
            created_at: now,
            ttl: start.expires_at.timestamp(),
            gsi1pk: keys::user_sessions_gsi1(&start.user_id),
            gsi1sk: format!("{}#{}", now.to_rfc3339(), start.family_id),
        };
        let actions = vec![
            self.put_if_absent(with_key(keys::session(&start.family_id), &session)?)?,
            self.put_if_absent(with_key(keys::refresh_token(&start.token_hash), &token_item(start))?)?,
        ];
        self.transact("TransactWriteItems", actions).await
    }

    /// Marks the presented token used and stores its successor in the same family, atomically.
    pub async fn rotate_refresh_token(
        &self,
        presented_hash: &str,
        next_hash: &str,
        next_expires_at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<RefreshOutcome, StoreError> {
        let Some(item) = self.get_live(keys::refresh_token(presented_hash), now.timestamp()).await? else {
            return Ok(RefreshOutcome::Invalid);
        };
        let presented: RefreshTokenItem = serde_dynamo::from_item(item)?;
        if presented.used_at.is_some() {
            self.revoke_session(&presented.family_id).await?;
            return Ok(RefreshOutcome::ReuseDetected { user_id: presented.user_id });
        }
        let next = SessionStart {
            user_id: presented.user_id.clone(),
            family_id: presented.family_id.clone(),
            token_hash: next_hash.to_owned(),
            expires_at: next_expires_at,
        };
        let mark_used = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::refresh_token(presented_hash))))
            .update_expression("SET usedAt = :now")
            .condition_expression("attribute_exists(#pk) AND attribute_not_exists(usedAt)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(StoreError::build)?;
        let extend_session = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::session(&presented.family_id))))
            .update_expression("SET #ttl = :ttl, lastUsedAt = :usedAt")
            .condition_expression("attribute_exists(#pk) AND revoked = :false")
            .expression_attribute_values(":usedAt", serde_dynamo::to_attribute_value(now)?)
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#ttl", keys::TTL)
            .expression_attribute_values(":ttl", n(next_expires_at.timestamp()))
            .expression_attribute_values(":false", AttributeValue::Bool(false))
            .build()
            .map_err(StoreError::build)?;
        let actions = vec![
            TransactWriteItem::builder().update(mark_used).build(),
            TransactWriteItem::builder().update(extend_session).build(),
            self.put_if_absent(with_key(keys::refresh_token(next_hash), &token_item(&next))?)?,
        ];
        let Some(failed) = self.transact_or_conditions(actions).await? else {
            return Ok(RefreshOutcome::Rotated { user_id: presented.user_id, family_id: presented.family_id });
        };
        match failed.as_slice() {
            // Another request used the token between our read and write: a replay.
            [true, ..] => {
                self.revoke_session(&presented.family_id).await?;
                Ok(RefreshOutcome::ReuseDetected { user_id: presented.user_id })
            }
            [_, true, ..] => Ok(RefreshOutcome::Invalid),
            _ => Err(StoreError::Backend {
                operation: "TransactWriteItems",
                message: format!("rotating a refresh token: an unexpected condition failed: {failed:?}"),
            }),
        }
    }

    /// Whether the session family is live and not revoked.
    pub async fn session_is_active(&self, family_id: &str, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let item = self.get_live(keys::session(family_id), now.timestamp()).await?;
        let session: Option<SessionItem> = item.map(serde_dynamo::from_item).transpose()?;
        Ok(session.is_some_and(|session| !session.revoked))
    }

    /// Revokes the family of the presented token (logout). Unknown tokens are ignored so
    /// logout stays idempotent. Returns the owner when the token was known.
    pub async fn end_session(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<UserId>, StoreError> {
        let Some(item) = self.get_live(keys::refresh_token(token_hash), now.timestamp()).await? else {
            return Ok(None);
        };
        let token: RefreshTokenItem = serde_dynamo::from_item(item)?;
        self.revoke_session(&token.family_id).await?;
        Ok(Some(token.user_id))
    }

    /// Revokes every session family of `user` (a ban); returns how many there were.
    pub async fn revoke_all_sessions(&self, user: &UserId) -> Result<usize, StoreError> {
        let query = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(crate::keys::GSI1)
            .key_condition_expression("#gpk = :user")
            .expression_attribute_names("#gpk", crate::keys::GSI1_PK)
            .expression_attribute_values(":user", crate::item::s(keys::user_sessions_gsi1(user)));
        let families: Vec<String> = self
            .query_all(query)
            .await?
            .iter()
            .filter_map(|item| item.get(PK)?.as_s().ok()?.strip_prefix("SESSION#").map(str::to_owned))
            .collect();
        for family in &families {
            self.revoke_session(family).await?;
        }
        Ok(families.len())
    }

    async fn revoke_session(&self, family_id: &str) -> Result<(), StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::session(family_id))))
            .update_expression("SET revoked = :true")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":true", AttributeValue::Bool(true))
            .send()
            .await;
        conditional("UpdateItem", result).map(|_| ())
    }
}

fn token_item(start: &SessionStart) -> RefreshTokenItem {
    RefreshTokenItem {
        user_id: start.user_id.clone(),
        family_id: start.family_id.clone(),
        ttl: start.expires_at.timestamp(),
        gsi1pk: keys::user_tokens_gsi1(&start.user_id),
        gsi1sk: start.token_hash.clone(),
        used_at: None,
    }
}
