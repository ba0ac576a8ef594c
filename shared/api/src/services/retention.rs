//! The retention purge: what has passed its deadline, deleted on time even when DynamoDB
//! TTL lags (reads already hide it from the minute it expires). Found through the purge
//! index, never a scan; each delete is conditioned on the deadline, so overlapping or
//! retried runs delete nothing that is live.

use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::stream::{self, StreamExt};
use serde::Serialize;
use tandem_store::PurgeEntry;
use tandem_store::keys::PURGE_SHARDS;

use crate::services::privacy;
use crate::{ApiError, App};

/// Entries read per page, and purged concurrently.
const PAGE_SIZE: i32 = 200;
const PURGE_CONCURRENCY: usize = 16;

#[derive(Debug, Default, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct PurgeReport {
    /// Ended conversations deleted with their partition and match.
    pub conversations: usize,
    /// Items deleted for those conversations: each one itself, its match and its partition
    /// (messages, guards, read positions, …).
    pub conversation_items: usize,
    /// Accounts erased after their grace period.
    pub accounts_erased: usize,
    /// Other items past their deadline (availability, connections, analytics events).
    pub items: usize,
    /// Entries that were live again when deleted (written anew meanwhile): kept.
    pub kept: usize,
    /// False when the time budget ran out first (the next run continues).
    pub complete: bool,
}

enum Purged {
    Conversation(usize),
    Account,
    Item,
    Kept,
}

/// Purges every due entry, shard by shard, until done or `budget` is spent.
pub async fn purge_due(app: &App, now: DateTime<Utc>, budget: Duration) -> Result<PurgeReport, ApiError> {
    let started = Instant::now();
    let mut report = PurgeReport { complete: true, ..PurgeReport::default() };
    for shard in 0..PURGE_SHARDS {
        let mut start = None;
        loop {
            if started.elapsed() >= budget {
                report.complete = false;
                return Ok(report);
            }
            let page = app.store.due_for_purge(shard, now, start, PAGE_SIZE).await?;
            let results: Vec<Result<Purged, ApiError>> = stream::iter(page.entries)
                .map(|entry| purge_entry(app, entry, now))
                .buffer_unordered(PURGE_CONCURRENCY)
                .collect()
                .await;
            for result in results {
                match result? {
                    Purged::Conversation(items) => {
                        report.conversations += 1;
                        report.conversation_items += items;
                    }
                    Purged::Account => report.accounts_erased += 1,
                    Purged::Item => report.items += 1,
                    Purged::Kept => report.kept += 1,
                }
            }
            start = page.next;
            if start.is_none() {
                break;
            }
        }
    }
    Ok(report)
}

async fn purge_entry(app: &App, entry: PurgeEntry, now: DateTime<Utc>) -> Result<Purged, ApiError> {
    Ok(match entry {
        PurgeEntry::Conversation { conversation_id, match_id } => {
            Purged::Conversation(app.store.purge_conversation(&conversation_id, &match_id, now).await?)
        }
        PurgeEntry::Account(user_id) => {
            if privacy::erase(app, &user_id, now).await? {
                Purged::Account
            } else {
                Purged::Kept
            }
        }
        PurgeEntry::Item { pk, sk } => {
            if app.store.purge_item(pk, sk, now).await? {
                Purged::Item
            } else {
                Purged::Kept
            }
        }
    })
}
