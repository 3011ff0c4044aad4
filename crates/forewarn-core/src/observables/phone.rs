//! Phone numbers: candidates found by a regular expression, rejected when
//! their context says they are something else (a date, a time, an amount, a
//! reference), then parsed and validated with libphonenumber's metadata.

use std::cell::RefCell;
use std::sync::LazyLock;

use fnv::FnvHashMap;
use regex::Regex;
use rlibphonenumber::enums::Region;
use rlibphonenumber::{PHONE_NUMBER_UTIL, PhoneNumberFormat};

use super::{Observable, ObservableKind, char_at, char_before};

/// Fewest digits a phone number is written with.
const MIN_DIGITS: usize = 7;
/// Most digits an E.164 number has.
const MAX_DIGITS: usize = 15;
/// Most shorter prefixes of one candidate that are tried.
const MAX_PREFIX_ATTEMPTS: usize = 4;
/// Entries kept in the per-thread memo of parsed numbers.
const MEMO_CAPACITY: usize = 4096;

/// A run of digits with the usual separators (spaces, including no-break
/// and thin ones, dots, hyphens, brackets), starting with `+`, `(`, `(+`
/// or a digit and ending with a digit.
static CANDIDATE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(r"(?:\(?\+|\()?[0-9](?:[0-9 .\-()\x{00A0}\x{2009}\x{202F}]*[0-9])?").ok()
});

/// Whether `c` is a space inside a written number.
fn is_number_space(c: char) -> bool {
    matches!(c, ' ' | '\u{a0}' | '\u{2009}' | '\u{202f}')
}

/// Words that introduce a number which is not a phone number.
const REFERENCE_WORDS: &[&str] = &[
    "ref",
    "reference",
    "invoice",
    "order",
    "case",
    "ticket",
    "account",
    "acct",
    "iban",
    "passport",
    "isbn",
    "po",
    "id",
    "page",
    "vol",
    "issue",
];

/// Currency symbols and codes that mark a number as an amount.
const CURRENCY_SYMBOLS: &[char] = &['$', '£', '€', '¥', '₹', '₽', '₩', '₺', '￥', '₿'];
/// Currency codes and amount words (lower-case).
const CURRENCY_WORDS: &[&str] = &[
    "usd", "eur", "gbp", "chf", "cny", "rmb", "jpy", "rub", "inr", "aud", "cad", "hkd", "sgd",
    "usdt", "usdc", "btc", "eth", "dollars", "dollar", "euros", "euro", "pounds", "yuan",
    "million", "thousand", "billion", "bn",
];

/// Memo of parsed numbers: (region, "+digits" or "digits") -> E.164.
type Memo = FnvHashMap<(Option<Region>, String), Option<String>>;

thread_local! {
    /// Recently parsed numbers, keyed by region and normalised digits.
    /// The first number of a region compiles that region's metadata
    /// regexes, and each parse allocates; signatures repeat numbers.
    static MEMO: RefCell<Memo> = RefCell::new(Memo::default());
}

/// Loads libphonenumber's metadata, once.
///
/// Loading takes a few milliseconds; an engine does it when it is built
/// rather than in the middle of judging its first approach.
pub fn prepare_metadata() {
    std::sync::LazyLock::force(&PHONE_NUMBER_UTIL);
}

/// The phone metadata region for an ISO 3166 code ("GB", "us"), if known.
pub(super) fn region_id(region: Option<&str>) -> Option<Region> {
    let &[a, b] = region?.trim().as_bytes() else {
        return None;
    };
    // Upper-cased on the stack: this runs for every candidate number.
    let upper = [a.to_ascii_uppercase(), b.to_ascii_uppercase()];
    let region = Region::from_code(std::str::from_utf8(&upper).ok()?).ok()?;
    // Only regions with metadata can read national numbers.
    PHONE_NUMBER_UTIL
        .get_country_code_for_region(region)
        .map(|_| region)
}

