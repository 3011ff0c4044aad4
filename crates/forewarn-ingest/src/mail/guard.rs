//! Makes a raw e-mail safe to hand to `mail-parser`.
//!
//! Two things in `mail-parser` 0.11 are unbounded on hostile input:
//!
//! - a `message/rfc822` part that is base64 or quoted-printable encoded is
//!   parsed recursively, and its parts are then copied recursively: a chain
//!   of ten thousand such messages, a few hundred kilobytes, overflows the
//!   stack. Unencoded chains are parsed without recursion but freed with it.
//! - memory: every part, header field, address and word of a header costs
//!   tens to hundreds of bytes, so 32 MB of `A:` lines or of empty parts
//!   take gigabytes.
//!
//! So, before parsing:
//!
//! - every place where `mail-parser` could read the type `message` or the
//!   subtype `digest` (whose parts are messages by default) is masked: its
//!   first letter is replaced by a control character ([`unmask`] turns it
//!   back). `mail-parser` then sees such parts as plain attachments, never
//!   nests, and the caller unwraps forwarded messages itself, as deep as
//!   its limits allow. The rule is a superset of `mail-parser`'s own
//!   content-type grammar: the word, preceded (after spaces, tabs, quotes,
//!   backslashes and carriage returns) by `:`, `)`, `/`, a line break or the
//!   start, and followed (after the same) by `/`, `;`, `(`, a line break or
//!   the end. A masked word elsewhere (a subject "Re: message") is restored
//!   by [`unmask`] when the text is taken out.
//! - the e-mail is cut where it has more boundary markers (`--`), header
//!   colons or words than its part limit allows; `mail-parser` recovers the
//!   parts before the cut, and the cut is noted.

use std::borrow::Cow;

/// How many boundary markers (`--`) are allowed per allowed MIME part.
const MARKERS_PER_PART: usize = 16;
/// How many colons (one per header field) per allowed MIME part.
const COLONS_PER_PART: usize = 64;
/// How many words, separators and encoded words per allowed MIME part.
const TOKENS_PER_PART: usize = 1024;
/// The least of each, whatever the limits.
const MIN_BUDGET: usize = 64;

/// The control characters that replace the first letter of a masked word.
const MASKS: [(u8, u8); 4] = [(b'm', 1), (b'M', 2), (b'd', 3), (b'D', 4)];

/// A raw e-mail ready to parse.
#[derive(Debug)]
pub(crate) struct Prepared<'a> {
    /// The bytes to parse: the e-mail, masked and perhaps cut.
    pub bytes: Cow<'a, [u8]>,
    /// Where the e-mail was cut, if it was.
    pub cut_at: Option<usize>,
}

/// Masks and, if need be, cuts `raw` for an e-mail of at most `max_parts`
/// parts.
pub(crate) fn prepare(raw: &[u8], max_parts: usize) -> Prepared<'_> {
    let cut_at = find_cut(raw, max_parts);
    let kept = match cut_at {
        Some(at) => raw.get(..at).unwrap_or(raw),
        None => raw,
    };
    Prepared {
        bytes: mask(kept),
        cut_at,
    }
}

