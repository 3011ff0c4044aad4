//! Literals read from a regex's syntax tree, which decide where a regex is
//! tried and whether it runs at all.
//!
//! - *Start* literals: every match begins with one of them, so the regex is
//!   tried, anchored, only where one stands.
//! - *Required* literals: every match contains one of them, so a text that
//!   holds none is never searched with the regex. They come from the end of
//!   the regex, from one of the parts it is a sequence of, or, for an
//!   alternation, from every branch; the most distinctive set is kept,
//!   unless it stands where a start literal does, which makes it no gate.
//!
//! Literals are cut to [`MAX_TRIGGER_LEN`] bytes (a start literal keeps its
//! beginning, a required literal taken from the end keeps a word near its
//! end), which keeps the automaton small without making it much less
//! selective. A required literal may be cut anywhere, since every part of
//! it is required too, and it is cut after its leading spaces: the
//! automaton walks the text byte by byte, and a literal that begins with a
//! space (" of cost") sends it away from its root after every space of
//! ordinary text.

use std::cmp::Reverse;

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Longest literal kept for the automaton.
pub(super) const MAX_TRIGGER_LEN: usize = 8;

/// Shortest distinctive literal: shorter ones ("a", "£", a digit) occur in
/// nearly every text.
pub(super) const MIN_TRIGGER_LEN: usize = 3;

/// A set of literals, sorted, without repeats.
pub(super) type Literals = Vec<Vec<u8>>;

/// Whether every literal of a set is long enough to be rare.
pub(super) fn distinctive(literals: &Literals) -> bool {
    literals.iter().all(|l| l.len() >= MIN_TRIGGER_LEN)
}

/// The literals every match of `hir` starts with, whole, or `None` when they
/// cannot be listed (too many, or a match may start anywhere).
pub(super) fn prefix_literals(hir: &Hir) -> Option<Literals> {
    extract(hir, ExtractKind::Prefix)
}

/// The start literals the automaton looks for: the prefix literals, cut.
pub(super) fn start_literals(prefixes: Literals) -> Literals {
    cut(prefixes, |l| &l[..l.len().min(MAX_TRIGGER_LEN)])
}

/// A sorted set of start literals without those that begin with another of
/// the set: only where a match may start matters, and "0" already stands
/// wherever "0k" does.
pub(super) fn without_extensions(starts: Literals) -> Literals {
    let mut kept: Literals = Vec::with_capacity(starts.len());
    for literal in starts {
        // Sorted, a literal comes right after the ones it begins with, and
        // before anything that does not begin with it.
        if !kept.last().is_some_and(|k| literal.starts_with(k)) {
            kept.push(literal);
        }
    }
    kept
}

/// The most distinctive set of literals one of which every match of `hir`
/// contains, or `None` when there is no distinctive one.
///
/// A set that every one of the regex's `prefixes` holds within its first
/// [`MAX_TRIGGER_LEN`] bytes is left out: it stands where the start
/// literal does, so where a try is due it is always there, and rules out
/// nothing (a regex that begins with "(?:the )?colleague" gains nothing
/// from requiring "colleagu"). A later part of the regex gates it instead.
pub(super) fn required_literals(hir: &Hir, prefixes: Option<&Literals>) -> Option<Literals> {
    let mut candidates = Vec::new();
    candidates.extend(required(hir, ExtractKind::Suffix));
    collect_required(hir, &mut candidates);
    candidates
        .into_iter()
        .filter(|c| distinctive(c) && !prefixes.is_some_and(|p| at_every_start(c, p)))
        .max_by_key(|c| (shortest(c), Reverse(c.len())))
}

/// Whether every prefix holds one of `set` beginning in its first
/// [`MAX_TRIGGER_LEN`] bytes: in the part the automaton looks for, or
/// overlapping it.
fn at_every_start(set: &Literals, prefixes: &Literals) -> bool {
    prefixes.iter().all(|prefix| {
        (0..prefix.len().min(MAX_TRIGGER_LEN))
            .any(|at| set.iter().any(|l| prefix[at..].starts_with(l)))
    })
}

/// The prefix or suffix literals of `hir` as required literals, each cut
/// by [`gate_window`].
fn required(hir: &Hir, kind: ExtractKind) -> Option<Literals> {
    let from_end = matches!(kind, ExtractKind::Suffix);
    extract(hir, kind).map(|set| cut(set, |l| gate_window(l, from_end)))
}

