//! Unix mbox files, streamed one message at a time.
//!
//! A message starts at a `From ` line (the "From_ line": `From sender date`)
//! at the start of the file or of a line. Inside the file, a `From ` line
//! counts as a separator only if it carries a time of day (`10:15`), as real
//! From_ lines do: an unescaped "From time to time" in a text does not split
//! its message. Lines escaped as `>From ` (mboxrd) lose one `>`. CRLF line
//! ends are kept as they are (the e-mail parser reads both).
//!
//! At most `max_email_bytes` of a message are held; a longer message is
//! skipped while its bytes stream past.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::path::{Path, PathBuf};

use super::message::{MailReader, Origin};
use crate::scan::{Member, Progress, ScanError, ScanItem, ScanLimits, ScanSource, Skipped};

/// Bytes of a line kept when only its start matters (to spot a From_ line).
const LINE_HEAD: usize = 1024;

/// The From_ line that starts a message.
#[derive(Debug, Clone)]
struct FromLine {
    offset: u64,
    envelope: Option<String>,
}

/// The messages of an mbox file.
pub(crate) struct MboxSource {
    input: BufReader<File>,
    path: PathBuf,
    file: String,
    size: u64,
    pos: u64,
    max: usize,
    reader: MailReader,
    pending: VecDeque<Result<ScanItem, ScanError>>,
    started: bool,
    next_from: Option<FromLine>,
    done: bool,
}

impl MboxSource {
    /// Opens the mbox at `path`; `file` names it in sources.
    pub(crate) fn open(
        path: &Path,
        file: String,
        member: &Member,
        limits: ScanLimits,
    ) -> Result<MboxSource, ScanError> {
        let handle = File::open(path).map_err(|e| ScanError::io(path, e))?;
        let size = handle.metadata().map_err(|e| ScanError::io(path, e))?.len();
        Ok(MboxSource {
            input: BufReader::with_capacity(1 << 16, handle),
            path: path.to_owned(),
            file,
            size,
            pos: 0,
            max: limits.max_email_bytes,
            reader: MailReader::new(member.clone(), limits),
            pending: VecDeque::new(),
            started: false,
            next_from: None,
            done: false,
        })
    }

    /// Appends the next line to `buf`, at most `keep` bytes of it. Returns
    /// the line's full length and whether all of it was kept, or `None` at
    /// the end of the file.
    fn read_line(&mut self, buf: &mut Vec<u8>, keep: usize) -> io::Result<Option<(u64, bool)>> {
        let mut len = 0u64;
        let mut kept = 0usize;
        loop {
            let chunk = match self.input.fill_buf() {
                Ok(chunk) => chunk,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok((len > 0).then_some((len, kept as u64 == len)));
            }
            let (used, ends) = match memchr::memchr(b'\n', chunk) {
                Some(i) => (i + 1, true),
                None => (chunk.len(), false),
            };
            let take = used.min(keep.saturating_sub(kept));
            buf.extend_from_slice(chunk.get(..take).unwrap_or_default());
            kept += take;
            len += used as u64;
            self.input.consume(used);
            self.pos += used as u64;
            if ends {
                return Ok(Some((len, kept as u64 == len)));
            }
        }
    }

    /// Reads up to the first From_ line; text before it is skipped.
    fn start(&mut self) -> Result<(), ScanError> {
        self.started = true;
        let mut junk = false;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let offset = self.pos;
            let Some(_) = self
                .read_line(&mut buf, LINE_HEAD)
                .map_err(|e| ScanError::io(&self.path, e))?
            else {
                break;
            };
            let at_start = offset == 0 || !junk;
            if is_from_line(&buf, at_start) {
                self.next_from = Some(FromLine {
                    offset,
                    envelope: envelope(&buf),
                });
                break;
            }
            junk |= !buf.trim_ascii().is_empty();
        }
        if junk {
            self.pending.push_back(Ok(ScanItem::Skipped(Skipped {
                location: format!("{}: byte 0", self.file),
                reason: "text before the first message (no \"From \" line) was skipped".to_owned(),
            })));
        }
        if self.next_from.is_none() {
            self.done = true;
        }
        Ok(())
    }

    /// Reads the message after the current From_ line into `pending`.
    fn step(&mut self) -> Result<(), ScanError> {
        if !self.started {
            return self.start();
        }
        let Some(from) = self.next_from.take() else {
            self.done = true;
            return Ok(());
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut size = 0u64;
        let mut over = false;
        loop {
            let line_start = buf.len();
            let offset = self.pos;
            let keep = if over {
                LINE_HEAD
            } else {
                (self.max - line_start.min(self.max))
                    .saturating_add(1)
                    .max(LINE_HEAD)
            };
            let Some((len, whole)) = self
                .read_line(&mut buf, keep)
                .map_err(|e| ScanError::io(&self.path, e))?
            else {
                self.done = true;
                break;
            };
            let line = buf.get(line_start..).unwrap_or_default();
            if is_from_line(line, false) {
                self.next_from = Some(FromLine {
                    offset,
                    envelope: envelope(line),
                });
                buf.truncate(line_start);
                break;
            }
            let escaped = is_escaped_from(line);
            if escaped && line_start < buf.len() {
                buf.remove(line_start);
            }
            size += len - u64::from(escaped);
            if over {
                buf.clear();
            } else if !whole || buf.len() > self.max {
                // Too large: stop holding it, keep counting.
                over = true;
                buf = Vec::new();
            }
        }
        // The blank line that ends a message in an mbox is not part of it.
        if buf.ends_with(b"\r\n\r\n") {
            buf.truncate(buf.len() - 2);
        } else if buf.ends_with(b"\n\n") {
            buf.truncate(buf.len() - 1);
        }
        let origin = Origin {
            file: &self.file,
            offset: Some(from.offset),
            envelope: from.envelope.as_deref(),
        };
        if over {
            self.pending.push_back(Ok(ScanItem::Skipped(Skipped {
                location: origin.location(),
                reason: format!(
                    "the e-mail is {size} bytes, over the limit of {} bytes; skipped",
                    self.max
                ),
            })));
        } else {
            for item in self.reader.read(&buf, &origin) {
                self.pending.push_back(Ok(item));
            }
        }
        Ok(())
    }
}

