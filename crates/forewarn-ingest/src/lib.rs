//! Readers of outside input for forewarn.
//!
//! [`ApproachReader`] reads approach JSON v1 from a `.json` file (one
//! approach), a `.jsonl` file (one per line) or standard input (either form,
//! detected), one approach at a time, in bounded memory. Every error names
//! where it happened: `approaches.jsonl:14: sender.name: missing`.
//!
//! ```
//! use forewarn_ingest::{ApproachReader, Format, Limits};
//!
//! let input = br#"{"id": "a1", "sender": {"name": "X"}, "messages": [{"text": "hello"}]}
//! {"id": "a2", "sender": {}, "messages": []}
//! "#;
//! let mut reader = ApproachReader::<_, forewarn_core::Approach>::new(&input[..], "approaches.jsonl", Format::Lines, Limits::default());
//! let first = reader.next().unwrap().unwrap();
//! assert_eq!(first.approach.id.as_deref(), Some("a1"));
//! let second = reader.next().unwrap().unwrap_err();
//! assert_eq!(second.to_string(), "approaches.jsonl:2: sender.name: missing");
//! assert!(reader.next().is_none());
//! ```
//!
//! [`scan::open`] reads a member's own history instead: a LinkedIn data
//! export (zip or folder), an mbox, a Maildir or `.eml` files, and turns it
//! into approaches with a pointer to their source.

pub mod csv;
pub mod linkedin;
pub mod mail;
pub mod scan;

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use forewarn_core::Approach;

/// Size limits of the approach reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest message text, in bytes.
    pub max_message_bytes: usize,
    /// Largest approach (one `.json` file or one `.jsonl` line), in bytes.
    pub max_approach_bytes: usize,
    /// Most messages in one approach.
    pub max_messages: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_approach_bytes: 16 << 20,
            max_messages: 10_000,
        }
    }
}

/// Where an approach, or an error, came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The file name as given, or `<stdin>`.
    pub source: String,
    /// 1-based line: the line of a `.jsonl` record, or the line of a parse
    /// error in a `.json` file.
    pub line: Option<usize>,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}", self.source),
            None => write!(f, "{}", self.source),
        }
    }
}

/// An input error, with its location.
#[derive(Debug, thiserror::Error)]
#[error("{location}: {kind}")]
pub struct InputError {
    /// Where it happened.
    pub location: Location,
    /// What happened.
    pub kind: InputErrorKind,
}

impl InputError {
    /// Whether reading can go on after this error (a bad record), or not
    /// (the input itself cannot be read).
    pub fn is_recoverable(&self) -> bool {
        !matches!(self.kind, InputErrorKind::Io(_))
    }
}

/// What went wrong with an input.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum InputErrorKind {
    /// The input cannot be read.
    #[error("{0}")]
    Io(#[source] io::Error),
    /// The text is not JSON.
    #[error("not valid JSON: {0}")]
    Syntax(String),
    /// A required field is missing.
    #[error("{0}: missing")]
    Missing(String),
    /// A field has the wrong type or value.
    #[error("{field}: {message}")]
    Invalid {
        /// Path of the field.
        field: String,
        /// What is wrong.
        message: String,
    },
    /// Something is over a size limit.
    #[error("{what} is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// What is too large.
        what: String,
        /// Its size, or a lower bound of it.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// Too many messages.
    #[error("messages: {count} messages, over the limit of {limit}")]
    TooManyMessages {
        /// How many there are.
        count: usize,
        /// The limit.
        limit: usize,
    },
}

/// The layout of an input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One approach in the whole input (`.json`).
    Single,
    /// One approach per line (`.jsonl`); blank lines are skipped.
    Lines,
    /// Detect: JSON Lines when the first non-blank line is a complete JSON
    /// value, else one approach (standard input, other extensions). Ids are
    /// optional.
    Detect,
    /// JSON Lines found by [`Format::Detect`]: ids are optional.
    DetectedLines,
}

impl Format {
    /// The format of a path, by its extension.
    pub fn of_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()) {
            Some(e) if e.eq_ignore_ascii_case("jsonl") || e.eq_ignore_ascii_case("ndjson") => {
                Format::Lines
            }
            Some(e) if e.eq_ignore_ascii_case("json") => Format::Single,
            _ => Format::Detect,
        }
    }
}