/// The part of a required literal the automaton looks for: at most
/// [`MAX_TRIGGER_LEN`] bytes from its beginning, without leading spaces
/// where [`MIN_TRIGGER_LEN`] bytes remain, or (`from_end`) from a word
/// start near its end (see [`end_window_start`]).
fn gate_window(literal: &[u8], from_end: bool) -> &[u8] {
    let start = if from_end {
        end_window_start(literal)
    } else {
        after_leading_spaces(literal)
    };
    let rest = &literal[start..];
    &rest[..rest.len().min(MAX_TRIGGER_LEN)]
}

/// Where `bytes` begins once its leading spaces are left out, if at least
/// [`MIN_TRIGGER_LEN`] bytes remain; else 0.
fn after_leading_spaces(bytes: &[u8]) -> usize {
    bytes
        .iter()
        .position(|&b| b != b' ')
        .filter(|&at| bytes.len() - at >= MIN_TRIGGER_LEN)
        .unwrap_or(0)
}

/// Where the window of a literal taken from its end begins: at the first
/// word start among its last [`MAX_TRIGGER_LEN`] bytes that leaves a
/// window longer than a short word ("generous fee" gives no "fee"), else at
/// the last word start before them ("the committee" gives "committe"),
/// else [`MAX_TRIGGER_LEN`] bytes from the end, after leading spaces.
///
/// Beginning at a word start makes a word the same literal whichever regex
/// it gates and whichever end it was taken from: "committee" is always
/// "committe", never also "ommittee", so the automaton holds one path for
/// it instead of two, and its walk through ordinary text meets fewer
/// states: in callgrind's cache simulation of `check --json` on generated
/// approaches, its first-level read misses fell by a third (all of them by
/// 15-17%), for the same instructions and the same output.
fn end_window_start(literal: &[u8]) -> usize {
    // Bytes of letters, digits and characters that are not ASCII. A word
    // start past the literal's first byte follows an ASCII byte, so it
    // begins a character.
    let in_word = |b: u8| b.is_ascii_alphanumeric() || !b.is_ascii();
    let word_starts = (0..literal.len())
        .filter(|&at| in_word(literal[at]) && (at == 0 || !in_word(literal[at - 1])));
    let tail = literal.len().saturating_sub(MAX_TRIGGER_LEN);
    let mut before_tail = None;
    for at in word_starts {
        if at < tail {
            before_tail = Some(at);
        } else if literal.len() - at > MIN_TRIGGER_LEN {
            return at;
        }
    }
    before_tail.unwrap_or_else(|| tail + after_leading_spaces(&literal[tail..]))
}

