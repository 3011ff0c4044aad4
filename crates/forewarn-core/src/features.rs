//! Hashed text features of the sender's messages, blind to names.
//!
//! The model sees word unigrams and bigrams (and character bigrams of
//! Chinese and Japanese text), each hashed to 64 bits. Names must never reach
//! the model (`docs/signals.md`, "Fairness"), so before hashing:
//!
//! - words written with a capital letter are left out, with the rest of a
//!   hyphenated name joined to one ("Eun-ji"): names are proper
//!   nouns, and in the sentences where a name can stand ("Dear Amanda",
//!   "Best regards, Wei") it is capitalised;
//! - particles of names ("van", "de", "bin") are left out of every text,
//!   whatever the names: many are also ordinary words (German "ich bin"), so
//!   what is left out must not depend on the name fields;
//! - names written in Chinese or Japanese characters in the name fields are
//!   cut out of the text before character bigrams are taken;
//! - anything that looks like an address (e-mail, URL, handle) becomes one
//!   placeholder, so a profile slug or an e-mail's local part never counts.
//!
//! A left-out word breaks the bigram chain, so swapping one name for another
//! of a different length changes nothing either.

use std::hash::{BuildHasher, RandomState};
use std::ops::Range;
use std::sync::LazyLock;

use crate::approach::Approach;
use crate::normalise::{Normalised, OriginCursor, is_cjk};

/// The hashed features of one approach's text, without repeats, in no
/// particular order.
pub type TextFeatures = Vec<u64>;

/// Collects the hashed text features of the sender's messages.
pub fn text_features(approach: &Approach, seed: u64) -> TextFeatures {
    let normalised: Vec<Normalised> = approach
        .messages
        .iter()
        .map(|m| Normalised::new(&m.text))
        .collect();
    text_features_normalised(approach, &normalised, seed)
}

/// Like [`text_features`], given every message's text already normalised
/// (in message order).
pub fn text_features_normalised(
    approach: &Approach,
    normalised: &[Normalised],
    seed: u64,
) -> TextFeatures {
    let names = NameMask::new(approach);
    // About one word in six bytes, each a word and a pair: sized once
    // rather than grown step by step.
    let bytes: usize = normalised.iter().map(|n| n.as_str().len()).sum();
    let mut out = Vec::with_capacity(bytes / 3);
    for (index, message) in approach.sender_messages() {
        if let Some(subject) = &message.subject {
            collect(subject, &Normalised::new(subject), &names, seed, &mut out);
        }
        if let Some(text) = normalised.get(index) {
            collect(&message.text, text, &names, seed, &mut out);
        }
    }
    dedup(&mut out, *DEDUP_KEY);
    out
}

/// Removes repeated features, in expected linear time, whatever the words.
///
/// The features come from the sender's words, so they may have been chosen
/// to collide. Each is placed in an open-addressing table by multiply-shift
/// hashing under a random odd key drawn once per process: a universal
/// family, so that no choice of words made without the key crowds the
/// table. Should the probes still run long, the rest is sorted instead, so
/// the worst case stays O(n log n); so are the features of very long texts
/// ([`MAX_HASHED`]), to bound the table's memory. `key` must be odd.
fn dedup(features: &mut Vec<u64>, key: u64) {
    let n = features.len();
    if n > MAX_HASHED {
        // A table for the features of megabytes of text would cost more
        // memory than the text: sorting needs none.
        features.sort_unstable();
        features.dedup();
        return;
    }
    // At most half full, and at least 64 slots.
    let bits = (2 * n).next_power_of_two().trailing_zeros().max(6);
    let mask = (1usize << bits) - 1;
    // Zero marks an empty slot; a zero feature is tracked on its own. A
    // short text's table fits on the stack; only the table used is zeroed.
    let mut on_stack;
    let mut on_heap;
    let slots: &mut [u64] = if mask < STACK_SLOTS {
        on_stack = [0u64; STACK_SLOTS];
        &mut on_stack[..=mask]
    } else {
        on_heap = vec![0u64; mask + 1];
        &mut on_heap
    };
    let mut zero_seen = false;
    let mut probes_left = 4 * n + 64;
    let mut kept = 0;
    for i in 0..n {
        let feature = features[i];
        let fresh = if feature == 0 {
            !std::mem::replace(&mut zero_seen, true)
        } else {
            let mut at = (feature.wrapping_mul(key) >> (64 - bits)) as usize;
            loop {
                match slots[at] {
                    0 => {
                        slots[at] = feature;
                        break true;
                    }
                    s if s == feature => break false,
                    _ if probes_left == 0 => {
                        // Kept so far, and the ones not yet looked at.
                        features.drain(kept..i);
                        features.sort_unstable();
                        features.dedup();
                        return;
                    }
                    _ => {
                        probes_left -= 1;
                        at = (at + 1) & mask;
                    }
                }
            }
        };
        if fresh {
            // `kept <= i`: the feature at `kept` has been looked at.
            features[kept] = feature;
            kept += 1;
        }
    }
    features.truncate(kept);
}

