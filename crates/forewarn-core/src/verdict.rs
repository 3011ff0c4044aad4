//! The verdict: what `forewarn check --json` prints for one approach.
//!
//! The shape is a public contract (`docs/verdict.md`), tested with golden
//! files: change it only as a versioned decision.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::swar;

/// The risk band of an approach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Nothing, or little, that points to a hostile approach.
    Low,
    /// Worth a second look and a word with the security team.
    Medium,
    /// Very likely a hostile approach: report it.
    High,
}

impl Risk {
    /// The band's name, as in the verdict.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

/// The judgement of one approach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The approach's id, when it has one.
    pub id: Option<String>,
    /// The risk band.
    pub risk: Risk,
    /// Calibrated probability that the approach is hostile, 0 to 1, rounded
    /// to four decimals.
    pub score: f64,
    /// The signals that fired, strongest first.
    pub signals: Vec<SignalHit>,
    /// What to do, most important first. The lines are shared with the
    /// engine, which gives the same advice to many verdicts.
    pub advice: Vec<Arc<str>>,
}

impl Verdict {
    /// Appends the verdict as JSON to `out`: byte for byte what
    /// `serde_json` writes for it, without the work of a general serialiser.
    ///
    /// `check --json` writes a verdict of two kilobytes for every
    /// approach, most of it titles and advice that need no escaping, and
    /// the keys; writing the known shape directly costs a fraction of the
    /// general path. A property test holds the two to the same bytes.
    pub fn write_json(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(b"{\"id\":");
        match &self.id {
            Some(id) => write_json_str(out, id),
            None => out.extend_from_slice(b"null"),
        }
        out.extend_from_slice(b",\"risk\":\"");
        out.extend_from_slice(self.risk.as_str().as_bytes());
        out.extend_from_slice(b"\",\"score\":");
        write_json_number(out, self.score);
        out.extend_from_slice(b",\"signals\":");
        write_json_array(out, &self.signals, |out, signal| {
            out.extend_from_slice(b"{\"id\":");
            write_json_str(out, &signal.id);
            out.extend_from_slice(b",\"title\":");
            write_json_str(out, &signal.title);
            out.extend_from_slice(b",\"weight\":");
            write_json_number(out, signal.weight);
            out.extend_from_slice(b",\"evidence\":");
            write_json_array(out, &signal.evidence, |out, evidence| match evidence {
                Evidence::Message {
                    message,
                    start,
                    end,
                    text,
                } => {
                    out.extend_from_slice(b"{\"message\":");
                    write_json_number(out, message);
                    out.extend_from_slice(b",\"start\":");
                    write_json_number(out, start);
                    out.extend_from_slice(b",\"end\":");
                    write_json_number(out, end);
                    out.extend_from_slice(b",\"text\":");
                    write_json_str(out, text);
                    out.push(b'}');
                }
                Evidence::Field { field, text } => {
                    out.extend_from_slice(b"{\"field\":");
                    write_json_str(out, field);
                    out.extend_from_slice(b",\"text\":");
                    write_json_str(out, text);
                    out.push(b'}');
                }
            });
            out.push(b'}');
        });
        out.extend_from_slice(b",\"advice\":");
        write_json_array(out, &self.advice, |out, line| write_json_str(out, line));
        out.push(b'}');
    }
}

/// Appends `items` as a JSON array, each written by `write`.
fn write_json_array<T>(out: &mut Vec<u8>, items: &[T], mut write: impl FnMut(&mut Vec<u8>, &T)) {
    out.push(b'[');
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        write(out, item);
    }
    out.push(b']');
}

/// Appends `text` as a JSON string. Text with nothing to escape, nearly
/// all of it, is copied as it is; the rest is escaped by `serde_json`.
fn write_json_str(out: &mut Vec<u8>, text: &str) {
    if needs_escape(text.as_bytes()) {
        // Writing to a Vec cannot fail, and a str always serialises.
        let _ = serde_json::to_writer(&mut *out, text);
    } else {
        out.push(b'"');
        out.extend_from_slice(text.as_bytes());
        out.push(b'"');
    }
}

