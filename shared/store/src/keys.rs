//! Attribute names and key builders: the one place that knows how keys are spelled.

use sha2::{Digest, Sha256};
use tandem_domain::{ConversationId, Email, MatchId, MessageId, ReportId, UserId};

/// A stable one-way id for `text`: the first 16 bytes of its SHA-256, hex. For keys that must
/// be repeatable (a retry finds its item) without naming what they are about.
pub fn digest_id(text: &str) -> String {
    Sha256::digest(text.as_bytes()).iter().take(16).map(|b| format!("{b:02x}")).collect()
}

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Epoch seconds after which DynamoDB TTL may delete the item; reads treat it as gone.
pub const TTL: &str = "ttl";
pub const GSI1: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";
/// The reminder index: conversations by since when a participant waits for an answer
/// (a number, epoch seconds).
pub const GSI2: &str = "gsi2";
pub const GSI2_PK: &str = "gsi2pk";
pub const GSI2_SK: &str = "gsi2sk";

/// User partitions' prefix (the account and what hangs off it).
pub const USERS: &str = "USER#";

/// The account item's sort key in its partition.
pub const USER_SORT_KEY: &str = "USER";

pub fn user(id: &UserId) -> (String, String) {
    (user_partition(id), USER_SORT_KEY.to_owned())
}

pub fn email(email: &Email) -> (String, String) {
    (format!("EMAIL#{email}"), "EMAIL".to_owned())
}

pub fn oidc_identity(issuer: &str, subject: &str) -> (String, String) {
    (format!("OIDC#{issuer}#{subject}"), "OIDC".to_owned())
}

pub fn refresh_token(token_hash: &str) -> (String, String) {
    (format!("REFRESH#{token_hash}"), "REFRESH".to_owned())
}

/// A session family's partition prefix.
pub const SESSIONS: &str = "SESSION#";

pub fn session(family_id: &str) -> (String, String) {
    (format!("{SESSIONS}{family_id}"), "SESSION".to_owned())
}

/// The user's sessions, listed through GSI1 (to revoke them all on a ban or deletion).
pub fn user_sessions_gsi1(id: &UserId) -> String {
    format!("{USERS}{id}#SESSIONS")
}

pub fn login_throttle(email: &Email) -> (String, String) {
    (format!("LOGIN#{email}"), "THROTTLE".to_owned())
}

/// Failed logins from one client address, whatever the email.
pub fn login_client_throttle(source_ip: &str) -> (String, String) {
    (format!("LOGINIP#{source_ip}"), "THROTTLE".to_owned())
}

/// One window of a user's rate limit for `action` (sends, reports), in their partition.
pub fn rate_window(user: &UserId, action: &str, window_start: i64) -> (String, String) {
    (user_partition(user), format!("RATE#{action}#{window_start}"))
}

pub fn availability(id: &UserId, day: chrono::NaiveDate) -> (String, String) {
    (user_partition(id), format!("{AVAILABILITY}{day}"))
}

/// Pool partitions are sharded so that no single partition key caps a sweep: a sweep
/// removes every matched user from its pool partition at once (one GSI write each, at most
/// 1,000 per second per partition key), up to ~75,000 users of one offset at 100,000 queued.
/// Readers query every shard, so raising this keeps older records readable.
pub const POOL_SHARDS: u32 = 16;

/// A stable shard in `0..shards` for an id: spreads one logical partition over several.
fn shard_of(id: &str, shards: u32) -> u32 {
    id.bytes().fold(0u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b))) % shards
}

/// The pool partition of a queued user: their UTC-offset bucket and a stable shard.
pub fn pool_gsi1(offset_minutes: i32, id: &UserId) -> String {
    pool_partition(offset_minutes, shard_of(id.as_str(), POOL_SHARDS))
}

pub fn pool_partition(offset_minutes: i32, shard: u32) -> String {
    format!("POOL#{offset_minutes}#{shard}")
}

