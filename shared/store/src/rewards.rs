//! Rewards in the table: active days (the streaks job's index by the hour a local day ends),
//! the summary (points, streak, badges earned), badges and the append-only ledger.

use std::collections::BTreeSet;

use aws_sdk_dynamodb::types::{AttributeValue, TransactWriteItem, Update};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use tandem_domain::rewards::{Award, Badge, Streak};
use tandem_domain::{ConversationId, UserId};

use crate::item::{key, n, s, with_key};
use crate::keys::{self, GSI1_PK, GSI1_SK, TTL};
use crate::{Store, StoreError};

/// A local day a user was active on (they queued), waiting for the streaks job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActiveDay {
    pub user_id: UserId,
    pub day: NaiveDate,
    /// When the day ends in the user's zone (the first instant of the next local day).
    pub ends_at: DateTime<Utc>,
}

/// The day is kept this long after it ends (the job has long applied it by then).
const ACTIVE_DAY_RETENTION_DAYS: i64 = 7;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RewardsSummary {
    #[serde(default)]
    pub points: u64,
    #[serde(default)]
    pub streak: Streak,
    #[serde(default)]
    pub badges: BTreeSet<Badge>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BadgeRecord {
    pub user_id: UserId,
    pub badge: Badge,
    /// The user's local day it was earned on.
    pub day: NaiveDate,
    pub earned_at: DateTime<Utc>,
}

/// One page of the ledger, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct LedgerPage {
    pub entries: Vec<LedgerEntry>,
    /// Where the next page starts (the last entry's `<day>#<slot>`), if there may be one.
    pub next: Option<String>,
}

/// The hour an active day is filed under: the day's end rounded up to the hour, so the
/// hourly job that runs at or after the end finds it (half-hour zones included).
pub fn day_end_hour(ends_at: DateTime<Utc>) -> DateTime<Utc> {
    let seconds = ends_at.timestamp();
    let hour = seconds.div_euclid(3600) + i64::from(seconds.rem_euclid(3600) != 0);
    DateTime::from_timestamp(hour * 3600, 0).unwrap_or(ends_at)
}

impl Store {
    /// The transaction action filing `day` in the active-day index (written with the queue).
    pub(crate) fn file_active_day(&self, day: &ActiveDay) -> Result<TransactWriteItem, StoreError> {
        let mut item = with_key(keys::active_day(&day.user_id, day.day), day)?;
        item.insert(GSI1_PK.to_owned(), s(keys::day_end_gsi1(day_end_hour(day.ends_at))));
        item.insert(GSI1_SK.to_owned(), s(day.user_id.as_str()));
        item.insert(TTL.to_owned(), n((day.ends_at + Duration::days(ACTIVE_DAY_RETENTION_DAYS)).timestamp()));
        self.put(item)
    }

    /// Active days filed under `hour` and not applied yet.
    pub async fn days_ending(&self, hour: DateTime<Utc>) -> Result<Vec<ActiveDay>, StoreError> {
        let items = self.gsi1_partition(keys::day_end_gsi1(day_end_hour(hour))).await?;
        items.into_iter().map(|item| Ok(serde_dynamo::from_item(item)?)).collect()
    }

    pub async fn rewards_summary(&self, user: &UserId, now: DateTime<Utc>) -> Result<RewardsSummary, StoreError> {
        Ok(self.get_as(keys::rewards(user), now).await?.unwrap_or_default())
    }

    /// The summaries of many users at once (BatchGetItem), in the order given.
    pub async fn rewards_summaries(
        &self,
        users: &[UserId],
        now: DateTime<Utc>,
    ) -> Result<Vec<RewardsSummary>, StoreError> {
        let keys: Vec<(String, String)> = users.iter().map(keys::rewards).collect();
        let mut found = self.batch_get(keys.clone(), now.timestamp()).await?;
        keys.iter().map(|k| Ok(found.remove(k).map(serde_dynamo::from_item).transpose()?.unwrap_or_default())).collect()
    }

