//! The moderation rules against the dodges people use and against ordinary chat.

use chrono::{DateTime, Duration, Utc};
use proptest::prelude::*;
use tandem_domain::moderation::{Classifier, MessageContext, RuleSet, RulesConfig, Severity, Verdict, verdict};

fn rules() -> RuleSet {
    RuleSet::new(RulesConfig::default_rules().expect("default rules"))
}

fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-11-21T18:00:00Z").unwrap().with_timezone(&Utc)
}

fn judge(rules: &RuleSet, text: &str, minutes_in: i64, earlier: &[String]) -> Verdict {
    let context = MessageContext {
        text,
        sent_at: start() + Duration::minutes(minutes_in),
        conversation_started_at: start(),
        earlier_by_author: earlier,
    };
    verdict(rules.classify(&context), rules.config().hide_at)
}

fn hidden_label(verdict: &Verdict) -> Option<&str> {
    match verdict {
        Verdict::Hide(findings) => findings.first().map(|f| f.label.as_str()),
        Verdict::Visible => None,
    }
}

/// The single-word terms that hide a message.
fn hiding_words() -> Vec<(String, String)> {
    let config = RulesConfig::default_rules().unwrap();
    config
        .lexicon
        .iter()
        .filter(|e| e.severity >= config.hide_at && !e.term.contains(' ') && e.term.len() >= 4)
        .map(|e| (e.term.clone(), e.label.clone()))
        .collect()
}

/// The obvious dodges, one per draw: case, accents, digits for letters, stretched letters,
/// letters spaced or dotted apart.
fn disguise(word: &str, trick: u8, seed: u64) -> String {
    let mut rng = seed;
    let mut coin = || {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (rng >> 33).is_multiple_of(2)
    };
    match trick % 6 {
        0 => word.chars().map(|c| if coin() { c.to_ascii_uppercase() } else { c }).collect(),
        1 => word
            .chars()
            .map(|c| match c {
                'e' => 'é',
                'a' => 'à',
                'i' => 'ï',
                'o' => 'ô',
                'u' => 'ü',
                c => c,
            })
            .collect(),
        2 => word
            .chars()
            .map(|c| match c {
                'o' => '0',
                'i' => '1',
                'e' => '3',
                'a' => '@',
                's' => '$',
                c => c,
            })
            .collect(),
        3 => {
            word.chars().flat_map(|c| std::iter::repeat_n(c, if coin() { 4 } else { 1 })).collect::<String>()
                + &word[word.len() - 1..].repeat(3)
        }
        4 => word.chars().map(String::from).collect::<Vec<_>>().join(" "),
        _ => word.chars().map(String::from).collect::<Vec<_>>().join("."),
    }
}

proptest! {
    #[test]
    fn disguised_terms_are_still_caught(index in 0usize..1000, trick in 0u8..6, seed in any::<u64>(), minutes in 0i64..2000) {
        let words = hiding_words();
        let (term, label) = &words[index % words.len()];
        let text = format!("hey {} lol", disguise(term, trick, seed));
        let verdict = judge(&rules(), &text, minutes, &[]);
        prop_assert_eq!(hidden_label(&verdict), Some(label.as_str()), "{} ({})", text, term);
    }

    #[test]
    fn phone_numbers_are_caught_early_whatever_the_separators(digits in prop::collection::vec(0u8..10, 9..12), sep in prop::sample::select(vec![" ", ".", "-", "", " - "])) {
        let number: Vec<String> = digits.chunks(2).map(|pair| pair.iter().map(u8::to_string).collect()).collect();
        let text = format!("my number is {}", number.join(sep));
        let early = judge(&rules(), &text, 30, &[]);
        prop_assert_eq!(hidden_label(&early), Some("contact_details"), "{}", text);
        // After the first hours the same message is allowed.
        prop_assert_eq!(judge(&rules(), &text, 60 * 24, &[]), Verdict::Visible);
    }
}

#[test]
fn ordinary_chat_is_not_flagged() {
    let rules = rules();
    let corpus = include_str!("ordinary-chat.txt");
    let lines: Vec<&str> = corpus.lines().filter(|l| !l.trim().is_empty()).collect();
    let flagged: Vec<&str> =
        lines.iter().copied().filter(|line| judge(&rules, line, 10, &[]) != Verdict::Visible).collect();
    // The stated false-positive rate: none of these ordinary lines (insults at "low" such as
    // "idiot" are recorded by severity but do not hide).
    assert!(lines.len() >= 150, "corpus too small: {}", lines.len());
    assert!(flagged.is_empty(), "{} of {} ordinary lines flagged: {flagged:?}", flagged.len(), lines.len());
}

#[test]
fn each_kind_of_contact_detail_hides_early_only() {
    let rules = rules();
    for text in [
        "text me on 06 12 34 56 78",
        "my email is ana.b@example.com",
        "ana at gmail dot com",
        "check my site ana-portfolio.com",
        "https://example.org/me",
        "follow me @ana_b92",
        "add me on snap, ana_92",
    ] {
        assert_eq!(hidden_label(&judge(&rules, text, 5, &[])), Some("contact_details"), "{text}");
        assert_eq!(judge(&rules, text, 60 * 7, &[]), Verdict::Visible, "{text} after the window");
    }
}

#[test]
fn the_third_identical_message_is_spam() {
    let rules = rules();
    let earlier = vec!["Check out my page!".to_owned()];
    assert_eq!(judge(&rules, "check out my page!", 500, &earlier), Verdict::Visible);
    let earlier = vec!["Check out my page!".to_owned(), "CHECK OUT MY PAGE!".to_owned()];
    assert_eq!(hidden_label(&judge(&rules, "check out my page!", 500, &earlier)), Some("spam"));
}

#[test]
fn multi_word_terms_need_their_words_in_order() {
    let rules = rules();
    assert_eq!(hidden_label(&judge(&rules, "just k.y.s already", 500, &[])), Some("harassment"));
    assert_eq!(hidden_label(&judge(&rules, "go back to your COUNTRY", 500, &[])), Some("hate"));
    assert_eq!(judge(&rules, "your country is beautiful, go back soon", 500, &[]), Verdict::Visible);
}

#[test]
fn severity_orders_findings_and_low_ones_do_not_hide() {
    let rules = rules();
    assert_eq!(judge(&rules, "you absolute idiot", 500, &[]), Verdict::Visible);
    assert!(Severity::High > Severity::Medium && Severity::Medium > Severity::Low);
}