/// Each literal of `set` cut by `part`, sorted, without repeats.
fn cut(set: Literals, part: impl Fn(&[u8]) -> &[u8]) -> Literals {
    let mut out: Literals = set.iter().map(|l| part(l).to_vec()).collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// Length of the shortest literal of a set.
fn shortest(literals: &Literals) -> usize {
    literals.iter().map(Vec::len).min().unwrap_or(0)
}

/// Whether every match of `hir` holds an ASCII digit: then a text, or the
/// rest of one, without a digit holds no match.
///
/// Numbers (amounts, counts, dates) often begin a pattern, where they give
/// no start literal to try it at; a digit is a weaker gate than a literal,
/// but one that most sentences do not pass.
pub(super) fn requires_digit(hir: &Hir) -> bool {
    match hir.kind() {
        HirKind::Literal(literal) => literal.0.iter().any(u8::is_ascii_digit),
        HirKind::Class(class) => {
            // A class of ASCII characters has a byte form; others hold more
            // than digits.
            let bytes = match class {
                Class::Unicode(class) => class.to_byte_class(),
                Class::Bytes(class) => Some(class.clone()),
            };
            bytes.is_some_and(|class| {
                !class.ranges().is_empty()
                    && class
                        .ranges()
                        .iter()
                        .all(|r| r.start().is_ascii_digit() && r.end().is_ascii_digit())
            })
        }
        HirKind::Capture(capture) => requires_digit(&capture.sub),
        HirKind::Repetition(repetition) => repetition.min >= 1 && requires_digit(&repetition.sub),
        HirKind::Concat(parts) => parts.iter().any(requires_digit),
        HirKind::Alternation(branches) => branches.iter().all(requires_digit),
        HirKind::Empty | HirKind::Look(_) => false,
    }
}

/// A literal of `hir` that stands right after or right before an ASCII word
/// boundary, `(?-u:\b)`, and begins or ends there with a non-ASCII letter
/// ("über", "résumé", "微信"), if there is one.
///
/// An ASCII word boundary needs an ASCII word character on one side: a
/// space before "über" is none, and neither is "ü", so that part of the
/// regex never matches. Rules are written in many languages, and such a
/// part fails silently: the pack refuses it instead.
pub(super) fn dead_ascii_boundary(hir: &Hir) -> Option<String> {
    let boundary = |h: &Hir| matches!(h.kind(), HirKind::Look(Look::WordAscii));
    let non_ascii_edge = |h: &Hir, from_start: bool| -> Option<String> {
        let mut extractor = Extractor::new();
        let kind = if from_start {
            ExtractKind::Prefix
        } else {
            ExtractKind::Suffix
        };
        extractor.kind(kind).limit_class(24).limit_total(400);
        let seq = extractor.extract(h);
        seq.literals()?.iter().find_map(|l| {
            let text = String::from_utf8_lossy(l.as_bytes());
            let edge = if from_start {
                text.chars().next()
            } else {
                text.chars().next_back()
            };
            // A non-ASCII mark ("’d") may stand right after a word, where
            // the boundary holds; a letter would have to stand inside one.
            edge.is_some_and(|c| c.is_alphanumeric() && !c.is_ascii())
                .then(|| text.into_owned())
        })
    };
    match hir.kind() {
        HirKind::Capture(capture) => dead_ascii_boundary(&capture.sub),
        HirKind::Repetition(repetition) => dead_ascii_boundary(&repetition.sub),
        HirKind::Alternation(branches) => branches.iter().find_map(dead_ascii_boundary),
        HirKind::Concat(parts) => parts
            .windows(2)
            .find_map(|pair| match pair {
                [b, next] if boundary(b) => non_ascii_edge(next, true),
                [previous, b] if boundary(b) => non_ascii_edge(previous, false),
                _ => None,
            })
            .or_else(|| parts.iter().find_map(dead_ascii_boundary)),
        HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) | HirKind::Look(_) => None,
    }
}

/// Adds to `out` sets of literals one of which every match of `hir` holds.
fn collect_required(hir: &Hir, out: &mut Vec<Literals>) {
    match hir.kind() {
        HirKind::Capture(capture) => collect_required(&capture.sub, out),
        HirKind::Repetition(repetition) if repetition.min >= 1 => {
            collect_required(&repetition.sub, out);
        }
        HirKind::Concat(parts) => {
            for part in parts {
                out.extend(required(part, ExtractKind::Prefix));
                collect_required(part, out);
            }
        }
        HirKind::Alternation(branches) => {
            // Each match comes from one branch: a set is required of the
            // alternation only as the union of one set from every branch.
            let mut union: Literals = Vec::new();
            for branch in branches {
                let mut found = Vec::new();
                found.extend(required(branch, ExtractKind::Prefix));
                collect_required(branch, &mut found);
                let Some(best) = found
                    .into_iter()
                    .filter(distinctive)
                    .max_by_key(|c| (shortest(c), Reverse(c.len())))
                else {
                    return;
                };
                union.extend(best);
            }
            union.sort_unstable();
            union.dedup();
            out.push(union);
        }
        _ => {}
    }
}

