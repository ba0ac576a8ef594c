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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn enforces_length_bounds_in_characters() {
        assert!(check_new_password("123456789").is_err());
        assert!(check_new_password("1234567890").is_ok());
        // Ten multi-byte characters are ten characters, not thirty bytes.
        assert!(check_new_password("ééééééééé").is_err());
        assert!(check_new_password(&"x".repeat(257)).is_err());
    }
}
