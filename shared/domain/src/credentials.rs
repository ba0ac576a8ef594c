//! Password policy. Hashing is an adapter concern (argon2id in the API crate).

use crate::validation::FieldError;

pub const PASSWORD_MIN_CHARS: usize = 10;
/// Bounds the work an attacker can make us do per hash.
pub const PASSWORD_MAX_CHARS: usize = 256;

/// Checks a new password against the policy.
pub fn check_new_password(password: &str) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldError::new("password", format!("must be at least {PASSWORD_MIN_CHARS} characters")));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldError::new("password", format!("must be at most {PASSWORD_MAX_CHARS} characters")));
    }
    Ok(())
}

/// Failed-login throttling: after `max_failures` failures for one email inside a window,
/// further attempts are refused until the window ends. Applies equally to unknown emails,
/// so the throttle does not reveal which addresses have accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottlePolicy {
    pub max_failures: u32,
    pub window_seconds: i64,
}

impl Default for LoginThrottlePolicy {
    fn default() -> Self {
        Self { max_failures: 5, window_seconds: 15 * 60 }
    }
}

impl LoginThrottlePolicy {
    /// Failed logins per client address (over any number of emails): one client cannot
    /// spray a password over thousands of accounts.
    pub const PER_CLIENT: LoginThrottlePolicy = LoginThrottlePolicy { max_failures: 30, window_seconds: 15 * 60 };

    /// Seconds the caller must wait, given the failures counted in the window ending at
    /// `window_ends` (epoch seconds); `None` when an attempt is allowed.
    pub fn retry_after(&self, failures: u32, window_ends: i64, now: i64) -> Option<i64> {
        (failures >= self.max_failures && window_ends > now).then(|| window_ends - now)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttles_only_after_max_failures_and_until_window_end() {
        let policy = LoginThrottlePolicy { max_failures: 3, window_seconds: 60 };
        assert_eq!(policy.retry_after(2, 1_060, 1_000), None);
        assert_eq!(policy.retry_after(3, 1_060, 1_000), Some(60));
        assert_eq!(policy.retry_after(9, 1_060, 1_059), Some(1));
        assert_eq!(policy.retry_after(9, 1_060, 1_060), None);
    }

    #[test]
    fn enforces_length_bounds_in_characters() {
        assert!(check_new_password("123456789").is_err());
        assert!(check_new_password("1234567890").is_ok());
        // Ten multi-byte characters are ten characters, not thirty bytes.
        assert!(check_new_password("ééééééééé").is_err());
        assert!(check_new_password(&"x".repeat(257)).is_err());
    }
}