/// The prefix or suffix literals of `hir`, whole, sorted and without
/// repeats, or `None` when they cannot be listed or one of them is empty.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Literals> {
    let mut extractor = Extractor::new();
    extractor.kind(kind).limit_class(24).limit_total(400);
    // The sequence is used as extracted: every literal triggers work where
    // it stands, so a shorter "optimised" sequence (which may shrink to one
    // or two letters) would only trigger more of it.
    let seq = extractor.extract(hir);
    let literals = seq.literals()?;
    if literals.is_empty() || literals.iter().any(|l| l.as_bytes().is_empty()) {
        return None;
    }
    let mut out: Literals = literals.iter().map(|l| l.as_bytes().to_vec()).collect();
    out.sort_unstable();
    out.dedup();
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hir(pattern: &str) -> Hir {
        regex_syntax::parse(pattern).unwrap()
    }

    fn starts_of(h: &Hir) -> Option<Literals> {
        prefix_literals(h).map(start_literals)
    }

    fn strings(literals: &Literals) -> Vec<String> {
        literals
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    #[test]
    fn an_ascii_word_boundary_next_to_a_non_ascii_letter_is_found() {
        let dead = |p: &str| dead_ascii_boundary(&hir(p));
        assert_eq!(
            dead(r"(?-u:\b)(?:per|über) signal").as_deref(),
            Some("über")
        );
        assert_eq!(dead(r"(?:cv|résumé)(?-u:\b)").as_deref(), Some("résumé"));
        assert_eq!(dead(r"x (?:a|(?-u:\b)écrire)").as_deref(), Some("écrire"));
        // Inside a word, or with an ASCII letter at the boundary, it holds.
        assert_eq!(dead(r"(?-u:\b)(?:vergütung|zahlung)(?-u:\b)"), None);
        assert_eq!(dead(r"(?:(?-u:\b)per|über) signal"), None);
        assert_eq!(dead(r"(?-u:\b)[a-zäöü]+ (?-u:\b)pay"), None);
        // A mark after a word: the word before it makes the boundary.
        assert_eq!(dead(r"(?-u:\b)(?:we|i)(?-u:\b)(?:'|’)d"), None);
    }

    #[test]
    fn start_literals_cover_alternatives() {
        let starts = starts_of(&hir(r"(?-u:\b)(?:pay|fee)s? for")).unwrap();
        assert!(starts.iter().any(|l| l.starts_with(b"pay")));
        assert!(starts.iter().any(|l| l.starts_with(b"fee")));
        assert_eq!(prefix_literals(&hir(".{0,3}abc")), None);
    }

    #[test]
    fn start_literals_that_extend_another_add_no_place_to_start() {
        let set = |l: &[&str]| -> Literals { l.iter().map(|s| s.as_bytes().to_vec()).collect() };
        assert_eq!(
            without_extensions(set(&["0", "0 ", "0,", "00", "1k", "ab", "abc", "b", "ba"])),
            set(&["0", "1k", "ab", "b"])
        );
        // From a regex: every literal begins with one that is kept, and no
        // kept one begins with another.
        let amount = r"(?-u:\b)[0-9][0-9,.]*k? ?(?:usdt|usdc|btc|eth|bitcoins?|xmr)(?-u:\b)";
        let starts = starts_of(&hir(amount)).unwrap();
        let kept = without_extensions(starts.clone());
        assert!(kept.len() < starts.len());
        assert!(starts.iter().all(|l| kept.iter().any(|k| l.starts_with(k))));
        for (i, k) in kept.iter().enumerate() {
            assert!(
                kept.iter()
                    .enumerate()
                    .all(|(j, o)| i == j || !k.starts_with(o))
            );
        }
    }

    #[test]
    fn required_literals_come_from_the_rarest_part() {
        let h = hir(r"(?-u:\b)[0-9]+[- ]pages?(?-u:\b).{0,20}?(?:[$£€] ?[0-9]+)");
        let required = required_literals(&h, prefix_literals(&h).as_ref()).unwrap();
        assert_eq!(strings(&required), ["page"]);
    }

    #[test]
    fn required_literals_of_an_alternation_come_from_every_branch() {
        let h = hir(r"[a-z]+ telegram|@[a-z]{3,} on signal");
        let required = required_literals(&h, None).unwrap();
        assert_eq!(strings(&required), ["on signa", "telegram"]);
        // One branch without a distinctive literal: nothing is required.
        assert_eq!(
            required_literals(&hir(r"[a-z]+ telegram|@[a-z]+"), None),
            None
        );
    }

    #[test]
    fn long_literals_are_cut() {
        let h = hir("(?:pay|fee) an extraordinarily generous fee");
        let starts = starts_of(&h);
        assert_eq!(strings(starts.as_ref().unwrap()), ["fee an e", "pay an e"]);
        // Required are the start of the middle ("an extra") and the end;
        // the start of the middle stands within the start literal.
        let required = required_literals(&h, prefix_literals(&h).as_ref()).unwrap();
        assert_eq!(strings(&required), ["generous"]);
    }

    #[test]
    fn required_literals_do_not_begin_with_a_space() {
        let window = |l: &str, from_end| {
            String::from_utf8_lossy(gate_window(l.as_bytes(), from_end)).into_owned()
        };
        assert_eq!(window(" of costs", false), "of costs");
        assert_eq!(window("all of costs", true), "of costs");
        assert_eq!(window("s of cost", true), "of cost");
        assert_eq!(window("dissatisfied", true), "dissatis");
        // Unless too little would remain.
        assert_eq!(window("  at", false), "  at");
        assert_eq!(window("ab", true), "ab");
    }

    #[test]
    fn windows_from_the_end_begin_at_a_word_start() {
        let window = |l: &str, from_end| {
            String::from_utf8_lossy(gate_window(l.as_bytes(), from_end)).into_owned()
        };
        // A word is one literal whichever end it was taken from.
        assert_eq!(window("the committee", true), "committe");
        assert_eq!(window("committee", true), window("committee of", false));
        // The first word start among the last bytes, unless it leaves only
        // a short word: then the word before it.
        assert_eq!(window("would be paid", true), "be paid");
        assert_eq!(window("a generous fee", true), "generous");
        // Without a word start, the end, after its leading spaces.
        assert_eq!(window("-   ..--+", true), "..--+");
        // Never inside a character of several bytes (a window may end
        // inside one: the automaton is bytewise).
        for literal in ["très généreux", "报酬 丰厚的报酬", "a é", "—ok fine"] {
            let w = gate_window(literal.as_bytes(), true);
            let at = w.as_ptr() as usize - literal.as_ptr() as usize;
            assert!(literal.is_char_boundary(at), "{literal}");
        }
    }

    proptest::proptest! {
        /// Rule packs come from users: any literal gives a window inside
        /// it, of at most [`MAX_TRIGGER_LEN`] bytes, empty only when it is.
        #[test]
        fn a_window_is_a_part_of_its_literal(
            literal in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..40),
            from_end: bool,
        ) {
            let w = gate_window(&literal, from_end);
            let at = w.as_ptr() as usize - literal.as_ptr() as usize;
            proptest::prop_assert!(at + w.len() <= literal.len());
            proptest::prop_assert!(w.len() <= MAX_TRIGGER_LEN);
            proptest::prop_assert_eq!(w.is_empty(), literal.is_empty());
        }
    }

    #[test]
    fn digits_required_by_every_branch_and_part() {
        for pattern in [
            r"(?-u:\b)[0-9][0-9,.]*k? ?(?:usdt|btc)",
            r"(?:[$£€] ?[0-9]+|[0-9]+ ?(?:usd|gbp)) for (?:a )?report",
            r"ref [a-z]{2}-[0-9]",
            r"(?:5|9)[a-z]* stars",
            r"(?:top|best) 10",
        ] {
            assert!(requires_digit(&hir(pattern)), "{pattern}");
        }
        for pattern in [
            r"(?:[0-9]+|five) stars",
            r"[0-9]* stars",
            r"[0-9a-z]+ usdt",
            r"\d+ usdt",
            r"(?:[0-9]+ )?usdt",
            r"(?:5|five)[0-9]* stars",
        ] {
            assert!(!requires_digit(&hir(pattern)), "{pattern}");
        }
    }

    #[test]
    fn no_literal_is_required_where_the_start_literal_stands() {
        let gate = |pattern: &str| {
            let h = hir(pattern);
            required_literals(&h, prefix_literals(&h).as_ref()).map(|r| strings(&r))
        };
        // "official" begins within the start literals ("which of", "what
        // off"), and so does the end: no gate.
        assert_eq!(gate("(?:which|what) officials"), None);
        assert_eq!(
            gate("(?:which|what) officials (?:said|think)").unwrap(),
            ["said", "think"]
        );
        // "colleagu" would stand in every start literal ("the coll",
        // "colleagu"): the end of the regex gates it.
        assert_eq!(
            gate(r"(?-u:\b)(?:the )?colleagues?(?-u:\b).{0,30}(?:views?|stance)").unwrap(),
            ["stance", "view"]
        );
        // A literal past the start literal's bytes still gates.
        assert_eq!(
            gate(r"(?:would|will) be (?:very )?generous").unwrap(),
            ["generous"]
        );
    }
}
