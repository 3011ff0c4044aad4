//! Scanning a member's own history: a LinkedIn data export or a mailbox,
//! turned into approaches, each with a pointer to where it came from.
//!
//! [`open`] detects the format of a path and returns a [`Scan`], an iterator
//! of [`ScanItem`]s: an approach built from the history, or an item that was
//! skipped and why (an oversized message, a CSV record with broken quoting, a
//! file outside the archive). A [`ScanError`] ends the scan: the input cannot
//! be read at all, or reading on would be unsafe (a zip bomb).
//!
//! Nothing here opens a network connection, runs or opens an attachment, or
//! writes a file.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use forewarn_core::Approach;
use serde::Serialize;

/// Where a scanned approach came from: the `source` object of a verdict.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The file, relative to the scanned path: `messages.csv`, `inbox.mbox`,
    /// `cur/1491941793.M41850P8566.mx1,S=10956:2,S`.
    pub file: String,
    /// LinkedIn: the conversation id of `messages.csv`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conversation_id: Option<String>,
    /// LinkedIn: the counterpart's profile URL, or their name when the
    /// export has no URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub counterpart: Option<String>,
    /// E-mail: the Message-ID, without angle brackets.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message_id: Option<String>,
    /// mbox: the byte offset of the message's `From ` line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offset: Option<u64>,
    /// Facts about the source that the approach itself cannot carry, in
    /// plain words: the connection date, a Reply-To that differs from the
    /// sender, a message that was unwrapped from a forward.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    /// Attachments, listed and never opened.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(id) = &self.conversation_id {
            write!(f, ", conversation {id}")?;
        }
        if let Some(id) = &self.message_id {
            write!(f, ", Message-ID <{id}>")?;
        } else if let Some(offset) = self.offset {
            write!(f, ", byte {offset}")?;
        }
        Ok(())
    }
}

/// An attachment of an e-mail or a LinkedIn message, as listed by it: never
/// opened, decoded only to count its size.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attachment {
    /// The file name the sender gave it, if any.
    pub name: String,
    /// The declared MIME type.
    pub content_type: String,
    /// Size in bytes, decoded.
    pub size: u64,
}

/// One approach found by a scan.
#[derive(Debug, Clone, PartialEq)]
pub struct Scanned {
    /// The approach: the counterpart as sender, the member as recipient.
    pub approach: Approach,
    /// Where it came from.
    pub source: Source,
}

/// Something a scan did not turn into an approach, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Where: `messages.csv:1042`, `inbox.mbox: byte 88213`, a zip entry.
    pub location: String,
    /// Why, in plain words.
    pub reason: String,
}

impl fmt::Display for Skipped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.location, self.reason)
    }
}

/// What a scan yields, one at a time.
#[derive(Debug, Clone, PartialEq)]
pub enum ScanItem {
    /// An approach to judge.
    Approach(Box<Scanned>),
    /// Something left out, and why.
    Skipped(Skipped),
}

impl ScanItem {
    /// The approach, when this item is one.
    pub fn as_approach(&self) -> Option<&Scanned> {
        match self {
            ScanItem::Approach(s) => Some(s),
            ScanItem::Skipped(_) => None,
        }
    }

    /// The approach, when this item is one.
    pub fn into_approach(self) -> Option<Scanned> {
        match self {
            ScanItem::Approach(s) => Some(*s),
            ScanItem::Skipped(_) => None,
        }
    }
}

/// Why a scan cannot go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ScanError {
    /// A file cannot be read.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The error.
        #[source]
        source: io::Error,
    },
    /// The path is none of the formats `scan` reads.
    #[error(
        "{}: not a LinkedIn data export (.zip or folder with messages.csv), mbox, Maildir, .eml file or folder of .eml files",
        path.display()
    )]
    NotRecognised {
        /// The path.
        path: PathBuf,
    },
    /// The archive is damaged, or not one a scan may open.
    #[error("{}: {message}", path.display())]
    Archive {
        /// The archive.
        path: PathBuf,
        /// What is wrong with it.
        message: String,
    },
    /// Something is over a limit that protects the machine (a zip bomb, an
    /// export larger than any real one).
    #[error("{what}: {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// What is too large.
        what: String,
        /// Its size, or a lower bound of it.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl ScanError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: io::Error) -> ScanError {
        ScanError::Io {
            path: path.into(),
            source,
        }
    }
}