/// Most features [`dedup`] puts in a table (of at most 2^17 slots, 1 MiB);
/// more are sorted instead.
const MAX_HASHED: usize = 1 << 16;

/// Slots of a [`dedup`] table kept on the stack: enough for the 256
/// features of about 1.5 KB of text.
const STACK_SLOTS: usize = 512;

/// The multiplier of [`dedup`]'s hash: random, odd, drawn once per process.
static DEDUP_KEY: LazyLock<u64> = LazyLock::new(|| RandomState::new().hash_one(0x5eed_u64) | 1);

/// The parts of names that must not become features. In Latin and other
/// cased scripts that is every capitalised word and every particle,
/// whatever the name fields say: a lower-case word of a name field ("of" in
/// "Journal of Legislative Studies", "bin" in "Ahmed bin Rashid") is often
/// an ordinary word too, and leaving it out only where a name holds it would
/// let the name change the features of the rest of the text. Scripts without
/// case have no such mark, so names written in CJK characters are taken from
/// the name fields and cut out of the text.
struct NameMask {
    /// Names, or parts of names, written in CJK characters.
    cjk: Vec<String>,
}

impl NameMask {
    fn new(approach: &Approach) -> NameMask {
        let mut cjk = Vec::new();
        let recipient = approach.recipient.as_ref().and_then(|r| r.name.as_deref());
        for name in std::iter::once(approach.sender.name.as_str()).chain(recipient) {
            for word in name.split(|c: char| !c.is_alphanumeric()) {
                if word.chars().any(is_cjk) {
                    let run: String = word.chars().filter(|c| is_cjk(*c)).collect();
                    let normalised = Normalised::new(&run).as_str().to_owned();
                    if !normalised.is_empty() {
                        cjk.push(normalised);
                    }
                }
            }
        }
        NameMask { cjk }
    }
}

/// Whether the word starting at `start` is joined by a hyphen or an
/// apostrophe to a word left out just before it (`masked_end`): the rest of
/// one name ("Eun-ji", "Jean-luc", "O'Brien"), left out with it.
fn joins_masked(text: &[u8], masked_end: Option<usize>, start: usize) -> bool {
    masked_end.is_some_and(|end| start == end + 1 && matches!(text.get(end), Some(b'-' | b'\'')))
}

/// Whether a word is a particle of names ("van der Berg", "bin Rashid",
/// "de la Cruz"). Particles are left out of every text, whoever wrote it
/// and whatever the names: many are also ordinary words ("ich bin",
/// "note de synthèse"), so leaving them out only where a name holds them
/// would let the name change the features of the rest of the text.
fn is_name_particle(word: &[u8]) -> bool {
    // By length first: most words are longer than any particle, and a
    // fixed-length byte pattern is one integer comparison.
    match word {
        [_, _] => matches!(
            word,
            b"al" | b"ap" | b"da" | b"de" | b"di" | b"du" | b"el" | b"la" | b"le" | b"zu"
        ),
        [_, _, _] => matches!(
            word,
            b"abu"
                | b"bin"
                | b"das"
                | b"del"
                | b"den"
                | b"der"
                | b"dos"
                | b"ibn"
                | b"ten"
                | b"ter"
                | b"van"
                | b"von"
        ),
        b"bint" | b"della" => true,
        _ => false,
    }
}

