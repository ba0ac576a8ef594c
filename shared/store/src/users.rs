//! Accounts: user items, the email-uniqueness claim, linked OIDC identities.

use aws_sdk_dynamodb::operation::update_item::UpdateItemError;
use aws_sdk_dynamodb::types::{AttributeValue, ReturnValue};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::intent::IntentChoice;
use tandem_domain::{Email, ProfileUpdate, User, UserId};

use crate::item::{key, s, with_key};
use crate::keys::{self, PK};
use crate::{Store, StoreError};

/// A new account and the claims that make it unique.
#[derive(Debug, Clone)]
pub struct NewAccount {
    pub user: User,
    /// argon2id PHC string; `None` for accounts created through OIDC.
    pub password_hash: Option<String>,
    /// `(issuer, subject)` of the OIDC identity the account is created from.
    pub oidc_identity: Option<(String, String)>,
}

/// The item that reserves an email address and holds the credentials behind it.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailClaim {
    pub user_id: UserId,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
}

#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct OidcIdentity {
    user_id: UserId,
}

/// The same identity from the account's side (its export and erasure read it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OidcLink {
    pub issuer: String,
    pub subject: String,
}

impl Store {
    /// Writes the user and its uniqueness claims in one transaction; a second account
    /// for the same email (however concurrent) fails with `EmailTaken`.
    pub async fn create_account(&self, account: &NewAccount) -> Result<(), StoreError> {
        let user = &account.user;
        let claim = EmailClaim { user_id: user.id.clone(), password_hash: account.password_hash.clone() };
        let mut puts = vec![with_key(keys::user(&user.id), user)?, with_key(keys::email(&user.email), &claim)?];
        if let Some((issuer, subject)) = &account.oidc_identity {
            puts.push(with_key(keys::oidc_identity(issuer, subject), &OidcIdentity { user_id: user.id.clone() })?);
            let link = OidcLink { issuer: issuer.clone(), subject: subject.clone() };
            puts.push(with_key(keys::oidc_link(&user.id, issuer, subject), &link)?);
        }
        let actions = puts.into_iter().map(|item| self.put_if_absent(item)).collect::<Result<Vec<_>, _>>()?;
        match self.transact_or_conditions(actions).await? {
            None => Ok(()),
            // Any claim already taken (email, or the OIDC identity raced by a parallel first
            // sign-in) means the account exists.
            Some(_) => Err(StoreError::EmailTaken),
        }
    }

    pub async fn email_claim(&self, email: &Email, now: DateTime<Utc>) -> Result<Option<EmailClaim>, StoreError> {
        let item = self.get_live(keys::email(email), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    pub async fn user(&self, id: &UserId, now: DateTime<Utc>) -> Result<Option<User>, StoreError> {
        let item = self.get_live(keys::user(id), now.timestamp()).await?;
        Ok(item.map(serde_dynamo::from_item).transpose()?)
    }

    /// Many users at once (BatchGetItem), in the order given; missing ones are `None`.
    pub async fn users(&self, ids: &[UserId], now: DateTime<Utc>) -> Result<Vec<Option<User>>, StoreError> {
        self.batch_get_as(ids.iter().map(keys::user).collect(), now).await
    }

    pub async fn oidc_user_id(
        &self,
        issuer: &str,
        subject: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<UserId>, StoreError> {
        let item = self.get_live(keys::oidc_identity(issuer, subject), now.timestamp()).await?;
        let identity: Option<OidcIdentity> = item.map(serde_dynamo::from_item).transpose()?;
        Ok(identity.map(|identity| identity.user_id))
    }

    /// Replaces the profile (and timezone/locale when given); returns the updated user.
    pub async fn update_profile(&self, id: &UserId, update: &ProfileUpdate) -> Result<User, StoreError> {
        let mut expression = String::from("SET #profile = :profile");
        let mut request = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(id))))
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#profile", "profile")
            .expression_attribute_values(":profile", serde_dynamo::to_attribute_value(&update.profile)?)
            .return_values(ReturnValue::AllNew);
        if let Some(timezone) = &update.timezone {
            expression.push_str(", #timezone = :timezone");
            request = request
                .expression_attribute_names("#timezone", "timezone")
                .expression_attribute_values(":timezone", s(timezone));
        }
        if let Some(locale) = &update.locale {
            expression.push_str(", #locale = :locale");
            request = request
                .expression_attribute_names("#locale", "locale")
                .expression_attribute_values(":locale", s(locale));
        }
        let output = request.update_expression(expression).send().await.map_err(missing_or_failed)?;
        let attributes =
            output.attributes.ok_or_else(|| StoreError::Malformed("UpdateItem returned no item".into()))?;
        Ok(serde_dynamo::from_item(attributes)?)
    }

