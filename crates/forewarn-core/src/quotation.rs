//! Passages of a message that quote another message.
//!
//! People who report an approach paste it into their report, and security
//! teams quote an example in their notices: "The text is below: > Dear
//! Megan, our client ...". What stands in such a passage is not the
//! sender's own offer or request. The engine drops the signals found in
//! the quoted passages of a message only when the sender, in their own
//! words outside every quotation, says they are passing a message on or
//! warning about one (a rule with `frames_quotations`); a quotation alone
//! changes nothing, so wrapping an approach in quotation marks does not
//! hide it.
//!
//! A passage is one of:
//!
//! - a run of lines that begin with `>`, as e-mail quotes a message;
//! - the text between paired quotation marks (`"..."`, `“...”`, `„...“`,
//!   `«...»`, `「...」`, `『...』`, `'...'`, `‘...’`) of at least
//!   [`MIN_QUOTED_WORDS`] words,
//!   so that a word or phrase in quotation marks ("paid 'consultancy'")
//!   stays the sender's;
//! - the text after a forwarded-message header ("---------- Forwarded
//!   message ---------", "Begin forwarded message:") to the end;
//! - the text between two lines made only of dashes (`---`).

use std::ops::Range;

use crate::normalise::is_cjk;

/// How many words a passage between quotation marks holds at least (a CJK
/// character counts as half a word).
pub const MIN_QUOTED_WORDS: usize = 8;

/// Headers after which a message forwards another, lower case.
const FORWARD_HEADERS: &[&str] = &[
    "forwarded message",
    "original message",
    "begin forwarded message",
    "weitergeleitete nachricht",
    "ursprüngliche nachricht",
    "message transféré",
    "message d'origine",
    "转发的邮件",
    "轉寄的郵件",
];

/// The byte ranges of `text` that quote another message, in order and
/// without overlap.
pub fn quoted_passages(text: &str) -> Vec<Range<usize>> {
    let mut passages = Vec::new();
    line_passages(text, &mut passages);
    marked_passages(text, &mut passages);
    passages.sort_by_key(|p| (p.start, std::cmp::Reverse(p.end)));
    // Merge the ones that overlap (a quotation inside a quoted line).
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(passages.len());
    for p in passages {
        match merged.last_mut() {
            Some(last) if p.start < last.end => last.end = last.end.max(p.end),
            _ => merged.push(p),
        }
    }
    merged
}

/// Whether `span` lies wholly inside one of `passages` (as returned by
/// [`quoted_passages`]).
pub fn is_quoted(passages: &[Range<usize>], span: &Range<usize>) -> bool {
    let i = passages.partition_point(|p| p.end < span.end);
    passages
        .get(i)
        .is_some_and(|p| p.start <= span.start && span.end <= p.end)
}

/// Lines that begin with `>`, forwarded messages and dashed blocks.
fn line_passages(text: &str, out: &mut Vec<Range<usize>>) {
    let mut run: Option<Range<usize>> = None;
    let mut dashes: Option<usize> = None;
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let start = at;
        at += line.len();
        let content = line.trim();
        let body_end = start + line.trim_end().len();
        if content.starts_with('>') {
            let run = run.get_or_insert(start..body_end);
            run.end = body_end;
            continue;
        }
        if let Some(r) = run.take() {
            out.push(r);
        }
        if !content.is_empty() && content.chars().all(|c| matches!(c, '-' | '—' | '–')) {
            if content.chars().count() >= 3 {
                match dashes.take() {
                    Some(open) => out.push(open..start),
                    None => dashes = Some(at),
                }
            }
            continue;
        }
        if is_forward_header(content) {
            out.push(start..text.len());
            return;
        }
    }
    if let Some(r) = run {
        out.push(r);
    }
}

/// Whether a line opens a forwarded message.
fn is_forward_header(line: &str) -> bool {
    if line.len() > 80 {
        return false;
    }
    let lower = line.to_lowercase();
    let words = lower.trim_matches(|c: char| matches!(c, '-' | '—' | '–' | '_' | '=' | ':' | ' '));
    FORWARD_HEADERS.contains(&words)
}

/// Paired quotation marks around at least [`MIN_QUOTED_WORDS`] words.
/// Double and single marks are paired in two passes: British English
/// quotes with single marks, and a quotation in one kind may hold the
/// other ("'they offer \"consultancy\" fees'"); overlapping passages merge.
fn marked_passages(text: &str, out: &mut Vec<Range<usize>>) {
    paired_passages(text, Marks::Double, out);
    paired_passages(text, Marks::Single, out);
}

