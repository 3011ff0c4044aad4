//! Text normalisation for matching, with a map back to the original text.
//!
//! Rules match against a normalised copy of each text, so that "ＷｅＣｈａｔ",
//! "W e C h a t", "w.e.c.h.a.t", "We\u{200b}Chat" and "WеChat" (with a Cyrillic
//! `е`) all read `wechat`, and "crypt0" reads `crypto`. Every byte of the
//! normalised text remembers which bytes of the original it came from, so a
//! match found in the normalised text is reported as a span of the original:
//! evidence offsets always point into what the user wrote.
//!
//! The steps, in order:
//!
//! 1. zero-width and invisible format characters are dropped;
//! 2. each character with its combining marks is put in Unicode NFKC and
//!    case-folded (lower case, with the full folds of `ß` and final sigma);
//!    typographic apostrophes and quotes become `'` and `"`;
//! 3. letters that are confusable with an ASCII letter or digit (Unicode
//!    TS #39, e.g. Cyrillic `а`, Greek `ο`) become that ASCII character;
//! 4. runs of white space become one space;
//! 5. runs of three or more single letters separated by one space, dot,
//!    hyphen, underscore or asterisk are joined ("w e c h a t" → "wechat");
//! 6. digits inside words that also hold letters are read as the letters they
//!    imitate ("crypt0" → "crypto", "p4yment" → "payment").
//!
//! Names, organisations and URLs are compared by their confusable
//! [`skeleton`] instead.

use std::ops::Range;

use unicode_normalization::UnicodeNormalization;
use unicode_normalization::char::is_combining_mark;

/// A normalised text with the origin of each of its bytes in the original.
#[derive(Debug, Clone, Default)]
pub struct Normalised {
    text: String,
    /// For each byte of `text`, the byte range of the original it came from.
    origin: Vec<(u32, u32)>,
}

impl Normalised {
    /// Normalises `original` for matching.
    ///
    /// Texts longer than `u32::MAX` bytes are not supported; callers bound
    /// message sizes well below that.
    pub fn new(original: &str) -> Self {
        let folded = fold_confusables(fold_characters(original), original);
        let joined = join_spaced_letters(folded);
        de_leet(joined)
    }

    /// The normalised text.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Maps a byte range of the normalised text to the byte range of the
    /// original text it came from.
    ///
    /// The result always lies on character boundaries of the original. An
    /// empty or out-of-bounds range maps to an empty range.
    pub fn original_span(&self, range: Range<usize>) -> Range<usize> {
        let end = range.end.min(self.origin.len());
        if range.start >= end {
            let at = self
                .origin
                .get(range.start)
                .map(|o| o.0 as usize)
                .or_else(|| self.origin.last().map(|o| o.1 as usize))
                .unwrap_or(0);
            return at..at;
        }
        let start = self.origin[range.start].0 as usize;
        let stop = self.origin[end - 1].1 as usize;
        start..stop.max(start)
    }
}

/// Builds a normalised text one piece at a time, remembering origins.
struct Builder {
    text: String,
    origin: Vec<(u32, u32)>,
}

impl Builder {
    fn with_capacity(n: usize) -> Self {
        Self {
            text: String::with_capacity(n),
            origin: Vec::with_capacity(n),
        }
    }

    #[inline]
    fn push(&mut self, c: char, from: (u32, u32)) {
        self.text.push(c);
        for _ in 0..c.len_utf8() {
            self.origin.push(from);
        }
    }

    /// Pushes the ASCII byte `b`, which came from the byte at `at`.
    #[inline]
    fn push_ascii(&mut self, b: u8, at: usize) {
        self.text.push(char::from(b));
        self.origin.push((at as u32, at as u32 + 1));
    }

    fn finish(self) -> Normalised {
        Normalised {
            text: self.text,
            origin: self.origin,
        }
    }
}

/// Characters that carry no visible content and are used to split keywords.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{E0000}'..='\u{E007F}'
    )
}

