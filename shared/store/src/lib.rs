//! DynamoDB adapter: the single table's keys, item shapes and access patterns.
//!
//! `docs/data-model.md` is the map of every item type and access pattern here; keep both
//! in step. Domain types come in and go out; `AttributeValue`s never leave this crate.

pub mod analytics;
pub mod audit;
pub mod availability;
pub mod connections;
pub mod conversations;
pub mod engagement;
mod error;
pub mod friendships;
pub mod idempotency;
mod item;
pub mod keys;
mod limits;
pub mod login_throttle;
pub mod matches;
pub mod messages;
mod presence;
pub mod privacy;
pub mod prompts;
pub mod push;
pub mod relations;
pub mod reports;
pub mod retention;
pub mod retry;
pub mod reveal;
pub mod rewards;
pub mod sessions;
pub mod stream;
pub mod trust;
pub mod users;

use aws_sdk_dynamodb::Client;

pub use audit::AuditEntry;
pub use availability::{AvailabilityRecord, LeaveOutcome, QueueOutcome};
pub use connections::ConnectionRecord;
pub use conversations::{ConversationRecord, ExtensionOutcome};
pub use engagement::{Aftermath, DueReminder, OutcomeRecord, RecordOutcome, ReminderOutcome, ReminderRecord};
pub use error::StoreError;
pub use friendships::{FriendshipRecord, NewFriendship};
pub use idempotency::IdempotencyRecord;
pub use login_throttle::{ThrottleState, ThrottleSubject};
pub use matches::{MatchOutcome, MatchRecord};
pub use messages::{MessageRecord, ReadPosition, SendOutcome};
pub use privacy::{DeletionTombstone, ErasureOutcome, StoredAboutUser};
pub use push::{DeferredPush, PushTokenRecord, TokenStatus};
pub use relations::{Block, Exclusions};
pub use reports::{AccountChange, FileOutcome, Notice, ReportPage, ReportRecord, Resolution};
pub use retention::{PurgeEntry, PurgePage};
pub use rewards::{ActiveDay, BadgeRecord, LedgerEntry, LedgerPage, RewardsSummary};
pub use sessions::{RefreshOutcome, SessionStart};
pub use tandem_domain::conversation::ConversationState;
pub use trust::{Reflectable, ReflectionReads, ReflectionRecord, ReflectionWrite, TrustEntry, TrustRecord};
pub use users::{EmailClaim, NewAccount};

/// Handle on the table; cheap to clone (the SDK client is reference-counted).
#[derive(Clone, Debug)]
pub struct Store {
    client: Client,
    table: String,
}

impl Store {
    pub fn new(client: Client, table: impl Into<String>) -> Self {
        Self { client, table: table.into() }
    }

    pub fn table_name(&self) -> &str {
        &self.table
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}
