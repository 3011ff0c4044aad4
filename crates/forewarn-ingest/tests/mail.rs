//! `forewarn scan` on mailboxes, through `scan::open`: mbox, Maildir, a
//! folder of `.eml` files and single `.eml` files.
//!
//! All test mail is fictional and lives in `tests/data/mail/`, or is built
//! here in a temporary folder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::fs;
use std::path::{Path, PathBuf};

use forewarn_ingest::mail::read_email;
use forewarn_ingest::scan::{
    self, Attachment, Member, ScanFormat, ScanItem, ScanLimits, Scanned, Skipped,
};

fn data(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/mail")
        .join(name)
}

fn member() -> Member {
    Member {
        identities: vec!["Jane Doe".into(), "jane.doe@example.org".into()],
    }
}

fn scan_with(path: &Path, member: &Member, limits: ScanLimits) -> (ScanFormat, Vec<ScanItem>) {
    let mut scan = scan::open(path, member, limits).unwrap();
    let format = scan.format;
    let items: Vec<ScanItem> = scan.by_ref().map(|i| i.unwrap()).collect();
    let progress = scan.progress();
    assert_eq!(Some(progress.done), progress.total, "{progress:?}");
    for item in &items {
        if let ScanItem::Approach(s) = item {
            s.approach.validate().unwrap();
        }
    }
    (format, items)
}

fn scan(path: &Path, member: &Member) -> (ScanFormat, Vec<ScanItem>) {
    scan_with(path, member, ScanLimits::default())
}

fn approaches(items: &[ScanItem]) -> Vec<&Scanned> {
    items.iter().filter_map(ScanItem::as_approach).collect()
}

fn skipped(items: &[ScanItem]) -> Vec<&Skipped> {
    items
        .iter()
        .filter_map(|i| match i {
            ScanItem::Skipped(s) => Some(s),
            ScanItem::Approach(_) => None,
        })
        .collect()
}

fn text(s: &Scanned) -> &str {
    &s.approach.messages[0].text
}

#[test]
fn mbox_messages_are_read_in_order() {
    let (format, items) = scan(&data("inbox.mbox"), &member());
    assert_eq!(format, ScanFormat::Mbox);
    assert_eq!(items.len(), 3, "{items:#?}");
    let found = approaches(&items);
    assert_eq!(found.len(), 2);

    let amanda = found[0];
    assert_eq!(amanda.approach.sender.name, "Amanda Example");
    assert_eq!(
        amanda.approach.id.as_deref(),
        Some("mail:mbox-1@example.com")
    );
    assert_eq!(amanda.source.file, "inbox.mbox");
    assert_eq!(amanda.source.offset, Some(0));
    assert_eq!(
        text(amanda),
        "Dear Jane,\nFrom what I hear, you know the committee well.\nMy client pays for short reports.\n"
    );
    assert!(amanda.source.notes.is_empty(), "{:?}", amanda.source.notes);
    assert_eq!(
        amanda.approach.messages[0].sent_at.as_deref(),
        Some("2025-03-03T10:15:00Z")
    );

    // The member's reply.
    let reply = skipped(&items);
    assert_eq!(reply.len(), 1);
    assert!(reply[0].location.starts_with("inbox.mbox: byte "));
    assert_eq!(reply[0].reason, "sent by you");

    // "From time to time" does not split the message; ">>From" loses one ">".
    let shirly = found[1];
    assert_eq!(shirly.approach.sender.name, "Shirly Example");
    assert_eq!(
        text(shirly),
        "From time to time we invite experts to Hangzhou.\n>From the programme: all expenses paid.\n"
    );
    assert_eq!(
        shirly.source.notes,
        [
            "Return-Path / envelope sender (bounce-99@bulk.example.net) differs from the sender (shirly@example.com)"
        ]
    );
    // No Message-ID: the id is the file and the offset of its From_ line.
    let offset = shirly.source.offset.unwrap();
    assert_eq!(
        shirly.approach.id.as_deref(),
        Some(format!("mail:inbox.mbox:{offset}").as_str())
    );
    let raw = fs::read(data("inbox.mbox")).unwrap();
    assert!(raw[offset as usize..].starts_with(b"From bounce-99@bulk.example.net "));
}