/// One record read, with where it came from.
#[derive(Debug, Clone)]
pub struct Read1<T = Approach> {
    /// Where it came from.
    pub location: Location,
    /// The size of the record as read (its line, or the whole input), in
    /// bytes: a bound on the memory the approach takes.
    pub bytes: usize,
    /// The approach, or the record holding it.
    pub approach: T,
}

/// A record of an approach input: the approach itself, or an approach with
/// more fields around it (a labelled corpus entry).
pub trait Record: serde::de::DeserializeOwned {
    /// The approach in the record.
    fn approach(&self) -> &Approach;
}

impl Record for Approach {
    fn approach(&self) -> &Approach {
        self
    }
}

/// A corpus entry: an approach with its label and category.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Labelled {
    /// The approach.
    #[serde(flatten)]
    pub approach: Approach,
    /// `hostile` or `benign`, when labelled.
    #[serde(default)]
    pub label: Option<Label>,
    /// What kind of approach it is.
    #[serde(default)]
    pub category: Option<String>,
}

impl Record for Labelled {
    fn approach(&self) -> &Approach {
        &self.approach
    }
}

/// The label of a corpus entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Label {
    /// A covert or hostile approach.
    Hostile,
    /// An ordinary approach.
    Benign,
}

impl Label {
    /// Reads `hostile`/`benign`, `1`/`0`, `true`/`false`.
    pub fn parse(s: &str) -> Option<Label> {
        match s.trim().to_ascii_lowercase().as_str() {
            "hostile" | "1" | "true" | "malicious" | "positive" => Some(Label::Hostile),
            "benign" | "0" | "false" | "negative" => Some(Label::Benign),
            _ => None,
        }
    }
}

/// Reads approaches one at a time. See the crate documentation.
pub struct ApproachReader<R, T = Approach> {
    marker: std::marker::PhantomData<fn() -> T>,
    input: R,
    source: String,
    format: Format,
    limits: Limits,
    line: usize,
    buffer: Vec<u8>,
    done: bool,
}

impl ApproachReader<Box<dyn BufRead>> {
    /// Opens a file, or standard input for `-`.
    pub fn open(path: &Path, limits: Limits) -> Result<Self, InputError> {
        if path.as_os_str() == "-" {
            let stdin: Box<dyn BufRead> = Box::new(BufReader::with_capacity(1 << 16, io::stdin()));
            return Ok(ApproachReader::new(
                stdin,
                "<stdin>",
                Format::Detect,
                limits,
            ));
        }
        ApproachReader::open_file(path, limits)
    }
}

impl<T: Record> ApproachReader<Box<dyn BufRead>, T> {
    /// Opens a file.
    pub fn open_file(path: &Path, limits: Limits) -> Result<Self, InputError> {
        let source = path.display().to_string();
        let file = File::open(path).map_err(|e| InputError {
            location: Location {
                source: source.clone(),
                line: None,
            },
            kind: InputErrorKind::Io(e),
        })?;
        let input: Box<dyn BufRead> = Box::new(BufReader::with_capacity(1 << 16, file));
        Ok(ApproachReader::new(
            input,
            source,
            Format::of_path(path),
            limits,
        ))
    }
}

impl<R: BufRead, T: Record> ApproachReader<R, T> {
    /// Reads from `input`; `source` names it in errors.
    pub fn new(input: R, source: impl Into<String>, format: Format, limits: Limits) -> Self {
        ApproachReader {
            marker: std::marker::PhantomData,
            input,
            source: source.into(),
            format,
            limits,
            line: 0,
            buffer: Vec::new(),
            done: false,
        }
    }

    fn location(&self, line: Option<usize>) -> Location {
        Location {
            source: self.source.clone(),
            line,
        }
    }

    fn error(&self, line: Option<usize>, kind: InputErrorKind) -> InputError {
        InputError {
            location: self.location(line),
            kind,
        }
    }

