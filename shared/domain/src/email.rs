//! Email addresses, case-folded so uniqueness is case-insensitive.

use serde::{Deserialize, Serialize};
use std::fmt;

use crate::validation::FieldError;

const MAX_LEN: usize = 254;

/// A syntactically plausible, trimmed, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    /// Parses user input; `field` names the input in the error.
    pub fn parse(raw: &str, field: &str) -> Result<Self, FieldError> {
        let folded = raw.trim().to_lowercase();
        let invalid = || FieldError::new(field, "must be a valid email address");
        if folded.is_empty() || folded.len() > MAX_LEN || folded.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let (local, domain) = folded.split_once('@').ok_or_else(invalid)?;
        let domain_ok = domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !domain.contains("..")
            && !domain.contains('@');
        if local.is_empty() || !domain_ok {
            return Err(invalid());
        }
        Ok(Self(folded))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_trims() {
        let email = Email::parse("  Alice@Example.COM ", "email").unwrap();
        assert_eq!(email.as_str(), "alice@example.com");
    }

    #[test]
    fn rejects_malformed_addresses() {
        for bad in [
            "",
            "alice",
            "@example.com",
            "alice@",
            "alice@example",
            "a b@example.com",
            "a@b@c.com",
            "a@.com",
            "a@x..com",
        ] {
            let err = Email::parse(bad, "email").unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
    }

    #[test]
    fn rejects_overlong_addresses() {
        let long = format!("{}@example.com", "a".repeat(250));
        assert!(Email::parse(&long, "email").is_err());
    }
}
