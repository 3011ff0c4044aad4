//! Folding organisation names so that the same company matches however it
//! is written: "BR-YR Executive Search" and "BRYR Executive Search Ltd" are
//! one key, `bryrexecutivesearch`.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// Legal forms left off the end of a name.
const LEGAL_SUFFIXES: &[&str] = &[
    "ltd",
    "limited",
    "llc",
    "llp",
    "lp",
    "inc",
    "incorporated",
    "plc",
    "gmbh",
    "co",
    "company",
    "corp",
    "corporation",
    "sa",
    "sarl",
    "sas",
    "srl",
    "spa",
    "ag",
    "bv",
    "nv",
    "pte",
    "pty",
    "kk",
    "oy",
    "ab",
];

/// Legal forms written in Chinese, left off the end of a name.
const CJK_LEGAL_SUFFIXES: &[&str] = &[
    "股份有限公司",
    "有限责任公司",
    "有限責任公司",
    "有限公司",
    "公司",
];

/// Shortest key that is matched: shorter ones ("AB", "ACM") are too likely
/// to be someone else.
pub(super) const MIN_KEY_CHARS: usize = 4;

/// The matching key of an organisation's name: NFKC, lower case, without
/// diacritics, punctuation, spaces, "and"/"&" or a trailing legal form.
pub(super) fn organisation_key(name: &str) -> String {
    let folded: String = name
        .nfkd()
        .filter(|c| !is_combining_mark(*c))
        .flat_map(char::to_lowercase)
        .collect::<String>()
        .nfkc()
        .collect();
    let mut words: Vec<&str> = folded
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    // "Ltd.", "Co.,", "Pte. Ltd.": strip trailing legal forms, any number.
    while let Some(last) = words.last() {
        let bare: String = last.chars().filter(|c| c.is_alphanumeric()).collect();
        if LEGAL_SUFFIXES.contains(&bare.as_str()) && words.len() > 1 {
            words.pop();
        } else {
            break;
        }
    }
    let mut key: String = words
        .iter()
        .filter(|w| **w != "and" && **w != "&")
        .flat_map(|w| w.chars())
        .filter(|c| c.is_alphanumeric())
        .collect();
    for suffix in CJK_LEGAL_SUFFIXES {
        if let Some(stripped) = key.strip_suffix(suffix)
            && !stripped.is_empty()
        {
            key = stripped.to_owned();
            break;
        }
    }
    key
}

/// Most words of a run of text read as one organisation's name.
const MAX_NAME_WORDS: usize = 8;

/// Splits text into the words organisation names are made of: at spaces
/// and at punctuation other than the hyphens, dots and ampersands inside
/// names.
fn name_words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| {
        c.is_whitespace() || matches!(c, '|' | ',' | ';' | ':' | '/' | '(' | ')' | '@' | '•' | '·')
    })
    .filter(|w| !w.is_empty())
}

/// The key of the first word of an organisation's name: a run of words of
/// a text can only name the organisation if it starts with a word of this
/// key.
pub(super) fn first_word_key(name: &str) -> Option<String> {
    name_words(name)
        .map(organisation_key)
        .find(|k| !k.is_empty())
}

/// The keys of the runs of up to [`MAX_NAME_WORDS`] words of `text` that
/// start with a word whose key `starts` accepts, for finding an
/// organisation named inside a headline: "Senior Headhunter | BR-YR
/// Executive Search" yields `bryrexecutivesearch` when "br-yr" may start a
/// name. A run never starts or ends inside a word, so a short name cannot
/// be found inside a longer word.
pub(super) fn keys_within(text: &str, starts: impl Fn(&str) -> bool) -> Vec<String> {
    let words: Vec<&str> = name_words(text).collect();
    let mut keys = Vec::new();
    for start in 0..words.len() {
        if !starts(&organisation_key(words[start])) {
            continue;
        }
        for end in start + 1..=words.len().min(start + MAX_NAME_WORDS) {
            let key = organisation_key(&words[start..end].join(" "));
            if key.chars().count() >= MIN_KEY_CHARS {
                keys.push(key);
            }
        }
    }
    keys.sort_unstable();
    keys.dedup();
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_company_written_differently() {
        let key = organisation_key("BR-YR Executive Search");
        assert_eq!(key, "bryrexecutivesearch");
        assert_eq!(organisation_key("BRYR Executive Search Ltd"), key);
        assert_eq!(organisation_key("bryr executive search, LTD."), key);
        assert_eq!(organisation_key("BR YR Executive-Search Pte. Ltd."), key);
        assert_eq!(
            organisation_key("Académie & Partners"),
            organisation_key("Academie and Partners Limited")
        );
        assert_eq!(organisation_key("深圳某某咨询有限公司"), "深圳某某咨询");
    }

    #[test]
    fn names_inside_a_headline() {
        let first = first_word_key("BR-YR Executive Search").unwrap();
        assert_eq!(first, "bryr");
        let keys = keys_within(
            "Senior Headhunter | BR-YR Executive Search Ltd (London)",
            |k| k == first,
        );
        assert!(keys.contains(&"bryrexecutivesearch".to_owned()), "{keys:?}");
        // Whole words only.
        assert!(keys_within("Metallurgy consultant", |k| k == "meta").is_empty());
    }

    #[test]
    fn different_companies_stay_apart() {
        assert_ne!(
            organisation_key("BRYR Executive Search"),
            organisation_key("BRYR Executive Services")
        );
        // A legal form alone is the name.
        assert_eq!(organisation_key("Company"), "company");
    }
}