    /// Reads the next line into `buffer`, at most `max_approach_bytes`;
    /// a longer line is skipped to its end. Returns `None` at the end.
    fn next_line(&mut self) -> Option<Result<(), InputError>> {
        self.buffer.clear();
        let limit = self.limits.max_approach_bytes;
        let mut skipped = 0usize;
        let mut any = false;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.done = true;
                    return Some(Err(self.error(Some(self.line + 1), InputErrorKind::Io(e))));
                }
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (part, found_newline) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (&chunk[..i], Some(i + 1)),
                None => (chunk, None),
            };
            if skipped > 0 || self.buffer.len() + part.len() > limit {
                skipped += part.len() + self.buffer.len();
                self.buffer.clear();
            } else {
                self.buffer.extend_from_slice(part);
            }
            let used = found_newline.unwrap_or(chunk.len());
            self.input.consume(used);
            if found_newline.is_some() {
                break;
            }
        }
        if !any {
            return None;
        }
        self.line += 1;
        if skipped > 0 {
            return Some(Err(self.error(
                Some(self.line),
                InputErrorKind::TooLarge {
                    what: "approach".into(),
                    size: skipped,
                    limit,
                },
            )));
        }
        Some(Ok(()))
    }

    /// The located error of `bytes`, which do not parse.
    fn locate_error(&self, bytes: &[u8], line: Option<usize>) -> InputError {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        let parsed: Result<T, _> = serde_path_to_error::deserialize(&mut de);
        match parsed {
            Err(e) => {
                let path = dotted(&e.path().to_string());
                let inner = e.into_inner();
                let error_line = line.or(Some(inner.line()).filter(|l| *l > 0));
                let kind = describe(&path, &inner);
                self.error(error_line, kind)
            }
            Ok(_) => match de.end() {
                Err(e) => self.error(line, InputErrorKind::Syntax(e.to_string())),
                // Both readers follow the same grammar; should they ever
                // disagree, the input is still refused.
                Ok(()) => self.error(line, InputErrorKind::Syntax("unreadable JSON".into())),
            },
        }
    }

    /// Parses and checks one approach from `bytes`.
    fn parse(&self, bytes: &[u8], line: Option<usize>, needs_id: bool) -> Result<T, InputError> {
        // Valid input, the common case, is read without tracking the path;
        // only bad input is read again to say where it went wrong. The
        // whole record is checked to be UTF-8 in one pass, so that its
        // strings need not be, one by one.
        let record: Result<T, _> = match std::str::from_utf8(bytes) {
            Ok(text) => serde_json::from_str(text).map_err(|_| ()),
            Err(_) => Err(()),
        };
        let Ok(record) = record else {
            return Err(self.locate_error(bytes, line));
        };
        let approach = record.approach();
        if needs_id && approach.id.as_deref().is_none_or(|id| id.trim().is_empty()) {
            return Err(self.error(line, InputErrorKind::Missing("id".into())));
        }
        approach.validate().map_err(|e| {
            self.error(
                line,
                InputErrorKind::Invalid {
                    field: e.field,
                    message: e.message,
                },
            )
        })?;
        if approach.messages.len() > self.limits.max_messages {
            return Err(self.error(
                line,
                InputErrorKind::TooManyMessages {
                    count: approach.messages.len(),
                    limit: self.limits.max_messages,
                },
            ));
        }
        for (i, m) in approach.messages.iter().enumerate() {
            if m.text.len() > self.limits.max_message_bytes {
                return Err(self.error(
                    line,
                    InputErrorKind::TooLarge {
                        what: format!("messages.{i}.text"),
                        size: m.text.len(),
                        limit: self.limits.max_message_bytes,
                    },
                ));
            }
        }
        Ok(record)
    }

    /// Reads the whole input as one approach, within the size limit.
    fn read_single(&mut self, mut start: Vec<u8>) -> Result<Read1<T>, InputError> {
        let limit = self.limits.max_approach_bytes;
        let mut rest = Vec::new();
        let room = (limit + 1).saturating_sub(start.len()) as u64;
        (&mut self.input)
            .take(room)
            .read_to_end(&mut rest)
            .map_err(|e| self.error(None, InputErrorKind::Io(e)))?;
        start.extend_from_slice(&rest);
        if start.len() > limit {
            return Err(self.error(
                None,
                InputErrorKind::TooLarge {
                    what: "approach".into(),
                    size: start.len(),
                    limit,
                },
            ));
        }
        let approach = self.parse(&start, None, false)?;
        Ok(Read1 {
            location: self.location(None),
            bytes: start.len(),
            approach,
        })
    }
}