/// Marks a break in the bigram chain.
const BREAK: Option<u64> = None;

fn collect(
    original: &str,
    normalised: &Normalised,
    names: &NameMask,
    seed: u64,
    out: &mut Vec<u64>,
) {
    let text = normalised.as_str();
    let address = hash(seed, b'A', b"<address>");
    let number = hash(seed, b'W', b"<number>");
    // Every word's hash starts from the same state.
    let word_seed = fnv_step(fnv_key(seed), b'W');
    let mut previous: Option<u64> = BREAK;
    let mut origins = normalised.cursor();
    let mut masked_end = None;
    // A word, given its hash and whether it is all digits.
    let mut word = |range: Range<usize>,
                    hashed: u64,
                    digits: bool,
                    previous: &mut Option<u64>,
                    out: &mut Vec<u64>| {
        let capitalised = is_capitalised(original, normalised, &mut origins, range.clone());
        if capitalised
            || joins_masked(text.as_bytes(), masked_end, range.start)
            || is_name_particle(text.as_bytes().get(range.clone()).unwrap_or_default())
        {
            masked_end = Some(range.end);
            *previous = BREAK;
        } else if digits {
            push_word(number, previous, seed, out);
        } else {
            push_word(hashed, previous, seed, out);
        }
    };
    let bytes = text.as_bytes();
    let class = |at: usize| CLASSES[usize::from(bytes[at])];
    let mut next = 0;
    while next < bytes.len() {
        if bytes[next] == b' ' {
            next += 1;
            continue;
        }
        // A chunk runs to the next space. One pass finds its end and the
        // classes of byte it holds: whether it is all ASCII, and whether it
        // holds a byte every address holds (most words hold none).
        let chunk_start = next;
        let mut seen = 0;
        while next < bytes.len() && bytes[next] != b' ' {
            seen |= class(next);
            next += 1;
        }
        // Spaces are ASCII: the chunk's ends are character boundaries.
        let chunk = &text[chunk_start..next];
        if seen & MARK != 0 && is_address(chunk) {
            push_word(address, &mut previous, seed, out);
            continue;
        }
        if seen & NON_ASCII == 0 {
            // Words are runs of letters and digits, hashed as they are
            // read; anything else is punctuation, which ends a phrase.
            let mut at = chunk_start;
            while at < next {
                if class(at) & WORD == 0 {
                    previous = BREAK;
                    at += 1;
                    continue;
                }
                let start = at;
                let mut hashed = word_seed;
                let mut digits = true;
                while at < next && class(at) & WORD != 0 {
                    digits &= bytes[at].is_ascii_digit();
                    hashed = fnv_step(hashed, bytes[at]);
                    at += 1;
                }
                word(start..at, hashed, digits, &mut previous, out);
            }
            continue;
        }
        let mut word_start: Option<usize> = None;
        let mut cjk_start: Option<usize> = None;
        let mut chars = chunk.char_indices();
        loop {
            let next = chars.next();
            let c = next.map(|(_, c)| c);
            let at = next.map_or(chunk.len(), |(i, _)| i);
            let is_word = c.is_some_and(|c| !is_cjk(c) && c.is_alphanumeric());
            let is_ideograph = c.is_some_and(is_cjk);
            if !is_word && let Some(s) = word_start.take() {
                let w = &chunk[s..at];
                let digits = w.bytes().all(|b| b.is_ascii_digit());
                let hashed = hash(seed, b'W', w.as_bytes());
                word(
                    chunk_start + s..chunk_start + at,
                    hashed,
                    digits,
                    &mut previous,
                    out,
                );
            }
            if !is_ideograph && let Some(s) = cjk_start.take() {
                cjk_bigrams(&chunk[s..at], names, seed, out);
                previous = BREAK;
            }
            match c {
                None => break,
                Some(_) if is_word => {
                    word_start.get_or_insert(at);
                }
                Some(_) if is_ideograph => {
                    cjk_start.get_or_insert(at);
                }
                Some(_) => {
                    // Punctuation ends a phrase.
                    previous = BREAK;
                }
            }
        }
    }
}

