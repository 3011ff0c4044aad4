//! Literals read from a regex's syntax tree, which decide where a regex is
//! tried and whether it runs at all.
//!
//! - *Start* literals: every match begins with one of them, so the regex is
//!   tried, anchored, only where one stands.
//! - *Required* literals: every match contains one of them, so a text that
//!   holds none is never searched with the regex. They come from the end of
//!   the regex, from one of the parts it is a sequence of, or, for an
//!   alternation, from every branch; the most distinctive set is kept.
//!
//! Literals are cut to [`MAX_TRIGGER_LEN`] bytes (a start literal keeps its
//! beginning, an end literal its end), which keeps the automaton small
//! without making it much less selective.

use std::cmp::Reverse;

use regex_syntax::hir::literal::{ExtractKind, Extractor};
use regex_syntax::hir::{Hir, HirKind};

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

/// The literals every match of `hir` starts with, or `None` when they cannot
/// be listed (too many, or a match may start anywhere).
pub(super) fn start_literals(hir: &Hir) -> Option<Literals> {
    extract(hir, ExtractKind::Prefix)
}

/// The most distinctive set of literals one of which every match of `hir`
/// contains, other than `starts`, or `None` when there is no distinctive one.
pub(super) fn required_literals(hir: &Hir, starts: Option<&Literals>) -> Option<Literals> {
    let mut candidates = Vec::new();
    candidates.extend(extract(hir, ExtractKind::Suffix));
    collect_required(hir, &mut candidates);
    candidates
        .into_iter()
        .filter(|c| distinctive(c) && Some(c) != starts)
        .max_by_key(|c| (shortest(c), Reverse(c.len())))
}

/// Length of the shortest literal of a set.
fn shortest(literals: &Literals) -> usize {
    literals.iter().map(Vec::len).min().unwrap_or(0)
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
                out.extend(extract(part, ExtractKind::Prefix));
                collect_required(part, out);
            }
        }
        HirKind::Alternation(branches) => {
            // Each match comes from one branch: a set is required of the
            // alternation only as the union of one set from every branch.
            let mut union: Literals = Vec::new();
            for branch in branches {
                let mut found = Vec::new();
                found.extend(extract(branch, ExtractKind::Prefix));
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

/// The prefix or suffix literals of `hir`, cut to [`MAX_TRIGGER_LEN`], or
/// `None` when they cannot be listed or one of them is empty.
fn extract(hir: &Hir, kind: ExtractKind) -> Option<Literals> {
    let suffix = matches!(kind, ExtractKind::Suffix);
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
    let mut out: Literals = literals
        .iter()
        .map(|l| {
            let bytes = l.as_bytes();
            let keep = bytes.len().min(MAX_TRIGGER_LEN);
            if suffix {
                bytes[bytes.len() - keep..].to_vec()
            } else {
                bytes[..keep].to_vec()
            }
        })
        .collect();
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

    fn strings(literals: &Literals) -> Vec<String> {
        literals
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect()
    }

    #[test]
    fn start_literals_cover_alternatives() {
        let starts = start_literals(&hir(r"(?-u:\b)(?:pay|fee)s? for")).unwrap();
        assert!(starts.iter().any(|l| l.starts_with(b"pay")));
        assert!(starts.iter().any(|l| l.starts_with(b"fee")));
        assert_eq!(start_literals(&hir(".{0,3}abc")), None);
    }

    #[test]
    fn required_literals_come_from_the_rarest_part() {
        let h = hir(r"(?-u:\b)[0-9]+[- ]pages?(?-u:\b).{0,20}?(?:[$£€] ?[0-9]+)");
        let starts = start_literals(&h);
        let required = required_literals(&h, starts.as_ref()).unwrap();
        assert_eq!(strings(&required), ["page"]);
    }

    #[test]
    fn required_literals_of_an_alternation_come_from_every_branch() {
        let h = hir(r"[a-z]+ telegram|@[a-z]{3,} on signal");
        let required = required_literals(&h, None).unwrap();
        assert_eq!(strings(&required), [" on sign", " telegra"]);
        // One branch without a distinctive literal: nothing is required.
        assert_eq!(
            required_literals(&hir(r"[a-z]+ telegram|@[a-z]+"), None),
            None
        );
    }

    #[test]
    fn long_literals_are_cut() {
        let h = hir("pay an extraordinarily generous fee");
        assert_eq!(strings(&start_literals(&h).unwrap()), ["pay an e"]);
        assert_eq!(strings(&required_literals(&h, None).unwrap()), ["rous fee"]);
    }

    #[test]
    fn the_start_set_is_not_also_required() {
        let h = hir("(?:which|what) officials");
        let starts = start_literals(&h).unwrap();
        let required = required_literals(&h, Some(&starts)).unwrap();
        assert_ne!(required, starts);
    }
}
