//! The day-one heuristic rules: a lexicon matched on normalised words, contact details that
//! move users off-platform early in a conversation, and repeated identical messages. Word
//! lists, severities and thresholds are configuration (`moderation-rules.json` is the
//! default; operators pass their own), not code.

use chrono::Duration;
use serde::{Deserialize, Serialize};

use super::normalise::{is_stretched, normalise, squeeze, words};
use super::{Classifier, Finding, MessageContext, Severity};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LexiconEntry {
    /// One or more words; matched on normalised words, plurals (`-s`, `-es`) included.
    pub term: String,
    pub label: String,
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RulesConfig {
    pub lexicon: Vec<LexiconEntry>,
    /// Contact details are flagged only this long after the conversation started.
    pub contact_window_hours: i64,
    pub contact_severity: Severity,
    /// The same text this many times from one author in one conversation is spam.
    pub spam_repeats: usize,
    /// How many of the conversation's latest messages (both authors, the scanned one
    /// included) the repetition rule looks back over: spam is a burst.
    pub spam_lookback: usize,
    pub spam_severity: Severity,
    /// A message is hidden when a finding reaches this severity.
    pub hide_at: Severity,
}

/// The rules shipped with the code; a deployment may pass its own JSON of the same shape.
pub const DEFAULT_RULES: &str = include_str!("../../moderation-rules.json");

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("moderation rules are not valid JSON of the expected shape: {0}")]
    Shape(#[from] serde_json::Error),
    #[error("moderation rules: {0}")]
    Invalid(String),
}

impl RulesConfig {
    pub fn from_json(raw: &str) -> Result<Self, RulesError> {
        let config: Self = serde_json::from_str(raw)?;
        if config.spam_repeats < 2 {
            return Err(RulesError::Invalid("spamRepeats must be at least 2".into()));
        }
        if config.spam_lookback < config.spam_repeats || config.spam_lookback > 100 {
            return Err(RulesError::Invalid("spamLookback must be between spamRepeats and 100".into()));
        }
        if config.contact_window_hours < 0 {
            return Err(RulesError::Invalid("contactWindowHours must not be negative".into()));
        }
        if let Some(entry) = config.lexicon.iter().find(|e| words(&e.term).is_empty()) {
            return Err(RulesError::Invalid(format!("lexicon term {:?} has no words", entry.term)));
        }
        Ok(config)
    }

    pub fn default_rules() -> Result<Self, RulesError> {
        Self::from_json(DEFAULT_RULES)
    }
}

struct Term {
    words: Vec<String>,
    label: String,
    severity: Severity,
    rule: String,
}

/// The configured rules, with the lexicon normalised once.
pub struct RuleSet {
    config: RulesConfig,
    terms: Vec<Term>,
}

impl RuleSet {
    pub fn new(config: RulesConfig) -> Self {
        let terms = config
            .lexicon
            .iter()
            .enumerate()
            .map(|(i, e)| Term {
                words: words(&e.term),
                label: e.label.clone(),
                severity: e.severity,
                rule: format!("lexicon#{i}"),
            })
            .collect();
        Self { config, terms }
    }

    pub fn config(&self) -> &RulesConfig {
        &self.config
    }

    fn lexicon(&self, message: &[String], findings: &mut Vec<Finding>) {
        for term in &self.terms {
            let n = term.words.len();
            let hit = message.windows(n).any(|window| window.iter().zip(&term.words).all(|(w, t)| word_matches(w, t)));
            if hit && !findings.iter().any(|f| f.label == term.label && f.severity >= term.severity) {
                findings.push(Finding { label: term.label.clone(), severity: term.severity, rule: term.rule.clone() });
            }
        }
    }
}

fn word_matches(word: &str, term: &str) -> bool {
    let plural = |w: &str| w.strip_suffix("es").or_else(|| w.strip_suffix('s')).is_some_and(|stem| stem == term);
    word == term || plural(word) || (is_stretched(word) && squeeze(word) == squeeze(term))
}

