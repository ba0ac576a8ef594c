//! The table's changes, as the workers receive them. Each EventBridge pipe sends the keys of
//! a committed item, shaped by its `InputTemplate` to `{"eventName", "pk", "sk"}`: the
//! queues carry ids only (never message text), and a worker reads the item's current state.

use serde::{Deserialize, Serialize};
use tandem_domain::rewards::Badge;
use tandem_domain::{ConversationId, MatchId, MessageId, ReportId, UserId};

use crate::StoreError;
use crate::keys;

/// One pipe message: what happened to which item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TableChange {
    /// `INSERT`, `MODIFY` or `REMOVE`.
    pub event_name: String,
    pub pk: String,
    pub sk: String,
}

/// A committed write a worker acts on.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// A message was stored.
    MessageStored { conversation_id: ConversationId, message_id: MessageId },
    /// A sweep committed a match.
    MatchCreated { match_id: MatchId },
    /// A notice to a user about their account was written (an admin's warning).
    NoticeIssued { user_id: UserId, notice_id: ReportId },
    /// A message's scan found it clean (the pipe passes `visible → scanned` only).
    MessageScanned { conversation_id: ConversationId, message_id: MessageId },
    /// A conversation changed in a way the pipe passes: its one-hour notice was marked
    /// sent, or it ended. The worker reads which from its current state.
    ConversationChanged { conversation_id: ConversationId },
    /// A decision gate opened in a conversation (the gate marker's insert).
    GateOpened { conversation_id: ConversationId, gate: u8 },
    /// Both participants consented: the conversation is revealed (the marker's insert).
    Revealed { conversation_id: ConversationId },
    /// A silent participant was reminded (the reminder item's insert).
    ReminderSent { conversation_id: ConversationId, user_id: UserId },
    /// A badge was earned (the badge item's insert).
    BadgeEarned { user_id: UserId, badge: Badge },
    /// A user blocked another (the block's insert; its mirror is not passed).
    Blocked { owner: UserId, other: UserId },
    /// A push deferred by quiet hours was released (the pipe passes that change only).
    PushReleased { user_id: UserId, notification_id: String },
    /// Anything else: the pipes' filters should not let it through, and workers ignore it.
    Other(TableChange),
}