/// Steps 1 to 4: invisible characters, NFKC, case folding, confusables and
/// white space.
fn fold_characters(original: &str) -> Normalised {
    let bytes = original.as_bytes();
    let mut out = Builder::with_capacity(original.len());
    let mut last_space = true;
    let mut segment = String::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        // The common case: an ASCII character that no combining mark can
        // follow (the next character is ASCII too, or there is none).
        if b.is_ascii() && bytes.get(i + 1).is_none_or(u8::is_ascii) {
            if b.is_ascii_whitespace() {
                if !last_space {
                    out.push_ascii(b' ', i);
                    last_space = true;
                }
            } else {
                out.push_ascii(b.to_ascii_lowercase(), i);
                last_space = false;
            }
            i += 1;
            continue;
        }
        // `i` is on a character boundary: it only ever moves by whole
        // characters.
        let mut chars = original[i..].char_indices().peekable();
        let Some((_, c)) = chars.next() else {
            break;
        };
        let mut consumed = c.len_utf8();
        if is_invisible(c) {
            i += consumed;
            continue;
        }
        // A segment is a character and the combining marks that follow it.
        let mut end = consumed;
        let mut simple = c.is_ascii();
        segment.clear();
        segment.push(c);
        while let Some(&(j, n)) = chars.peek() {
            if is_combining_mark(n) {
                segment.push(n);
                end = j + n.len_utf8();
                simple = false;
            } else if !is_invisible(n) {
                break;
            }
            consumed = j + n.len_utf8();
            chars.next();
        }
        let from = (i as u32, (i + end) as u32);
        i += consumed;
        if simple && segment.len() == 1 {
            // A lone ASCII character followed by a non-ASCII one.
            if c.is_ascii_whitespace() {
                if !last_space {
                    out.push(' ', from);
                    last_space = true;
                }
            } else {
                out.push(c.to_ascii_lowercase(), from);
                last_space = false;
            }
            continue;
        }
        for n in segment.nfkc() {
            if n.is_whitespace() {
                if !last_space {
                    out.push(' ', from);
                    last_space = true;
                }
                continue;
            }
            last_space = false;
            match n {
                'ß' | 'ẞ' => {
                    out.push('s', from);
                    out.push('s', from);
                }
                'ς' => out.push('σ', from),
                // Typographic apostrophes and quotes read as plain ones.
                '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => out.push('\'', from),
                '\u{201C}' | '\u{201D}' | '\u{2033}' => out.push('"', from),
                _ => {
                    for l in n.to_lowercase() {
                        out.push(l, from);
                    }
                }
            }
        }
    }
    out.finish()
}

/// The ASCII letter or digit a single character is confusable with, for the
/// alphabets commonly used to disguise Latin keywords.
pub(crate) fn confusable_ascii(c: char) -> Option<char> {
    let code = c as u32;
    let in_lookalike_block = matches!(code,
        0x0100..=0x024F   // Latin extended
        | 0x0250..=0x02AF // IPA
        | 0x0370..=0x03FF // Greek
        | 0x0400..=0x052F // Cyrillic
        | 0x0530..=0x058F // Armenian
        | 0x13A0..=0x13FF // Cherokee
        | 0x1D00..=0x1DBF // phonetic extensions
        | 0x2100..=0x214F // letterlike symbols
        | 0xA640..=0xA69F // Cyrillic extended-B
    );
    if !in_lookalike_block {
        return None;
    }
    let mut buf = [0u8; 4];
    let mut skeleton = unicode_security::skeleton(c.encode_utf8(&mut buf));
    let first = skeleton.next()?;
    if skeleton.next().is_some() || !first.is_ascii_alphanumeric() {
        return None;
    }
    Some(first.to_ascii_lowercase())
}