/// The two families of quotation marks.
#[derive(Clone, Copy, PartialEq)]
enum Marks {
    Double,
    Single,
}

/// The passages between paired marks of one family, in order.
fn paired_passages(text: &str, marks: Marks, out: &mut Vec<Range<usize>>) {
    // The opening mark and where the quotation starts, one at a time: a
    // mark inside a quotation of another kind of the same family is text.
    let mut open: Option<(char, usize)> = None;
    for (i, c) in text.char_indices() {
        let after = i + c.len_utf8();
        match open {
            None => {
                if closer_of(c, marks).is_some() && (!is_straight(c) || opens_here(text, i, after))
                {
                    open = Some((c, after));
                }
            }
            Some((opener, from)) => {
                if closer_of(opener, marks).is_some_and(|closers| closers.contains(&c))
                    && closes_here(text, c, i, after)
                {
                    if let Some(inner) = text.get(from..i)
                        && quoted_words(inner) >= MIN_QUOTED_WORDS
                    {
                        out.push(from..i);
                    }
                    open = None;
                } else if marks == Marks::Single && c == '\n' && text[after..].starts_with('\n') {
                    // A single mark left open ("the '90s") ends at a blank
                    // line, before it can pair with an apostrophe far on.
                    open = None;
                }
            }
        }
    }
}

/// Whether a mark is the same character at both ends of a quotation.
fn is_straight(c: char) -> bool {
    matches!(c, '"' | '\'')
}

/// Whether the straight quotation mark at `i..after` of `text` can open a
/// quotation: not after a letter or digit, nor before white space. A stray
/// one then does not turn the sender's words after it into a quotation.
fn opens_here(text: &str, i: usize, after: usize) -> bool {
    !text[..i].ends_with(char::is_alphanumeric)
        && text[after..]
            .chars()
            .next()
            .is_some_and(|c| !c.is_whitespace())
}

/// Whether the closing mark `c` at `i..after` of `text` can close a
/// quotation: a straight one not after white space, and a mark that is
/// also an apostrophe not before a letter or digit ("don't", "don’t").
fn closes_here(text: &str, c: char, i: usize, after: usize) -> bool {
    (!is_straight(c) || !text[..i].ends_with(char::is_whitespace))
        && (!matches!(c, '\'' | '’') || !text[after..].starts_with(char::is_alphanumeric))
}

/// The marks that close a quotation opened by `c`, if `c` opens one of
/// the family `marks`.
fn closer_of(c: char, marks: Marks) -> Option<&'static [char]> {
    match (marks, c) {
        (Marks::Double, '"') => Some(&['"']),
        (Marks::Double, '“') => Some(&['”', '"']),
        (Marks::Double, '„') => Some(&['“', '”']),
        (Marks::Double, '«') => Some(&['»']),
        (Marks::Double, '「') => Some(&['」']),
        (Marks::Double, '『') => Some(&['』']),
        (Marks::Single, '\'') => Some(&['\'']),
        (Marks::Single, '‘') => Some(&['’']),
        _ => None,
    }
}

