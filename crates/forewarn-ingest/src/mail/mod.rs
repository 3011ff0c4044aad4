//! E-mail: a member's own mailbox (an mbox file, a Maildir, a folder of
//! `.eml` files or one `.eml` file) read locally into approaches.
//!
//! One e-mail is one approach: the From address is the sender (with the
//! Reply-To and Sender addresses when they differ), the first To recipient
//! is the recipient, and the text is the plain-text body, or the HTML body
//! turned into text when there is no plain one. Facts a member should see
//! are kept as notes of the [`Source`](crate::scan::Source): a Reply-To or a
//! Return-Path / envelope sender in another domain than the sender's, a
//! message unwrapped from a forward, a limit that was reached. Attachments
//! are listed by name, type and size, and never opened or written anywhere.
//!
//! Forwarded messages are unwrapped: a `message/rfc822` part, or a forward
//! quoted in the text under a marker such as `---------- Forwarded message
//! ---------`, becomes an approach of its own, with the original sender.
//! The forwarding e-mail itself is kept only when it is not the member's
//! and has words of its own.
//!
//! The member's own messages are skipped ("sent by you"). Who the member is
//! comes from [`Member::identities`] (`forewarn scan --me`): with no
//! identities, nothing is inferred from the mailbox and every message is
//! judged.
//!
//! Every size is bounded by [`ScanLimits`]: a message over
//! `max_email_bytes` is skipped (an mbox streams past it without holding
//! it), text is cut at `max_text_bytes`, and MIME parts and forwards are
//! followed no deeper than `max_mime_depth` and no more than
//! `max_mime_parts`. Nothing here panics on any input.

mod files;
mod forward;
mod guard;
mod mbox;
mod message;

use std::io;
use std::path::Path;

use crate::scan::{Member, ScanError, ScanItem, ScanLimits};

pub(crate) use files::FileSource;
pub(crate) use mbox::MboxSource;
use message::{MailReader, Origin};

/// Reads one raw e-mail (the bytes of an `.eml` file) into scan items: the
/// approaches it holds (itself and the forwarded messages it wraps) and what
/// was skipped, and why. `file` names it in sources and ids.
///
/// ```
/// use forewarn_ingest::mail::read_email;
/// use forewarn_ingest::scan::{Member, ScanItem, ScanLimits};
///
/// let raw = b"From: Amanda <amanda@example.com>\nSubject: Hello\n\nA paid report?\n";
/// let items = read_email(raw, "hello.eml", &Member::default(), &ScanLimits::default());
/// let ScanItem::Approach(found) = &items[0] else { panic!() };
/// assert_eq!(found.approach.sender.name, "Amanda");
/// assert_eq!(found.approach.messages[0].text, "A paid report?\n");
/// ```
pub fn read_email(raw: &[u8], file: &str, member: &Member, limits: &ScanLimits) -> Vec<ScanItem> {
    if raw.len() > limits.max_email_bytes {
        return vec![ScanItem::Skipped(crate::scan::Skipped {
            location: file.to_owned(),
            reason: format!(
                "the e-mail is {} bytes, over the limit of {} bytes; skipped",
                raw.len(),
                limits.max_email_bytes
            ),
        })];
    }
    MailReader::new(member.clone(), *limits).read(
        raw,
        &Origin {
            file,
            offset: None,
            envelope: None,
        },
    )
}

/// Opens an mbox file.
pub(crate) fn open_mbox(
    path: &Path,
    member: &Member,
    limits: ScanLimits,
) -> Result<MboxSource, ScanError> {
    MboxSource::open(path, display_name(path), member, limits)
}

/// Opens a Maildir.
pub(crate) fn open_maildir(
    path: &Path,
    member: &Member,
    limits: ScanLimits,
) -> Result<FileSource, ScanError> {
    FileSource::maildir(path, member, limits)
}

/// Opens one `.eml` file.
pub(crate) fn open_eml_file(
    path: &Path,
    member: &Member,
    limits: ScanLimits,
) -> Result<FileSource, ScanError> {
    FileSource::single(path, member, limits)
}