/// The E.164 form of the phone number `s`, if it is a valid number.
///
/// `s` is a phone number alone, as typed in a profile field: "+44 20 7946
/// 0958", "0044 (0)20 7946 0958", "tel:+1-212-555-0123", "(020) 7946 0958
/// ext. 12". Numbers without `+` or `00` need `region` (ISO 3166, e.g.
/// "GB"). Letters other than an extension, and numbers libphonenumber does
/// not consider valid, give `None`.
pub fn canonical_phone(s: &str, region: Option<&str>) -> Option<String> {
    let mut s = s.trim();
    if s.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("tel:")) {
        s = s.get(4..)?.trim_start();
    }
    // Drop an extension: "x12", "ext. 12", ";ext=12", "#12".
    let lower = s.to_ascii_lowercase();
    if let Some(cut) = lower.find(['x', 'e', ';', '#']) {
        s = s.get(..cut)?.trim_end();
    }
    let body = s.strip_prefix('+').unwrap_or(s);
    if !body.chars().all(|c| {
        c.is_ascii_digit() || is_number_space(c) || matches!(c, '.' | '-' | '(' | ')' | '/')
    }) {
        return None;
    }
    e164(s, region_id(region))
}

/// Parses a cleaned candidate (digits, separators, optional leading `+`)
/// into E.164, if valid.
fn e164(candidate: &str, region: Option<Region>) -> Option<String> {
    let trimmed = candidate.trim_start_matches(|c: char| c == '(' || is_number_space(c));
    let plus = trimmed.starts_with('+');
    let mut digits: String = if plus {
        // "+44 (0)20 ..." : the national trunk prefix in brackets is not
        // dialled from abroad.
        trimmed.replace("(0)", "")
    } else {
        trimmed.to_owned()
    };
    digits.retain(|c| c.is_ascii_digit());
    let international = if plus {
        true
    } else if let Some(rest) = digits.strip_prefix("00") {
        if rest.starts_with('0') {
            return None;
        }
        digits = rest.to_owned();
        true
    } else {
        false
    };
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits.len()) {
        return None;
    }
    // Only "+digits" or "digits" ever reach the parser: its input space is
    // then small and tested (it has panicked on odd punctuation before).
    let (region, input) = if international {
        (None, format!("+{digits}"))
    } else {
        (Some(region?), digits)
    };
    memoised(region, input)
}

/// Parses and validates `input` with `region`, through the per-thread memo.
fn memoised(region: Option<Region>, input: String) -> Option<String> {
    let key = (region, input);
    let cached = MEMO.with(|memo| {
        memo.try_borrow()
            .ok()
            .and_then(|memo| memo.get(&key).cloned())
    });
    if let Some(result) = cached {
        return result;
    }
    let result = PHONE_NUMBER_UTIL
        .parse(&key.1, key.0)
        .ok()
        .filter(|n| n.is_valid())
        .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned());
    MEMO.with(|memo| {
        if let Ok(mut memo) = memo.try_borrow_mut() {
            if memo.len() >= MEMO_CAPACITY {
                memo.clear();
            }
            memo.insert(key, result.clone());
        }
    });
    result
}

/// Whether `c` ends a digit run written in the running text: an ASCII
/// letter or any digit glued to the number makes it part of a longer token.
fn glued(c: char) -> bool {
    c.is_ascii_alphanumeric() || c.is_numeric() || c == '_'
}

/// Whether the text before `start` rules out a phone number starting there.
fn bad_prefix(text: &str, start: usize) -> bool {
    let Some(c) = char_before(text, start) else {
        return false;
    };
    if glued(c)
        || matches!(
            c,
            '#' | '@' | '%' | '&' | '=' | '\\' | '*' | '+' | '^' | '~'
        )
    {
        return true;
    }
    if CURRENCY_SYMBOLS.contains(&c) {
        return true;
    }
    let before = start
        .checked_sub(c.len_utf8())
        .and_then(|at| char_before(text, at));
    match c {
        // "ERC-2024-117", "v1.2345678", "12/3456789", "1,2345678".
        '-' | '.' | '/' | ',' => before.is_some_and(|b| b.is_ascii_alphanumeric()),
        // "10:3012345" (a time), but not "Tel:07911 123456".
        ':' => before.is_some_and(|b| b.is_ascii_digit()),
        _ => false,
    }
}