/// The limits that keep a scan of hostile input bounded in time and memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ScanLimits {
    /// Largest message text kept, in bytes; longer texts are cut at a
    /// character boundary and the cut is noted.
    pub max_text_bytes: usize,
    /// Most messages in one approach; older ones beyond it are dropped and
    /// the drop is noted.
    pub max_messages: usize,
    /// Largest CSV field, in bytes; a record with a larger field is skipped.
    pub max_csv_field_bytes: usize,
    /// Largest CSV record, in bytes; a larger record is skipped.
    pub max_csv_record_bytes: usize,
    /// Largest raw e-mail, in bytes; a larger one is skipped.
    pub max_email_bytes: usize,
    /// Deepest nesting of MIME parts and forwarded messages followed.
    pub max_mime_depth: usize,
    /// Most MIME parts looked at in one e-mail.
    pub max_mime_parts: usize,
    /// Largest file read from an archive, uncompressed.
    pub max_entry_bytes: u64,
    /// Most bytes read from an archive in all, uncompressed.
    pub max_archive_bytes: u64,
    /// Largest ratio of uncompressed to compressed size of an archive entry
    /// above 1 MiB.
    pub max_compression_ratio: u64,
}

impl Default for ScanLimits {
    fn default() -> Self {
        ScanLimits {
            max_text_bytes: 1 << 20,
            max_messages: 10_000,
            max_csv_field_bytes: 1 << 20,
            max_csv_record_bytes: 4 << 20,
            max_email_bytes: 32 << 20,
            max_mime_depth: 8,
            max_mime_parts: 1_000,
            max_entry_bytes: 2 << 30,
            max_archive_bytes: 4 << 30,
            max_compression_ratio: 200,
        }
    }
}

/// Who the member is, so that their own messages are told apart from the
/// counterparts'.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Member {
    /// Names and e-mail addresses of the member, compared without case.
    /// Empty: a LinkedIn export names the member in `Profile.csv`, or else
    /// the member is who writes in most conversations; in a mailbox nothing
    /// is inferred, and every message is judged.
    pub identities: Vec<String>,
}

impl Member {
    /// Whether `name_or_address` is one of the member's own identities.
    pub fn is(&self, name_or_address: &str) -> bool {
        let wanted = name_or_address.trim();
        !wanted.is_empty()
            && self
                .identities
                .iter()
                .any(|i| i.trim().eq_ignore_ascii_case(wanted))
    }
}

/// Where a scan is in its input, to show progress.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    /// Work done, in the unit of `total`.
    pub done: u64,
    /// All the work, when known (bytes of the input, or conversations).
    pub total: Option<u64>,
}

/// The formats `scan` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScanFormat {
    /// A LinkedIn data export, as its .zip.
    LinkedinZip,
    /// A LinkedIn data export, extracted into a folder.
    LinkedinFolder,
    /// A Unix mbox file.
    Mbox,
    /// A Maildir (`cur/`, `new/`, `tmp/`).
    Maildir,
    /// One `.eml` file.
    Eml,
    /// A folder of `.eml` files.
    EmlFolder,
}

impl ScanFormat {
    /// The format in plain words.
    pub fn describe(self) -> &'static str {
        match self {
            ScanFormat::LinkedinZip => "LinkedIn data export (zip)",
            ScanFormat::LinkedinFolder => "LinkedIn data export (folder)",
            ScanFormat::Mbox => "mbox mailbox",
            ScanFormat::Maildir => "Maildir mailbox",
            ScanFormat::Eml => "e-mail (.eml)",
            ScanFormat::EmlFolder => "folder of e-mails (.eml)",
        }
    }
}

