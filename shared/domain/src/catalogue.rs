//! The fixed catalogues that profile interests and values are chosen from.
//!
//! Keys are stable identifiers (clients localise the labels); adding a key is safe,
//! removing one needs a data migration.

pub const INTERESTS: &[&str] = &[
    "art",
    "books",
    "board_games",
    "climbing",
    "cinema",
    "cooking",
    "cycling",
    "dance",
    "fashion",
    "fitness",
    "gaming",
    "gardening",
    "history",
    "hiking",
    "languages",
    "music",
    "nature",
    "philosophy",
    "photography",
    "podcasts",
    "politics",
    "running",
    "science",
    "spirituality",
    "sports",
    "startups",
    "technology",
    "theatre",
    "travel",
    "volunteering",
    "writing",
    "yoga",
];

pub const VALUES: &[&str] = &[
    "adventure",
    "ambition",
    "authenticity",
    "compassion",
    "creativity",
    "curiosity",
    "family",
    "freedom",
    "generosity",
    "honesty",
    "humour",
    "independence",
    "kindness",
    "learning",
    "loyalty",
    "openness",
    "patience",
    "respect",
    "responsibility",
    "simplicity",
    "spirituality",
    "sustainability",
    "tradition",
];

pub fn is_interest(key: &str) -> bool {
    INTERESTS.contains(&key)
}

pub fn is_value(key: &str) -> bool {
    VALUES.contains(&key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogues_have_unique_keys() {
        for list in [INTERESTS, VALUES] {
            let mut sorted = list.to_vec();
            sorted.sort_unstable();
            sorted.dedup();
            assert_eq!(sorted.len(), list.len());
        }
        assert!(is_interest("hiking") && !is_interest("honesty"));
        assert!(is_value("honesty") && !is_value("hiking"));
    }
}