/// Whether the text from `end` on rules out a phone number ending there.
fn bad_suffix(text: &str, end: usize) -> bool {
    let Some(c) = char_at(text, end) else {
        return false;
    };
    if glued(c) || matches!(c, '@' | '%' | '_' | '+') || CURRENCY_SYMBOLS.contains(&c) {
        return true;
    }
    let next = char_at(text, end + c.len_utf8());
    match c {
        // Times, decimals, fractions, references: "10:30", "1.5", "3/4", "12-A".
        ':' | '.' | ',' | '/' | '-' => next.is_some_and(|n| n.is_ascii_alphanumeric()),
        _ => false,
    }
}

/// Whether `c` is a date: y-m-d, or d-m-y / m-d-y, with one separator
/// (`-`, `.` or `/`), on its own or followed by a space (and a time).
fn looks_like_date(c: &str) -> bool {
    let mut parts = [0u32; 3];
    let mut lens = [0usize; 3];
    let mut sep = None;
    let mut rest = c;
    for i in 0..3 {
        let len = rest.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 4 {
            return false;
        }
        let Some(digits) = rest.get(..len) else {
            return false;
        };
        parts[i] = digits.parse().unwrap_or(u32::MAX);
        lens[i] = len;
        rest = rest.get(len..).unwrap_or("");
        if i < 2 {
            let Some(s) = rest.chars().next().filter(|s| matches!(s, '-' | '.' | '/')) else {
                return false;
            };
            if sep.is_some_and(|p| p != s) {
                return false;
            }
            sep = Some(s);
            rest = rest.get(1..).unwrap_or("");
        }
    }
    if !(rest.is_empty() || rest.starts_with(is_number_space)) {
        return false;
    }
    let year = |v: u32, len: usize| len == 2 || (len == 4 && (1900..=2099).contains(&v));
    let month = |v: u32| (1..=12).contains(&v);
    let day = |v: u32| (1..=31).contains(&v);
    let [a, b, c] = parts;
    match lens {
        [4, 1..=2, 1..=2] => year(a, 4) && month(b) && day(c),
        [1..=2, 1..=2, 2 | 4] => year(c, lens[2]) && (day(a) && month(b) || month(a) && day(b)),
        _ => false,
    }
}

/// Whether `c` is a list of years ("2019 2020 2021", "1998-2004").
fn looks_like_years(c: &str) -> bool {
    let mut count = 0;
    for group in c
        .split(|ch: char| is_number_space(ch) || matches!(ch, '-' | '.' | '/'))
        .filter(|g| !g.is_empty())
    {
        let is_year = group.len() == 4
            && group.bytes().all(|b| b.is_ascii_digit())
            && (group.starts_with("19") || group.starts_with("20"));
        if !is_year {
            return false;
        }
        count += 1;
    }
    count >= 2
}

/// Whether `c` reads as a decimal or a grouped amount: "3.14159265",
/// "1.234.567".
fn looks_like_number(c: &str) -> bool {
    if c.starts_with('+') || c.contains(|ch: char| is_number_space(ch) || ch == '-' || ch == '(') {
        return false;
    }
    let groups: Vec<&str> = c.split('.').collect();
    match groups.as_slice() {
        [_, _] => true,
        [first, rest @ ..] if !rest.is_empty() => {
            (1..=3).contains(&first.len()) && rest.iter().all(|g| g.len() == 3)
        }
        _ => false,
    }
}