/// A source of scan items that can say how far it has got.
pub trait ScanSource: Iterator<Item = Result<ScanItem, ScanError>> + Send {
    /// How far the scan has got.
    fn progress(&self) -> Progress;
}

/// A scan in progress: iterate it for its items.
pub struct Scan {
    /// The format detected.
    pub format: ScanFormat,
    items: Box<dyn ScanSource>,
}

impl fmt::Debug for Scan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Scan")
            .field("format", &self.format)
            .finish()
    }
}

impl Scan {
    /// How far the scan has got.
    pub fn progress(&self) -> Progress {
        self.items.progress()
    }
}

impl Iterator for Scan {
    type Item = Result<ScanItem, ScanError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.items.next()
    }
}

/// Detects the format of `path` and opens it for scanning.
pub fn open(path: &Path, member: &Member, limits: ScanLimits) -> Result<Scan, ScanError> {
    let format = detect(path)?;
    let items: Box<dyn ScanSource> = match format {
        ScanFormat::LinkedinZip | ScanFormat::LinkedinFolder => {
            Box::new(crate::linkedin::open(path, format, member, limits)?)
        }
        ScanFormat::Mbox => Box::new(crate::mail::open_mbox(path, member, limits)?),
        ScanFormat::Maildir => Box::new(crate::mail::open_maildir(path, member, limits)?),
        ScanFormat::Eml => Box::new(crate::mail::open_eml_file(path, member, limits)?),
        ScanFormat::EmlFolder => Box::new(crate::mail::open_eml_folder(path, member, limits)?),
    };
    Ok(Scan { format, items })
}

/// Finds the format of `path` by its content, not its name.
pub fn detect(path: &Path) -> Result<ScanFormat, ScanError> {
    let meta = std::fs::metadata(path).map_err(|e| ScanError::io(path, e))?;
    if meta.is_dir() {
        if crate::linkedin::is_export_folder(path) {
            return Ok(ScanFormat::LinkedinFolder);
        }
        if ["cur", "new"].iter().any(|d| path.join(d).is_dir()) {
            return Ok(ScanFormat::Maildir);
        }
        if crate::mail::has_eml_files(path).map_err(|e| ScanError::io(path, e))? {
            return Ok(ScanFormat::EmlFolder);
        }
        return Err(ScanError::NotRecognised { path: path.into() });
    }
    let mut head = [0u8; 512];
    let n = read_head(path, &mut head).map_err(|e| ScanError::io(path, e))?;
    let head = &head[..n];
    if head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06") {
        return Ok(ScanFormat::LinkedinZip);
    }
    if head.starts_with(b"From ") {
        return Ok(ScanFormat::Mbox);
    }
    if crate::mail::looks_like_email(head) {
        return Ok(ScanFormat::Eml);
    }
    Err(ScanError::NotRecognised { path: path.into() })
}

fn read_head(path: &Path, buf: &mut [u8]) -> io::Result<usize> {
    use std::io::Read;
    let mut file = std::fs::File::open(path)?;
    let mut filled = 0;
    while filled < buf.len() {
        match file.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Cuts `text` to at most `max` bytes at a character boundary; says whether
/// it cut.
pub(crate) fn cut_text(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.truncate(end);
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cut_text_keeps_whole_characters() {
        let mut s = "aé".repeat(10);
        assert!(cut_text(&mut s, 4));
        assert_eq!(s, "aéa");
        assert!(!cut_text(&mut s, 4));
    }

    #[test]
    fn member_matches_without_case_or_spaces() {
        let member = Member {
            identities: vec!["Jane Doe".into(), "jane@example.org".into()],
        };
        assert!(member.is(" jane doe"));
        assert!(member.is("JANE@example.org"));
        assert!(!member.is(""));
        assert!(!member.is("John Doe"));
    }
}