/// Step 3: inside words that mix ASCII letters with letters of another
/// alphabet ("WеChat" with a Cyrillic `е`), the look-alikes become the ASCII
/// letters they imitate. Words wholly in another alphabet are left alone:
/// Russian or Greek text stays Russian or Greek.
fn fold_confusables(input: Normalised, original: &str) -> Normalised {
    if input.text.is_ascii() {
        return input;
    }
    let text = input.text.as_str();
    // The letter a folded character imitates, judged on the character as it
    // was written: a capital such as Cyrillic `Н` or `Т` imitates `H` or `T`,
    // while its lower case `н` or `т` imitates nothing.
    let imitated = |at: usize, c: char| {
        let (start, end) = input.origin[at];
        let written = original.get(start as usize..end as usize).and_then(|w| {
            let mut chars = w.chars();
            chars.next().filter(|_| chars.next().is_none())
        });
        written
            .and_then(confusable_ascii)
            .or_else(|| confusable_ascii(c))
    };
    let mut out = Builder::with_capacity(text.len());
    let mut word_start = 0;
    let flush = |out: &mut Builder, word: &str, at: usize| {
        let mixed = word.bytes().any(|b| b.is_ascii_alphabetic())
            && word
                .char_indices()
                .any(|(i, c)| imitated(at + i, c).is_some());
        for (i, c) in word.char_indices() {
            let c = if mixed {
                imitated(at + i, c).unwrap_or(c)
            } else {
                c
            };
            out.push(c, input.origin[at + i]);
        }
    };
    for (i, c) in text.char_indices() {
        if !c.is_alphanumeric() {
            flush(&mut out, &text[word_start..i], word_start);
            out.push(c, input.origin[i]);
            word_start = i + c.len_utf8();
        }
    }
    flush(&mut out, &text[word_start..], word_start);
    out.finish()
}

/// Separators between the letters of a spaced-out word.
fn is_letter_separator(c: char) -> bool {
    matches!(c, ' ' | '.' | '-' | '_' | '*' | '·' | '/' | '|')
}

/// Step 5: joins runs of three or more single letters separated by one
/// separator, such as "w e c h a t" or "w.e.c.h.a.t".
fn join_spaced_letters(input: Normalised) -> Normalised {
    if !has_spaced_run(input.as_str()) {
        return input;
    }
    let text = input.as_str();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Builder::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = spaced_run_len(&chars, i);
        if run >= 3 {
            // Keep the letters at positions i, i+2, ..., drop the separators.
            for k in 0..run {
                let (at, c) = chars[i + 2 * k];
                out.push(c, input.origin[at]);
            }
            i += 2 * run - 1;
            continue;
        }
        let (at, c) = chars[i];
        out.push(c, input.origin[at]);
        i += 1;
    }
    out.finish()
}

/// Whether `text` holds a run that [`join_spaced_letters`] joins: three
/// single letters with one separator between each ("L S L S L"), with no
/// letter or digit just before or just after.
fn has_spaced_run(text: &str) -> bool {
    let is_letter = |c: Option<char>| c.is_some_and(|c| c.is_alphabetic() && !is_cjk(c));
    let is_separator = |c: Option<char>| c.is_some_and(is_letter_separator);
    let is_alnum = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    // The last seven characters; `None` before the start and after the end.
    let (mut before, mut l1, mut s1, mut l2, mut s2, mut l3) = (None, None, None, None, None, None);
    for after in text.chars().map(Some).chain(std::iter::once(None)) {
        if is_letter(l3)
            && is_separator(s2)
            && is_letter(l2)
            && is_separator(s1)
            && is_letter(l1)
            && !is_alnum(before)
            && !is_alnum(after)
        {
            return true;
        }
        (before, l1, s1, l2, s2, l3) = (l1, s1, l2, s2, l3, after);
    }
    false
}

