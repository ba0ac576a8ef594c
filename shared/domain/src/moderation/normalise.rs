//! Text normalisation for matching word lists: the obvious dodges (case, accents, letter/digit
//! substitutions, stretched letters, spaced-out letters) all reduce to the same words.

/// Lower-case, accents folded to ASCII, and common substitutions undone inside words
/// (`0→o 1→i 3→e 4→a 5→s 7→t 8→b @→a $→s !→i`): in any whitespace-separated chunk that has
/// a letter (`sh!t`, `@$$h0l3`), so plain numbers, prices and e-mail addresses keep theirs.
pub fn normalise(text: &str) -> String {
    let folded: String = text.chars().flat_map(char::to_lowercase).map(fold_accent).collect();
    let mut out = String::with_capacity(folded.len());
    for chunk in folded.split_inclusive(char::is_whitespace) {
        let chars: Vec<char> = chunk.chars().collect();
        let has_letter = chars.iter().any(char::is_ascii_alphabetic);
        let email_like = chunk.find('@').is_some_and(|at| chunk[at..].contains('.'));
        for (i, &c) in chars.iter().enumerate() {
            if !has_letter || email_like {
                out.push(c);
                continue;
            }
            // A final `!` is punctuation (`shit!`), one before more of the word is a letter.
            let more_follows = chars.get(i + 1).is_some_and(|n| n.is_alphanumeric() || matches!(n, '@' | '$' | '!'));
            out.push(match c {
                '0' => 'o',
                '1' => 'i',
                '!' if more_follows => 'i',
                '3' => 'e',
                '4' | '@' => 'a',
                '5' | '$' => 's',
                '7' => 't',
                '8' => 'b',
                other => other,
            });
        }
    }
    out
}

fn fold_accent(c: char) -> char {
    match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ą' => 'a',
        'ç' | 'ć' | 'č' => 'c',
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ę' | 'ě' => 'e',
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => 'i',
        'ñ' | 'ń' | 'ň' => 'n',
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => 'o',
        'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' => 'u',
        'ý' | 'ÿ' => 'y',
        'ś' | 'š' | 'ß' => 's',
        'ź' | 'ż' | 'ž' => 'z',
        'ł' => 'l',
        'ð' => 'd',
        'œ' => 'o',
        'æ' => 'a',
        other => other,
    }
}

/// The words of a text, normalised; runs of single letters (`f u c k`, `f.u.c.k`) are
/// joined into one word, since nobody writes real words that way.
pub fn words(text: &str) -> Vec<String> {
    let normalised = normalise(text);
    let tokens: Vec<&str> = normalised.split(|c: char| !c.is_alphanumeric()).filter(|t| !t.is_empty()).collect();
    let mut out: Vec<String> = Vec::with_capacity(tokens.len());
    let mut run = String::new();
    for token in tokens {
        if token.chars().count() == 1 {
            run.push_str(token);
            continue;
        }
        if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
        out.push(token.to_owned());
    }
    if !run.is_empty() {
        out.push(run);
    }
    out
}

/// The word with every run of a repeated letter reduced to one (`fuuuuck` → `fuck`).
pub(super) fn squeeze(word: &str) -> String {
    let mut out = String::with_capacity(word.len());
    for c in word.chars() {
        if !out.ends_with(c) {
            out.push(c);
        }
    }
    out
}

/// Whether the word stretches a letter (three or more in a row): the sign of a dodge, so
/// only then is it compared squeezed (`as` must not match `ass`, `asssss` must).
pub(super) fn is_stretched(word: &str) -> bool {
    let chars: Vec<char> = word.chars().collect();
    chars.windows(3).any(|w| w[0] == w[1] && w[1] == w[2])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dodges_reduce_to_the_same_words() {
        assert_eq!(words("F.U.C.K you"), ["fuck", "you"]);
        assert_eq!(words("f u c k"), ["fuck"]);
        assert_eq!(words("Sh!t and b1tch"), ["shit", "and", "bitch"]);
        assert_eq!(words("ÉCOLE crème"), ["ecole", "creme"]);
        assert_eq!(words("call me at 10:30"), ["call", "me", "at", "10", "30"]);
        assert_eq!(words("@$$h0l3!"), ["asshole"]);
        assert_eq!(squeeze("fuuuuck"), "fuck");
        assert!(is_stretched("fuuuck") && !is_stretched("good") && !is_stretched("ass"));
    }

    #[test]
    fn plain_numbers_keep_their_characters() {
        assert_eq!(normalise("It costs $5, see you at 7"), "it costs $5, see you at 7");
        assert_eq!(normalise("b@stard"), "bastard");
    }
}