/// Turns a deserialisation error into a located, field-named message.
fn describe(path: &str, error: &serde_json::Error) -> InputErrorKind {
    let message = error.to_string();
    // serde_json appends " at line L column C"; the location says where.
    let message = message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_owned();
    if let Some(field) = message
        .strip_prefix("missing field `")
        .and_then(|m| m.strip_suffix('`'))
    {
        let full = if path == "." || path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        return InputErrorKind::Missing(full);
    }
    if error.is_syntax() || error.is_eof() {
        return InputErrorKind::Syntax(message);
    }
    InputErrorKind::Invalid {
        field: if path.is_empty() {
            ".".to_owned()
        } else {
            path.to_owned()
        },
        message,
    }
}

impl<R: BufRead, T: Record> Iterator for ApproachReader<R, T> {
    type Item = Result<Read1<T>, InputError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        loop {
            match self.format {
                Format::Single => {
                    self.done = true;
                    return Some(self.read_single(Vec::new()));
                }
                Format::Lines | Format::Detect | Format::DetectedLines => {
                    match self.next_line()? {
                        Ok(()) => {}
                        Err(e) => return Some(Err(e)),
                    }
                    let line = self.line;
                    let bytes = std::mem::take(&mut self.buffer);
                    let trimmed = trim_ascii(&bytes);
                    if trimmed.is_empty() {
                        self.buffer = bytes;
                        continue;
                    }
                    if self.format == Format::Detect {
                        let complete =
                            serde_json::from_slice::<serde::de::IgnoredAny>(trimmed).is_ok();
                        if complete {
                            // Ids are required only in files named .jsonl.
                            self.format = Format::DetectedLines;
                        } else {
                            self.done = true;
                            let mut start = bytes.clone();
                            start.push(b'\n');
                            return Some(self.read_single(start));
                        }
                    }
                    let needs_id = self.format == Format::Lines;
                    let result = self
                        .parse(trimmed, Some(line), needs_id)
                        .map(|approach| Read1 {
                            location: self.location(Some(line)),
                            bytes: trimmed.len(),
                            approach,
                        });
                    self.buffer = bytes;
                    return Some(result);
                }
            }
        }
    }
}