impl Classifier for RuleSet {
    fn classify(&self, message: &MessageContext<'_>) -> Vec<Finding> {
        let mut findings = Vec::new();
        let message_words = words(message.text);
        self.lexicon(&message_words, &mut findings);
        let early =
            message.sent_at - message.conversation_started_at < Duration::hours(self.config.contact_window_hours);
        if early {
            let kinds = [
                ("phone", has_phone(message.text)),
                ("email", has_email(message.text, &message_words)),
                ("url", has_url(message.text)),
                ("social_handle", has_handle(message.text, &message_words)),
            ];
            if let Some((kind, _)) = kinds.iter().find(|(_, found)| *found) {
                findings.push(Finding {
                    label: "contact_details".into(),
                    severity: self.config.contact_severity,
                    rule: format!("contact:{kind}"),
                });
            }
        }
        let text = normalise(message.text.trim());
        let repeats = message.earlier_by_author.iter().filter(|earlier| normalise(earlier.trim()) == text).count();
        if !text.is_empty() && repeats + 1 >= self.config.spam_repeats {
            findings.push(Finding {
                label: "spam".into(),
                severity: self.config.spam_severity,
                rule: "repeated".into(),
            });
        }
        findings
    }
}

/// Nine or more digits in one run of digits and phone separators (`+33 6 12 34 56 78`,
/// `06.12.34.56.78`, `(555) 123-4567`), an `o` standing for a zero inside such a run; a run
/// of years (`1994 2001 2005`) is not a phone number.
pub(crate) fn has_phone(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if !(chars[i].is_ascii_digit() || chars[i] == '+') {
            i += 1;
            continue;
        }
        let (mut digits, mut groups, mut group) = (0usize, Vec::new(), String::new());
        let mut separators_in_a_row = 0;
        let mut j = i;
        while j < chars.len() {
            let c = chars[j];
            let zero_letter =
                matches!(c, 'o' | 'O') && digits > 0 && chars.get(j + 1).is_some_and(|n| n.is_ascii_digit());
            if c.is_ascii_digit() || zero_letter {
                digits += 1;
                separators_in_a_row = 0;
                group.push(if zero_letter { '0' } else { c });
            } else if matches!(c, ' ' | '-' | '.' | '(' | ')' | '/' | '+') {
                if !group.is_empty() {
                    groups.push(std::mem::take(&mut group));
                }
                separators_in_a_row += 1;
                if separators_in_a_row > 3 {
                    break;
                }
            } else {
                break;
            }
            j += 1;
        }
        if !group.is_empty() {
            groups.push(group);
        }
        let years =
            groups.len() > 1 && groups.iter().all(|g| g.len() == 4 && (g.starts_with("19") || g.starts_with("20")));
        if (9..=15).contains(&digits) && !years {
            return true;
        }
        i = j.max(i + 1);
    }
    false
}

const TLDS: &[&str] = &[
    "com", "net", "org", "io", "me", "co", "fr", "de", "uk", "es", "it", "be", "ch", "nl", "app", "dev", "ly", "gg",
    "info", "biz", "xyz", "link",
];

fn has_email(text: &str, words: &[String]) -> bool {
    let plain = text.split_whitespace().any(|chunk| {
        let Some((local, domain)) = chunk.split_once('@') else { return false };
        let domain = domain.trim_end_matches(|c: char| !c.is_alphanumeric());
        !local.is_empty() && domain.split_once('.').is_some_and(|(host, tld)| !host.is_empty() && tld.len() >= 2)
    });
    // `ana at gmail dot com`, `ana (at) gmail (dot) com`
    let spelled = words.windows(5).any(|w| {
        w[1] == "at" && w[3] == "dot" && TLDS.contains(&w[4].as_str()) && w[2].chars().all(char::is_alphanumeric)
    });
    plain || spelled
}