#[test]
fn mbox_without_a_member_judges_everything() {
    let (_, items) = scan(&data("inbox.mbox"), &Member::default());
    let found = approaches(&items);
    assert_eq!(found.len(), 3);
    assert_eq!(found[1].approach.sender.name, "Jane Doe");
}

#[test]
fn mbox_with_crlf_line_ends() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("crlf.mbox");
    let raw = fs::read_to_string(data("inbox.mbox")).unwrap();
    fs::write(&path, raw.replace('\n', "\r\n")).unwrap();
    let (format, items) = scan(&path, &member());
    assert_eq!(format, ScanFormat::Mbox);
    let (_, lf_items) = scan(&data("inbox.mbox"), &member());
    assert_eq!(items.len(), lf_items.len());
    let found = approaches(&items);
    assert_eq!(found.len(), 2);
    for (crlf, lf) in found.iter().zip(approaches(&lf_items)) {
        assert_eq!(crlf.approach.messages, lf.approach.messages);
        assert_eq!(crlf.approach.sender, lf.approach.sender);
        assert_eq!(crlf.source.notes, lf.source.notes);
    }
}

#[test]
fn oversized_message_in_an_mbox_is_skipped_and_the_rest_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.mbox");
    let message = |n: usize, body: &str| {
        format!(
            "From sender{n}@example.com Mon Mar  3 10:15:00 2025\nFrom: Sender {n} <sender{n}@example.com>\nSubject: number {n}\n\n{body}\n\n"
        )
    };
    let big_body = "All expenses paid. ".repeat(2_000);
    let raw = [
        message(1, "first"),
        message(2, &big_body),
        message(3, "third"),
    ]
    .concat();
    fs::write(&path, &raw).unwrap();
    let limits = ScanLimits {
        max_email_bytes: 1_000,
        ..ScanLimits::default()
    };
    let (_, items) = scan_with(&path, &Member::default(), limits);
    assert_eq!(items.len(), 3, "{items:#?}");
    let found = approaches(&items);
    assert_eq!(text(found[0]), "first\n");
    assert_eq!(text(found[1]), "third\n");
    let skipped = skipped(&items);
    let second = raw.find("From sender2@").unwrap();
    assert_eq!(skipped[0].location, format!("big.mbox: byte {second}"));
    assert!(
        skipped[0]
            .reason
            .ends_with("bytes, over the limit of 1000 bytes; skipped"),
        "{}",
        skipped[0].reason
    );
    let size: usize = skipped[0]
        .reason
        .strip_prefix("the e-mail is ")
        .and_then(|r| r.split(' ').next())
        .unwrap()
        .parse()
        .unwrap();
    assert!(size > big_body.len(), "{size}");
}

#[test]
fn repeated_message_ids_get_unique_ids() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("dup.mbox");
    let one = "From a@example.com Mon Mar  3 10:15:00 2025\nFrom: a@example.com\nMessage-ID: <same@example.com>\n\nhello\n\n";
    fs::write(&path, one.repeat(3)).unwrap();
    let ids: Vec<_> = approaches(&scan(&path, &Member::default()).1)
        .iter()
        .map(|s| s.approach.id.clone().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "mail:same@example.com",
            "mail:same@example.com#2",
            "mail:same@example.com#3"
        ]
    );
    // Stable across runs.
    let again: Vec<_> = approaches(&scan(&path, &Member::default()).1)
        .iter()
        .map(|s| s.approach.id.clone().unwrap())
        .collect();
    assert_eq!(ids, again);
}

#[test]
fn maildir_reads_cur_and_new_in_name_order() {
    let (format, items) = scan(&data("maildir"), &member());
    assert_eq!(format, ScanFormat::Maildir);
    assert_eq!(items.len(), 2, "{items:#?}");
    let found = approaches(&items);
    assert_eq!(
        found[0].source.file,
        "cur/1741250000.M1P100.example.org,S=300,2,S"
    );
    assert_eq!(found[0].approach.sender.name, "Bo Example");
    assert_eq!(found[1].source.file, "new/1741260000.M2P101.example.org");
    assert_eq!(text(found[1]), "What does your minister think?\n");
    let scan = scan::open(&data("maildir"), &member(), ScanLimits::default()).unwrap();
    assert_eq!(scan.progress().total, Some(2));
}

