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
    /// A banned account still signs in, to exercise its rights of access and erasure, and
    /// nothing else: its tokens serve only the export and the deletion request (every other
    /// route refuses it). Every other status signs in fully (a suspended user must be able
    /// to acknowledge, a pending deletion to cancel).
    pub fn is_restricted(self) -> bool {
        matches!(self, UserStatus::Banned)
    }

    /// Whether the account may ask for its deletion (one already pending keeps its first
    /// request).
    pub fn may_request_deletion(self) -> bool {
        matches!(self, UserStatus::Active | UserStatus::SuspendedFromMatching | UserStatus::Banned)
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
    /// The status that decides what the account may do: a banned account that asked for its
    /// deletion stays banned through the grace period (its status reads pending deletion).
    pub fn standing(&self) -> UserStatus {
        match &self.deletion {
            Some(request) if self.status == UserStatus::PendingDeletion => {
                if request.previous_status.is_restricted() {
                    request.previous_status
                } else {
                    self.status
                }
            }
            _ => self.status,
        }
    }

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
    fn only_banned_users_are_restricted_even_while_their_deletion_is_pending() {
        assert!(!UserStatus::Active.is_restricted());
        assert!(!UserStatus::SuspendedFromMatching.is_restricted());
        assert!(UserStatus::Banned.is_restricted() && UserStatus::Banned.may_request_deletion());
        let now = Utc::now();
        let mut user = User::new(Email::parse("a@example.com", "email").unwrap(), now);
        user.status = UserStatus::PendingDeletion;
        user.deletion = Some(DeletionRequest { requested_at: now, due_at: now, previous_status: UserStatus::Active });
        assert_eq!(user.standing(), UserStatus::PendingDeletion);
        user.deletion = Some(DeletionRequest { requested_at: now, due_at: now, previous_status: UserStatus::Banned });
        assert_eq!(user.standing(), UserStatus::Banned, "a pending deletion does not lift a ban");
    }
}