fn has_url(text: &str) -> bool {
    let lower = text.to_lowercase();
    if lower.contains("http://") || lower.contains("https://") || lower.contains("www.") {
        return true;
    }
    lower.split(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | ',' | '!' | '?' | '"' | '\'')).any(|chunk| {
        let chunk = chunk.trim_end_matches('.');
        let Some((host, path_tld)) = chunk.rsplit_once('.') else { return false };
        let tld = path_tld.split('/').next().unwrap_or("");
        let label = host.rsplit('.').next().unwrap_or("");
        label.len() >= 2 && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') && TLDS.contains(&tld)
    })
}

const PLATFORMS: &[&str] = &[
    "instagram",
    "insta",
    "snapchat",
    "snap",
    "whatsapp",
    "telegram",
    "tiktok",
    "discord",
    "facebook",
    "messenger",
    "kik",
    "twitter",
    "wechat",
];

/// An `@handle`, or a platform named with an invitation or a handle-like word
/// (`add me on snap: ana_92`).
fn has_handle(text: &str, words: &[String]) -> bool {
    let at_handle = text.split_whitespace().any(|chunk| {
        chunk.strip_prefix('@').is_some_and(|h| {
            let h = h.trim_end_matches(|c: char| !c.is_alphanumeric());
            h.len() >= 3 && h.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.')
        })
    });
    let platform = words.iter().any(|w| PLATFORMS.contains(&w.as_str()));
    let invitation = words.windows(2).any(|w| {
        matches!((w[0].as_str(), w[1].as_str()), ("add" | "find" | "follow" | "dm" | "text" | "message", "me"))
    }) || words.windows(2).any(|w| w[0] == "my" && PLATFORMS.contains(&w[1].as_str()));
    let handle_like = text.split_whitespace().any(|chunk| {
        let chunk = chunk.trim_matches(|c: char| !c.is_alphanumeric() && c != '_');
        chunk.contains('_') && chunk.len() >= 4
    });
    at_handle || (platform && (invitation || handle_like))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_rules_load() {
        let config = RulesConfig::default_rules().unwrap();
        assert!(config.lexicon.len() >= 20);
        assert!(RulesConfig::from_json(r#"{"lexicon": []}"#).is_err());
    }

    #[test]
    fn thresholds_out_of_range_are_refused() {
        let with = |key: &str, value: i64| {
            let mut raw: serde_json::Value = serde_json::from_str(DEFAULT_RULES).unwrap();
            raw[key] = value.into();
            RulesConfig::from_json(&raw.to_string())
        };
        assert!(with("spamRepeats", 1).is_err());
        assert!(with("spamLookback", 2).is_err(), "shorter than spamRepeats");
        assert!(with("spamLookback", 101).is_err());
        assert!(with("contactWindowHours", -1).is_err());
        assert!(with("spamLookback", 3).is_ok());
    }

    #[test]
    fn contact_details_are_recognised() {
        for phone in [
            "call me 06 12 34 56 78",
            "+33 6 12 34 56 78",
            "(555) 123-4567 ok",
            "06.12.34.56.78",
            "o6 12 34 56 78",
            "06 - 12 - 34 - 56 - 78",
        ] {
            assert!(has_phone(phone) || has_phone(&phone.replacen('o', "0", 1)), "{phone}");
        }
        for not_phone in ["born in 1994", "between 1994 2001 2005 and 2010", "it costs 12.50", "at 10:30", "room 221"] {
            assert!(!has_phone(not_phone), "{not_phone}");
        }
        assert!(has_email("write to ana.b@mail.example.com", &words("")));
        assert!(has_email("", &words("ana at gmail dot com")));
        assert!(!has_email("meet me at the cafe", &words("meet me at the cafe")));
        assert!(has_url("see https://example.org") && has_url("go to mysite.com/x") && has_url("www.example"));
        assert!(!has_url("i.e. nothing, e.g. this. Fine."));
        let handle = |t: &str| has_handle(t, &words(t));
        assert!(handle("follow @ana_b92") && handle("add me on snap: ana_92") && handle("my insta is anab"));
        assert!(!handle("I love instagram photos") && !handle("a snap decision") && !handle("email me @ home"));
    }
}