/// Whether separators are used oddly: doubled punctuation, unbalanced
/// brackets.
fn odd_separators(c: &str) -> bool {
    let b = c.as_bytes();
    if b.windows(2)
        .any(|w| matches!(w, [b'.' | b'-', b'.' | b'-']))
    {
        return true;
    }
    let mut depth = 0i32;
    for &ch in b {
        match ch {
            b'(' => {
                depth += 1;
                if depth > 1 {
                    return true;
                }
            }
            b')' => {
                depth -= 1;
                if depth < 0 {
                    return true;
                }
            }
            _ => {}
        }
    }
    depth != 0
}

/// The ASCII words just before `start`, last first: the last one, and the
/// one before it when the last is "no", "nr" or "number" ("invoice no.").
fn previous_words(text: &str, start: usize) -> impl Iterator<Item = &str> {
    let head = text.get(..start).unwrap_or("");
    let head = head.get(head.len().saturating_sub(40)..).unwrap_or(head);
    let mut words = head
        .rsplit(|c: char| !c.is_ascii_alphabetic())
        .filter(|w| !w.is_empty());
    let last = words.next();
    let second = last
        .filter(|w| {
            ["no", "nr", "number", "num"]
                .iter()
                .any(|n| w.eq_ignore_ascii_case(n))
        })
        .and_then(|_| words.next());
    last.into_iter().chain(second)
}

/// Whether the words around `start..end` make the number an amount or a
/// reference ("USD 2 000 000", "Invoice no. 20240117"). Skipped for
/// numbers written with "+" and for numbers a messenger name introduces.
fn bad_context(text: &str, start: usize, end: usize) -> bool {
    let head = text.get(..start).unwrap_or("").trim_end();
    if head.ends_with(CURRENCY_SYMBOLS) {
        return true;
    }
    let word_start = head
        .trim_end_matches(|c: char| c.is_ascii_alphabetic())
        .len();
    let word = head.get(word_start..).unwrap_or("");
    if !word.is_empty() && CURRENCY_WORDS.contains(&word.to_ascii_lowercase().as_str()) {
        return true;
    }
    for word in previous_words(text, start) {
        let word = word.to_ascii_lowercase();
        if REFERENCE_WORDS.contains(&word.as_str()) {
            return true;
        }
    }
    let tail = text.get(end..).unwrap_or("").trim_start();
    if tail.starts_with(CURRENCY_SYMBOLS) {
        return true;
    }
    let next: String = tail
        .chars()
        .take_while(char::is_ascii_alphabetic)
        .take(10)
        .collect::<String>()
        .to_ascii_lowercase();
    CURRENCY_WORDS.contains(&next.as_str())
}

/// Checks the candidate `text[start..end]` and returns its E.164 form if it
/// is a phone number, read in `region` (ISO 3166) when it has no country
/// code. `introduced` is set when a messenger name precedes it ("WeChat
/// ID: +44 ..."), so the words before it say nothing.
fn check(
    text: &str,
    start: usize,
    end: usize,
    region: Option<&str>,
    introduced: bool,
) -> Option<(usize, String)> {
    let mut start = start;
    let mut c = text.get(start..end)?;
    // "(07911 123456)": the opening bracket is the text's, not the number's.
    if c.starts_with('(') && c.matches('(').count() > c.matches(')').count() {
        start += 1;
        c = text.get(start..end)?;
    }
    let digits = c.bytes().filter(u8::is_ascii_digit).count();
    if !(MIN_DIGITS..=MAX_DIGITS).contains(&digits) {
        return None;
    }
    let international = c.trim_start_matches('(').starts_with(['+']) || c.starts_with("00");
    let region = region_id(region);
    if region.is_none() && !international {
        return None;
    }
    if bad_prefix(text, start)
        || bad_suffix(text, end)
        || odd_separators(c)
        || looks_like_date(c)
        || looks_like_years(c)
        || looks_like_number(c)
        || (!introduced && !c.starts_with('+') && bad_context(text, start, end))
    {
        return None;
    }
    e164(c, region).map(|value| (start, value))
}