    /// Sets the user's weekly intent (replacing any earlier one); `NotFound` if the account
    /// is gone.
    pub async fn set_intent(&self, id: &UserId, choice: &IntentChoice) -> Result<(), StoreError> {
        self.set_account_attribute(id, "intent", serde_dynamo::to_attribute_value(choice)?).await
    }

    pub async fn touch_last_seen(&self, id: &UserId, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.set_account_attribute(id, "lastSeenAt", serde_dynamo::to_attribute_value(now)?).await
    }

    /// Sets one attribute of an existing account; `NotFound` if the account is gone.
    async fn set_account_attribute(&self, id: &UserId, name: &str, value: AttributeValue) -> Result<(), StoreError> {
        self.client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(id))))
            .condition_expression("attribute_exists(#pk)")
            .update_expression("SET #name = :value")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#name", name)
            .expression_attribute_values(":value", value)
            .send()
            .await
            .map_err(missing_or_failed)?;
        Ok(())
    }
}

impl Store {
    /// Grants or removes premium (an admin's act), audited in the same transaction; the
    /// updated user, or `NotFound`.
    pub async fn set_premium(
        &self,
        id: &UserId,
        premium: bool,
        by: &UserId,
        now: DateTime<Utc>,
    ) -> Result<User, StoreError> {
        let update = aws_sdk_dynamodb::types::Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(id))))
            .update_expression("SET premium = :premium")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_values(":premium", aws_sdk_dynamodb::types::AttributeValue::Bool(premium))
            .build()
            .map_err(StoreError::build)?;
        let audit = self.audit_entry(&crate::AuditEntry {
            actor: by.clone(),
            action: "premium".to_owned(),
            resource: format!("user:{id}"),
            subject: Some(id.clone()),
            metadata: serde_json::json!({ "premium": premium }),
            at: now,
        })?;
        let actions = vec![aws_sdk_dynamodb::types::TransactWriteItem::builder().update(update).build(), audit];
        if !self.transact_unless_taken(actions).await? {
            return Err(StoreError::NotFound);
        }
        self.user(id, now).await?.ok_or(StoreError::NotFound)
    }

    /// Grants the admin role: an operator's act (the `tandem-ops` command), never an API
    /// call. Returns the user, or `NotFound`.
    pub async fn grant_admin(&self, email: &Email, now: DateTime<Utc>) -> Result<User, StoreError> {
        let claim = self.email_claim(email, now).await?.ok_or(StoreError::NotFound)?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(&claim.user_id))))
            .update_expression("SET #role = :admin")
            .condition_expression("attribute_exists(#pk)")
            .expression_attribute_names("#pk", PK)
            .expression_attribute_names("#role", "role")
            .expression_attribute_values(":admin", serde_dynamo::to_attribute_value(tandem_domain::Role::Admin)?)
            .return_values(ReturnValue::AllNew)
            .send()
            .await
            .map_err(missing_or_failed)?;
        let attributes =
            result.attributes.ok_or_else(|| StoreError::Malformed("UpdateItem returned no item".into()))?;
        Ok(serde_dynamo::from_item(attributes)?)
    }
}

/// An update conditioned on the item existing: a failed condition means no such item.
fn missing_or_failed<R: std::fmt::Debug>(error: aws_sdk_dynamodb::error::SdkError<UpdateItemError, R>) -> StoreError {
    match error.as_service_error() {
        Some(UpdateItemError::ConditionalCheckFailedException(_)) => StoreError::NotFound,
        _ => StoreError::backend("UpdateItem", error),
    }
}
