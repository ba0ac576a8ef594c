//! Accounts: identity, status and role.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use std::fmt;

use crate::email::Email;
use crate::profile::Profile;

/// Opaque user identifier (a UUIDv7 string: unique and roughly time-ordered).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct UserId(String);

impl UserId {
    pub fn generate() -> Self {
        Self(uuid::Uuid::now_v7().to_string())
    }

    /// Accepts only well-formed ids, so a path or token cannot smuggle key syntax.
    pub fn parse(raw: &str) -> Option<Self> {
        uuid::Uuid::parse_str(raw).ok().map(|id| Self(id.hyphenated().to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UserStatus {
    Active,
    SuspendedFromMatching,
    Banned,
    PendingDeletion,
}

impl UserStatus {
    /// Banned accounts cannot obtain tokens; every other status can still sign in
    /// (a suspended user must be able to acknowledge, a pending deletion to cancel).
    pub fn may_sign_in(self) -> bool {
        !matches!(self, UserStatus::Banned)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    User,
    Admin,
}

pub const DEFAULT_TIMEZONE: &str = "UTC";
pub const DEFAULT_LOCALE: &str = "en";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub id: UserId,
    pub email: Email,
    pub status: UserStatus,
    pub role: Role,
    /// IANA zone name; defines the user's "today" for availability.
    pub timezone: String,
    pub locale: String,
    #[serde(default)]
    pub premium: bool,
    pub created_at: DateTime<Utc>,
    pub last_seen_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub profile: Option<Profile>,
}

impl User {
    /// A fresh, active account with default settings and no profile yet.
    pub fn new(email: Email, now: DateTime<Utc>) -> Self {
        Self {
            id: UserId::generate(),
            email,
            status: UserStatus::Active,
            role: Role::User,
            timezone: DEFAULT_TIMEZONE.to_owned(),
            locale: DEFAULT_LOCALE.to_owned(),
            premium: false,
            created_at: now,
            last_seen_at: now,
            profile: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_ids_parse_only_uuids() {
        let id = UserId::generate();
        assert_eq!(UserId::parse(id.as_str()), Some(id));
        assert_eq!(UserId::parse("USER#x"), None);
        assert_eq!(UserId::parse(""), None);
    }

    #[test]
    fn only_banned_users_cannot_sign_in() {
        assert!(UserStatus::Active.may_sign_in());
        assert!(UserStatus::SuspendedFromMatching.may_sign_in());
        assert!(UserStatus::PendingDeletion.may_sign_in());
        assert!(!UserStatus::Banned.may_sign_in());
    }
}