    /// Applies an active day, once: takes it out of the index, moves the streak from
    /// `read` to `after` (conditioned on the summary's streak being `read`), and writes the
    /// day's entries. `Ok(None)` when the day was applied before; `Ok(Some(false))` when
    /// the summary changed meanwhile (read it again).
    pub async fn apply_day(
        &self,
        day: &ActiveDay,
        read: &Streak,
        after: &Streak,
        entries: &[LedgerEntry],
    ) -> Result<Option<bool>, StoreError> {
        let unfile = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(keys::active_day(&day.user_id, day.day))))
            .update_expression("REMOVE #gpk, #gsk")
            .condition_expression("attribute_exists(#gpk)")
            .expression_attribute_names("#gpk", GSI1_PK)
            .expression_attribute_names("#gsk", GSI1_SK)
            .build()
            .map_err(StoreError::build)?;
        let head = vec![TransactWriteItem::builder().update(unfile).build()];
        match self.transact_with_rewards(head, &day.user_id, entries, Some((read, after))).await? {
            Committed::Yes => Ok(Some(true)),
            Committed::No(failed) if failed.first() == Some(&true) => Ok(None),
            // The streak was not as read: another run moved it.
            Committed::No(_) => Ok(Some(false)),
        }
    }

    pub async fn badges(&self, user: &UserId, now: DateTime<Utc>) -> Result<Vec<BadgeRecord>, StoreError> {
        self.query_prefix_as(&keys::user_partition(user), keys::BADGES, now).await
    }

    pub async fn badge(
        &self,
        user: &UserId,
        badge: Badge,
        now: DateTime<Utc>,
    ) -> Result<Option<BadgeRecord>, StoreError> {
        self.get_as(keys::badge(user, badge), now).await
    }

    /// A page of the ledger, newest first, strictly before `before` (`<day>#<slot>`).
    pub async fn ledger(
        &self,
        user: &UserId,
        before: Option<&str>,
        limit: i32,
        now: DateTime<Utc>,
    ) -> Result<LedgerPage, StoreError> {
        let upper = match before {
            Some(cursor) => format!("{}{cursor}", keys::LEDGER),
            None => format!("{}\u{10FFFF}", keys::LEDGER),
        };
        let items = self
            .query_between(&keys::user_partition(user), (keys::LEDGER, &upper), false, limit + 1, now.timestamp())
            .await?;
        let mut entries: Vec<LedgerEntry> = items.into_iter().map(serde_dynamo::from_item).collect::<Result<_, _>>()?;
        let more = entries.len() > limit as usize;
        entries.truncate(limit as usize);
        let next = more.then(|| entries.last().map(|e| format!("{}#{}", e.day, e.slot()))).flatten();
        Ok(LedgerPage { entries, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_filed_under_the_hour_they_have_ended_by() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert_eq!(day_end_hour(at("2026-11-21T11:00:00Z")), at("2026-11-21T11:00:00Z"));
        assert_eq!(day_end_hour(at("2026-11-21T18:30:00Z")), at("2026-11-21T19:00:00Z"));
        assert_eq!(day_end_hour(at("2026-11-21T23:15:00Z")), at("2026-11-22T00:00:00Z"));
    }
}

/// One ledger entry as stored (`LEDGER#<day>#<slot>` in the user's partition).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LedgerEntry {
    pub day: NaiveDate,
    pub kind: tandem_domain::rewards::RewardKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub badge: Option<tandem_domain::rewards::Badge>,
    pub points: u32,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<ConversationId>,
    pub awarded_at: DateTime<Utc>,
}

impl LedgerEntry {
    pub fn of(award: &Award, day: NaiveDate, conversation_id: Option<&ConversationId>, now: DateTime<Utc>) -> Self {
        Self {
            day,
            kind: award.kind,
            badge: award.badge,
            points: award.points,
            conversation_id: conversation_id.cloned(),
            awarded_at: now,
        }
    }

    pub fn slot(&self) -> String {
        Award { kind: self.kind, badge: self.badge, points: self.points }.slot()
    }
}