/// A user's day in the pool (availability).
pub const AVAILABILITY: &str = "AVAIL#";
/// A user's last heartbeat.
pub const PRESENCE: &str = "PRESENCE";
/// A user's notification preferences.
pub const NOTIFICATION_PREFS: &str = "NOTIFYPREFS";
/// An ended conversation counted in a participant's history.
pub const OUTCOMES: &str = "OUTCOME#";
/// A local day a user was active on.
pub const ACTIVE_DAYS: &str = "DAY#";
/// A user's rewards summary.
pub const REWARDS: &str = "REWARDS";
/// A reflection on an ended conversation.
pub const REFLECTIONS: &str = "REFLECTION#";
/// A user's trust record.
pub const TRUST: &str = "TRUST";

/// Relations between users share a prefix, so one query reads all of a user's.
pub const RELATIONS: &str = "REL#";
pub const BLOCKS: &str = "REL#BLOCKS#";
pub const BLOCKED_BY: &str = "REL#BLOCKEDBY#";
pub const PAIRED: &str = "REL#PAIRED#";

pub fn relation(prefix: &str, owner: &UserId, other: &UserId) -> (String, String) {
    (user_partition(owner), format!("{prefix}{other}"))
}

pub fn user_partition(id: &UserId) -> String {
    format!("{USERS}{id}")
}

pub fn presence(id: &UserId) -> (String, String) {
    (user_partition(id), PRESENCE.to_owned())
}

/// Match items' partition prefix (the notification pipe's filter names it too).
pub const MATCHES: &str = "MATCH#";

pub fn pairing_match(match_id: &MatchId) -> (String, String) {
    (format!("{MATCHES}{match_id}"), "MATCH".to_owned())
}

/// Conversation partitions' prefix (the conversation, its messages, guards, read positions).
pub const CONVERSATIONS: &str = "CONV#";

pub const CONVERSATION_SORT_KEY: &str = "CONV";

pub fn conversation(conversation_id: &ConversationId) -> (String, String) {
    (format!("{CONVERSATIONS}{conversation_id}"), CONVERSATION_SORT_KEY.to_owned())
}

/// The partition of the audit entries an actor wrote.
pub fn audit_partition(actor: &UserId) -> String {
    format!("AUDIT#{actor}")
}

pub fn audit(actor: &UserId, at: chrono::DateTime<chrono::Utc>) -> (String, String) {
    (audit_partition(actor), format!("{}#{}", at.to_rfc3339(), uuid::Uuid::new_v4()))
}

/// Audit entries about a user, through GSI1.
pub fn audit_subject_gsi1(subject: &UserId) -> String {
    format!("AUDIT#SUBJECT#{subject}")
}

pub const MESSAGES: &str = "MSG#";
pub const CLIENT_MESSAGES: &str = "CMID#";
pub const READ_POSITIONS: &str = "READ#";

pub fn message(conversation_id: &ConversationId, message_id: &MessageId) -> (String, String) {
    (format!("CONV#{conversation_id}"), format!("{MESSAGES}{message_id}"))
}

/// Reserves a client message id per author, so a retried send stores nothing twice.
pub fn client_message(conversation_id: &ConversationId, author: &UserId, client_message_id: &str) -> (String, String) {
    (format!("CONV#{conversation_id}"), format!("{CLIENT_MESSAGES}{author}#{client_message_id}"))
}

pub fn read_position(conversation_id: &ConversationId, user: &UserId) -> (String, String) {
    (format!("CONV#{conversation_id}"), format!("{READ_POSITIONS}{user}"))
}

pub fn conversation_partition(conversation_id: &ConversationId) -> String {
    format!("CONV#{conversation_id}")
}

/// Active conversations sit in one of these GSI1 partitions, sorted by when the expiry
/// job next has something to do with them. A sweep creates up to 50,000 at once: sharded so
/// each partition key takes a few thousand GSI writes (≤ 1,000 per second each).
pub const CONVERSATION_DUE_SHARDS: u32 = 16;

pub fn conversation_due_gsi1(conversation_id: &ConversationId) -> String {
    conversation_due_partition(shard_of(conversation_id.as_str(), CONVERSATION_DUE_SHARDS))
}

