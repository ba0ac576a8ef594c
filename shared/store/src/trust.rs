//! Reflections and trust in the table. All of it lives in user partitions, so an export
//! carries it and an erasure removes it with the rest:
//! - `REFLECTION#<conversation>` in the author's partition: the reflection (one per
//!   conversation and author);
//! - `REFLECTABLE#<conversation>` in each participant's partition: who the partner was and
//!   when it ended, kept for the reflection window (the conversation itself is purged
//!   sooner);
//! - `REFLECTED#<hash of author and subject>` in the author's partition: the author's word on this subject
//!   counted once, so later ones count for nothing;
//! - `TRUST` in the subject's partition: the score's components, the day's reflection
//!   tally and a version (reflections are conditioned on it);
//! - `TRUSTLOG#<time>#<source>` in the subject's partition: the append-only ledger, whose
//!   entries never name another user.

use aws_sdk_dynamodb::types::{ConditionCheck, TransactWriteItem, Update};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::trust::{
    DailyReflections, REFLECTION_WINDOW, Reflection, ReflectionOutcome, TrustComponents, TrustRule, TrustSource,
};
use tandem_domain::{ConversationId, UserId};

use crate::friendships::{NewFriendship, estrangement_keys};
use crate::item::{Item, key, n, with_key};
use crate::keys::{self, TTL};
use crate::{Store, StoreError};

/// A reflection as stored (the author's). Whom it was about is not kept: the item must not
/// name the partner once their account is erased.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReflectionRecord {
    pub conversation_id: ConversationId,
    pub author: UserId,
    #[serde(flatten)]
    pub reflection: Reflection,
    pub created_at: DateTime<Utc>,
}

/// An ended conversation a participant may still reflect on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Reflectable {
    pub conversation_id: ConversationId,
    pub partner: UserId,
    pub ended_at: DateTime<Utc>,
}

/// A user's trust as stored: components, today's reflection tally, version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustRecord {
    #[serde(flatten)]
    pub components: TrustComponents,
    #[serde(default)]
    pub daily: DailyReflections,
    #[serde(default)]
    pub version: u64,
}

/// One ledger entry: what moved a score, by how much, under which rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TrustEntry {
    pub source: TrustSource,
    pub delta: i32,
    pub rule: TrustRule,
    pub at: DateTime<Utc>,
    /// Stable per source event (a hash, never another user's id): a retried write of the same
    /// event finds its entry taken.
    #[serde(skip)]
    pub event_key: String,
}

/// Everything a reflection reads before it is weighed.
#[derive(Debug, Clone, Default)]
pub struct ReflectionReads {
    pub subject_trust: TrustRecord,
    pub repeat_pair: bool,
    /// The subject blocked or reported the author.
    pub retaliation: bool,
    /// The subject's own reflection on the same conversation, if they left one.
    pub subject_outcome: Option<ReflectionOutcome>,
    /// The two are friends already (a friendship is unique per pair).
    pub friends: bool,
    /// Either blocked or reported the other: never friends (`friendships::estrangement_keys`).
    pub estranged: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReflectionWrite {
    Recorded,
    /// The author already reflected on this conversation.
    AlreadyReflected,
    /// The subject's trust changed since it was read: read and weigh again.
    Conflict,
}

impl Store {
    /// The item that keeps a conversation reflectable for the window after its end.
    pub(crate) fn reflectable_item(
        &self,
        user: &UserId,
        reflectable: &Reflectable,
    ) -> Result<TransactWriteItem, StoreError> {
        let mut item = with_key(keys::reflectable(user, &reflectable.conversation_id), reflectable)?;
        item.insert(TTL.to_owned(), n((reflectable.ended_at + REFLECTION_WINDOW).timestamp()));
        self.put(item)
    }

    pub async fn reflectable(
        &self,
        user: &UserId,
        conversation_id: &ConversationId,
        now: DateTime<Utc>,
    ) -> Result<Option<Reflectable>, StoreError> {
        self.get_as(keys::reflectable(user, conversation_id), now).await
    }

    pub async fn reflection(
        &self,
        author: &UserId,
        conversation_id: &ConversationId,
        now: DateTime<Utc>,
    ) -> Result<Option<ReflectionRecord>, StoreError> {
        self.get_as(keys::reflection(author, conversation_id), now).await
    }

    pub async fn trust(&self, user: &UserId, now: DateTime<Utc>) -> Result<TrustRecord, StoreError> {
        Ok(self.get_as(keys::trust(user), now).await?.unwrap_or_default())
    }

