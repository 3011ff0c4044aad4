//! Matching a sender's name against the names of alerted personas.
//!
//! Two names match when every word of the shorter one pairs off with a
//! different word of the longer one, in any order, and
//!
//! - each pair is the same word once diacritics, case and look-alike
//!   letters are folded away, a known romanisation variant ("Qiu" and
//!   "Chiu", "Zhang" and "Chang"), or a small typo (one edit in a word of
//!   four letters or more, two from eight);
//! - or, for at most one pair, an initial and a word it begins ("A." and
//!   "Amanda");
//! - at least two words pair off, one of them in full, and the longer name
//!   has at most one word more ("Amanda J. Qiu").
//!
//! A first name or a surname alone never matches. Names written in Chinese
//! or Japanese characters match when they are the same characters.

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

use crate::normalise::{confusable_ascii, is_cjk};

/// Most words of a name that are compared; the rest are ignored.
const MAX_WORDS: usize = 6;

/// Longest word of a name that is compared; no name has longer ones, and
/// a longer one (from hostile input) is ignored.
const MAX_WORD_CHARS: usize = 48;

/// Longest word given typo keys (each letter deleted in turn).
const MAX_TYPO_KEY_CHARS: usize = 24;

/// Titles and honorifics that are not part of a name.
const HONORIFICS: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "rev",
    "lord",
    "lady",
    "hon",
    "phd",
    "mba",
];

/// Groups of spellings of one Chinese surname or given-name syllable in
/// the romanisations met in practice (Hanyu Pinyin, Wade-Giles, Cantonese
/// and Hokkien spellings). A spelling may stand in more than one group.
const ROMANISATIONS: &[&[&str]] = &[
    &["qiu", "chiu", "chew", "khoo", "yau"],
    &["zhang", "chang", "cheung", "teo", "chong"],
    &["xu", "hsu", "hsü", "tsui", "hui", "koh"],
    &["zhou", "chou", "chow", "chau", "chew"],
    &["wang", "wong", "ong", "heng"],
    &["chen", "chan", "tan", "chin", "ding"],
    &["li", "lee", "lei", "lie", "ly"],
    &["liu", "lau", "lao", "low"],
    &["huang", "wong", "hwang", "ng", "ooi"],
    &["zhao", "chao", "chiu", "chew"],
    &["wu", "ng", "woo", "goh"],
    &["guo", "kuo", "kwok", "kwek"],
    &["lin", "lam", "lim"],
    &["he", "ho", "hoh"],
    &["gao", "kao", "ko", "kou"],
    &["xie", "hsieh", "tse", "chia", "seah"],
    &["cai", "tsai", "choi", "chua", "tsoi"],
    &["deng", "teng", "tang", "tsang"],
    &["zheng", "cheng", "cheang", "tay"],
    &["jiang", "chiang", "kong", "keung"],
    &["xiao", "hsiao", "siu", "siew"],
    &["yang", "yeung", "yeo", "young"],
    &["wei", "wai", "ngai"],
    &["shen", "sham", "shum", "sim"],
    &["zhu", "chu", "chue", "gee"],
    &["ye", "yeh", "yip", "yap"],
    &["xiong", "hsiung", "hung"],
    &["jin", "chin", "kam", "kim"],
    &["zhong", "chung", "cheong"],
    &["qian", "chien", "chin"],
];

/// A name folded for comparison: its words, and whether each is only an
/// initial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FoldedName {
    pub(super) words: Vec<String>,
}

impl FoldedName {
    /// Folds a name: NFKC, lower case, diacritics and look-alike letters
    /// removed, split into words, honorifics dropped.
    pub(super) fn new(name: &str) -> FoldedName {
        let mut words = Vec::new();
        let mut word = String::new();
        let mut push = |word: &mut String| {
            if !word.is_empty()
                && word.chars().count() <= MAX_WORD_CHARS
                && !HONORIFICS.contains(&word.as_str())
                && words.len() < MAX_WORDS
            {
                words.push(std::mem::take(word));
            }
            word.clear();
        };
        for c in name.nfkd().filter(|c| !is_combining_mark(*c)) {
            if c.is_alphanumeric() {
                // Look-alikes are judged as written (Cyrillic `Н` imitates
                // `H`; its lower case does not), then case is folded.
                match confusable_ascii(c) {
                    Some(latin) => word.push(latin),
                    None => word.extend(c.to_lowercase()),
                }
            } else {
                push(&mut word);
            }
        }
        push(&mut word);
        FoldedName { words }
    }