pub fn conversation_due_partition(shard: u32) -> String {
    format!("CONVDUE#{shard}")
}

/// Sort key of a due entry: fixed-width UTC time, so string order is time order.
pub fn due_sort_key(due: chrono::DateTime<chrono::Utc>, conversation_id: &str) -> String {
    format!("{}#{conversation_id}", due.format("%Y-%m-%dT%H:%M:%S%.3fZ"))
}

pub fn connection(connection_id: &str) -> (String, String) {
    (format!("CONN#{connection_id}"), "CONN".to_owned())
}

pub fn user_connections_gsi1(user: &UserId) -> String {
    format!("{USERS}{user}#CONNECTIONS")
}

pub fn report(report_id: &ReportId) -> (String, String) {
    (format!("REPORT#{report_id}"), "REPORT".to_owned())
}

/// The triage list: reports by status, in GSI1.
pub fn reports_by_status(status: tandem_domain::reports::ReportStatus) -> String {
    format!("REPORTS#{status}")
}

/// Pointers in a user's partition: reports they filed, and reports about them.
pub const REPORTS_FILED: &str = "FILED#";
pub const REPORTS_ABOUT: &str = "REPORTED#";

pub fn report_filed(reporter: &UserId, report_id: &ReportId) -> (String, String) {
    (user_partition(reporter), format!("{REPORTS_FILED}{report_id}"))
}

pub fn report_about(reported: &UserId, report_id: &ReportId) -> (String, String) {
    (user_partition(reported), format!("{REPORTS_ABOUT}{report_id}"))
}

/// Notices to a user about their account (moderation warnings), in their partition.
pub const NOTICES: &str = "NOTICE#";

pub fn notice(user: &UserId, notice_id: &ReportId) -> (String, String) {
    (user_partition(user), format!("{NOTICES}{notice_id}"))
}

/// One report per reporter, reported user and conversation (`-` when none was named).
pub fn report_guard(reporter: &UserId, reported: &UserId, conversation: Option<&ConversationId>) -> (String, String) {
    let conversation = conversation.map_or("-", ConversationId::as_str);
    (format!("REPORTGUARD#{reporter}#{reported}#{conversation}"), "GUARD".to_owned())
}

/// A user's device tokens, in their partition.
pub const PUSH_TOKENS: &str = "PUSHTOKEN#";

pub fn push_token(user: &UserId, token_id: &str) -> (String, String) {
    (user_partition(user), format!("{PUSH_TOKENS}{token_id}"))
}

/// Which account owns a device token (one at a time).
pub fn push_token_owner(token_id: &str) -> (String, String) {
    (format!("{PUSH_TOKENS}{token_id}"), "OWNER".to_owned())
}

pub fn notification_prefs(user: &UserId) -> (String, String) {
    (user_partition(user), NOTIFICATION_PREFS.to_owned())
}

/// "This notification was pushed to this device" (redeliveries push nothing twice).
/// Hashed: a notification id may name its user (`badge:<name>:<userId>`), and the guard
/// must outlive an account's erasure without naming it.
pub fn push_guard(notification_id: &str, token_id: &str) -> (String, String) {
    (format!("PUSHED#{}", digest_id(&format!("{notification_id}#{token_id}"))), "PUSHED".to_owned())
}

/// The open message-push window of a recipient in a conversation (coalescing).
pub fn message_push_gate(conversation_id: &ConversationId, recipient: &UserId) -> (String, String) {
    (conversation_partition(conversation_id), format!("PUSHGATE#{recipient}"))
}

/// Pushes deferred by quiet hours, in the recipient's partition (the notification pipe's
/// filter names the prefix too).
pub const DEFERRED_PUSHES: &str = "PUSHDEFER#";

pub fn deferred_push(user: &UserId, notification_id: &str) -> (String, String) {
    (user_partition(user), format!("{DEFERRED_PUSHES}{notification_id}"))
}

