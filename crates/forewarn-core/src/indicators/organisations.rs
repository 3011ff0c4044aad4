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
    fn different_companies_stay_apart() {
        assert_ne!(
            organisation_key("BRYR Executive Search"),
            organisation_key("BRYR Executive Services")
        );
        // A legal form alone is the name.
        assert_eq!(organisation_key("Company"), "company");
    }
}
