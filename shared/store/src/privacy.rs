//! Account deletion: the request (with its grace period), its cancellation, and the
//! erasure the purge job runs once the grace period is over. What erasure keeps is the
//! list of tombstones in `docs/data-model.md` (retention table).

use std::collections::{BTreeMap, BTreeSet};

use aws_sdk_dynamodb::types::{TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::user::DeletionRequest;
use tandem_domain::{ConversationId, MatchId, ReportId, User, UserId, UserStatus};

use crate::error::conditional;
use crate::item::{Item, key, n, s, text, with_key};
use crate::keys::{self, GSI2_PK, GSI2_SK, PK, SK};
use crate::{AuditEntry, Store, StoreError};

/// What remains of an erased account: no personal data, only that and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionTombstone {
    pub requested_at: DateTime<Utc>,
    pub deleted_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum ErasureOutcome {
    /// The account and everything about it is gone; `items` were deleted.
    Erased { items: usize },
    /// Not (or no longer) pending deletion, or not yet due: nothing changed.
    NotDue,
}

impl Store {
    /// Schedules the deletion of `user` (as read, status checked by the caller), audited in
    /// the same transaction; `false` when the account changed meanwhile.
    pub async fn request_deletion(&self, user: &User, request: &DeletionRequest) -> Result<bool, StoreError> {
        let partition = keys::user_partition(&user.id);
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(&user.id))))
            .update_expression("SET #status = :pending, deletion = :deletion, #g2pk = :purge, #g2sk = :due")
            .condition_expression("#status = :previous")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#g2pk", GSI2_PK)
            .expression_attribute_names("#g2sk", GSI2_SK)
            .expression_attribute_values(":pending", s(UserStatus::PendingDeletion.as_str()))
            .expression_attribute_values(":previous", s(request.previous_status.as_str()))
            .expression_attribute_values(":deletion", serde_dynamo::to_attribute_value(request)?)
            .expression_attribute_values(":purge", s(keys::purge_gsi2(&partition)))
            .expression_attribute_values(":due", n(request.due_at.timestamp()))
            .build()
            .map_err(StoreError::build)?;
        let audit = self.audit_entry(&AuditEntry {
            actor: user.id.clone(),
            action: "deletion_requested".to_owned(),
            resource: format!("user:{}", user.id),
            subject: Some(user.id.clone()),
            metadata: serde_json::json!({ "dueAt": request.due_at }),
            at: request.requested_at,
        })?;
        self.transact_unless_taken(vec![TransactWriteItem::builder().update(update).build(), audit]).await
    }

    /// Cancels a pending deletion before it is due, restoring the earlier status; `false`
    /// when none was pending (or it is already due).
    pub async fn cancel_deletion(&self, user: &User, now: DateTime<Utc>) -> Result<bool, StoreError> {
        let Some(request) = &user.deletion else { return Ok(false) };
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::user(&user.id))))
            .update_expression("SET #status = :previous REMOVE deletion, #g2pk, #g2sk")
            .condition_expression("#status = :pending AND #g2sk > :now")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#g2pk", GSI2_PK)
            .expression_attribute_names("#g2sk", GSI2_SK)
            .expression_attribute_values(":pending", s(UserStatus::PendingDeletion.as_str()))
            .expression_attribute_values(":previous", s(request.previous_status.as_str()))
            .expression_attribute_values(":now", n(now.timestamp()))
            .build()
            .map_err(StoreError::build)?;
        let audit = self.audit_entry(&AuditEntry {
            actor: user.id.clone(),
            action: "deletion_cancelled".to_owned(),
            resource: format!("user:{}", user.id),
            subject: Some(user.id.clone()),
            metadata: serde_json::Value::Null,
            at: now,
        })?;
        self.transact_unless_taken(vec![TransactWriteItem::builder().update(update).build(), audit]).await
    }

    /// Erases an account (as read) whose deletion is due: every item about the user goes, but the
    /// tombstones the retention table lists (the deletion record, the audit log, reports,
    /// blocks others made). Safe to rerun after a crash: the user item, which holds the
    /// purge entry, goes last.
    pub async fn erase_account(&self, user: &User, now: DateTime<Utc>) -> Result<ErasureOutcome, StoreError> {
        let (Some(request), true) = (&user.deletion, user.erasure_due(now)) else {
            return Ok(ErasureOutcome::NotDue);
        };
        let user_id = &user.id;
        self.record_erasure(user, request, now).await?;

        let mut doomed: BTreeSet<(String, String)> = BTreeSet::new();
        // Every conversation the user took part in, with its match when known: the days
        // they were matched, their friendships, and any other item naming one (a
        // reflectable conversation outlives the conversation item by days).
        let mut conversations: BTreeMap<ConversationId, Option<MatchId>> = BTreeMap::new();
        let mut filed: Vec<ReportId> = Vec::new();
        let mut owned_tokens: Vec<String> = Vec::new();
        let partition = keys::user_partition(user_id);
        for item in self.partition_items(&partition, false).await? {
            let sort_key = text(&item, SK);
            let other = |prefix: &str| sort_key.strip_prefix(prefix).and_then(|id| id.parse::<UserId>().ok());
            if let Some(other) = other(keys::BLOCKS) {
                doomed.insert(keys::relation(keys::BLOCKED_BY, &other, user_id));
            } else if let Some(other) = other(keys::PAIRED) {
                doomed.insert(keys::relation(keys::PAIRED, &other, user_id));
            } else if let Some(conversation_id) = sort_key.strip_prefix(keys::REFLECTABLE) {
                // The partner's note of the same conversation names this user.
                if let (Ok(conversation_id), Ok(partner)) =
                    (conversation_id.parse::<ConversationId>(), text(&item, "partner").parse::<UserId>())
                {
                    doomed.insert(keys::reflectable(&partner, &conversation_id));
                    let match_id = self.conversation(&conversation_id, now).await?.map(|c| c.match_id);
                    conversations.entry(conversation_id).or_insert(match_id);
                }
            } else if let Some(friend) = other(keys::FRIENDS) {
                // The friendship ends: the friend's side goes, the friends' conversation is purged.
                doomed.insert(keys::friend(&friend, user_id));
                if let Ok(conversation_id) = text(&item, "conversationId").parse::<ConversationId>() {
                    let match_id = self.conversation(&conversation_id, now).await?.map(|c| c.match_id);
                    conversations.insert(conversation_id, match_id);
                }
            } else if let Some(token_id) = sort_key.strip_prefix(keys::PUSH_TOKENS) {
                owned_tokens.push(token_id.to_owned());
            } else if sort_key.starts_with(keys::OIDC_LINKS) {
                doomed.insert(keys::oidc_identity(&text(&item, "issuer"), &text(&item, "subject")));
            } else if let Some(report_id) = sort_key.strip_prefix(keys::REPORTS_FILED) {
                filed.extend(report_id.parse().ok());
            } else if sort_key.starts_with(keys::AVAILABILITY)
                && let (Ok(conversation_id), Ok(match_id)) =
                    (text(&item, "conversationId").parse(), text(&item, "matchId").parse())
            {
                conversations.insert(conversation_id, Some(match_id));
            }
            if sort_key != "USER" {
                doomed.insert((partition.clone(), sort_key));
            }
        }
        doomed.insert(keys::email(&user.email));
        doomed.insert(keys::login_throttle(&user.email));
        for index_partition in
            [keys::user_sessions_gsi1(user_id), keys::user_tokens_gsi1(user_id), keys::user_connections_gsi1(user_id)]
        {
            for item in self.gsi1_partition(index_partition).await? {
                doomed.insert((text(&item, PK), text(&item, SK)));
            }
        }
        for report in self.reports_by_id(&filed).await? {
            doomed.insert(keys::report_guard(user_id, &report.reported_user_id, report.conversation_id.as_ref()));
        }
        let mut count = doomed.len();
        for (conversation_id, match_id) in &conversations {
            count += self.purge_conversation_now(conversation_id, match_id.as_ref()).await?;
        }
        self.batch_delete(doomed.into_iter().collect()).await?;
        for token_id in owned_tokens {
            // Only if this account still owns the token (another may have taken it over).
            let result = self
                .client
                .delete_item()
                .table_name(&self.table)
                .set_key(Some(key(keys::push_token_owner(&token_id))))
                .condition_expression("userId = :user")
                .expression_attribute_values(":user", s(user_id.as_str()))
                .send()
                .await;
            count += usize::from(conditional("DeleteItem", result)?.is_some());
        }
        self.delete(keys::user(user_id)).await?;
        Ok(ErasureOutcome::Erased { items: count + 1 })
    }

    /// The tombstone and its audit entry, once (a rerun finds the tombstone).
    async fn record_erasure(
        &self,
        user: &User,
        request: &DeletionRequest,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let tombstone = DeletionTombstone { requested_at: request.requested_at, deleted_at: now };
        let audit = self.audit_entry(&AuditEntry {
            actor: user.id.clone(),
            action: "account_erased".to_owned(),
            resource: format!("user:{}", user.id),
            subject: None,
            metadata: serde_json::json!({ "requestedAt": request.requested_at }),
            at: now,
        })?;
        let tombstone = self.put_if_absent(with_key(keys::deletion_tombstone(&user.id), &tombstone)?)?;
        self.transact_unless_taken(vec![tombstone, audit]).await.map(|_| ())
    }

    /// The deletion record of an erased account.
    pub async fn deletion_tombstone(
        &self,
        user_id: &UserId,
        now: DateTime<Utc>,
    ) -> Result<Option<DeletionTombstone>, StoreError> {
        self.get_as(keys::deletion_tombstone(user_id), now).await
    }
}