/// How many single letters, each separated by one separator, start at `i`.
/// Returns 0 unless the letter at `i` starts a word.
fn spaced_run_len(chars: &[(usize, char)], i: usize) -> usize {
    let is_letter = |j: usize| {
        chars
            .get(j)
            .is_some_and(|(_, c)| c.is_alphabetic() && !is_cjk(*c))
    };
    let starts_word = i == 0 || !chars[i - 1].1.is_alphanumeric();
    if !starts_word || !is_letter(i) {
        return 0;
    }
    let mut n = 1;
    let mut j = i;
    loop {
        let sep = chars.get(j + 1).map(|(_, c)| *c);
        let next_is_single =
            is_letter(j + 2) && chars.get(j + 3).is_none_or(|(_, c)| !c.is_alphanumeric());
        match sep {
            Some(s) if is_letter_separator(s) && next_is_single => {
                n += 1;
                j += 2;
            }
            _ => break,
        }
    }
    // The first letter must be single as well.
    if chars.get(i + 1).is_some_and(|(_, c)| c.is_alphanumeric()) {
        return 0;
    }
    n
}

/// Whether `c` is a CJK ideograph or kana, scripts written without spaces.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF   // kana
        | 0x3400..=0x4DBF // extension A
        | 0x4E00..=0x9FFF // unified ideographs
        | 0xF900..=0xFAFF // compatibility ideographs
        | 0x20000..=0x2FA1F)
}

/// The letter a digit imitates inside a word.
fn leet_letter(c: char) -> Option<char> {
    Some(match c {
        '0' => 'o',
        '1' => 'i',
        '3' => 'e',
        '4' => 'a',
        '5' => 's',
        '7' => 't',
        '8' => 'b',
        _ => return None,
    })
}

/// Step 6: reads digits inside words that also hold at least two letters as
/// the letters they imitate.
fn de_leet(input: Normalised) -> Normalised {
    let bytes = input.text.as_bytes();
    let mut needs = false;
    let mut i = 0;
    // Quick scan: is there any word mixing ASCII letters and leet digits?
    while i < bytes.len() {
        if bytes[i].is_ascii_alphanumeric() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if leet_word(&bytes[start..i]) {
                needs = true;
                break;
            }
        } else {
            i += 1;
        }
    }
    if !needs {
        return input;
    }
    let mut text = input.text.into_bytes();
    let mut i = 0;
    while i < text.len() {
        if text[i].is_ascii_alphanumeric() {
            let start = i;
            while i < text.len() && text[i].is_ascii_alphanumeric() {
                i += 1;
            }
            if leet_word(&text[start..i]) {
                for b in &mut text[start..i] {
                    if let Some(l) = leet_letter(char::from(*b)) {
                        *b = l as u8;
                    }
                }
            }
        } else {
            i += 1;
        }
    }
    // Only ASCII digits were replaced by ASCII letters: still UTF-8, and
    // every byte keeps its origin.
    let text = String::from_utf8(text).unwrap_or_default();
    Normalised {
        text,
        origin: input.origin,
    }
}

/// A word written in leetspeak: ASCII letters (two or more) mixed with digits
/// that imitate letters, and not a hexadecimal-looking or mostly numeric token.
fn leet_word(word: &[u8]) -> bool {
    let letters = word.iter().filter(|b| b.is_ascii_alphabetic()).count();
    let digits = word.len() - letters;
    letters >= 2
        && digits >= 1
        && digits < letters
        && word.len() <= 24
        && word
            .iter()
            .all(|b| b.is_ascii_alphabetic() || leet_letter(char::from(*b)).is_some())
}