#[cfg(unix)]
#[test]
fn maildir_skips_links_folders_and_oversized_files() {
    let dir = tempfile::tempdir().unwrap();
    let cur = dir.path().join("cur");
    fs::create_dir(&cur).unwrap();
    let outside = dir.path().join("outside.eml");
    fs::write(&outside, "From: a@example.com\n\nsecret\n").unwrap();
    std::os::unix::fs::symlink(&outside, cur.join("1-link")).unwrap();
    fs::create_dir(cur.join("2-folder")).unwrap();
    fs::write(
        cur.join("3-big"),
        format!("From: a@example.com\n\n{}\n", "x".repeat(500)),
    )
    .unwrap();
    fs::write(cur.join("4-good"), "From: b@example.com\n\nhello\n").unwrap();
    let limits = ScanLimits {
        max_email_bytes: 200,
        ..ScanLimits::default()
    };
    let (_, items) = scan_with(dir.path(), &Member::default(), limits);
    let reasons: Vec<String> = skipped(&items).iter().map(|s| s.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "cur/1-link: a symbolic link; not followed",
            "cur/2-folder: not a regular file; skipped",
            "cur/3-big: the e-mail is 522 bytes, over the limit of 200 bytes; skipped",
        ]
    );
    assert_eq!(approaches(&items).len(), 1);
}

#[test]
fn eml_folder_reads_eml_files_only() {
    let (format, items) = scan(&data("eml"), &member());
    assert_eq!(format, ScanFormat::EmlFolder);
    let files: Vec<&str> = approaches(&items)
        .iter()
        .map(|s| s.source.file.as_str())
        .collect();
    assert_eq!(
        files,
        [
            "attachment.eml",
            "forward-attached.eml",
            "forward-gmail.eml",
            "html-only.EML",
            "reply-to.eml"
        ]
    );
    assert!(skipped(&items).is_empty(), "{items:#?}");
}

fn single(name: &str) -> Vec<ScanItem> {
    let (format, items) = scan(&data(&format!("eml/{name}")), &member());
    assert_eq!(format, ScanFormat::Eml);
    items
}

#[test]
fn reply_to_and_return_path_mismatches_are_noted() {
    let items = single("reply-to.eml");
    let found = approaches(&items);
    assert_eq!(found.len(), 1);
    let s = found[0];
    assert_eq!(s.source.file, "reply-to.eml");
    assert_eq!(s.source.message_id.as_deref(), Some("reply-to@example.com"));
    assert_eq!(
        s.approach.sender.emails,
        ["amanda.qiu@example.com", "amanda.private@example.net"]
    );
    assert_eq!(
        s.source.notes,
        [
            "Reply-To (amanda.private@example.net) differs from the sender (amanda.qiu@example.com)",
            "Return-Path / envelope sender (x7@mailer.example.net) differs from the sender (amanda.qiu@example.com)",
        ]
    );
    assert_eq!(
        s.approach.recipient.as_ref().unwrap().name.as_deref(),
        Some("Jane Doe")
    );
}

#[test]
fn html_only_body_becomes_text() {
    let items = single("html-only.EML");
    let t = text(approaches(&items)[0]);
    assert!(t.contains("Dear Jane,"), "{t:?}");
    assert!(
        t.contains("a conference in Hangzhou, all expenses paid."),
        "{t:?}"
    );
    assert!(!t.contains('<'), "{t:?}");
    assert!(!t.contains("document.write"), "{t:?}");
    assert!(!t.contains("color: red"), "{t:?}");
}

#[test]
fn attachments_are_listed_not_opened() {
    let items = single("attachment.eml");
    let s = approaches(&items)[0];
    assert_eq!(
        s.source.attachments,
        [Attachment {
            name: "terms.pdf".into(),
            content_type: "application/pdf".into(),
            size: 410,
        }]
    );
    assert_eq!(text(s), "Please find the terms attached.\n");
}