/// Everything stored about a user, as JSON without the table's own attributes (keys,
/// index keys, TTL): the raw material of an export, shaped by the service.
#[derive(Debug, Default)]
pub struct StoredAboutUser {
    /// The live items of the user's partition, with their sort keys.
    pub own: Vec<(String, serde_json::Value)>,
    pub has_password: bool,
    pub sessions: Vec<serde_json::Value>,
    pub connections: Vec<serde_json::Value>,
    pub matches: Vec<serde_json::Value>,
    pub conversations: Vec<serde_json::Value>,
    /// The user's items in their conversations' partitions (their messages, read
    /// positions, reminders, outcomes), with their sort keys.
    pub in_conversations: Vec<(String, serde_json::Value)>,
    pub reports_filed: Vec<crate::ReportRecord>,
    pub audit_as_actor: Vec<serde_json::Value>,
    pub audit_as_subject: Vec<serde_json::Value>,
}

/// An item as the user may read it: the table's mechanics left out.
fn plain(mut item: Item) -> Result<serde_json::Value, StoreError> {
    for internal in [PK, SK, keys::GSI1_PK, keys::GSI1_SK, GSI2_PK, GSI2_SK, keys::TTL] {
        item.remove(internal);
    }
    Ok(serde_dynamo::from_item(item)?)
}