/// The confusable skeleton of a name, organisation or URL (Unicode TS #39),
/// case-folded, for comparing two strings that may use look-alike letters.
pub fn skeleton(s: &str) -> String {
    let folded: String = s.nfkc().flat_map(char::to_lowercase).collect();
    unicode_security::skeleton(&folded)
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn norm(s: &str) -> String {
        Normalised::new(s).as_str().to_owned()
    }

    #[test]
    fn folds_case_width_and_space() {
        assert_eq!(
            norm("Add me on ＷｅＣｈａｔ,  please"),
            "add me on wechat, please"
        );
        assert_eq!(norm("Straße\n\n\tNEXT"), "strasse next");
    }

    #[test]
    fn typographic_apostrophes_are_plain() {
        assert_eq!(norm("don\u{2019}t tell"), "don't tell");
    }

    #[test]
    fn drops_zero_width_characters() {
        assert_eq!(norm("cry\u{200b}pto pay\u{200d}ment"), "crypto payment");
    }

    #[test]
    fn joins_spaced_and_dotted_letters() {
        assert_eq!(norm("add me on W e C h a t now"), "add me on wechat now");
        assert_eq!(norm("my w.e.c.h.a.t is"), "my wechat is");
        assert_eq!(norm("t-e-l-e-g-r-a-m"), "telegram");
        // Two letters are not a run; ordinary words stay apart.
        assert_eq!(norm("e.g. a b"), "e.g. a b");
        assert_eq!(norm("I am a fan"), "i am a fan");
    }

    #[test]
    fn reads_leetspeak_inside_words() {
        assert_eq!(
            norm("paid in crypt0 or b1tcoin"),
            "paid in crypto or bitcoin"
        );
        assert_eq!(norm("p4yment"), "payment");
        // Numbers and ordinary alphanumerics are left alone.
        assert_eq!(norm("2025 and 10am and 5g"), "2025 and 10am and 5g");
    }

    #[test]
    fn folds_confusable_letters() {
        // Cyrillic е and а inside Latin words.
        assert_eq!(norm("W\u{0435}Ch\u{0430}t"), "wechat");
        // Capitals are judged as written: Cyrillic Т and Н imitate T and H
        // although their lower cases т and н imitate nothing.
        assert_eq!(norm("\u{0422}ELEGRAM"), "telegram");
        assert_eq!(norm("W\u{0415}C\u{041D}AT"), "wechat");
        // Chinese, and words wholly in another alphabet, are untouched.
        assert_eq!(norm("加我微信"), "加我微信");
        assert_eq!(norm("Привет, Ελλάδα"), "привет, ελλάδα");
    }

    #[test]
    fn maps_spans_back_to_the_original() {
        let original = "Please add me on Ｗ e C h a t: abc";
        let n = Normalised::new(original);
        let at = n.as_str().find("wechat").unwrap();
        let span = n.original_span(at..at + "wechat".len());
        assert_eq!(&original[span], "Ｗ e C h a t");
    }

    #[test]
    fn skeleton_matches_lookalikes() {
        assert_eq!(skeleton("Аmanda Qiu"), skeleton("amanda qiu"));
        assert_ne!(skeleton("Amanda"), skeleton("Amando"));
    }

    proptest! {
        #[test]
        fn spans_always_point_into_the_original(s in "\\PC{0,64}", a in 0usize..200, b in 0usize..200) {
            let n = Normalised::new(&s);
            let len = n.as_str().len();
            let (a, b) = (a.min(len), b.min(len));
            let (a, b) = (a.min(b), a.max(b));
            let span = n.original_span(a..b);
            prop_assert!(span.start <= span.end);
            prop_assert!(span.end <= s.len());
            prop_assert!(s.is_char_boundary(span.start));
            prop_assert!(s.is_char_boundary(span.end));
        }

        #[test]
        fn the_spaced_run_check_agrees_with_joining(s in "[abé加0 .\\-_*|]{0,24}") {
            let folded = fold_characters(&s);
            let before = folded.as_str().to_owned();
            let joined = join_spaced_letters(folded.clone());
            prop_assert_eq!(has_spaced_run(&before), joined.as_str() != before);
        }

        #[test]
        fn spans_of_normalised_words_cover_their_source(s in "[a-zA-Z0-9 .\\u{200b}\\u{0430}\\u{0435}\\u{FF21}-\\u{FF3A}\\u{4E00}-\\u{4E10}]{0,64}") {
            let n = Normalised::new(&s);
            let text = n.as_str();
            for (i, c) in text.char_indices() {
                let span = n.original_span(i..i + c.len_utf8());
                prop_assert!(!span.is_empty());
                prop_assert!(s.is_char_boundary(span.start) && s.is_char_boundary(span.end));
            }
        }
    }
}