/// Opens a folder of `.eml` files.
pub(crate) fn open_eml_folder(
    path: &Path,
    member: &Member,
    limits: ScanLimits,
) -> Result<FileSource, ScanError> {
    FileSource::eml_folder(path, member, limits)
}

/// Whether `dir` holds at least one `.eml` file (any case) at its top level.
pub(crate) fn has_eml_files(dir: &Path) -> io::Result<bool> {
    for item in std::fs::read_dir(dir)? {
        let item = item?;
        if files::is_eml_name(&item.file_name().to_string_lossy())
            && !item.file_type().is_ok_and(|t| t.is_dir())
        {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Header names an e-mail file commonly starts with.
const FIRST_HEADERS: &[&str] = &[
    "return-path",
    "received",
    "from",
    "to",
    "cc",
    "date",
    "subject",
    "message-id",
    "mime-version",
    "delivered-to",
    "reply-to",
    "sender",
    "content-type",
    "dkim-signature",
    "arc-seal",
    "arc-message-signature",
    "arc-authentication-results",
    "authentication-results",
    "received-spf",
    "thread-topic",
    "thread-index",
    "in-reply-to",
    "references",
    "user-agent",
];

/// Whether `head` (the first bytes of a file, up to 512) looks like the
/// header of an e-mail: a known header name at the start of the first line
/// (or any `X-` name), and every complete line up to the first blank one a
/// header field or its continuation.
pub(crate) fn looks_like_email(head: &[u8]) -> bool {
    let head = head.get(..512).unwrap_or(head);
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut lines = head.split(|b| *b == b'\n').peekable();
    let Some(first) = lines.next() else {
        return false;
    };
    let Some(name) = header_name(first) else {
        return false;
    };
    let name = String::from_utf8_lossy(name).to_ascii_lowercase();
    if !FIRST_HEADERS.contains(&name.as_str()) && !name.starts_with("x-") {
        return false;
    }
    while let Some(line) = lines.next() {
        if lines.peek().is_none() {
            // The last line may be cut short by the 512 bytes.
            break;
        }
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break;
        }
        let continuation = line.starts_with(b" ") || line.starts_with(b"\t");
        if !continuation && header_name(line).is_none() {
            return false;
        }
    }
    true
}

/// The name of a header field line: printable ASCII without spaces, then `:`.
fn header_name(line: &[u8]) -> Option<&[u8]> {
    let colon = line.iter().position(|b| *b == b':')?;
    let name = line.get(..colon)?;
    (!name.is_empty() && name.iter().all(|b| b.is_ascii_graphic())).then_some(name)
}

/// The file name of `path`, as shown in sources.
fn display_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_email_headers() {
        assert!(looks_like_email(
            b"Return-Path: <a@example.com>\r\nReceived: from x\r\n\tby y\r\nSubject: hi\r\n\r\nbody"
        ));
        assert!(looks_like_email(b"From: a@example.com\nSubject: x\n\nhi\n"));
        assert!(looks_like_email(
            b"X-Mozilla-Status: 0001\nFrom: a@example.com\n"
        ));
        assert!(looks_like_email(
            b"\xEF\xBB\xBFDate: Mon, 3 Mar 2025\nFrom: a"
        ));
        assert!(!looks_like_email(
            b"From a@example.com Mon Jan 1 00:00:00 2024\n"
        ));
        assert!(!looks_like_email(b"Hello: world\nSubject: x\n"));
        assert!(!looks_like_email(
            b"From: a\nthis is not a header\nSubject: x\n"
        ));
        assert!(!looks_like_email(b"{\"id\": 1}"));
        assert!(!looks_like_email(b"From,To,Date\n"));
        assert!(!looks_like_email(b""));
    }

    #[test]
    fn oversized_raw_message_is_skipped() {
        let limits = ScanLimits {
            max_email_bytes: 10,
            ..ScanLimits::default()
        };
        let items = read_email(
            b"From: a@example.com\n\nhello\n",
            "x.eml",
            &Member::default(),
            &limits,
        );
        let [ScanItem::Skipped(s)] = items.as_slice() else {
            panic!("{items:?}")
        };
        assert_eq!(
            s.reason,
            "the e-mail is 27 bytes, over the limit of 10 bytes; skipped"
        );
    }
}