/// Whether a transaction with reward writes committed; on a cancellation, which conditions
/// failed.
pub(crate) enum Committed {
    Yes,
    No(Vec<bool>),
}

impl Store {
    /// The writes of `entries`: the summary's update first (points and badge set, plus the
    /// streak moving from `read` to `after` when given, conditioned on `read`), then each
    /// ledger entry and badge, created once.
    fn reward_actions(
        &self,
        user: &UserId,
        entries: &[LedgerEntry],
        streak: Option<(&Streak, &Streak)>,
    ) -> Result<Vec<TransactWriteItem>, StoreError> {
        let mut actions = Vec::new();
        if !entries.is_empty() || streak.is_some() {
            let points: u32 = entries.iter().map(|e| e.points).sum();
            let badges: Vec<String> = entries.iter().filter_map(|e| e.badge).map(|b| b.to_string()).collect();
            let mut update = Update::builder()
                .table_name(&self.table)
                .set_key(Some(key(keys::rewards(user))))
                .expression_attribute_values(":points", n(i64::from(points)));
            let mut expression = "ADD points :points".to_owned();
            if !badges.is_empty() {
                expression.push_str(", badges :badges");
                update = update.expression_attribute_values(":badges", AttributeValue::Ss(badges));
            }
            if let Some((read, after)) = streak {
                expression.push_str(" SET streak = :after");
                update = update
                    .condition_expression(if *read == Streak::default() {
                        "attribute_not_exists(streak) OR streak = :read"
                    } else {
                        "streak = :read"
                    })
                    .expression_attribute_values(":after", serde_dynamo::to_attribute_value(after)?)
                    .expression_attribute_values(":read", serde_dynamo::to_attribute_value(read)?);
            }
            let update = update.update_expression(expression).build().map_err(StoreError::build)?;
            actions.push(TransactWriteItem::builder().update(update).build());
        }
        for entry in entries {
            actions.push(self.put_if_absent(with_key(keys::ledger_entry(user, entry.day, &entry.slot()), entry)?)?);
            if let Some(badge) = entry.badge {
                let record = BadgeRecord { user_id: user.clone(), badge, day: entry.day, earned_at: entry.awarded_at };
                actions.push(self.put_if_absent(with_key(keys::badge(user, badge), &record)?)?);
            }
        }
        Ok(actions)
    }

    /// Runs `head` (the caller's writes) with the writes of `entries` in one transaction. If
    /// only ledger entries or badges already existed (awarded before), it runs again
    /// without those, so what is new still lands and nothing is awarded twice. On a
    /// cancellation, which of `head`'s conditions failed.
    pub(crate) async fn transact_with_rewards(
        &self,
        head: Vec<TransactWriteItem>,
        user: &UserId,
        entries: &[LedgerEntry],
        streak: Option<(&Streak, &Streak)>,
    ) -> Result<Committed, StoreError> {
        let rewards = self.reward_actions(user, entries, streak)?;
        let summary = usize::from(!entries.is_empty() || streak.is_some());
        let first_entry = head.len() + summary;
        let mut actions = head.clone();
        actions.extend(rewards);
        let Some(failed) = self.transact_or_conditions(actions).await? else {
            return Ok(Committed::Yes);
        };
        if failed.iter().take(first_entry).any(|f| *f) {
            return Ok(Committed::No(failed));
        }
        // Which entries were already there: drop them (and their badge) and try once more.
        let mut fresh = Vec::new();
        let mut index = first_entry;
        for entry in entries {
            let width = if entry.badge.is_some() { 2 } else { 1 };
            if !failed.iter().skip(index).take(width).any(|f| *f) {
                fresh.push(entry.clone());
            }
            index += width;
        }
        let mut retry = head;
        retry.extend(self.reward_actions(user, &fresh, streak)?);
        Ok(match self.transact_or_conditions(retry).await? {
            None => Committed::Yes,
            Some(failed) => Committed::No(failed),
        })
    }
}