impl Store {
    /// Reads everything stored about `user` (live items only).
    pub async fn stored_about(&self, user: &User, now: DateTime<Utc>) -> Result<StoredAboutUser, StoreError> {
        let live = |items: Vec<Item>| -> Vec<Item> {
            items.into_iter().filter(|item| !crate::item::is_expired(item, now.timestamp())).collect()
        };
        let mut about = StoredAboutUser::default();
        let mut conversation_ids = BTreeSet::new();
        let mut match_ids = BTreeSet::new();
        let mut filed = Vec::new();
        for item in live(self.partition_items(&keys::user_partition(&user.id), false).await?) {
            let sort_key = text(&item, SK);
            // Any of the user's items that names a conversation or a match leads to it: the
            // days they were matched, their friendships (the friends' conversation and the
            // one it grew from), reflections, reflectable conversations.
            for attribute in ["conversationId", "originConversationId"] {
                conversation_ids.extend(text(&item, attribute).parse::<ConversationId>().ok());
            }
            match_ids.extend(text(&item, "matchId").parse::<MatchId>().ok());
            if let Some(report_id) = sort_key.strip_prefix(keys::REPORTS_FILED) {
                filed.extend(report_id.parse::<ReportId>().ok());
            }
            about.own.push((sort_key, plain(item)?));
        }
        about.has_password = self.email_claim(&user.email, now).await?.is_some_and(|c| c.password_hash.is_some());
        for item in live(self.gsi1_partition(keys::user_sessions_gsi1(&user.id)).await?) {
            let family = text(&item, PK).trim_start_matches(keys::SESSIONS).to_owned();
            let mut session = plain(item)?;
            session["sessionId"] = serde_json::Value::String(family);
            about.sessions.push(session);
        }
        for item in live(self.gsi1_partition(keys::user_connections_gsi1(&user.id)).await?) {
            about.connections.push(plain(item)?);
        }
        let matches = self.batch_get(match_ids.iter().map(keys::pairing_match).collect(), now.timestamp()).await?;
        for item in matches.into_values() {
            about.matches.push(plain(item)?);
        }
        // Their conversations' partitions (a week's days and their friendships), read together.
        let partitions = futures::future::try_join_all(
            conversation_ids
                .iter()
                .map(|c| async move { self.partition_items(&keys::conversation_partition(c), false).await }),
        )
        .await?;
        for (conversation_id, items) in conversation_ids.iter().zip(partitions) {
            let own = [
                keys::read_position(conversation_id, &user.id).1,
                keys::reminder(conversation_id, &user.id).1,
                keys::conversation_outcome(conversation_id, &user.id).1,
            ];
            for item in live(items) {
                let sort_key = text(&item, SK);
                if sort_key == keys::CONVERSATION_SORT_KEY {
                    about.conversations.push(plain(item)?);
                } else if own.contains(&sort_key)
                    || (sort_key.starts_with(keys::MESSAGES) && text(&item, "author") == user.id.as_str())
                {
                    // Each says which conversation it belongs to (a read position does not
                    // carry it: its partition does).
                    let mut value = plain(item)?;
                    if let Some(fields) = value.as_object_mut() {
                        fields.entry("conversationId").or_insert_with(|| conversation_id.to_string().into());
                    }
                    about.in_conversations.push((sort_key, value));
                }
            }
        }
        about.reports_filed = self.reports_by_id(&filed).await?;
        for item in self.partition_items(&keys::audit_partition(&user.id), false).await? {
            about.audit_as_actor.push(plain(item)?);
        }
        for item in self.gsi1_partition(keys::audit_subject_gsi1(&user.id)).await? {
            about.audit_as_subject.push(plain(item)?);
        }
        Ok(about)
    }
}
