//! Typed identifiers. Every id the backend mints is a UUIDv7 (unique, roughly time-ordered)
//! in its lower-case hyphenated form; each kind of id is its own type, so a conversation id
//! can never be passed where a message id is expected, and ids are parsed once, at the edge.

use std::fmt;

/// The one textual form every id has on the wire and in keys: lower-case hyphenated UUIDv7.
/// (Also the `pattern` of ids in the OpenAPI document.)
pub const ID_PATTERN: &str = "^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

/// Parses the canonical form only: 36 characters, hyphenated, version 7, RFC 4122 variant.
/// Upper-case hex is accepted and normalised (clients may upper-case UUIDs).
fn parse_v7(raw: &str) -> Option<String> {
    if raw.len() != 36 {
        return None;
    }
    let id = uuid::Uuid::try_parse(raw).ok()?;
    let canonical = id.hyphenated().to_string();
    (id.get_version_num() == 7 && id.get_variant() == uuid::Variant::RFC4122 && canonical.eq_ignore_ascii_case(raw))
        .then_some(canonical)
}

/// A string that is not a well-formed id of the expected kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("must be an id (a lower-case hyphenated UUIDv7)")]
pub struct InvalidId;

macro_rules! uuid_v7_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A new, time-ordered id.
            pub fn generate() -> Self {
                Self(uuid::Uuid::now_v7().to_string())
            }

            /// Accepts only well-formed ids (see [`ID_PATTERN`]), so a path, query or token
            /// cannot smuggle key syntax into the store.
            pub fn parse(raw: &str) -> Option<Self> {
                parse_v7(raw).map(Self)
            }

            /// Wraps a UUID the caller made (deterministic test and synthetic ids); only v7.
            pub fn from_uuid(id: uuid::Uuid) -> Option<Self> {
                (id.get_version_num() == 7).then(|| Self(id.hyphenated().to_string()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl std::str::FromStr for $name {
            type Err = InvalidId;

            fn from_str(raw: &str) -> Result<Self, InvalidId> {
                Self::parse(raw).ok_or(InvalidId)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        /// Deserialising validates too: a stored or queued id is as trustworthy as a parsed one.
        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&raw).ok_or_else(|| {
                    serde::de::Error::custom(concat!("not a valid ", stringify!($name), " (a UUIDv7)"))
                })
            }
        }
    };
}

uuid_v7_id!(
    /// A user account.
    UserId
);
uuid_v7_id!(
    /// A match made by a pairing sweep.
    MatchId
);
uuid_v7_id!(
    /// A 24-hour conversation (created with its match).
    ConversationId
);
uuid_v7_id!(
    /// A message; ids sort in send order.
    MessageId
);
uuid_v7_id!(
    /// A safety report.
    ReportId
);
uuid_v7_id!(
    /// A prompt of the catalogue (an icebreaker or a daily prompt).
    PromptId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_parse_only_canonical_uuid_v7() {
        let id = ConversationId::generate();
        assert_eq!(ConversationId::parse(id.as_str()), Some(id.clone()));
        assert_eq!(ConversationId::parse(&id.as_str().to_uppercase()), Some(id.clone()));
        let simple = id.as_str().replace('-', "");
        for bad in ["", "CONV#x", "not-a-uuid", &simple, &format!("{{{id}}}"), "6f1d1c2e-8b6a-4c3e-9d2a-1b2c3d4e5f60"] {
            assert_eq!(ConversationId::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_pattern_matches_what_parse_accepts() {
        // The OpenAPI pattern and the parser must agree on the canonical form.
        let id = MessageId::generate();
        let re_like = |s: &str| {
            s.len() == 36
                && s.chars().enumerate().all(|(i, c)| match i {
                    8 | 13 | 18 | 23 => c == '-',
                    14 => c == '7',
                    19 => matches!(c, '8' | '9' | 'a' | 'b'),
                    _ => c.is_ascii_hexdigit() && !c.is_ascii_uppercase(),
                })
        };
        assert!(re_like(id.as_str()));
        assert!(ID_PATTERN.contains("-7[0-9a-f]{3}-[89ab]"));
    }

    #[test]
    fn deserialising_validates() {
        let id = UserId::generate();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(serde_json::from_str::<UserId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<UserId>("\"USER#x\"").is_err());
    }
}