/// Deferred pushes sit in one of these GSI1 partitions, sorted by when they are due.
pub const PUSH_DUE_SHARDS: u32 = 4;

pub fn push_due_gsi1(user: &UserId) -> String {
    push_due_partition(shard_of(user.as_str(), PUSH_DUE_SHARDS))
}

pub fn push_due_partition(shard: u32) -> String {
    format!("PUSHDUE#{shard}")
}

/// Active conversations with a participant waiting for an answer sit in one of these GSI2
/// partitions, sorted by since when.
pub const REMINDER_SHARDS: u32 = 4;

pub fn reminder_gsi2(conversation_id: &ConversationId) -> String {
    reminder_partition(shard_of(conversation_id.as_str(), REMINDER_SHARDS))
}

pub fn reminder_partition(shard: u32) -> String {
    format!("REMINDDUE#{shard}")
}

/// "This participant was reminded" (once per conversation; the notification pipe passes
/// its insert).
pub const REMINDERS: &str = "REMINDER#";
/// A decision gate announced in a conversation (its insert prompts both participants).
pub const GATES: &str = "GATE#";
/// The reveal of a conversation (its insert tells both participants).
pub const REVEALED: &str = "REVEALED";

pub fn conversation_gate(conversation_id: &ConversationId, gate: u8) -> (String, String) {
    (conversation_partition(conversation_id), format!("{GATES}{gate}"))
}

pub fn conversation_revealed(conversation_id: &ConversationId) -> (String, String) {
    (conversation_partition(conversation_id), REVEALED.to_owned())
}

pub fn reminder(conversation_id: &ConversationId, user: &UserId) -> (String, String) {
    (conversation_partition(conversation_id), format!("{REMINDERS}{user}"))
}

/// "This participant's history counts this conversation" (once).
pub fn conversation_outcome(conversation_id: &ConversationId, user: &UserId) -> (String, String) {
    (conversation_partition(conversation_id), format!("{OUTCOMES}{user}"))
}

/// A local day a user was active on (queued), until the streaks job applies it.
pub fn active_day(user: &UserId, day: chrono::NaiveDate) -> (String, String) {
    (user_partition(user), format!("{ACTIVE_DAYS}{day}"))
}

/// Active days sit in the GSI1 partition of the UTC hour their local day has ended by.
pub fn day_end_gsi1(hour: chrono::DateTime<chrono::Utc>) -> String {
    format!("DAYEND#{}", hour.format("%Y-%m-%dT%H"))
}

/// The rewards summary: points, streak, badges earned.
pub fn rewards(user: &UserId) -> (String, String) {
    (user_partition(user), REWARDS.to_owned())
}

/// Ledger entries in the user's partition, one per local day and slot.
pub const LEDGER: &str = "LEDGER#";

pub fn ledger_entry(user: &UserId, day: chrono::NaiveDate, slot: &str) -> (String, String) {
    (user_partition(user), format!("{LEDGER}{day}#{slot}"))
}

/// Badges earned, one item each (the notification pipe passes their insert).
pub const BADGES: &str = "BADGE#";

pub fn badge(user: &UserId, badge: tandem_domain::rewards::Badge) -> (String, String) {
    (user_partition(user), format!("{BADGES}{badge}"))
}

/// The purge index (GSI2): items with a hard deadline, by deadline (epoch seconds), so the
/// purge job finds them without a scan when DynamoDB TTL lags. Ended conversations (with
/// their partition and match), accounts due for erasure, and the families listed in
/// `docs/data-model.md`'s retention table. Sharded for the sweep's burst (three analytics
/// events per pair land here: 150,000 at 100,000 queued).
pub const PURGE_SHARDS: u32 = 32;

pub fn purge_gsi2(partition_key: &str) -> String {
    purge_partition(shard_of(partition_key, PURGE_SHARDS))
}

pub fn purge_partition(shard: u32) -> String {
    format!("PURGEDUE#{shard}")
}

/// What remains of an erased account: when, and nothing personal.
pub fn deletion_tombstone(user: &UserId) -> (String, String) {
    (format!("DELETED#{user}"), "TOMBSTONE".to_owned())
}