/// Reads one pipe message (an SQS body).
pub fn parse_change(body: &str) -> Result<Change, StoreError> {
    let change: TableChange =
        serde_json::from_str(body).map_err(|e| StoreError::Malformed(format!("table change: {e}")))?;
    let id = |text: Option<&str>| -> Result<String, StoreError> {
        text.map(str::to_owned)
            .ok_or_else(|| StoreError::Malformed(format!("unexpected keys {}/{}", change.pk, change.sk)))
    };
    let malformed =
        |e: tandem_domain::ids::InvalidId| StoreError::Malformed(format!("{}/{}: {e}", change.pk, change.sk));
    // A MODIFY names the item; which change it was, the pipe's filter decided.
    if change.event_name == "MODIFY" {
        if change.sk.starts_with(keys::MESSAGES) {
            let conversation_id = id(change.pk.strip_prefix(keys::CONVERSATIONS))?.parse().map_err(malformed)?;
            let message_id = id(change.sk.strip_prefix(keys::MESSAGES))?.parse().map_err(malformed)?;
            return Ok(Change::MessageScanned { conversation_id, message_id });
        }
        if change.pk.starts_with(keys::CONVERSATIONS) && change.sk == keys::CONVERSATION_SORT_KEY {
            let conversation_id = id(change.pk.strip_prefix(keys::CONVERSATIONS))?.parse().map_err(malformed)?;
            return Ok(Change::ConversationChanged { conversation_id });
        }
        if change.sk.starts_with(keys::DEFERRED_PUSHES) {
            let user_id = id(change.pk.strip_prefix(keys::USERS))?.parse().map_err(malformed)?;
            let notification_id = id(change.sk.strip_prefix(keys::DEFERRED_PUSHES))?;
            return Ok(Change::PushReleased { user_id, notification_id });
        }
        return Ok(Change::Other(change));
    }
    if change.event_name != "INSERT" {
        return Ok(Change::Other(change));
    }
    if change.sk.starts_with(keys::MESSAGES) {
        let conversation_id = id(change.pk.strip_prefix(keys::CONVERSATIONS))?.parse().map_err(malformed)?;
        let message_id = id(change.sk.strip_prefix(keys::MESSAGES))?.parse().map_err(malformed)?;
        return Ok(Change::MessageStored { conversation_id, message_id });
    }
    if change.sk.starts_with(keys::NOTICES) {
        let user_id = id(change.pk.strip_prefix(keys::USERS))?.parse().map_err(malformed)?;
        let notice_id = id(change.sk.strip_prefix(keys::NOTICES))?.parse().map_err(malformed)?;
        return Ok(Change::NoticeIssued { user_id, notice_id });
    }
    if change.sk.starts_with(keys::REMINDERS) {
        let conversation_id = id(change.pk.strip_prefix(keys::CONVERSATIONS))?.parse().map_err(malformed)?;
        let user_id = id(change.sk.strip_prefix(keys::REMINDERS))?.parse().map_err(malformed)?;
        return Ok(Change::ReminderSent { conversation_id, user_id });
    }
    if let Some(gate) = change.sk.strip_prefix(keys::GATES) {
        let conversation_id = id(change.pk.strip_prefix(keys::CONVERSATIONS))?.parse().map_err(malformed)?;
        let gate =
            gate.parse().map_err(|_| StoreError::Malformed(format!("{}/{}: no such gate", change.pk, change.sk)))?;
        return Ok(Change::GateOpened { conversation_id, gate });
    }
    if change.sk == keys::REVEALED {
        let conversation_id = id(change.pk.strip_prefix(keys::CONVERSATIONS))?.parse().map_err(malformed)?;
        return Ok(Change::Revealed { conversation_id });
    }
    if change.sk.starts_with(keys::BADGES) {
        let user_id = id(change.pk.strip_prefix(keys::USERS))?.parse().map_err(malformed)?;
        let name = id(change.sk.strip_prefix(keys::BADGES))?;
        let badge = Badge::from_name(&name)
            .ok_or_else(|| StoreError::Malformed(format!("{}/{}: no such badge", change.pk, change.sk)))?;
        return Ok(Change::BadgeEarned { user_id, badge });
    }
    if let Some(other) = change.sk.strip_prefix(keys::BLOCKS) {
        let owner = id(change.pk.strip_prefix(keys::USERS))?.parse().map_err(malformed)?;
        let other = other.parse().map_err(malformed)?;
        return Ok(Change::Blocked { owner, other });
    }
    if change.pk.starts_with(keys::MATCHES) {
        let match_id = id(change.pk.strip_prefix(keys::MATCHES))?.parse().map_err(malformed)?;
        return Ok(Change::MatchCreated { match_id });
    }
    Ok(Change::Other(change))
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONVERSATION: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b";
    const MESSAGE: &str = "0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5c";

    fn body(event_name: &str, pk: &str, sk: &str) -> String {
        serde_json::json!({"eventName": event_name, "pk": pk, "sk": sk}).to_string()
    }

    #[test]
    fn a_message_insert_names_the_message() {
        let change = parse_change(&body("INSERT", &format!("CONV#{CONVERSATION}"), &format!("MSG#{MESSAGE}"))).unwrap();
        assert_eq!(
            change,
            Change::MessageStored {
                conversation_id: CONVERSATION.parse().unwrap(),
                message_id: MESSAGE.parse().unwrap()
            }
        );
        let matched = parse_change(&body("INSERT", &format!("MATCH#{MESSAGE}"), "MATCH")).unwrap();
        assert_eq!(matched, Change::MatchCreated { match_id: MESSAGE.parse().unwrap() });
        let reminded =
            parse_change(&body("INSERT", &format!("CONV#{CONVERSATION}"), &format!("REMINDER#{MESSAGE}"))).unwrap();
        assert_eq!(
            reminded,
            Change::ReminderSent { conversation_id: CONVERSATION.parse().unwrap(), user_id: MESSAGE.parse().unwrap() }
        );
        let blocked =
            parse_change(&body("INSERT", &format!("USER#{CONVERSATION}"), &format!("REL#BLOCKS#{MESSAGE}"))).unwrap();
        assert_eq!(blocked, Change::Blocked { owner: CONVERSATION.parse().unwrap(), other: MESSAGE.parse().unwrap() });
        let mirror =
            parse_change(&body("INSERT", &format!("USER#{MESSAGE}"), &format!("REL#BLOCKEDBY#{CONVERSATION}")))
                .unwrap();
        assert!(matches!(mirror, Change::Other(_)), "a block is acted on once, from its own side");
        let badge = parse_change(&body("INSERT", &format!("USER#{MESSAGE}"), "BADGE#streak_7")).unwrap();
        assert_eq!(badge, Change::BadgeEarned { user_id: MESSAGE.parse().unwrap(), badge: Badge::Streak7 });
        assert!(parse_change(&body("INSERT", &format!("USER#{MESSAGE}"), "BADGE#nope")).is_err());
    }

    #[test]
    fn modifications_the_notification_pipe_passes() {
        let scanned =
            parse_change(&body("MODIFY", &format!("CONV#{CONVERSATION}"), &format!("MSG#{MESSAGE}"))).unwrap();
        assert!(matches!(scanned, Change::MessageScanned { .. }));
        let changed = parse_change(&body("MODIFY", &format!("CONV#{CONVERSATION}"), "CONV")).unwrap();
        assert_eq!(changed, Change::ConversationChanged { conversation_id: CONVERSATION.parse().unwrap() });
        let released = parse_change(&body("MODIFY", &format!("USER#{MESSAGE}"), "PUSHDEFER#match:m:u")).unwrap();
        assert_eq!(
            released,
            Change::PushReleased { user_id: MESSAGE.parse().unwrap(), notification_id: "match:m:u".into() }
        );
    }

    #[test]
    fn other_changes_are_named_not_acted_on() {
        let modify = parse_change(&body("MODIFY", &format!("CONV#{CONVERSATION}"), "READ#x")).unwrap();
        assert!(matches!(modify, Change::Other(c) if c.event_name == "MODIFY"));
        assert!(matches!(parse_change(&body("INSERT", "USER#x", "USER")).unwrap(), Change::Other(_)));
    }

    #[test]
    fn garbage_is_malformed_not_a_panic() {
        assert!(matches!(parse_change("{\"eventName\": 3}"), Err(StoreError::Malformed(_))));
        assert!(matches!(parse_change(&body("INSERT", "CONV#nope", "MSG#nope")), Err(StoreError::Malformed(_))));
    }

    #[test]
    fn gate_and_reveal_markers_name_their_conversation() {
        let partition = format!("CONV#{CONVERSATION}");
        let gate = parse_change(&body("INSERT", &partition, "GATE#2")).unwrap();
        assert_eq!(gate, Change::GateOpened { conversation_id: CONVERSATION.parse().unwrap(), gate: 2 });
        let revealed = parse_change(&body("INSERT", &partition, "REVEALED")).unwrap();
        assert_eq!(revealed, Change::Revealed { conversation_id: CONVERSATION.parse().unwrap() });
        assert!(parse_change(&body("INSERT", &partition, "GATE#x")).is_err());
    }
}