/// Words of a quotation: runs of letters or digits, and half a word for
/// each CJK character.
fn quoted_words(inner: &str) -> usize {
    let mut words = 0;
    let mut cjk = 0;
    let mut in_word = false;
    for c in inner.chars() {
        if is_cjk(c) {
            cjk += 1;
            in_word = false;
        } else if c.is_alphanumeric() {
            if !in_word {
                words += 1;
            }
            in_word = true;
        } else if c != '\'' && c != '’' {
            in_word = false;
        }
    }
    words + cjk / 2
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn quoted(text: &str) -> Vec<&str> {
        quoted_passages(text)
            .into_iter()
            .map(|r| &text[r])
            .collect()
    }

    #[test]
    fn lines_quoted_as_email_quotes_them_are_one_passage() {
        let text = "The text is below:\n\n> Dear Megan, our client pays well.\n> Add me on WeChat.\n\nI never replied.";
        assert_eq!(
            quoted(text),
            ["> Dear Megan, our client pays well.\n> Add me on WeChat."]
        );
    }

    #[test]
    fn long_quotations_are_passages_and_short_ones_are_not() {
        let text = "They offer paid \"consultancy\" and wrote: \"Our client would pay a generous fee for short reports.\" Then nothing.";
        assert_eq!(
            quoted(text),
            ["Our client would pay a generous fee for short reports."]
        );
        assert_eq!(
            quoted("« Bonjour, je suis chasseur de têtes pour un think tank basé à Hong Kong. »"),
            [" Bonjour, je suis chasseur de têtes pour un think tank basé à Hong Kong. "]
        );
        assert_eq!(
            quoted("“Dear Zihan, we would like to commission short reports on upcoming decisions”"),
            ["Dear Zihan, we would like to commission short reports on upcoming decisions"]
        );
        assert_eq!(
            quoted("「我们的客户愿意为简短的报告支付丰厚的报酬，请加微信」").len(),
            1
        );
        assert!(quoted("「请加微信」").is_empty());
        // An unclosed quotation is no passage.
        assert!(
            quoted("She wrote \"our client pays a generous fee for a report on decisions")
                .is_empty()
        );
    }

    #[test]
    fn single_quotation_marks_quote_as_double_ones_do() {
        let text = "An example reads: 'Our client, a think tank in Asia, is seeking experts. Please add me on WeChat.' Report it.";
        assert_eq!(
            quoted(text),
            ["Our client, a think tank in Asia, is seeking experts. Please add me on WeChat."]
        );
        assert_eq!(
            quoted(
                "He wrote ‘we’d pay you generously for a short note on what the committee thinks’ and left."
            ),
            ["we’d pay you generously for a short note on what the committee thinks"]
        );
        // Apostrophes inside words ("don't", "client's") close nothing.
        assert_eq!(
            quoted("'We don't mind, it's our client's wish to hear your views on it.'"),
            ["We don't mind, it's our client's wish to hear your views on it."]
        );
        // A word in single marks stays the sender's.
        assert!(quoted("They offer paid 'consultancy' and 'insider insights'.").is_empty());
    }

    #[test]
    fn a_single_mark_left_open_ends_at_a_blank_line() {
        let text = "Back in the '90s we met.\n\nOur client pays well for reports on the members' views, truly.";
        assert!(quoted(text).is_empty());
        // A double quotation after it is still found.
        let text = "Since the '90s: \"Our client would pay a generous fee for short reports.\"";
        assert_eq!(
            quoted(text),
            ["Our client would pay a generous fee for short reports."]
        );
    }

    #[test]
    fn forwarded_messages_and_dashed_blocks_are_passages() {
        let text = "FYI, is this real?\n---------- Forwarded message ---------\nFrom: X\nWe pay in crypto.";
        assert_eq!(
            quoted(text),
            ["---------- Forwarded message ---------\nFrom: X\nWe pay in crypto."]
        );
        let text = "Copying it below:\n---\nWe pay in crypto.\n---\nThanks";
        assert_eq!(quoted(text), ["We pay in crypto.\n"]);
        // One dashed line alone opens nothing.
        assert!(quoted("Hello\n---\nWe pay in crypto.").is_empty());
    }

    #[test]
    fn is_quoted_asks_for_the_whole_span() {
        let passages = vec![5..10, 20..30];
        assert!(is_quoted(&passages, &(5..10)));
        assert!(is_quoted(&passages, &(21..29)));
        assert!(!is_quoted(&passages, &(8..12)));
        assert!(!is_quoted(&passages, &(0..3)));
        assert!(!is_quoted(&passages, &(31..33)));
        assert!(!is_quoted(&[], &(0..1)));
    }

    proptest! {
        #[test]
        fn passages_are_ordered_disjoint_ranges_of_the_text(
            pieces in proptest::collection::vec(
                prop_oneof![
                    Just("\""), Just("“"), Just("”"), Just("„"), Just("«"), Just("»"),
                    Just("「"), Just("」"), Just("'"), Just("‘"), Just("’"), Just("\n"), Just("> "), Just("---\n"),
                    Just("-- Forwarded message --\n"), Just("word "), Just("报告"),
                    Just("é"), Just(" "),
                ],
                0..60,
            )
        ) {
            let text: String = pieces.concat();
            let passages = quoted_passages(&text);
            let mut end = 0;
            for p in &passages {
                prop_assert!(p.start >= end && p.start <= p.end && p.end <= text.len());
                prop_assert!(text.is_char_boundary(p.start) && text.is_char_boundary(p.end));
                end = p.end;
            }
        }
    }
}