/// The OIDC identities linked to an account, in its partition (so erasure finds them).
pub fn oidc_link(user: &UserId, issuer: &str, subject: &str) -> (String, String) {
    (user_partition(user), format!("OIDCLINK#{issuer}#{subject}"))
}

pub const OIDC_LINKS: &str = "OIDCLINK#";

/// A user's refresh tokens, through GSI1 (so erasure finds them).
pub fn user_tokens_gsi1(id: &UserId) -> String {
    format!("{USERS}{id}#TOKENS")
}

/// Analytics events: spread over shards per UTC day; no user id anywhere in them. A sweep
/// writes three per pair inside its transactions (2 WCU each): 64 shards keep a 100,000-user
/// sweep under ~5,000 WCU per partition key.
pub const ANALYTICS_SHARDS: u32 = 64;

pub fn analytics_event(at: chrono::DateTime<chrono::Utc>, event_id: &str) -> (String, String) {
    let shard = shard_of(event_id, ANALYTICS_SHARDS);
    (
        format!("ANALYTICS#{}#{shard}", at.format("%Y-%m-%d")),
        format!("{}#{event_id}", at.format("%Y-%m-%dT%H:%M:%S%.3fZ")),
    )
}

/// A request answered under an idempotency key, in the user's partition.
pub fn idempotency(user: &UserId, key: &str) -> (String, String) {
    (user_partition(user), format!("IDEMPOTENCY#{key}"))
}

/// A reflection, in its author's partition (one per conversation).
pub fn reflection(author: &UserId, conversation_id: &ConversationId) -> (String, String) {
    (user_partition(author), format!("{REFLECTIONS}{conversation_id}"))
}

/// An ended conversation the user may reflect on, until the window closes (TTL).
pub const REFLECTABLE: &str = "REFLECTABLE#";

/// A friendship, in each friend's partition (a pair of mirrored items, written together).
pub const FRIENDS: &str = "FRIEND#";

pub fn friend(owner: &UserId, friend: &UserId) -> (String, String) {
    (user_partition(owner), format!("{FRIENDS}{friend}"))
}

pub fn reflectable(user: &UserId, conversation_id: &ConversationId) -> (String, String) {
    (user_partition(user), format!("{REFLECTABLE}{conversation_id}"))
}

/// The author's reflection on `subject` counted once (in the author's partition). Hashed:
/// the guard outlives the subject's erasure without naming them.
pub fn reflected(author: &UserId, subject: &UserId) -> (String, String) {
    (user_partition(author), format!("REFLECTED#{}", digest_id(&format!("{author}#{subject}"))))
}

/// A user's trust: components, the day's reflection tally, version.
pub fn trust(user: &UserId) -> (String, String) {
    (user_partition(user), TRUST.to_owned())
}

/// The trust ledger's entries, in the user's partition, oldest first by sort key.
pub const TRUST_LEDGER: &str = "TRUSTLOG#";

pub fn trust_ledger(user: &UserId, at: chrono::DateTime<chrono::Utc>, event_key: &str) -> (String, String) {
    (user_partition(user), format!("{TRUST_LEDGER}{}#{event_key}", at.format("%Y-%m-%dT%H:%M:%S%.6fZ")))
}

/// The prompt catalogue: one partition (a few hundred prompts at most, read whole).
pub const PROMPT_CATALOGUE: &str = "PROMPTS";

pub const PROMPTS: &str = "PROMPT#";

pub fn prompt(prompt_id: &tandem_domain::PromptId) -> (String, String) {
    (PROMPT_CATALOGUE.to_owned(), format!("{PROMPTS}{prompt_id}"))
}

/// A user's daily-prompt answers, one per local day, in the user's partition.
pub const PROMPT_ANSWERS: &str = "ANSWER#";

pub fn prompt_answer(user: &UserId, day: chrono::NaiveDate) -> (String, String) {
    (user_partition(user), format!("{PROMPT_ANSWERS}{day}"))
}
