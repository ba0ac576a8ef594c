//! Accounts: identity, status and role.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::UserId;
use crate::email::Email;
use crate::engagement::{Engagement, Suspension};
use crate::intent::IntentChoice;
use crate::profile::Profile;

crate::named_enum! {
    pub enum UserStatus {
        Active = "active",
        SuspendedFromMatching = "suspended_from_matching",
        Banned = "banned",
        PendingDeletion = "pending_deletion",
    }
}

impl UserStatus {
    /// Banned accounts cannot obtain tokens; every other status can still sign in
    /// (a suspended user must be able to acknowledge, a pending deletion to cancel).
    pub fn may_sign_in(self) -> bool {
        !matches!(self, UserStatus::Banned)
    }

    /// Whether the account may ask for its deletion (a banned one cannot sign in; one
    /// already pending keeps its first request).
    pub fn may_request_deletion(self) -> bool {
        matches!(self, UserStatus::Active | UserStatus::SuspendedFromMatching)
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
#[serde(rename_all = "camelCase")]
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
    /// Set by an admin's suspension: no matching before this time.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub matching_suspended_until: Option<DateTime<Utc>>,
    /// Why matching is suspended, while the status says so (ghosting: lifted by the user).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub suspension: Option<Suspension>,
    /// The conversation history pairing and anti-ghosting read.
    #[serde(default)]
    pub engagement: Engagement,
    /// While the status is `pending_deletion`: when it was asked for and when it happens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deletion: Option<DeletionRequest>,
    /// This week's intent (a soft pairing preference), once set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub intent: Option<IntentChoice>,
}

/// A scheduled account deletion (cancellable until `due_at`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DeletionRequest {
    pub requested_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    /// The status a cancellation restores.
    pub previous_status: UserStatus,
}

impl User {
    /// Whether the account is pending deletion and its grace period is over at `now`.
    pub fn erasure_due(&self, now: DateTime<Utc>) -> bool {
        self.status == UserStatus::PendingDeletion && self.deletion.as_ref().is_some_and(|d| d.due_at <= now)
    }

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
            matching_suspended_until: None,
            suspension: None,
            engagement: Engagement::default(),
            deletion: None,
            intent: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erasure_is_due_only_when_pending_and_past_the_grace_period() {
        let now = Utc::now();
        let mut user = User::new(Email::parse("a@example.com", "email").unwrap(), now);
        let request = DeletionRequest { requested_at: now, due_at: now, previous_status: UserStatus::Active };
        user.deletion = Some(request);
        assert!(!user.erasure_due(now), "still active");
        user.status = UserStatus::PendingDeletion;
        assert!(user.erasure_due(now));
        assert!(!user.erasure_due(now - chrono::Duration::seconds(1)));
    }

    #[test]
    fn only_banned_users_cannot_sign_in() {
        assert!(UserStatus::Active.may_sign_in());
        assert!(UserStatus::SuspendedFromMatching.may_sign_in());
        assert!(UserStatus::PendingDeletion.may_sign_in());
        assert!(!UserStatus::Banned.may_sign_in());
    }
}