/// Where `raw` goes over one of the budgets derived from `max_parts`.
fn find_cut(raw: &[u8], max_parts: usize) -> Option<usize> {
    let budget = |per: usize| max_parts.saturating_mul(per).max(MIN_BUDGET);
    let (max_markers, max_colons, max_tokens) = (
        budget(MARKERS_PER_PART),
        budget(COLONS_PER_PART),
        budget(TOKENS_PER_PART),
    );
    let (mut markers, mut colons, mut tokens) = (0usize, 0usize, 0usize);
    let mut after_space = true;
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let next = raw.get(i + 1).copied();
        let is_space = matches!(b, b' ' | b'\t' | b'\r' | b'\n');
        if !is_space && after_space {
            tokens += 1;
        }
        after_space = is_space;
        match b {
            b'-' if next == Some(b'-') => {
                // A boundary is `--` and at least one more byte; count
                // non-overlapping ones, as `mail-parser` matches them.
                markers += 1;
                tokens += 1;
                if markers > max_markers || tokens > max_tokens {
                    return Some(i);
                }
                i += 3;
                after_space = false;
                continue;
            }
            b':' => colons += 1,
            b',' | b';' | b'<' | b'(' | b'"' => tokens += 1,
            b'=' if next == Some(b'?') => tokens += 1,
            _ => {}
        }
        if colons > max_colons || tokens > max_tokens {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// Masks the words `message` and `digest` where `mail-parser` could read
/// them as a content type.
fn mask(raw: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut i = 0;
    while let Some(&b) = raw.get(i) {
        let word: &[u8] = match b {
            b'm' | b'M' => b"message",
            b'd' | b'D' => b"digest",
            _ => {
                i += 1;
                continue;
            }
        };
        let end = i + word.len();
        let matches = raw
            .get(i..end)
            .is_some_and(|w| w.eq_ignore_ascii_case(word));
        if matches && starts_token(raw, i) && ends_token(raw, end) {
            let masked = MASKS
                .iter()
                .find(|(letter, _)| *letter == b)
                .map_or(b, |(_, m)| *m);
            let buffer = out.get_or_insert_with(|| raw.to_vec());
            if let Some(slot) = buffer.get_mut(i) {
                *slot = masked;
            }
            i = end;
        } else {
            i += 1;
        }
    }
    match out {
        Some(bytes) => Cow::Owned(bytes),
        None => Cow::Borrowed(raw),
    }
}

/// Bytes `mail-parser` skips inside a content type without ending a word.
fn is_skipped(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'"' | b'\\' | b'\r')
}

fn starts_token(raw: &[u8], at: usize) -> bool {
    let before = raw.get(..at).unwrap_or_default();
    match before.iter().rev().find(|b| !is_skipped(**b)) {
        None => true,
        Some(b) => matches!(b, b':' | b')' | b'/' | b'\n'),
    }
}

fn ends_token(raw: &[u8], at: usize) -> bool {
    let after = raw.get(at..).unwrap_or_default();
    match after.iter().find(|b| !is_skipped(**b)) {
        None => true,
        Some(b) => matches!(b, b'/' | b';' | b'(' | b'\n'),
    }
}

/// Turns masked words in text taken from a prepared e-mail back into
/// `message` and `digest`.
pub(crate) fn unmask(text: &str) -> Cow<'_, str> {
    if !text.bytes().any(|b| (1..=4).contains(&b)) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let tail = rest.get(c.len_utf8()..).unwrap_or_default();
        let restored = match c {
            '\u{1}' | '\u{2}' if starts_with_ignore_case(tail, "essage") => {
                Some(if c == '\u{1}' { 'm' } else { 'M' })
            }
            '\u{3}' | '\u{4}' if starts_with_ignore_case(tail, "igest") => {
                Some(if c == '\u{3}' { 'd' } else { 'D' })
            }
            _ => None,
        };
        out.push(restored.unwrap_or(c));
        rest = tail;
    }
    Cow::Owned(out)
}

/// The content type `message` or subtype `digest`, masked or not, in
/// lower case; anything else unchanged in lower case.
pub(crate) fn real_type(word: &str) -> String {
    unmask(word).to_ascii_lowercase()
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.as_bytes()
        .get(..prefix.len())
        .is_some_and(|p| p.eq_ignore_ascii_case(prefix.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn masked(raw: &str) -> String {
        String::from_utf8(prepare(raw.as_bytes(), 1000).bytes.into_owned()).unwrap()
    }

    #[test]
    fn masks_message_and_digest_types_only() {
        assert_eq!(
            masked("Content-Type: message/rfc822\n"),
            "Content-Type: \u{1}essage/rfc822\n"
        );
        assert_eq!(
            masked("Content-Type:\n \"MESSAGE\" (x) / rfc822\n"),
            "Content-Type:\n \"\u{2}ESSAGE\" (x) / rfc822\n"
        );
        assert_eq!(
            masked("Content-Type: multipart/digest; boundary=\"digest\"\n"),
            "Content-Type: multipart/\u{3}igest; boundary=\"digest\"\n"
        );
        assert_eq!(
            masked("Content-Type: (c)message;x\n"),
            "Content-Type: (c)\u{1}essage;x\n"
        );
        // Words that cannot be a content type are left alone.
        let text = "this message is long; a digest of news\nboundary=message\n--message\n";
        assert_eq!(masked(text), text);
    }

    #[test]
    fn unmask_restores_the_words() {
        let original = "Subject: Message\nContent-Type: message/rfc822; x=digest\n";
        let prepared = prepare(original.as_bytes(), 1000);
        let text = String::from_utf8(prepared.bytes.into_owned()).unwrap();
        assert_ne!(text, original);
        assert_eq!(unmask(&text), original);
        assert_eq!(real_type("\u{1}essage"), "message");
        assert_eq!(real_type("TEXT"), "text");
        assert_eq!(unmask("\u{1}x"), "\u{1}x");
    }

    #[test]
    fn cuts_where_the_budget_runs_out() {
        let raw = "A:\n".repeat(10_000);
        let prepared = prepare(raw.as_bytes(), 10);
        let at = prepared.cut_at.unwrap();
        assert!(at < 3 * 700, "{at}");
        assert_eq!(prepared.bytes.len(), at);
        let parts = "--b\n\nx\n".repeat(10_000);
        assert!(prepare(parts.as_bytes(), 10).cut_at.is_some());
        let plain = "Subject: hi\n\nA short and ordinary e-mail.\n";
        assert!(prepare(plain.as_bytes(), 10).cut_at.is_none());
    }
}
