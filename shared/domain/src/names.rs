//! Enumerations whose names are stored and sent: each variant's name is written once, in its
//! declaration, and serde and the store's condition expressions both read it from `as_str`
//! (no copy of `"active"` anywhere else).

/// Declares a fieldless enum with one wire/storage name per variant: `as_str`, `ALL`,
/// `Serialize`, `Deserialize` (unknown names are refused, listing the valid ones).
#[macro_export]
macro_rules! named_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }

            pub fn from_name(name: &str) -> Option<Self> {
                match name { $($text => Some($name::$variant),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                $name::from_name(&raw).ok_or_else(|| serde::de::Error::unknown_variant(&raw, &[$($text),+]))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    named_enum! {
        enum Sample { One = "one", TwoWords = "two_words" }
    }

    #[test]
    fn names_round_trip_through_serde() {
        for value in Sample::ALL {
            let json = serde_json::to_value(value).unwrap();
            assert_eq!(json, value.as_str());
            assert_eq!(serde_json::from_value::<Sample>(json).unwrap(), *value);
        }
        let error = serde_json::from_str::<Sample>("\"three\"").unwrap_err().to_string();
        assert!(error.contains("one") && error.contains("two_words"), "{error}");
    }
}