#[test]
fn attached_forward_becomes_its_own_approach() {
    let items = single("forward-attached.eml");
    let found = approaches(&items);
    // The member's own wrapper is not an approach.
    assert_eq!(found.len(), 1, "{items:#?}");
    let s = found[0];
    assert_eq!(s.approach.id.as_deref(), Some("mail:fwd-inner@example.com"));
    assert_eq!(s.approach.sender.name, "Amanda Example");
    assert_eq!(
        s.approach.messages[0].subject.as_deref(),
        Some("A well-paid opportunity")
    );
    assert_eq!(
        text(s),
        "Dear Jane, my client pays well for insights on upcoming decisions.\n"
    );
    assert_eq!(s.source.file, "forward-attached.eml");
    assert_eq!(
        s.source.message_id.as_deref(),
        Some("fwd-inner@example.com")
    );
    assert_eq!(
        s.source.notes,
        [
            "unwrapped from a message forwarded by Jane Doe <jane.doe@example.org>",
            "Reply-To (amanda.private@example.net) differs from the sender (amanda.qiu@example.com)",
        ]
    );
    assert!(s.source.attachments.is_empty());
}

#[test]
fn gmail_inline_forward_is_unwrapped() {
    let items = single("forward-gmail.eml");
    let found = approaches(&items);
    assert_eq!(found.len(), 1, "{items:#?}");
    let s = found[0];
    assert_eq!(s.approach.sender.name, "Shirly Example");
    assert_eq!(s.approach.sender.emails, ["shirly@example.com"]);
    assert_eq!(
        s.approach.id.as_deref(),
        Some("mail:fwd-gmail@example.org/fwd1")
    );
    let m = &s.approach.messages[0];
    assert_eq!(m.subject.as_deref(), Some("Trip"));
    assert_eq!(
        m.text,
        "Dear Jane,\nA trip to Hangzhou, all expenses paid, in exchange for a short report.\n"
    );
    assert_eq!(
        s.approach.recipient.as_ref().unwrap().name.as_deref(),
        Some("Jane Doe")
    );
    assert_eq!(
        s.source.notes,
        [
            "unwrapped from a message forwarded by Jane Doe <jane.doe@example.org>",
            "the forwarded message is dated \"Fri, Mar 7, 2025 at 4:00 PM\"",
        ]
    );
}

#[test]
fn deeply_nested_multiparts_end_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("deep.eml");
    let mut raw = String::from("From: a@example.com\nSubject: deep\n");
    for i in 0..10_000 {
        raw.push_str(&format!(
            "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
        ));
    }
    raw.push_str("Content-Type: text/plain\n\nat the bottom\n");
    fs::write(&path, &raw).unwrap();
    let (format, items) = scan(&path, &Member::default());
    assert_eq!(format, ScanFormat::Eml);
    assert_eq!(items.len(), 1, "{items:#?}");
    let reason = &skipped(&items)[0].reason;
    assert!(
        reason.starts_with("no text and no attachments ("),
        "{reason}"
    );
    assert!(
        reason.contains("only the first 1000 were looked at"),
        "{reason}"
    );
    assert!(
        reason.contains("parts nested more than 8 deep were not looked at"),
        "{reason}"
    );
}