/// A byte that is an ASCII letter or digit.
const WORD: u8 = 1;
/// A byte every address holds one of: `@`, `/` or `.`.
const MARK: u8 = 2;
/// A byte of a character that is not ASCII.
const NON_ASCII: u8 = 4;

/// The class bits of each byte, for [`collect`]'s tokeniser.
static CLASSES: [u8; 256] = {
    let mut classes = [0; 256];
    let mut b = 0;
    while b < 256 {
        let byte = b as u8;
        classes[b] = if byte.is_ascii_alphanumeric() {
            WORD
        } else if matches!(byte, b'@' | b'/' | b'.') {
            MARK
        } else if !byte.is_ascii() {
            NON_ASCII
        } else {
            0
        };
        b += 1;
    }
    classes
};

/// Whether the word at `range` of the normalised text was written with a
/// capital: its first letter or digit in the original is upper case.
fn is_capitalised(
    original: &str,
    normalised: &Normalised,
    origins: &mut OriginCursor<'_>,
    range: Range<usize>,
) -> bool {
    // Nearly always the word starts with an ASCII letter or digit, and that
    // one byte decides.
    let start = origins.original_start(range.start);
    if let Some(b) = original.as_bytes().get(start)
        && b.is_ascii_alphanumeric()
    {
        return b.is_ascii_uppercase();
    }
    let span = normalised.original_span(range);
    original
        .get(span)
        .and_then(|w| w.chars().find(|c| c.is_alphanumeric()))
        .is_some_and(char::is_uppercase)
}

/// Adds a word and the bigram it makes with the previous word.
fn push_word(token: u64, previous: &mut Option<u64>, seed: u64, out: &mut Vec<u64>) {
    out.push(token);
    if let Some(p) = *previous {
        out.push(pair_hash(seed, p, token));
    }
    *previous = Some(token);
}

