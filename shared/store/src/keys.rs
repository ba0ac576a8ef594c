//! Attribute names and key builders: the one place that knows how keys are spelled.

use tandem_domain::{Email, UserId};

pub const PK: &str = "pk";
pub const SK: &str = "sk";
/// Epoch seconds after which DynamoDB TTL may delete the item; reads treat it as gone.
pub const TTL: &str = "ttl";
pub const GSI1: &str = "gsi1";
pub const GSI1_PK: &str = "gsi1pk";
pub const GSI1_SK: &str = "gsi1sk";

pub fn user(id: &UserId) -> (String, String) {
    (format!("USER#{id}"), "USER".to_owned())
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

pub fn session(family_id: &str) -> (String, String) {
    (format!("SESSION#{family_id}"), "SESSION".to_owned())
}

/// The user's sessions, listed through GSI1 (to revoke them all on a ban or deletion).
pub fn user_sessions_gsi1(id: &UserId) -> String {
    format!("USER#{id}#SESSIONS")
}

pub fn login_throttle(email: &Email) -> (String, String) {
    (format!("LOGIN#{email}"), "THROTTLE".to_owned())
}