    /// Whether the name can match through one word: it has an initial, or
    /// it is one word of CJK characters.
    pub(super) fn is_loose(&self) -> bool {
        self.words.iter().any(|w| w.chars().count() == 1)
            || matches!(self.words.as_slice(), [w] if w.chars().all(is_cjk))
            || self.words.iter().any(|w| w.chars().any(is_cjk))
    }

    /// The keys under which a name is indexed: its full words (two letters
    /// or more), their romanisation groups and, for typos, each word with
    /// one letter deleted.
    pub(super) fn keys(&self) -> Vec<String> {
        let mut keys = Vec::new();
        for word in self.words.iter().filter(|w| w.chars().count() >= 2) {
            keys.extend(word_keys(word));
        }
        keys.sort_unstable();
        keys.dedup();
        keys
    }
}

/// The index keys of one word.
pub(super) fn word_keys(word: &str) -> Vec<String> {
    let mut keys = vec![word.to_owned()];
    for group in groups_of(word) {
        keys.push(format!("#{group}"));
    }
    let chars: Vec<char> = word.chars().collect();
    if (4..=MAX_TYPO_KEY_CHARS).contains(&chars.len()) {
        for skip in 0..chars.len() {
            let shorter: String = chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != skip)
                .map(|(_, c)| *c)
                .collect();
            keys.push(shorter);
        }
    }
    keys
}

/// The romanisation groups a word belongs to, by index.
fn groups_of(word: &str) -> impl Iterator<Item = usize> + '_ {
    ROMANISATIONS
        .iter()
        .enumerate()
        .filter(move |(_, g)| g.contains(&word))
        .map(|(i, _)| i)
}

/// How two words of names correspond.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pair {
    /// The same word, a romanisation variant or a small typo.
    Full,
    /// An initial and a word it begins.
    Initial,
}

/// Whether and how two folded words correspond.
fn pair(a: &str, b: &str) -> Option<Pair> {
    if a == b {
        return Some(if a.chars().count() == 1 {
            Pair::Initial
        } else {
            Pair::Full
        });
    }
    let (la, lb) = (a.chars().count(), b.chars().count());
    if la == 1 || lb == 1 {
        let (initial, word) = if la == 1 { (a, b) } else { (b, a) };
        return (word.starts_with(initial) && word.chars().count() > 1).then_some(Pair::Initial);
    }
    if groups_of(a).any(|g| groups_of(b).any(|h| g == h)) {
        return Some(Pair::Full);
    }
    // Typos are letters; "Persona7" and "Persona8" are not one name.
    if !a.chars().chain(b.chars()).all(char::is_alphabetic) {
        return None;
    }
    let shortest = la.min(lb);
    let allowed = match shortest {
        0..=3 => 0,
        4..=7 => 1,
        _ => 2,
    };
    // Damerau-Levenshtein (optimal string alignment): a swap is one edit.
    (allowed > 0 && strsim::osa_distance(a, b) <= allowed).then_some(Pair::Full)
}

/// Whether two folded names are the same person's name by the rules of the
/// module.
pub(super) fn names_match(a: &FoldedName, b: &FoldedName) -> bool {
    let (short, long) = if a.words.len() <= b.words.len() {
        (&a.words, &b.words)
    } else {
        (&b.words, &a.words)
    };
    // A name written in CJK characters is one word: the same characters,
    // wherever they stand in the other name ("Amanda Qiu 邱曼达").
    if let [word] = short.as_slice() {
        return word.chars().count() >= 2
            && word.chars().all(is_cjk)
            && long.iter().any(|w| w == word);
    }
    if short.is_empty() || long.len() - short.len() > 1 {
        return false;
    }
    let mut used = vec![false; long.len()];
    assign(short, long, &mut used, 0, 0)
}