/// The feature of two words in a row, from their hashes: the first is
/// rotated so that the order counts, and the two are mixed with the
/// finaliser of MurmurHash3, a bijection that spreads every input bit.
fn pair_hash(seed: u64, first: u64, second: u64) -> u64 {
    let mut h = first.rotate_left(29) ^ second ^ seed.wrapping_mul(0xc2b2_ae3d_27d4_eb4f);
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// Character bigrams of a run of CJK text, with names cut out.
fn cjk_bigrams(run: &str, names: &NameMask, seed: u64, out: &mut Vec<u64>) {
    if names.cjk.is_empty() {
        pair_bigrams(run, seed, out);
        return;
    }
    let mut pieces = vec![run.to_owned()];
    for name in &names.cjk {
        pieces = pieces
            .iter()
            .flat_map(|p| {
                p.split(name.as_str())
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
    }
    for piece in pieces {
        pair_bigrams(&piece, seed, out);
    }
}

/// The hash of each two characters in a row of `piece`.
fn pair_bigrams(piece: &str, seed: u64, out: &mut Vec<u64>) {
    let mut starts = piece.char_indices().map(|(i, _)| i);
    let Some(mut first) = starts.next() else {
        return;
    };
    let mut second = starts.next();
    while let Some(at) = second {
        // Two characters in a row are the bytes from the first to the end
        // of the second.
        let next = starts.next();
        let end = next.unwrap_or(piece.len());
        out.push(hash(seed, b'C', &piece.as_bytes()[first..end]));
        (first, second) = (at, next);
    }
}

/// E-mail addresses, URLs, handles and domain names. The caller has seen
/// one of `@`, `/` or `.` in the chunk: every address holds one.
fn is_address(chunk: &str) -> bool {
    chunk.contains('@')
        || chunk.contains('/')
        || chunk.starts_with("www.")
        || chunk.contains(".com")
}

/// FNV-1a of a namespace byte and the bytes, mixed with the seed.
fn hash(seed: u64, namespace: u8, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(fnv_step(fnv_key(seed), namespace), |h, &b| fnv_step(h, b))
}

/// FNV-1a's starting state, mixed with the seed.
fn fnv_key(seed: u64) -> u64 {
    0xcbf2_9ce4_8422_2325 ^ seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// One byte of FNV-1a.
#[inline]
fn fnv_step(state: u64, byte: u8) -> u64 {
    (state ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::approach::Recipient;

    fn approach(name: &str, text: &str) -> Approach {
        Approach {
            recipient: Some(Recipient {
                name: Some("Jane Doe".into()),
                ..Recipient::default()
            }),
            ..Approach::one_message(name, text)
        }
    }

    #[test]
    fn names_never_change_features() {
        let pairs = [
            (
                "Amanda Qiu",
                "Dear Jane, I am Amanda Qiu from a consultancy. Best regards, Amanda (amanda.qiu@x.com)",
            ),
            (
                "Oluwaseun Adebayo-Okafor",
                "Dear Jane, I am Oluwaseun Adebayo-Okafor from a consultancy. Best regards, Oluwaseun (oluwaseun.adebayo@x.com)",
            ),
            (
                "Pieter van der Berg",
                "Dear Jane, I am Pieter van der Berg from a consultancy. Best regards, Pieter (p.vanderberg@x.com)",
            ),
            (
                "王芳",
                "Dear Jane, I am 王芳 from a consultancy. Best regards, 王芳 (wangfang@x.com)",
            ),
        ];
        let first = text_features(&approach(pairs[0].0, pairs[0].1), 7);
        assert!(!first.is_empty());
        for (name, text) in &pairs[1..] {
            assert_eq!(text_features(&approach(name, text), 7), first, "{name}");
        }
    }

    #[test]
    fn the_rest_of_a_hyphenated_name_stays_out_with_it() {
        let first = text_features(&approach("Eun-ji Choi", "Thanks for your time, Eun-ji"), 7);
        for name in ["John Smith", "Jean-luc Picard"] {
            let first_name = name.split(' ').next().unwrap_or_default();
            let text = format!("Thanks for your time, {first_name}");
            assert_eq!(text_features(&approach(name, &text), 7), first, "{name}");
        }
    }

    #[test]
    fn particles_are_exactly_the_listed_words() {
        let particles = [
            "abu", "al", "ap", "bin", "bint", "da", "das", "de", "del", "della", "den", "der",
            "di", "dos", "du", "el", "ibn", "la", "le", "ten", "ter", "van", "von", "zu",
        ];
        for p in particles {
            assert!(is_name_particle(p.as_bytes()), "{p}");
        }
        for w in [
            "", "a", "d", "bi", "dell", "vans", "della2", "binta", "vön", "Van", "和",
        ] {
            assert!(!is_name_particle(w.as_bytes()), "{w}");
        }
    }

    #[test]
    fn a_particle_that_is_also_a_word_counts_the_same_whoever_writes() {
        // German "bin" (am) and French "de" are particles of some names:
        // the sender's name must not decide whether they count.
        let text = "Ich bin im April in Berlin. Une note de synthèse suffira.";
        let first = text_features(&approach("Ahmed bin Rashid", text), 7);
        for name in ["John Smith", "Marie de la Cruz", "Jan van Dijk"] {
            assert_eq!(text_features(&approach(name, text), 7), first, "{name}");
        }
        // Nor do the other lower-case words of a name field decide what
        // counts in the rest of the text.
        let text = "Our studies of the committee are published.";
        let first = text_features(&approach("Journal of Comparative Studies", text), 7);
        for name in ["John Smith", "mei lin", "Office for studies"] {
            assert_eq!(text_features(&approach(name, text), 7), first, "{name}");
        }
    }

    fn sorted(mut features: Vec<u64>) -> Vec<u64> {
        features.sort_unstable();
        features.dedup();
        features
    }

    #[test]
    fn dedup_keeps_the_first_of_each() {
        let mut f = vec![5, 0, 9, 5, 0, 1, 9, 9, u64::MAX];
        dedup(&mut f, *DEDUP_KEY);
        assert_eq!(f, vec![5, 0, 9, 1, u64::MAX]);
    }

    #[test]
    fn dedup_sorts_features_too_many_for_a_table() {
        let f: Vec<u64> = (0..MAX_HASHED as u64 + 10).rev().chain([3, 3]).collect();
        let mut d = f.clone();
        dedup(&mut d, *DEDUP_KEY);
        assert_eq!(d, sorted(f));
    }

    #[test]
    fn dedup_falls_back_to_sorting_when_every_feature_collides() {
        // With the key 1, a feature's slot is its top bits: these all share
        // slot 0, as words chosen against a known key would.
        let f: Vec<u64> = (0..3000u64).map(|i| (i * 7919) % 2000).collect();
        let mut d = f.clone();
        dedup(&mut d, 1);
        assert_eq!(d, sorted(f));
    }

    proptest::proptest! {
        #[test]
        fn dedup_keeps_each_feature_once(
            f in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..300),
            repeats in proptest::collection::vec(0usize..300, 0..300),
            key in proptest::prelude::any::<u64>(),
        ) {
            let mut f = f;
            let extra: Vec<u64> = repeats.iter().filter_map(|&i| f.get(i).copied()).collect();
            f.extend(extra);
            let mut d = f.clone();
            dedup(&mut d, key | 1);
            proptest::prop_assert_eq!(sorted(d.clone()), sorted(f.clone()));
            proptest::prop_assert_eq!(d.len(), sorted(f).len());
        }
    }

    /// The tokeniser as first written, word by word with no byte classes:
    /// the oracle the faster one must agree with.
    fn collect_reference(
        original: &str,
        normalised: &Normalised,
        names: &NameMask,
        seed: u64,
        out: &mut Vec<u64>,
    ) {
        let text = normalised.as_str();
        let address = hash(seed, b'A', b"<address>");
        let number = hash(seed, b'W', b"<number>");
        let mut previous: Option<u64> = BREAK;
        let mut origins = normalised.cursor();
        let mut masked_end = None;
        let mut word = |range: Range<usize>, previous: &mut Option<u64>, out: &mut Vec<u64>| {
            let word = &text[range.clone()];
            let capitalised = is_capitalised(original, normalised, &mut origins, range.clone());
            if capitalised
                || joins_masked(text.as_bytes(), masked_end, range.start)
                || is_name_particle(word.as_bytes())
            {
                masked_end = Some(range.end);
                *previous = BREAK;
            } else if word.bytes().all(|b| b.is_ascii_digit()) {
                push_word(number, previous, seed, out);
            } else {
                push_word(hash(seed, b'W', word.as_bytes()), previous, seed, out);
            }
        };
        let bytes = text.as_bytes();
        let mut next = 0;
        while next < bytes.len() {
            if bytes[next] == b' ' {
                next += 1;
                continue;
            }
            // A chunk runs to the next space. One pass finds its end, whether
            // it is ASCII, and whether it holds a byte every address holds
            // (most words hold none).
            let chunk_start = next;
            let mut ascii = true;
            let mut marked = false;
            while let Some(&b) = bytes.get(next).filter(|b| **b != b' ') {
                ascii &= b.is_ascii();
                marked |= matches!(b, b'@' | b'/' | b'.');
                next += 1;
            }
            // Spaces are ASCII: the chunk's ends are character boundaries.
            let chunk = &text[chunk_start..next];
            if marked && is_address(chunk) {
                push_word(address, &mut previous, seed, out);
                continue;
            }
            if ascii {
                // Words are runs of letters and digits; anything else is
                // punctuation, which ends a phrase.
                let bytes = chunk.as_bytes();
                let mut at = 0;
                while at < bytes.len() {
                    if !bytes[at].is_ascii_alphanumeric() {
                        previous = BREAK;
                        at += 1;
                        continue;
                    }
                    let end = bytes[at..]
                        .iter()
                        .position(|b| !b.is_ascii_alphanumeric())
                        .map_or(bytes.len(), |n| at + n);
                    word(chunk_start + at..chunk_start + end, &mut previous, out);
                    at = end;
                }
                continue;
            }
            let mut word_start: Option<usize> = None;
            let mut cjk_start: Option<usize> = None;
            let mut chars = chunk.char_indices();
            loop {
                let next = chars.next();
                let c = next.map(|(_, c)| c);
                let at = next.map_or(chunk.len(), |(i, _)| i);
                let is_word = c.is_some_and(|c| c.is_alphanumeric() && !is_cjk(c));
                let is_ideograph = c.is_some_and(is_cjk);
                if !is_word && let Some(s) = word_start.take() {
                    word(chunk_start + s..chunk_start + at, &mut previous, out);
                }
                if !is_ideograph && let Some(s) = cjk_start.take() {
                    cjk_bigrams(&chunk[s..at], names, seed, out);
                    previous = BREAK;
                }
                match c {
                    None => break,
                    Some(_) if is_word => {
                        word_start.get_or_insert(at);
                    }
                    Some(_) if is_ideograph => {
                        cjk_start.get_or_insert(at);
                    }
                    Some(_) => {
                        // Punctuation ends a phrase.
                        previous = BREAK;
                    }
                }
            }
        }
    }

    /// Text that is mostly ASCII words, with the odd address, spaced-out
    /// word, accented or CJK word and punctuation.
    fn mixed_text() -> impl proptest::strategy::Strategy<Value = String> {
        use proptest::prelude::*;
        let piece = prop_oneof![
            8 => "[a-z]{1,7}",
            3 => "[A-Z][a-z]{0,6}",
            3 => "[0-9]{1,5}",
            3 => "[a-z0-9]{2,6}",
            1 => "(www\\.x\\.com|a@b\\.c|x/y|W e C h a t|van|de)",
            1 => "(é|Ünï|ＡＢ|[我们付钱]{1,3}|naïve)",
        ];
        let gap = prop_oneof![6 => " ", 1 => "[.,@/'!-]{1,2} ?", 1 => "[ ]{0}"];
        proptest::collection::vec((piece, gap), 0..40)
            .prop_map(|pieces| pieces.into_iter().map(|(p, g)| p + &g).collect())
    }

    proptest::proptest! {
        #[test]
        fn the_tokeniser_agrees_with_its_reference(
            text in mixed_text(),
            name in "(van|de|Wei|王芳|Amanda) (van|der|Qiu)",
        ) {
            let a = approach(&name, &text);
            let names = NameMask::new(&a);
            let normalised = Normalised::new(&text);
            let mut fast = Vec::new();
            collect(&text, &normalised, &names, 7, &mut fast);
            let mut slow = Vec::new();
            collect_reference(&text, &normalised, &names, 7, &mut slow);
            proptest::prop_assert_eq!(fast, slow);
        }
    }

    proptest::proptest! {
        #[test]
        fn character_bigrams_are_every_two_characters_in_a_row(piece in "[我们付钱a-é]{0,12}") {
            let chars: Vec<char> = piece.chars().collect();
            let expected: Vec<u64> = chars
                .windows(2)
                .map(|pair| hash(7, b'C', pair.iter().collect::<String>().as_bytes()))
                .collect();
            let mut found = Vec::new();
            pair_bigrams(&piece, 7, &mut found);
            proptest::prop_assert_eq!(found, expected);
        }
    }

    #[test]
    fn words_and_cjk_become_features() {
        let a = approach("x", "we pay well 我们付钱");
        let f = text_features(&a, 7);
        // 3 words, 2 bigrams, 3 character bigrams.
        assert_eq!(f.len(), 8);
        assert_ne!(text_features(&a, 8), f);
    }
}