impl Iterator for MboxSource {
    type Item = Result<ScanItem, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.done {
                return None;
            }
            if let Err(e) = self.step() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

impl ScanSource for MboxSource {
    fn progress(&self) -> Progress {
        Progress {
            done: self.pos,
            total: Some(self.size.max(self.pos)),
        }
    }
}

/// Whether `line` starts a message. At the start of the file any `From `
/// line does; elsewhere it must also carry a time of day.
fn is_from_line(line: &[u8], at_start: bool) -> bool {
    let Some(rest) = line.strip_prefix(b"From ") else {
        return false;
    };
    at_start || has_time(rest)
}

/// Whether `text` holds a time of day: `H:MM` or `HH:MM`.
fn has_time(text: &[u8]) -> bool {
    text.windows(4).enumerate().any(|(i, w)| {
        let before = i.checked_sub(1).and_then(|j| text.get(j)).copied();
        let starts = before.is_none_or(|b| !b.is_ascii_digit());
        match w {
            [a, b':', c, d] => {
                starts && a.is_ascii_digit() && c.is_ascii_digit() && d.is_ascii_digit()
            }
            [a, b, b':', c] => {
                starts
                    && a.is_ascii_digit()
                    && b.is_ascii_digit()
                    && c.is_ascii_digit()
                    && text.get(i + 4).is_some_and(u8::is_ascii_digit)
            }
            _ => false,
        }
    })
}

/// A `>From ` line (mboxrd): one `>` to take off.
fn is_escaped_from(line: &[u8]) -> bool {
    let unquoted = line.iter().position(|b| *b != b'>').unwrap_or(line.len());
    unquoted > 0
        && line
            .get(unquoted..)
            .is_some_and(|r| r.starts_with(b"From "))
}

/// The envelope sender on a From_ line, if it is an address.
fn envelope(line: &[u8]) -> Option<String> {
    let rest = line.strip_prefix(b"From ")?;
    let token = rest
        .split(|b| b.is_ascii_whitespace())
        .find(|t| !t.is_empty())?;
    let token = String::from_utf8_lossy(token);
    let token = token.trim_matches(['<', '>']);
    (token.contains('@') && token.len() <= 320).then(|| token.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn from_lines() {
        assert!(is_from_line(
            b"From a@example.com Mon Jan  1 00:00:00 2024\n",
            false
        ));
        assert!(is_from_line(b"From - Mon Jan 1 9:05:00 2024\r\n", false));
        assert!(is_from_line(b"From MAILER-DAEMON\n", true));
        assert!(!is_from_line(b"From time to time\n", false));
        assert!(!is_from_line(b"From 123:4567\n", false));
        assert!(!is_from_line(b">From a Mon Jan 1 00:00:00 2024\n", false));
        assert!(!is_from_line(b"From: a@example.com\n", true));
    }

    #[test]
    fn escapes_and_envelopes() {
        assert!(is_escaped_from(b">From here\n"));
        assert!(is_escaped_from(b">>From here\n"));
        assert!(!is_escaped_from(b"From here\n"));
        assert!(!is_escaped_from(b"> From here\n"));
        assert_eq!(
            envelope(b"From bounce@example.com Mon Jan 1 00:00:00 2024\n").as_deref(),
            Some("bounce@example.com")
        );
        assert_eq!(envelope(b"From MAILER-DAEMON Mon\n"), None);
    }
}
