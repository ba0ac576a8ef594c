//! Failed-login counters in fixed windows, per email and per client address (the policy
//! is in the domain crate).

use aws_sdk_dynamodb::types::ReturnValue;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::Email;

use crate::item::{key, n, with_key};
use crate::keys::{self, PK};
use crate::{Store, StoreError};

/// Failures counted in the current window, which ends at `window_ends` (epoch seconds).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ThrottleState {
    pub failures: u32,
    pub window_ends: i64,
}

/// Whose failures are counted: one email address, or one client address (any email).
#[derive(Debug, Clone, Copy)]
pub enum ThrottleSubject<'a> {
    Email(&'a Email),
    Client(&'a str),
}

impl ThrottleSubject<'_> {
    fn key(&self) -> (String, String) {
        match self {
            Self::Email(email) => keys::login_throttle(email),
            Self::Client(source_ip) => keys::login_client_throttle(source_ip),
        }
    }
}

impl Store {
    pub async fn login_throttle(
        &self,
        subject: ThrottleSubject<'_>,
        now: DateTime<Utc>,
    ) -> Result<Option<ThrottleState>, StoreError> {
        let item = self.get_live(subject.key(), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Counts one failure: in the open window if there is one, else in a new window.
    pub async fn record_login_failure(
        &self,
        subject: ThrottleSubject<'_>,
        window_seconds: i64,
        now: DateTime<Utc>,
    ) -> Result<ThrottleState, StoreError> {
        let counted = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(subject.key())))
            .update_expression("ADD failures :one")
            .condition_expression("attribute_exists(#pk) AND windowEnds > :now")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":now", n(now.timestamp()))
            .return_values(ReturnValue::AllNew)
            .send()
            .await;
        match counted {
            Ok(output) => {
                let item =
                    output.attributes.ok_or_else(|| StoreError::Malformed("UpdateItem returned no item".into()))?;
                Ok(serde_dynamo::from_item(item)?)
            }
            Err(error) if error.as_service_error().is_some_and(|e| e.is_conditional_check_failed_exception()) => {
                let window_ends = now.timestamp() + window_seconds;
                let fresh = ThrottleState { failures: 1, window_ends };
                let expires = DateTime::from_timestamp(window_ends, 0).unwrap_or(now);
                self.put_expiring(with_key(subject.key(), &fresh)?, expires).await?;
                Ok(fresh)
            }
            Err(error) => Err(StoreError::backend("UpdateItem", error)),
        }
    }

    /// A successful sign-in clears the email's failures (never the client's: a sprayer
    /// who guesses one account right must not reset their count).
    pub async fn clear_login_failures(&self, email: &Email) -> Result<(), StoreError> {
        self.delete(keys::login_throttle(email)).await
    }
}