/// Appends a number as `serde_json` writes it.
fn write_json_number(out: &mut Vec<u8>, number: impl Serialize) {
    // Writing to a Vec cannot fail, and numbers always serialise.
    let _ = serde_json::to_writer(&mut *out, &number);
}

/// Whether a JSON string of these bytes needs an escape: a quote, a
/// backslash or a control character. Eight bytes are tested at a time.
fn needs_escape(bytes: &[u8]) -> bool {
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let word = swar::load(chunk);
        if swar::below(word, 0x20) | swar::equal(word, b'"') | swar::equal(word, b'\\') != 0 {
            return true;
        }
    }
    chunks
        .remainder()
        .iter()
        .any(|&b| b < 0x20 || b == b'"' || b == b'\\')
}

/// One signal that fired, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalHit {
    /// Stable signal id, such as `FW-OFFER-TRIP`.
    pub id: Arc<str>,
    /// What was found, in plain words.
    pub title: Arc<str>,
    /// Contribution to the score's log-odds.
    pub weight: f64,
    /// Where it was found.
    pub evidence: Vec<Evidence>,
}

/// Where a signal was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Evidence {
    /// A span of a message's text: byte offsets into the original text.
    Message {
        /// 0-based index into the approach's `messages`.
        message: usize,
        /// Start byte offset in the message's `text`.
        start: usize,
        /// End byte offset (exclusive).
        end: usize,
        /// The text at that span, exactly as written.
        text: String,
    },
    /// A profile field or message subject, named by its path.
    Field {
        /// The field, such as `sender.account_created` or `messages.2.subject`.
        field: String,
        /// The field's value, or the part of it that matters.
        text: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = String> {
        // Mostly plain text, with quotes, backslashes, control characters
        // and non-ASCII, at every position within an eight-byte word.
        "([a-z ]{0,9}|[\"\\\\]|[\\x00-\\x1f\\x7f]|é|微信|\u{2028}){0,12}"
    }

    fn evidence() -> impl Strategy<Value = Evidence> {
        prop_oneof![
            (any::<usize>(), any::<usize>(), any::<usize>(), text()).prop_map(
                |(message, start, end, text)| Evidence::Message {
                    message,
                    start,
                    end,
                    text,
                }
            ),
            (text(), text()).prop_map(|(field, text)| Evidence::Field { field, text }),
        ]
    }

    fn signal() -> impl Strategy<Value = SignalHit> {
        (
            text(),
            text(),
            any::<f64>(),
            proptest::collection::vec(evidence(), 0..4),
        )
            .prop_map(|(id, title, weight, evidence)| SignalHit {
                id: id.into(),
                title: title.into(),
                weight,
                evidence,
            })
    }

    fn verdict() -> impl Strategy<Value = Verdict> {
        (
            proptest::option::of(text()),
            prop_oneof![Just(Risk::Low), Just(Risk::Medium), Just(Risk::High)],
            prop_oneof![any::<f64>(), 0.0..1.0],
            proptest::collection::vec(signal(), 0..4),
            proptest::collection::vec(text().prop_map(Arc::from), 0..4),
        )
            .prop_map(|(id, risk, score, signals, advice)| Verdict {
                id,
                risk,
                score,
                signals,
                advice,
            })
    }

    proptest! {
        #[test]
        fn the_json_writer_writes_what_serde_json_writes(verdict in verdict()) {
            let mut fast = Vec::new();
            verdict.write_json(&mut fast);
            let general = serde_json::to_vec(&verdict).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(String::from_utf8_lossy(&fast), String::from_utf8_lossy(&general));
        }

        #[test]
        fn escapes_are_found_wherever_they_stand(text in text()) {
            let expected = text.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
            prop_assert_eq!(needs_escape(text.as_bytes()), expected);
        }
    }
}
