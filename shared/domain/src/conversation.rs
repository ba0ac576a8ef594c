//! Conversations and messages: the rules of the 24-hour chat.

use chrono::{DateTime, Duration, Utc};

use crate::UserId;
use crate::validation::FieldError;

pub const MESSAGE_MAX_CHARS: usize = 2_000;
pub const CLIENT_MESSAGE_ID_MAX: usize = 64;
/// Messages are deleted this long after their conversation ends.
pub const MESSAGE_RETENTION_DAYS: i64 = 2;
/// `conversation.expiring` goes out this long before the end.
pub const EXPIRING_NOTICE: Duration = Duration::hours(1);
pub const EXTENSION: Duration = Duration::hours(24);

crate::named_enum! {
    pub enum ConversationState {
        Active = "active",
        Expired = "expired",
        Closed = "closed",
        EndedByPanic = "ended_by_panic",
    }
}

crate::named_enum! {
    /// A day's conversation (24 hours, anonymous first) or friends' conversation (no
    /// expiry, revealed, ended with the friendship).
    #[derive(Default)]
    pub enum ConversationKind {
        #[default]
        Daily = "daily",
        Friendship = "friendship",
    }
}

/// Messages between friends are deleted this long after they were sent.
pub const FRIENDSHIP_MESSAGE_RETENTION_DAYS: i64 = 30;

/// The planned end of a conversation that does not expire: never reached.
pub fn never_expires() -> DateTime<Utc> {
    DateTime::from_timestamp(253_402_300_799, 0).unwrap_or(DateTime::<Utc>::MAX_UTC) // 9999-12-31T23:59:59Z
}

crate::named_enum! {
    pub enum ModerationState {
        /// Stored and delivered; the asynchronous scan has not judged it yet.
        Visible = "visible",
        /// Scanned and found acceptable.
        Scanned = "scanned",
        /// Hidden by moderation: shown to no one without its text.
        Hidden = "hidden",
    }
}

/// Message text as stored: control characters removed (newlines and tabs kept), trimmed,
/// 1–2,000 characters.
pub fn clean_message_text(raw: &str) -> Result<String, FieldError> {
    let cleaned: String = raw.chars().filter(|c| !c.is_control() || *c == '\n' || *c == '\t').collect();
    let cleaned = cleaned.trim();
    if cleaned.is_empty() {
        return Err(FieldError::new("text", "must not be empty"));
    }
    if cleaned.chars().count() > MESSAGE_MAX_CHARS {
        return Err(FieldError::new("text", format!("must be at most {MESSAGE_MAX_CHARS} characters")));
    }
    Ok(cleaned.to_owned())
}

/// Client message ids make sends idempotent: short, printable, no key syntax.
pub fn check_client_message_id(raw: &str) -> Result<(), FieldError> {
    let ok = !raw.is_empty()
        && raw.len() <= CLIENT_MESSAGE_ID_MAX
        && raw.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err(FieldError::new(
            "clientMessageId",
            format!("must be 1–{CLIENT_MESSAGE_ID_MAX} characters of A–Z, a–z, 0–9, - _ . :"),
        ))
    }
}

/// Whether a participant may read and write now.
pub fn is_open(state: ConversationState, expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    state == ConversationState::Active && now < expires_at
}

/// What only a daily conversation allows (close, extend, the decision gates, "stay
/// friends"): friends end their conversation by ending the friendship.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("friends' conversations end with the friendship: DELETE /v1/friends/{{userId}}")]
pub struct FriendsConversation;

impl ConversationKind {
    /// Refuses a friends' conversation where only a daily one is meant.
    pub fn daily_only(self) -> Result<(), FriendsConversation> {
        match self {
            ConversationKind::Daily => Ok(()),
            ConversationKind::Friendship => Err(FriendsConversation),
        }
    }
}

/// When messages of a conversation that ended at `ended_at` are deleted.
pub fn message_deletion_time(ended_at: DateTime<Utc>) -> DateTime<Utc> {
    ended_at + Duration::days(MESSAGE_RETENTION_DAYS)
}

/// Extension needs both participants' consent, at least one premium user among them, and
/// happens once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ExtensionRefusal {
    #[error("this conversation was already extended once")]
    AlreadyExtended,
    #[error("extending a conversation needs a premium member in it")]
    NoPremium,
}

pub fn check_extension(already_extended: bool, any_premium: bool) -> Result<(), ExtensionRefusal> {
    if already_extended {
        Err(ExtensionRefusal::AlreadyExtended)
    } else if !any_premium {
        Err(ExtensionRefusal::NoPremium)
    } else {
        Ok(())
    }
}

/// The other participant.
pub fn peer_of<'a>(participants: &'a [UserId; 2], me: &UserId) -> Option<&'a UserId> {
    match participants {
        [a, b] if a == me => Some(b),
        [a, b] if b == me => Some(a),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text_is_cleaned_and_bounded() {
        assert_eq!(clean_message_text("  hi\u{0007} there\n ").unwrap(), "hi there");
        assert_eq!(clean_message_text("a\nb\tc").unwrap(), "a\nb\tc");
        assert!(clean_message_text(" \u{0000}\u{001b} ").is_err());
        assert!(clean_message_text(&"é".repeat(2_000)).is_ok());
        assert!(clean_message_text(&"é".repeat(2_001)).is_err());
    }

    #[test]
    fn client_message_ids_are_short_and_plain() {
        assert!(check_client_message_id("c-123_a.b:9").is_ok());
        for bad in ["", "has space", "MSG#x", &"a".repeat(65)] {
            assert!(check_client_message_id(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn conversations_are_open_only_while_active_and_unexpired() {
        let now = Utc::now();
        assert!(is_open(ConversationState::Active, now + Duration::seconds(1), now));
        assert!(!is_open(ConversationState::Active, now, now));
        assert!(!is_open(ConversationState::Closed, now + Duration::hours(1), now));
    }

    #[test]
    fn extension_rules() {
        assert_eq!(check_extension(false, true), Ok(()));
        assert_eq!(check_extension(true, true), Err(ExtensionRefusal::AlreadyExtended));
        assert_eq!(check_extension(false, false), Err(ExtensionRefusal::NoPremium));
    }
}