/// The whitespace-separated groups of the candidate `text[start..end]`, as
/// (start, end of its last digit, digits up to and including it).
fn groups(text: &str, start: usize, end: usize) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut digits = 0;
    let mut group_start = None;
    let mut last_digit_end = None;
    let Some(candidate) = text.get(start..end) else {
        return out;
    };
    for (i, ch) in candidate.char_indices() {
        let at = start + i;
        if is_number_space(ch) {
            if let (Some(gs), Some(ge)) = (group_start.take(), last_digit_end.take()) {
                out.push((gs, ge, digits));
            }
            continue;
        }
        if group_start.is_none() {
            group_start = Some(at);
        }
        if ch.is_ascii_digit() {
            digits += 1;
            last_digit_end = Some(at + 1);
        }
    }
    if let (Some(gs), Some(ge)) = (group_start, last_digit_end) {
        out.push((gs, ge, digits));
    }
    out
}

/// Pushes every valid phone number in `text` onto `out`.
pub(super) fn find(text: &str, region: Option<&str>, out: &mut Vec<Observable>) {
    // Cheap pre-check: no phone number without seven digits.
    if text.bytes().filter(u8::is_ascii_digit).count() < MIN_DIGITS {
        return;
    }
    let Some(re) = CANDIDATE.as_ref() else {
        return;
    };
    // Bound the parsing work on hostile input (long runs of digit groups).
    let mut budget = 64 + text.len() / 32;
    let mut pos = 0;
    while pos < text.len() && budget > 0 {
        let Some(m) = re.find_at(text, pos) else {
            break;
        };
        let (start, end) = (m.start(), m.end());
        let groups = groups(text, start, end);
        let mut found = None;
        let mut attempts = 0;
        for &(_, group_end, digits) in groups.iter().rev() {
            if digits > MAX_DIGITS {
                continue;
            }
            if digits < MIN_DIGITS || attempts >= MAX_PREFIX_ATTEMPTS || budget == 0 {
                break;
            }
            attempts += 1;
            budget -= 1;
            if let Some((number_start, value)) = check(text, start, group_end, region, false) {
                found = Some((number_start, group_end, value));
                break;
            }
        }
        match found {
            Some((number_start, group_end, value)) => {
                out.push(Observable {
                    kind: ObservableKind::Phone,
                    value,
                    start: number_start,
                    end: group_end,
                });
                pos = group_end;
            }
            None => {
                // Slide to the next group that starts like a phone number
                // ("Ref 12345 07911 123456"), or past the candidate.
                pos = groups
                    .iter()
                    .skip(1)
                    .map(|&(gs, _, _)| gs)
                    .find(|&gs| {
                        text.get(gs..)
                            .is_some_and(|t| t.starts_with(['+', '0', '(']))
                    })
                    .unwrap_or(end);
            }
        }
    }
}

/// Finds a phone number starting exactly at `start` (for "WeChat: +44 ...")
/// and returns its end and E.164 form.
pub(super) fn at(text: &str, start: usize, region: Option<&str>) -> Option<(usize, String)> {
    let re = CANDIDATE.as_ref()?;
    let m = re.find_at(text, start)?;
    if m.start() != start {
        return None;
    }
    let groups = groups(text, start, m.end());
    groups
        .iter()
        .rev()
        .filter(|&&(_, _, digits)| digits <= MAX_DIGITS)
        .take_while(|&&(_, _, digits)| digits >= MIN_DIGITS)
        .take(MAX_PREFIX_ATTEMPTS)
        .find_map(|&(_, group_end, _)| {
            check(text, start, group_end, region, true)
                .filter(|&(number_start, _)| number_start == start)
                .map(|(_, value)| (group_end, value))
        })
}

#[cfg(test)]
pub(super) fn candidate_regex_compiles() -> bool {
    CANDIDATE.is_some()
}