/// Base64, wrapped at 76 columns, for building test mail.
fn base64(data: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for (i, chunk) in data.chunks(3).enumerate() {
        let b = [
            chunk[0],
            chunk.get(1).copied().unwrap_or(0),
            chunk.get(2).copied().unwrap_or(0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for (j, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if j <= chunk.len() {
                out.push(ALPHABET[((n >> shift) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
        if i % 19 == 18 {
            out.push('\n');
        }
    }
    out
}

#[test]
fn deeply_nested_forwards_end_cleanly() {
    // Ten thousand forwarded messages inside one another, plain and
    // base64-encoded: the encoded form overflows mail-parser's stack unless
    // the reader keeps it from nesting.
    let mut chain = String::new();
    for _ in 0..10_000 {
        chain.push_str("Content-Type: message/rfc822\n\n");
    }
    chain.push_str("From: b@example.com\n\nthe bottom\n");
    let plain = format!("From: a@example.com\nSubject: chain\n{chain}");
    let encoded = format!(
        "From: a@example.com\nSubject: chain\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\n{}\n",
        base64(chain.as_bytes())
    );
    let dir = tempfile::tempdir().unwrap();
    for (name, raw) in [("plain.eml", plain), ("encoded.eml", encoded)] {
        let path = dir.path().join(name);
        fs::write(&path, raw).unwrap();
        let (_, items) = scan(&path, &Member::default());
        assert!(!items.is_empty() && items.len() <= 10, "{items:#?}");
        let all = format!("{items:?}");
        assert!(all.contains("not unwrapped"), "{all}");
    }
}

#[test]
fn single_oversized_eml_is_skipped() {
    let limits = ScanLimits {
        max_email_bytes: 100,
        ..ScanLimits::default()
    };
    let (_, items) = scan_with(&data("eml/attachment.eml"), &member(), limits);
    let reasons: Vec<String> = skipped(&items).iter().map(|s| s.to_string()).collect();
    let size = fs::metadata(data("eml/attachment.eml")).unwrap().len();
    assert_eq!(
        reasons,
        [format!(
            "attachment.eml: the e-mail is {size} bytes, over the limit of 100 bytes; skipped"
        )]
    );
}

#[test]
fn scans_are_deterministic() {
    for name in ["inbox.mbox", "maildir", "eml"] {
        let (_, first) = scan(&data(name), &member());
        let (_, second) = scan(&data(name), &member());
        assert_eq!(first, second, "{name}");
    }
}

// Third-party test mail, read in place from the shared data folder (not
// copied into the project); skipped when that folder is absent.

fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!("skipped: {} is absent", path.display());
        None
    }
}

fn eml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            eml_files(&path, out);
        } else if path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("eml"))
        {
            out.push(path);
        }
    }
}

#[test]
fn mail_parser_corpus_reads_without_panic() {
    let Some(dir) = shared("mail/mail-parser/resources/eml") else {
        return;
    };
    let mut files = Vec::new();
    eml_files(&dir, &mut files);
    files.sort();
    assert!(!files.is_empty());
    let small = ScanLimits {
        max_text_bytes: 100,
        max_mime_parts: 3,
        max_mime_depth: 2,
        ..ScanLimits::default()
    };
    let mut found = 0;
    for path in &files {
        let raw = fs::read(path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy();
        for limits in [ScanLimits::default(), small] {
            for who in [Member::default(), member()] {
                for item in read_email(&raw, &name, &who, &limits) {
                    if let ScanItem::Approach(s) = item {
                        s.approach.validate().unwrap();
                        assert!(!s.approach.sender.name.is_empty());
                        assert!(s.approach.messages[0].text.len() <= limits.max_text_bytes);
                        found += 1;
                    }
                }
            }
        }
    }
    assert!(found > 0);
    // The same files as folders of .eml.
    for sub in ["malformed", "thirdparty"] {
        let folder = dir.join(sub);
        if folder.is_dir() {
            let (format, items) = scan(&folder, &Member::default());
            assert_eq!(format, ScanFormat::EmlFolder);
            assert!(!items.is_empty());
        }
    }
}

#[test]
fn mail_parser_maildir_reads() {
    let Some(dir) = shared("mail/mail-parser/resources/maildir") else {
        return;
    };
    let (format, items) = scan(&dir, &Member::default());
    assert_eq!(format, ScanFormat::Maildir);
    // cur/ and new/ at the top level hold one file each, just "a" and "b":
    // both skipped, with a reason, in name order. The Maildir++ folders
    // (.My Folder/) are not read.
    let skipped: Vec<String> = skipped(&items).iter().map(|s| s.to_string()).collect();
    assert_eq!(skipped.len(), 2, "{items:#?}");
    assert!(skipped[0].starts_with("cur/"));
    assert!(skipped[1].starts_with("new/"));
    for s in &skipped {
        assert!(
            s.ends_with(": not a readable e-mail: no header fields found"),
            "{s}"
        );
    }
}

#[test]
fn cpython_mbox_reads() {
    let Some(path) = shared("mail/cpython/mailbox_01.mbox") else {
        return;
    };
    let (format, items) = scan(&path, &Member::default());
    assert_eq!(format, ScanFormat::Mbox);
    // One message: "From time to time" in its text is not a separator.
    let found = approaches(&items);
    assert_eq!(found.len(), 1, "{items:#?}");
    assert_eq!(found[0].approach.sender.name, "foo");
    assert_eq!(text(found[0]), "Hello\n\nFrom time to time\n");
    assert_eq!(found[0].source.offset, Some(0));
}