/// `messages[0].text` → `messages.0.text`, the form used in evidence.
fn dotted(path: &str) -> String {
    path.replace('[', ".").replace(']', "")
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    bytes.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(input: &str, format: Format) -> Vec<Result<Read1, InputError>> {
        ApproachReader::<_, Approach>::new(input.as_bytes(), "in.jsonl", format, Limits::default())
            .collect()
    }

    fn errors(input: &str, format: Format) -> Vec<String> {
        read(input, format)
            .into_iter()
            .filter_map(|r| r.err().map(|e| e.to_string()))
            .collect()
    }

    const GOOD: &str = r#"{"id":"a","sender":{"name":"X"},"messages":[{"text":"hi"}]}"#;

    #[test]
    fn reads_lines_and_skips_blank_ones() {
        let input = format!("{GOOD}\n\n  \n{}\n", GOOD.replace("\"a\"", "\"b\""));
        let ids: Vec<_> = read(&input, Format::Lines)
            .into_iter()
            .map(|r| r.unwrap().approach.id.unwrap())
            .collect();
        assert_eq!(ids, ["a", "b"]);
    }

    #[test]
    fn each_record_knows_its_size() {
        let input = format!("  {GOOD}\n\n{GOOD}");
        let sizes: Vec<_> = read(&input, Format::Lines)
            .into_iter()
            .map(|r| r.unwrap().bytes)
            .collect();
        assert_eq!(sizes, [GOOD.len(), GOOD.len()]);
        let pretty = "{\n  \"sender\": {\"name\": \"X\"},\n  \"messages\": []\n}\n";
        assert_eq!(
            read(pretty, Format::Single)[0].as_ref().unwrap().bytes,
            pretty.len()
        );
    }

    #[test]
    fn errors_name_line_and_field() {
        let input = format!(
            "{GOOD}\n{}\n{}\n{}\n{}\n{}\n",
            r#"{"id":"b","sender":{"name":"X"},"messages":[{"from":"sender"}]}"#,
            r#"{"id":"c","sender":{"name":"X","connections":"many"}}"#,
            r#"{"id":"d","sender":{"name":"X"},"messages":[{"text":"x","sent_at":"yesterday"}]}"#,
            r#"{"sender":{"name":"X"}}"#,
            r#"{"id":"f", "#,
        );
        assert_eq!(
            errors(&input, Format::Lines),
            [
                "in.jsonl:2: messages.0.text: missing",
                "in.jsonl:3: sender.connections: invalid type: string \"many\", expected u64",
                "in.jsonl:4: messages.0.sent_at: not an RFC 3339 timestamp",
                "in.jsonl:5: id: missing",
                "in.jsonl:6: not valid JSON: EOF while parsing a value",
            ]
        );
    }

    #[test]
    fn single_documents_may_span_lines_and_need_no_id() {
        let pretty = "{\n  \"sender\": {\"name\": \"X\"},\n  \"messages\": []\n}\n";
        assert!(read(pretty, Format::Single)[0].is_ok());
        // Detected: not JSON Lines, so one document.
        let all = read(pretty, Format::Detect);
        assert_eq!(all.len(), 1);
        assert!(all[0].is_ok());
        // Detected JSON Lines.
        assert_eq!(read(&format!("{GOOD}\n{GOOD}\n"), Format::Detect).len(), 2);
    }

    #[test]
    fn limits_are_enforced_without_reading_everything() {
        let limits = Limits {
            max_message_bytes: 10,
            max_approach_bytes: 100,
            max_messages: 2,
        };
        let long_line = format!(
            "{{\"id\":\"x\",\"sender\":{{\"name\":\"{}\"}}}}",
            "a".repeat(500)
        );
        let long_text = r#"{"id":"y","sender":{"name":"X"},"messages":[{"text":"12345678901"}]}"#;
        let many = r#"{"id":"z","sender":{"name":"X"},"messages":[{"text":"a"},{"text":"b"},{"text":"c"}]}"#;
        let input = format!("{long_line}\n{long_text}\n{many}\n");
        let got: Vec<String> =
            ApproachReader::<_, Approach>::new(input.as_bytes(), "l.jsonl", Format::Lines, limits)
                .map(|r| r.unwrap_err().to_string())
                .collect();
        assert_eq!(
            got,
            [
                "l.jsonl:1: approach is 531 bytes, over the limit of 100 bytes",
                "l.jsonl:2: messages.0.text is 11 bytes, over the limit of 10 bytes",
                "l.jsonl:3: messages: 3 messages, over the limit of 2",
            ]
        );
        let big = format!("{{\"sender\":{{\"name\":\"{}\"}}}}", "a".repeat(500));
        let err =
            ApproachReader::<_, Approach>::new(big.as_bytes(), "b.json", Format::Single, limits)
                .next()
                .unwrap()
                .unwrap_err();
        assert_eq!(
            err.to_string(),
            "b.json: approach is 101 bytes, over the limit of 100 bytes"
        );
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for format in [Format::Lines, Format::Single, Format::Detect] {
                let reader = ApproachReader::<_, Approach>::new(&bytes[..], "p", format, Limits::default());
                for r in reader.take(1000) {
                    let _ = r;
                }
            }
        }

        #[test]
        fn every_error_is_located(lines in proptest::collection::vec("[{}\\[\\]\":,a-z0-9 ]{0,40}", 1..20)) {
            let input = lines.join("\n");
            for r in ApproachReader::<_, Approach>::new(input.as_bytes(), "p.jsonl", Format::Lines, Limits::default()) {
                if let Err(e) = r {
                    prop_assert!(e.to_string().starts_with("p.jsonl:"), "{}", e);
                }
            }
        }
    }
}