    /// The ledger, newest first (at most `limit` entries).
    pub async fn trust_ledger(
        &self,
        user: &UserId,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<Vec<TrustEntry>, StoreError> {
        let upper = format!("{}\u{10FFFF}", keys::TRUST_LEDGER);
        let items = self
            .query_between(&keys::user_partition(user), (keys::TRUST_LEDGER, &upper), false, limit, now.timestamp())
            .await?;
        items.into_iter().map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }

    /// What weighing a reflection of `author` on `subject` needs, in one BatchGetItem.
    pub async fn reflection_reads(
        &self,
        author: &UserId,
        subject: &UserId,
        conversation_id: &ConversationId,
        now: DateTime<Utc>,
    ) -> Result<ReflectionReads, StoreError> {
        let (trust, reflected, subject_reflection, friends) = (
            keys::trust(subject),
            keys::reflected(author, subject),
            keys::reflection(subject, conversation_id),
            keys::friend(author, subject),
        );
        let estrangement = estrangement_keys(author, subject, conversation_id);
        let wanted =
            [vec![trust.clone(), reflected.clone(), subject_reflection.clone(), friends.clone()], estrangement.clone()];
        let found = self.batch_get(wanted.concat(), now.timestamp()).await?;
        let subject_trust = match found.get(&trust) {
            Some(item) => serde_dynamo::from_item(item.clone())?,
            None => TrustRecord::default(),
        };
        let subject_reflection: Option<ReflectionRecord> =
            found.get(&subject_reflection).map(|item| serde_dynamo::from_item(item.clone())).transpose()?;
        let retaliation = [
            keys::relation(keys::BLOCKS, subject, author),
            keys::report_guard(subject, author, Some(conversation_id)),
            keys::report_guard(subject, author, None),
        ];
        Ok(ReflectionReads {
            subject_trust,
            repeat_pair: found.contains_key(&reflected),
            retaliation: retaliation.iter().any(|k| found.contains_key(k)),
            subject_outcome: subject_reflection.map(|r| r.reflection.outcome),
            friends: found.contains_key(&friends),
            estranged: estrangement.iter().any(|k| found.contains_key(k)),
        })
    }

    /// Stores a reflection with its ledger entry on the subject, atomically: the reflection
    /// once per author and conversation, the pair marked the first time, the subject's trust
    /// updated only if unchanged since `read`, and the friendship it completes. An "again"
    /// written while the subject's reflection was absent requires it still absent: two
    /// reflections crossing are serialised, so the second one sees the first.
    pub async fn record_reflection(
        &self,
        record: &ReflectionRecord,
        subject: &UserId,
        read: &ReflectionReads,
        after: &TrustRecord,
        entry: &TrustEntry,
        friendship: Option<&NewFriendship>,
    ) -> Result<ReflectionWrite, StoreError> {
        let mut actions =
            vec![self.put_if_absent(with_key(keys::reflection(&record.author, &record.conversation_id), record)?)?];
        if !read.repeat_pair {
            #[derive(Serialize)]
            struct Reflected {
                at: DateTime<Utc>,
            }
            let reflected = Reflected { at: record.created_at };
            actions.push(self.put_if_absent(with_key(keys::reflected(&record.author, subject), &reflected)?)?);
        }
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::trust(subject))))
            .update_expression("SET reflections = :reflections, daily = :daily, version = :next")
            // Version 0 is what a missing item (or one only penalties wrote) reads as.
            .condition_expression("attribute_not_exists(version) OR version = :version")
            .expression_attribute_values(":reflections", n(i64::from(after.components.reflections)))
            .expression_attribute_values(":daily", serde_dynamo::to_attribute_value(after.daily)?)
            .expression_attribute_values(":version", n(read.subject_trust.version as i64))
            .expression_attribute_values(":next", n(read.subject_trust.version as i64 + 1))
            .build()
            .map_err(StoreError::build)?;
        actions.push(TransactWriteItem::builder().update(update).build());
        actions.push(self.put_if_absent(self.ledger_item(subject, entry)?)?);
        if record.reflection.outcome == ReflectionOutcome::Again && read.subject_outcome.is_none() {
            let check = ConditionCheck::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::reflection(subject, &record.conversation_id))))
                .condition_expression("attribute_not_exists(pk)")
                .build()
                .map_err(StoreError::build)?;
            actions.push(TransactWriteItem::builder().condition_check(check).build());
        }
        if let Some(friendship) = friendship {
            actions.extend(self.friendship_actions(friendship)?);
        }
        match self.transact_or_conditions(actions).await? {
            None => Ok(ReflectionWrite::Recorded),
            Some(failed) if failed.first() == Some(&true) => Ok(ReflectionWrite::AlreadyReflected),
            Some(_) => Ok(ReflectionWrite::Conflict),
        }
    }

    /// Penalties' writes, for the transaction of the event that causes them: each ledger
    /// entry (once per event) and one update of the trust item adding each component's sum
    /// (a transaction may touch an item once).
    pub(crate) fn trust_penalties(
        &self,
        user: &UserId,
        entries: &[TrustEntry],
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let mut sums = TrustComponents::default();
        let mut actions = Vec::with_capacity(entries.len() + 1);
        for entry in entries {
            sums.add(entry.source, entry.delta);
            actions.push(self.put_if_absent(self.ledger_item(user, entry)?)?);
        }
        let components = [
            ("reflections", sums.reflections),
            ("reportsConfirmed", sums.reports_confirmed),
            ("abandons", sums.abandons),
            ("cooldowns", sums.cooldowns),
        ];
        let mut update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::trust(user))))
            .expression_attribute_values(":zero", n(0));
        let mut sets = Vec::new();
        for (i, (name, sum)) in components.into_iter().enumerate().filter(|(_, (_, sum))| *sum != 0) {
            sets.push(format!("#c{i} = if_not_exists(#c{i}, :zero) + :d{i}"));
            update = update
                .expression_attribute_names(format!("#c{i}"), name)
                .expression_attribute_values(format!(":d{i}"), n(i64::from(sum)));
        }
        if !sets.is_empty() {
            let update =
                update.update_expression(format!("SET {}", sets.join(", "))).build().map_err(StoreError::build)?;
            actions.push(TransactWriteItem::builder().update(update).build());
        }
        Ok(actions)
    }

    fn ledger_item(&self, user: &UserId, entry: &TrustEntry) -> Result<Item, StoreError> {
        with_key(keys::trust_ledger(user, entry.at, &entry.event_key), entry)
    }
}