/// Pairs `short[from..]` with unused words of `long`, backtracking; at most
/// one initial pair and at least one full one.
fn assign(
    short: &[String],
    long: &[String],
    used: &mut [bool],
    from: usize,
    initials: usize,
) -> bool {
    let Some(word) = short.get(from) else {
        return initials < short.len();
    };
    for (j, other) in long.iter().enumerate() {
        if used.get(j).copied().unwrap_or(true) {
            continue;
        }
        let Some(kind) = pair(word, other) else {
            continue;
        };
        let initials = initials + usize::from(kind == Pair::Initial);
        if initials > 1 {
            continue;
        }
        if let Some(slot) = used.get_mut(j) {
            *slot = true;
        }
        if assign(short, long, used, from + 1, initials) {
            return true;
        }
        if let Some(slot) = used.get_mut(j) {
            *slot = false;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    fn matches(a: &str, b: &str) -> bool {
        names_match(&FoldedName::new(a), &FoldedName::new(b))
    }

    #[test]
    fn the_same_person_written_differently() {
        assert!(matches("Amanda Qiu", "Amanda Qiu"));
        assert!(matches("Amanda Qiu", "Qiu Amanda"));
        assert!(matches("Amanda Qiu", "A. Qiu"));
        assert!(matches("Amanda Qiu", "QIU, Amanda"));
        assert!(matches("Amanda Qiu", "Dr Amanda J. Qiu"));
        assert!(matches("Amanda Qiu", "Amanda Chiu"));
        assert!(matches("Shirley Shen", "Shirly Shen"));
        assert!(matches("Shirley Shen", "Shirley Shén"));
        // Cyrillic а and е.
        assert!(matches("Amanda Qiu", "\u{0410}m\u{0430}nda Qiu"));
        // Cyrillic capitals Н and Т imitate H and T.
        assert!(matches("Helen Tang", "\u{041D}elen \u{0422}ang"));
        assert!(matches("邱曼达", "Amanda Qiu 邱曼达"));
    }

    #[test]
    fn one_word_or_another_person_never_matches() {
        assert!(!matches("Amanda Qiu", "Amanda"));
        assert!(!matches("Amanda Qiu", "Qiu"));
        assert!(!matches("Amanda Qiu", "Amanda Smith"));
        assert!(!matches("Amanda Qiu", "Andrew Qiu"));
        assert!(!matches("Amanda Qiu", "A. Q."));
        assert!(!matches("Amanda Qiu", "Amanda Qiu Li Wei"));
        assert!(!matches("Shirley Shen", "Shelley Chen"));
        assert!(!matches("邱", "邱曼达"));
    }

    #[test]
    fn hostile_names_cost_little() {
        let long = "x".repeat(1 << 20);
        let name = FoldedName::new(&format!("{long} Qiu {long}"));
        assert_eq!(name.words, ["qiu"]);
        assert!(word_keys(&"y".repeat(40)).len() == 1);
    }

    #[test]
    fn typo_tolerance_grows_with_length() {
        assert_eq!(pair("shirley", "shirly"), Some(Pair::Full));
        assert_eq!(pair("amanda", "amadna"), Some(Pair::Full));
        assert!(pair("amanda", "andrea").is_none());
        assert!(pair("li", "lu").is_none());
        assert!(pair("alexandra", "aleksandra").is_some());
    }

    #[test]
    fn index_keys_cover_variants_and_typos() {
        let keys = FoldedName::new("Shirley Chiu").keys();
        assert!(keys.contains(&"shirly".to_owned()));
        assert!(keys.iter().any(|k| k.starts_with('#')));
        let typo = FoldedName::new("Shirly Qiu").keys();
        assert!(typo.iter().any(|k| keys.contains(k)));
    }
}
