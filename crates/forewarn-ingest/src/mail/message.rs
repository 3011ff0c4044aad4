//! One raw e-mail turned into approaches: its sender, text, attachments,
//! and the forwarded messages it wraps.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::hash::{DefaultHasher, Hash, Hasher};

use forewarn_core::approach::{Approach, Author, Channel, Message, Recipient, Sender};
use mail_parser::decoders::html::html_to_text;
use mail_parser::{Addr, Address, Encoding, HeaderValue, MessageParser, MimeHeaders, PartType};

use super::forward;
use super::guard::{self, real_type, unmask};
use crate::scan::{Attachment, Member, ScanItem, ScanLimits, Scanned, Skipped, Source, cut_text};

/// Longest header text kept (a name, a subject, a Message-ID), in bytes.
const MAX_HEADER_TEXT: usize = 2048;
/// Most other addresses (Reply-To, Sender) added to a sender.
const MAX_EXTRA_EMAILS: usize = 8;
/// HTML is read up to this many times `max_text_bytes`: markup is longer
/// than the text it holds.
const HTML_TEXT_RATIO: usize = 8;

/// Where a raw e-mail was found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Origin<'a> {
    /// The file, relative to the scanned path.
    pub file: &'a str,
    /// mbox: the byte offset of the message's `From ` line.
    pub offset: Option<u64>,
    /// mbox: the address on the `From ` line (the envelope sender).
    pub envelope: Option<&'a str>,
}

impl Origin<'_> {
    /// Where, in a [`Skipped`]: `inbox.mbox: byte 88213`.
    pub(crate) fn location(&self) -> String {
        match self.offset {
            Some(offset) => format!("{}: byte {offset}", self.file),
            None => self.file.to_owned(),
        }
    }

    /// The id of an e-mail without a Message-ID.
    fn fallback_id(&self) -> String {
        match self.offset {
            Some(offset) => format!("mail:{}:{offset}", self.file),
            None => format!("mail:{}", self.file),
        }
    }
}

/// The approach ids given out in one scan, to keep them unique: a second
/// e-mail with the same Message-ID gets `#2`, and so on.
#[derive(Debug, Default)]
pub(crate) struct Ids {
    issued: HashSet<u64>,
    next: HashMap<u64, u32>,
}

impl Ids {
    fn unique(&mut self, id: String) -> String {
        let key = hash(&id);
        if self.issued.insert(key) {
            return id;
        }
        let n = self.next.entry(key).or_insert(1);
        loop {
            *n = n.saturating_add(1);
            let candidate = format!("{id}#{n}");
            if self.issued.insert(hash(&candidate)) {
                return candidate;
            }
        }
    }
}

fn hash(s: &str) -> u64 {
    // SipHash with fixed keys: the same ids in every run.
    let mut h = DefaultHasher::new();
    s.hash(&mut h);
    h.finish()
}

/// Reads raw e-mails into scan items, for one scan.
pub(crate) struct MailReader {
    member: Member,
    limits: ScanLimits,
    ids: Ids,
    parser: MessageParser,
    /// Whether the member is known by at least one address: then a From
    /// name alone does not make a message theirs (anyone can write any name).
    member_has_address: bool,
}

/// A person in a header: display name and address.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Person {
    name: Option<String>,
    address: Option<String>,
}

impl Person {
    fn from_addr(addr: &Addr<'_>) -> Person {
        let address = addr
            .address
            .as_deref()
            .map(|a| clean(a, MAX_HEADER_TEXT))
            .filter(|a| !a.is_empty() && !a.contains(char::is_whitespace));
        let name = addr
            .name
            .as_deref()
            .map(|n| clean(n, MAX_HEADER_TEXT))
            .filter(|n| !n.is_empty());
        Person { name, address }
    }

    /// The name to show: the display name, else the address.
    fn display_name(&self) -> String {
        self.name
            .clone()
            .or_else(|| self.address.clone())
            .unwrap_or_else(|| "unknown sender".to_owned())
    }

    /// `Name <address>`, as far as known.
    fn describe(&self) -> String {
        match (&self.name, &self.address) {
            (Some(name), Some(address)) if !name.eq_ignore_ascii_case(address) => {
                format!("{name} <{address}>")
            }
            (_, Some(address)) => address.clone(),
            (Some(name), None) => name.clone(),
            (None, None) => "unknown sender".to_owned(),
        }
    }
}

/// A message waiting to be read: the e-mail itself, or one forwarded
/// inside it.
struct Work<'a> {
    bytes: Cow<'a, [u8]>,
    /// MIME nesting depth of its root part.
    depth: usize,
    /// Who forwarded it, for a forwarded message.
    forwarded_by: Option<Person>,
    /// Its id if it has no Message-ID.
    fallback_id: String,
    /// Where, in a [`Skipped`].
    location: String,
    /// Notes of the e-mail that wrapped it, when that one gave no approach.
    inherited: Vec<String>,
}

/// What the parts of one message hold.
#[derive(Default)]
struct Contents {
    text: String,
    attachments: Vec<Attachment>,
    /// Forwarded messages attached (`message/rfc822`), raw, with the MIME
    /// depth of their root part.
    nested: Vec<(Vec<u8>, usize)>,
    notes: Vec<String>,
}

impl MailReader {
    pub(crate) fn new(member: Member, limits: ScanLimits) -> MailReader {
        let member_has_address = member.identities.iter().any(|i| i.contains('@'));
        MailReader {
            member,
            limits,
            ids: Ids::default(),
            parser: MessageParser::default(),
            member_has_address,
        }
    }

    /// Reads one raw e-mail: its approaches, or why it was skipped.
    pub(crate) fn read(&mut self, raw: &[u8], origin: &Origin<'_>) -> Vec<ScanItem> {
        let mut out = Vec::new();
        let mut parts_left = self.limits.max_mime_parts.max(1);
        let mut stack = vec![Work {
            bytes: Cow::Borrowed(raw),
            depth: 0,
            forwarded_by: None,
            fallback_id: origin.fallback_id(),
            location: origin.location(),
            inherited: Vec::new(),
        }];
        // Forwarded messages are read after the one that holds them, in
        // order; each is dropped once read, so memory stays bounded by the
        // size of the e-mail.
        while let Some(work) = stack.pop() {
            let children = self.read_one(work, origin, &mut parts_left, &mut out);
            stack.extend(children.into_iter().rev());
        }
        out
    }

    fn is_member(&self, person: &Person) -> bool {
        if let Some(address) = &person.address
            && self.member.is(address)
        {
            return true;
        }
        let name_counts = person.address.is_none() || !self.member_has_address;
        name_counts && person.name.as_deref().is_some_and(|n| self.member.is(n))
    }

    /// Reads one message; returns the forwarded messages it holds.
    fn read_one<'a>(
        &mut self,
        work: Work<'_>,
        origin: &Origin<'_>,
        parts_left: &mut usize,
        out: &mut Vec<ScanItem>,
    ) -> Vec<Work<'a>> {
        let limits = self.limits;
        let prepared = guard::prepare(&work.bytes, limits.max_mime_parts);
        let Some(message) = self.parser.parse(prepared.bytes.as_ref()) else {
            out.push(skipped(
                &work.location,
                "not a readable e-mail: no header fields found".to_owned(),
            ));
            return Vec::new();
        };
        // Notes about the sender, and about limits reached (which also go
        // with the forwarded messages when this one gives no approach).
        let mut notes = Vec::new();
        let mut limit_notes = work.inherited.clone();
        if let Some(at) = prepared.cut_at {
            limit_notes.push(format!(
                "this e-mail is built unusually (too many parts or header fields); only its first {at} bytes were read"
            ));
        }

        // Header fields.
        let sender = message
            .from()
            .and_then(Address::first)
            .or_else(|| message.sender().and_then(Address::first))
            .map(Person::from_addr)
            .unwrap_or_default();
        let recipient = message
            .to()
            .and_then(Address::first)
            .map(Person::from_addr)
            .and_then(|p| p.name.or(p.address))
            .map(|name| Recipient {
                name: Some(name),
                ..Recipient::default()
            });
        let subject = message
            .subject()
            .map(|s| clean(s, MAX_HEADER_TEXT))
            .filter(|s| !s.is_empty());
        let sent_at = message.date().and_then(|d| {
            let text = d.to_rfc3339();
            (d.is_valid() && forewarn_core::dates::parse_timestamp(&text).is_some()).then_some(text)
        });
        let message_id = message
            .message_id()
            .map(|id| clean(id, MAX_HEADER_TEXT))
            .map(|id| id.trim_matches(['<', '>', ' ']).to_owned())
            .filter(|id| !id.is_empty() && !id.contains(char::is_whitespace));

        let mut emails: Vec<String> = sender.address.iter().cloned().collect();
        let from_address = sender.address.as_deref().unwrap_or("");
        let reply_tos = message.reply_to().map(Address::iter).into_iter().flatten();
        for reply_to in reply_tos.take(MAX_EXTRA_EMAILS) {
            let Some(address) = Person::from_addr(reply_to).address else {
                continue;
            };
            add_email(&mut emails, &address);
            if !from_address.is_empty() && differs(&address, from_address) {
                push_note(
                    &mut notes,
                    format!("Reply-To ({address}) differs from the sender ({from_address})"),
                );
            }
        }
        if let Some(address) = message
            .sender()
            .and_then(Address::first)
            .and_then(|a| Person::from_addr(a).address)
        {
            add_email(&mut emails, &address);
        }
        let return_path = match message.return_path() {
            HeaderValue::Text(t) => Some(t.as_ref()),
            HeaderValue::TextList(list) => list.first().map(Cow::as_ref),
            _ => None,
        };
        let envelope = if work.depth == 0 {
            origin.envelope
        } else {
            None
        };
        for address in [return_path, envelope].into_iter().flatten() {
            let address = clean(address, MAX_HEADER_TEXT);
            let address = address.trim_matches(['<', '>', ' ']);
            if !from_address.is_empty() && address.contains('@') && differs(address, from_address) {
                push_note(
                    &mut notes,
                    format!(
                        "Return-Path / envelope sender ({address}) differs from the sender ({from_address})"
                    ),
                );
            }
        }

        if let (Some(name), Some(address)) = (&sender.name, &sender.address) {
            let shown = name.trim_matches(['<', '>', '"', '\'', ' ']);
            if forward::is_address(shown) && !shown.eq_ignore_ascii_case(address) {
                push_note(
                    &mut notes,
                    format!(
                        "the sender's name ({shown}) is another address than the one it was sent from ({address})"
                    ),
                );
            }
        }

        // Parts.
        let mut contents = self.contents(&message, work.depth, parts_left);
        limit_notes.append(&mut contents.notes);
        if cut_text(&mut contents.text, limits.max_text_bytes) {
            limit_notes.push(format!(
                "the text was longer than {} bytes and was cut there",
                limits.max_text_bytes
            ));
        }
        drop(message);
        drop(prepared);

        let base_id = message_id
            .as_ref()
            .map_or_else(|| work.fallback_id.clone(), |id| format!("mail:{id}"));
        // Each inline forward is one level deeper than the text holding it.
        let inline_room = limits.max_mime_depth.saturating_sub(work.depth);
        let split = forward::split(&contents.text, inline_room);
        if split.truncated {
            limit_notes.push(format!(
                "forwarded messages nested more than {} deep were not unwrapped",
                limits.max_mime_depth
            ));
        }
        let is_member = self.is_member(&sender);
        let wraps = !contents.nested.is_empty() || !split.forwards.is_empty();
        let mut forwarded_notes = Vec::new();
        if let Some(by) = &work.forwarded_by {
            forwarded_notes.push(format!(
                "unwrapped from a message forwarded by {}",
                by.describe()
            ));
        }

        let mut approaches_here = 0;
        let own_text = if wraps {
            split.own.clone()
        } else {
            contents.text
        };
        let keep_outer = !is_member && (!wraps || !own_text.trim().is_empty());
        if keep_outer && (!own_text.trim().is_empty() || !contents.attachments.is_empty() || wraps)
        {
            let mut all_notes = forwarded_notes.clone();
            all_notes.extend(notes.iter().cloned());
            all_notes.extend(limit_notes.iter().cloned());
            let id = self.ids.unique(base_id.clone());
            out.push(approach(
                id,
                Sender {
                    name: sender.display_name(),
                    emails,
                    ..Sender::default()
                },
                recipient,
                Message {
                    sent_at,
                    from: Author::Sender,
                    subject,
                    text: own_text,
                },
                Source {
                    file: origin.file.to_owned(),
                    message_id,
                    offset: origin.offset,
                    notes: all_notes,
                    attachments: std::mem::take(&mut contents.attachments),
                    ..Source::default()
                },
            ));
            approaches_here += 1;
        } else if !wraps {
            let reason = if is_member {
                "sent by you".to_owned()
            } else {
                with_notes("no text and no attachments", &limit_notes)
            };
            out.push(skipped(&work.location, reason));
            return Vec::new();
        }

        // Inline forwards, outermost first.
        let mut forwarder = sender.clone();
        let count = split.forwards.len();
        let mut number = contents.nested.len();
        for (i, inline) in split.forwards.into_iter().enumerate() {
            number += 1;
            let person = Person {
                name: inline
                    .name
                    .map(|n| clean(&n, MAX_HEADER_TEXT))
                    .filter(|n| !n.is_empty()),
                address: inline.address.map(|a| clean(&a, MAX_HEADER_TEXT)),
            };
            let location = format!("{} (forwarded message {number})", work.location);
            if self.is_member(&person) {
                out.push(skipped(&location, "sent by you".to_owned()));
                forwarder = person;
                continue;
            }
            let mut inner_notes = vec![format!(
                "unwrapped from a message forwarded by {}",
                forwarder.describe()
            )];
            if approaches_here == 0 {
                inner_notes.extend(limit_notes.iter().cloned());
            }
            let date = inline.date.as_deref().map(|d| clean(d, MAX_HEADER_TEXT));
            let inner_sent_at = date.as_deref().and_then(parse_loose_date);
            if let (Some(date), None) = (&date, &inner_sent_at) {
                inner_notes.push(format!("the forwarded message is dated \"{date}\""));
            }
            // The attachments of a wrapper that gave no approach of its own
            // go with the original message: the innermost forward.
            let attachments = if i + 1 == count {
                std::mem::take(&mut contents.attachments)
            } else {
                Vec::new()
            };
            if inline.text.trim().is_empty() && attachments.is_empty() {
                out.push(skipped(
                    &location,
                    with_notes("a forwarded message with no text", &inner_notes),
                ));
                forwarder = person;
                continue;
            }
            let id = self.ids.unique(format!("{base_id}/fwd{number}"));
            out.push(approach(
                id,
                Sender {
                    name: person.display_name(),
                    emails: person.address.iter().cloned().collect(),
                    ..Sender::default()
                },
                inline.to.map(|to| Recipient {
                    name: Some(clean(&to, MAX_HEADER_TEXT)),
                    ..Recipient::default()
                }),
                Message {
                    sent_at: inner_sent_at,
                    from: Author::Sender,
                    subject: inline.subject.map(|s| clean(&s, MAX_HEADER_TEXT)),
                    text: inline.text,
                },
                Source {
                    file: origin.file.to_owned(),
                    offset: origin.offset,
                    notes: inner_notes,
                    attachments,
                    ..Source::default()
                },
            ));
            approaches_here += 1;
            forwarder = person;
        }

        // Attached forwards, read next.
        let inherited = if approaches_here == 0 {
            limit_notes
        } else {
            Vec::new()
        };
        contents
            .nested
            .into_iter()
            .enumerate()
            .map(|(i, (bytes, depth))| Work {
                bytes: Cow::Owned(bytes),
                depth,
                forwarded_by: Some(sender.clone()),
                fallback_id: format!("{base_id}/fwd{}", i + 1),
                location: format!("{} (forwarded message {})", work.location, i + 1),
                inherited: inherited.clone(),
            })
            .collect()
    }

    /// The text, attachments and attached messages of `message`, looking at
    /// no more than `parts_left` parts and no deeper than the depth limit.
    fn contents(
        &self,
        message: &mail_parser::Message<'_>,
        depth: usize,
        parts_left: &mut usize,
    ) -> Contents {
        let limits = self.limits;
        let mut contents = Contents::default();
        let parts = &message.parts;
        let looked_at = parts.len().min(*parts_left);
        *parts_left -= looked_at;
        if looked_at < parts.len() {
            contents.notes.push(format!(
                "this e-mail has {} parts; only the first {looked_at} were looked at",
                parts.len()
            ));
        }

        // Depth and parent of each part, from the multipart tree (a part's
        // children always come after it).
        let mut part_depth: Vec<Option<usize>> = vec![None; looked_at];
        let mut parent: Vec<Option<usize>> = vec![None; looked_at];
        if let Some(first) = part_depth.first_mut() {
            *first = Some(depth);
        }
        for (i, part) in parts.iter().enumerate().take(looked_at) {
            let here = part_depth.get(i).copied().flatten().unwrap_or(depth + 1);
            if let PartType::Multipart(children) = &part.body {
                for &child in children {
                    let child = child as usize;
                    if child > i
                        && let Some(slot) = part_depth.get_mut(child)
                        && slot.is_none()
                    {
                        *slot = Some(here + 1);
                        if let Some(p) = parent.get_mut(child) {
                            *p = Some(i);
                        }
                    }
                }
            }
        }
        let depth_of = |i: usize| part_depth.get(i).copied().flatten().unwrap_or(depth + 1);
        let usable = |i: usize| i < looked_at && depth_of(i) <= limits.max_mime_depth;
        if (0..looked_at).any(|i| !usable(i)) {
            contents.notes.push(format!(
                "parts nested more than {} deep were not looked at",
                limits.max_mime_depth
            ));
        }

        // Attached messages: message/rfc822 (masked by the guard), or the
        // parts of a digest that declare no type.
        let mut is_nested = vec![false; looked_at];
        let mut too_deep = false;
        for (i, part) in parts.iter().enumerate().take(looked_at) {
            if !usable(i) {
                continue;
            }
            let declared = part.content_type();
            let is_message = match declared {
                Some(ct) => {
                    real_type(ct.ctype()) == "message"
                        && ct.subtype().is_some_and(|s| {
                            matches!(s.to_ascii_lowercase().as_str(), "rfc822" | "global")
                        })
                }
                None => parent
                    .get(i)
                    .copied()
                    .flatten()
                    .and_then(|p| parts.get(p))
                    .and_then(|p| p.content_type())
                    .and_then(|ct| ct.subtype())
                    .is_some_and(|s| real_type(s) == "digest"),
            };
            if !is_message {
                continue;
            }
            // The forwarded message's root part is one level below.
            let inner_depth = depth_of(i) + 1;
            if inner_depth > limits.max_mime_depth {
                too_deep = true;
                continue;
            }
            let bytes = match (&part.body, part.encoding) {
                (PartType::Text(_) | PartType::Html(_), Encoding::None) => message
                    .raw_message
                    .get(part.offset_body as usize..part.offset_end as usize)
                    .unwrap_or_default(),
                _ => part.contents(),
            };
            if let Some(slot) = is_nested.get_mut(i) {
                *slot = true;
            }
            contents.nested.push((bytes.to_vec(), inner_depth));
        }
        if too_deep {
            contents.notes.push(format!(
                "a forwarded message nested more than {} deep was not unwrapped",
                limits.max_mime_depth
            ));
        }
        let nested = |i: usize| is_nested.get(i).copied().unwrap_or(false);

        // Text: the plain-text bodies, else the HTML ones as text.
        let text_cap = limits.max_text_bytes.saturating_add(1);
        let mut text = String::new();
        for &id in &message.text_body {
            let i = id as usize;
            if let (true, false, Some(PartType::Text(t))) =
                (usable(i), nested(i), parts.get(i).map(|p| &p.body))
            {
                add_text(&mut text, t, text_cap);
            }
        }
        if text.trim().is_empty() {
            text.clear();
            let html_ids = message.html_body.iter().chain(&message.text_body);
            let mut seen = HashSet::new();
            for &id in html_ids {
                let i = id as usize;
                if !seen.insert(i) {
                    continue;
                }
                if let (true, false, Some(PartType::Html(h))) =
                    (usable(i), nested(i), parts.get(i).map(|p| &p.body))
                {
                    let html = prefix(h, limits.max_text_bytes.saturating_mul(HTML_TEXT_RATIO));
                    add_text(&mut text, &html_to_text(html), text_cap);
                }
            }
        }
        contents.text = normalise_text(&unmask(&text));

        // Attachments: listed, never opened.
        for &id in &message.attachments {
            let i = id as usize;
            let Some(part) = parts.get(i) else { continue };
            if !usable(i) || nested(i) || matches!(part.body, PartType::Multipart(_)) {
                continue;
            }
            let content_type = match part.content_type() {
                Some(ct) => {
                    let mut t = real_type(ct.ctype());
                    if let Some(sub) = ct.subtype() {
                        t.push('/');
                        t.push_str(&real_type(sub));
                    }
                    clean(&t, 255)
                }
                None if part.is_text() => "text/plain".to_owned(),
                None => "application/octet-stream".to_owned(),
            };
            contents.attachments.push(Attachment {
                name: part
                    .attachment_name()
                    .map(|n| clean(n, 255))
                    .unwrap_or_default(),
                content_type,
                size: part.len() as u64,
            });
        }
        contents
    }
}

fn approach(
    id: String,
    sender: Sender,
    recipient: Option<Recipient>,
    message: Message,
    source: Source,
) -> ScanItem {
    ScanItem::Approach(Box::new(Scanned {
        approach: Approach {
            id: Some(id),
            channel: Some(Channel::Email),
            sender,
            recipient,
            messages: vec![message],
        },
        source,
    }))
}

fn skipped(location: &str, reason: String) -> ScanItem {
    ScanItem::Skipped(Skipped {
        location: location.to_owned(),
        reason,
    })
}

fn add_email(emails: &mut Vec<String>, address: &str) {
    if emails.len() <= MAX_EXTRA_EMAILS && !emails.iter().any(|e| e.eq_ignore_ascii_case(address)) {
        emails.push(address.to_owned());
    }
}

/// Appends `piece` to `text`, a blank line apart, up to `cap` bytes.
fn add_text(text: &mut String, piece: &str, cap: usize) {
    if text.len() >= cap {
        return;
    }
    if !text.is_empty() {
        text.push_str("\n\n");
    }
    text.push_str(prefix(piece, cap.saturating_sub(text.len())));
}

/// The longest start of `text` of at most `max` bytes that ends at a
/// character boundary.
fn prefix(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    text.get(..end).unwrap_or_default()
}

fn with_notes(reason: &str, notes: &[String]) -> String {
    if notes.is_empty() {
        reason.to_owned()
    } else {
        format!("{reason} ({})", notes.join("; "))
    }
}

fn push_note(notes: &mut Vec<String>, note: String) {
    if !notes.contains(&note) {
        notes.push(note);
    }
}

/// Whether two addresses belong to different senders: their domains differ
/// (one being a subdomain of the other counts as the same), or, for
/// addresses without a domain, the addresses differ. Without case.
fn differs(a: &str, b: &str) -> bool {
    let a = a.trim().to_lowercase();
    let b = b.trim().to_lowercase();
    if a == b {
        return false;
    }
    match (a.rsplit_once('@'), b.rsplit_once('@')) {
        (Some((_, da)), Some((_, db))) if !da.is_empty() && !db.is_empty() => {
            let related =
                da == db || da.ends_with(&format!(".{db}")) || db.ends_with(&format!(".{da}"));
            !related
        }
        _ => true,
    }
}

/// Header text made fit to show: masked words restored, control characters
/// and runs of white space made one space, trimmed, and cut to `max` bytes.
fn clean(text: &str, max: usize) -> String {
    let text = unmask(text);
    let mut out = String::with_capacity(text.len().min(max));
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            space = !out.is_empty();
            continue;
        }
        if space {
            out.push(' ');
            space = false;
        }
        out.push(c);
        if out.len() > max {
            break;
        }
    }
    cut_text(&mut out, max);
    out
}

/// Message text with CRLF line ends made LF, and NUL characters dropped.
fn normalise_text(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\0', "")
}

/// A date as written in a forwarded message's header block, when it is an
/// RFC 5322 date with its time zone; others are kept only as a note.
fn parse_loose_date(text: &str) -> Option<String> {
    let parsed = mail_parser::DateTime::parse_rfc822(text)?;
    let rfc3339 = parsed.to_rfc3339();
    (parsed.is_valid() && forewarn_core::dates::parse_timestamp(&rfc3339).is_some())
        .then_some(rfc3339)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn read(raw: &str, member: &[&str]) -> Vec<ScanItem> {
        let member = Member {
            identities: member.iter().map(|s| (*s).to_owned()).collect(),
        };
        MailReader::new(member, ScanLimits::default()).read(
            raw.as_bytes(),
            &Origin {
                file: "test.eml",
                offset: None,
                envelope: None,
            },
        )
    }

    fn approaches(items: &[ScanItem]) -> Vec<&Scanned> {
        items.iter().filter_map(ScanItem::as_approach).collect()
    }

    fn reasons(items: &[ScanItem]) -> Vec<String> {
        items
            .iter()
            .filter_map(|i| match i {
                ScanItem::Skipped(s) => Some(s.to_string()),
                ScanItem::Approach(_) => None,
            })
            .collect()
    }

    const SIMPLE: &str = "From: \"Amanda Example\" <amanda@example.com>\r\nTo: Jane Doe <jane@example.org>\r\nReply-To: amanda.recruit@example.net\r\nReturn-Path: <bounce@mail.example.com>\r\nSubject: A paid consultancy\r\nDate: Mon, 3 Mar 2025 10:15:00 +0100\r\nMessage-ID: <abc@example.com>\r\n\r\nDear Jane,\r\nWe pay well.\r\n";

    #[test]
    fn one_email_is_one_approach() {
        let items = read(SIMPLE, &[]);
        let found = approaches(&items);
        assert_eq!(found.len(), 1, "{items:?}");
        let s = found[0];
        let a = &s.approach;
        assert_eq!(a.id.as_deref(), Some("mail:abc@example.com"));
        assert_eq!(a.channel, Some(Channel::Email));
        assert_eq!(a.sender.name, "Amanda Example");
        assert_eq!(
            a.sender.emails,
            ["amanda@example.com", "amanda.recruit@example.net"]
        );
        assert_eq!(
            a.recipient.as_ref().unwrap().name.as_deref(),
            Some("Jane Doe")
        );
        let m = &a.messages[0];
        assert_eq!(m.sent_at.as_deref(), Some("2025-03-03T10:15:00+01:00"));
        assert_eq!(m.subject.as_deref(), Some("A paid consultancy"));
        assert_eq!(m.text, "Dear Jane,\nWe pay well.\n");
        assert_eq!(s.source.message_id.as_deref(), Some("abc@example.com"));
        // The bounce address is a subdomain of the sender's: no note.
        assert_eq!(
            s.source.notes,
            ["Reply-To (amanda.recruit@example.net) differs from the sender (amanda@example.com)"]
        );
        a.validate().unwrap();
    }

    #[test]
    fn envelope_and_return_path_are_compared() {
        let raw = SIMPLE.replace("bounce@mail.example.com", "x@other.example.net");
        let member = Member::default();
        let items = MailReader::new(member, ScanLimits::default()).read(
            raw.as_bytes(),
            &Origin {
                file: "in.mbox",
                offset: Some(7),
                envelope: Some("y@third.example.org"),
            },
        );
        let notes = &approaches(&items)[0].source.notes;
        assert!(notes.contains(&"Return-Path / envelope sender (x@other.example.net) differs from the sender (amanda@example.com)".to_owned()), "{notes:?}");
        assert!(notes.contains(&"Return-Path / envelope sender (y@third.example.org) differs from the sender (amanda@example.com)".to_owned()), "{notes:?}");
    }

    #[test]
    fn the_members_own_messages_are_skipped() {
        let raw = "From: Jane Doe <jane@example.org>\nTo: x@example.com\nSubject: hi\n\nHello\n";
        assert_eq!(
            reasons(&read(raw, &["jane@example.org"])),
            ["test.eml: sent by you"]
        );
        assert_eq!(
            reasons(&read(raw, &["JANE DOE"])),
            ["test.eml: sent by you"]
        );
        assert!(reasons(&read(raw, &[])).is_empty());
        // A name alone does not make it the member's when the member is
        // known by address: anyone can write any name.
        let spoof = raw.replace("jane@example.org", "spoof@example.com");
        let items = read(&spoof, &["Jane Doe", "jane@example.org"]);
        assert_eq!(approaches(&items).len(), 1);
    }

    #[test]
    fn names_fall_back_to_the_address() {
        let raw = "From: amanda@example.com\n\nHi\n";
        let items = read(raw, &[]);
        let a = &approaches(&items)[0].approach;
        assert_eq!(a.sender.name, "amanda@example.com");
        assert_eq!(a.id.as_deref(), Some("mail:test.eml"));
        let raw = "Subject: no sender\n\nHi\n";
        let items = read(raw, &[]);
        assert_eq!(approaches(&items)[0].approach.sender.name, "unknown sender");
    }

    #[test]
    fn empty_and_unreadable_messages_are_skipped() {
        assert_eq!(
            reasons(&read("From: a@example.com\nSubject: x\n\n \n", &[])),
            ["test.eml: no text and no attachments"]
        );
        assert_eq!(
            reasons(&read("", &[])),
            ["test.eml: not a readable e-mail: no header fields found"]
        );
    }

    #[test]
    fn html_only_becomes_text() {
        let raw = "From: a@example.com\nContent-Type: text/html\n\n<html><head><style>p{}</style></head><body><p>Dear <b>Jane</b>,</p><script>alert(1)</script><p>A trip?</p></body></html>\n";
        let items = read(raw, &[]);
        let text = &approaches(&items)[0].approach.messages[0].text;
        assert!(text.contains("Dear Jane,"), "{text:?}");
        assert!(text.contains("A trip?"));
        assert!(!text.contains("alert"));
        assert!(!text.contains('<'));
    }

    #[test]
    fn plain_text_is_preferred_to_html() {
        let raw = "From: a@example.com\nContent-Type: multipart/alternative; boundary=b\n\n--b\nContent-Type: text/plain\n\nplain words\n--b\nContent-Type: text/html\n\n<p>html words</p>\n--b--\n";
        let items = read(raw, &[]);
        assert_eq!(
            approaches(&items)[0].approach.messages[0].text,
            "plain words"
        );
    }

    #[test]
    fn attachments_are_listed_with_their_decoded_size() {
        let raw = "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nSee the terms.\n--b\nContent-Type: application/pdf; name=\"terms.pdf\"\nContent-Disposition: attachment; filename=\"terms.pdf\"\nContent-Transfer-Encoding: base64\n\nSGVsbG8gd29ybGQ=\n--b--\n";
        let items = read(raw, &[]);
        let s = approaches(&items)[0];
        assert_eq!(
            s.source.attachments,
            [Attachment {
                name: "terms.pdf".into(),
                content_type: "application/pdf".into(),
                size: 11,
            }]
        );
        assert_eq!(s.approach.messages[0].text, "See the terms.");
    }

    #[test]
    fn attached_forward_is_unwrapped() {
        let raw = "From: Jane Doe <jane@example.org>\nSubject: Fwd: offer\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nIs this real?\n--b\nContent-Type: message/rfc822\n\nFrom: Bo <bo@example.com>\nMessage-ID: <inner@example.com>\nSubject: offer\nDate: Tue, 4 Mar 2025 09:00:00 +0000\n\nWe offer money for insights.\n--b--\n";
        let items = read(raw, &["jane@example.org"]);
        let found = approaches(&items);
        assert_eq!(found.len(), 1, "{items:?}");
        let s = found[0];
        assert_eq!(s.approach.sender.name, "Bo");
        assert_eq!(s.approach.id.as_deref(), Some("mail:inner@example.com"));
        assert_eq!(s.approach.messages[0].text, "We offer money for insights.");
        assert_eq!(
            s.source.notes,
            ["unwrapped from a message forwarded by Jane Doe <jane@example.org>"]
        );
        assert!(s.source.attachments.is_empty());
        // From someone else, with words of their own: both kept.
        let items = read(raw, &[]);
        let found = approaches(&items);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].approach.messages[0].text, "Is this real?");
        assert_eq!(found[1].approach.sender.name, "Bo");
    }

    #[test]
    fn encoded_attached_forward_is_unwrapped() {
        // "From: b@example.com\n\nHidden offer\n", base64.
        let raw = "From: a@example.com\nContent-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: message/rfc822\nContent-Transfer-Encoding: base64\n\nRnJvbTogYkBleGFtcGxlLmNvbQoKSGlkZGVuIG9mZmVyCg==\n--b--\n";
        let items = read(raw, &[]);
        let found = approaches(&items);
        assert_eq!(found.len(), 1, "{items:?}");
        assert_eq!(found[0].approach.sender.name, "b@example.com");
        assert_eq!(found[0].approach.messages[0].text, "Hidden offer\n");
        assert_eq!(found[0].approach.id.as_deref(), Some("mail:test.eml/fwd1"));
    }

    #[test]
    fn inline_forward_is_unwrapped() {
        let raw = "From: Jane Doe <jane@example.org>\nSubject: Fwd: hi\n\n---------- Forwarded message ---------\nFrom: Amanda Example <amanda@example.com>\nDate: Mon, 3 Mar 2025 10:15:00 +0000\nSubject: hi\nTo: Jane Doe <jane@example.org>\n\nDear Jane, a trip to Beijing, all expenses paid.\n";
        let items = read(raw, &["jane@example.org"]);
        let found = approaches(&items);
        assert_eq!(found.len(), 1, "{items:?}");
        let s = found[0];
        assert_eq!(s.approach.sender.name, "Amanda Example");
        assert_eq!(s.approach.sender.emails, ["amanda@example.com"]);
        assert_eq!(
            s.approach.messages[0].sent_at.as_deref(),
            Some("2025-03-03T10:15:00Z")
        );
        assert_eq!(s.approach.messages[0].subject.as_deref(), Some("hi"));
        assert_eq!(
            s.approach.messages[0].text,
            "Dear Jane, a trip to Beijing, all expenses paid.\n"
        );
        assert_eq!(s.approach.id.as_deref(), Some("mail:test.eml/fwd1"));
        assert_eq!(
            s.source.notes,
            ["unwrapped from a message forwarded by Jane Doe <jane@example.org>"]
        );
    }

    #[test]
    fn a_name_that_is_another_address_is_noted() {
        let raw = "From: \"ceo@example.org\" <ceo.office@example.net>\n\nUrgent.\n";
        let items = read(raw, &[]);
        assert_eq!(
            approaches(&items)[0].source.notes,
            [
                "the sender's name (ceo@example.org) is another address than the one it was sent from (ceo.office@example.net)"
            ]
        );
    }

    #[test]
    fn notes_about_the_wrapper_stay_with_it() {
        let raw = "From: Jane Doe <jane@example.org>\nReply-To: jane@example.net\n\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nSubject: s\n\nOffer\n";
        let items = read(raw, &["jane@example.org"]);
        let found = approaches(&items);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].source.notes,
            ["unwrapped from a message forwarded by Jane Doe <jane@example.org>"]
        );
    }

    #[test]
    fn ids_stay_unique() {
        let mut ids = Ids::default();
        assert_eq!(ids.unique("a".into()), "a");
        assert_eq!(ids.unique("a".into()), "a#2");
        assert_eq!(ids.unique("a#3".into()), "a#3");
        assert_eq!(ids.unique("a".into()), "a#4");
    }

    #[test]
    fn deep_nesting_is_bounded() {
        let mut raw = String::from("From: a@example.com\n");
        for i in 0..2000 {
            raw.push_str(&format!(
                "Content-Type: multipart/mixed; boundary=\"b{i}\"\n\n--b{i}\n"
            ));
        }
        raw.push_str("Content-Type: text/plain\n\ndeep\n");
        let items = read(&raw, &[]);
        assert_eq!(items.len(), 1);
        let reasons = reasons(&items);
        assert!(reasons[0].contains("not looked at"), "{reasons:?}");

        let mut chain = String::from("From: a@example.com\n");
        for _ in 0..5000 {
            chain.push_str("Content-Type: message/rfc822\n\nFrom: b@example.com\n");
        }
        chain.push_str("\nbottom\n");
        let items = read(&chain, &[]);
        assert!(items.len() <= 8, "{items:?}");
    }

    fn structured() -> impl Strategy<Value = String> {
        let header = prop_oneof![
            Just("From: A <a@example.com>".to_owned()),
            Just("From: jane@example.org".to_owned()),
            Just("Reply-To: r@example.net".to_owned()),
            Just("Return-Path: <>".to_owned()),
            Just("Date: Mon, 3 Mar 2025 10:15:00 +0000".to_owned()),
            Just("Date: Feb 31 2025 99:99".to_owned()),
            Just("Message-ID: <x@example.com>".to_owned()),
            Just("Content-Type: multipart/mixed; boundary=b".to_owned()),
            Just("Content-Type: message/rfc822".to_owned()),
            Just("Content-Type: multipart/digest; boundary=b".to_owned()),
            Just("Content-Type: text/html".to_owned()),
            Just("Content-Transfer-Encoding: base64".to_owned()),
            Just("Content-Transfer-Encoding: quoted-printable".to_owned()),
            "[A-Za-z-]{1,12}: [ -~]{0,30}",
        ];
        let body = prop_oneof![
            Just("--b".to_owned()),
            Just("--b--".to_owned()),
            Just("".to_owned()),
            Just("---------- Forwarded message ---------".to_owned()),
            Just("From: C <c@example.com>".to_owned()),
            Just("Subject: s".to_owned()),
            Just("<p>hi &amp; bye</p>".to_owned()),
            Just("SGVsbG8=".to_owned()),
            "[ -~]{0,40}",
            "\\PC{0,20}",
        ];
        (
            proptest::collection::vec(header, 0..8),
            proptest::collection::vec(body, 0..30),
            any::<bool>(),
        )
            .prop_map(|(headers, body, crlf)| {
                let eol = if crlf { "\r\n" } else { "\n" };
                let mut s = headers.join(eol);
                s.push_str(eol);
                s.push_str(eol);
                s.push_str(&body.join(eol));
                s
            })
    }

    fn check(items: &[ScanItem], limits: &ScanLimits) {
        for item in items {
            if let ScanItem::Approach(s) = item {
                s.approach.validate().unwrap();
                assert!(!s.approach.sender.name.trim().is_empty());
                for m in &s.approach.messages {
                    assert!(m.text.len() <= limits.max_text_bytes);
                }
            }
        }
    }

    proptest! {
        #[test]
        fn never_panics_on_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            let limits = ScanLimits { max_text_bytes: 64, max_mime_parts: 16, max_mime_depth: 4, ..ScanLimits::default() };
            let member = Member { identities: vec!["jane@example.org".into()] };
            let items = super::super::read_email(&bytes, "p.eml", &member, &limits);
            check(&items, &limits);
        }

        #[test]
        fn never_panics_on_structured_mail(raw in structured()) {
            let limits = ScanLimits { max_text_bytes: 64, max_mime_parts: 16, max_mime_depth: 4, ..ScanLimits::default() };
            let member = Member { identities: vec!["jane@example.org".into()] };
            let items = super::super::read_email(raw.as_bytes(), "p.eml", &member, &limits);
            check(&items, &limits);
            let items = super::super::read_email(raw.as_bytes(), "p.eml", &member, &ScanLimits::default());
            check(&items, &ScanLimits::default());
            let mut ids: Vec<_> = items.iter().filter_map(|i| match i {
                ScanItem::Approach(s) => s.approach.id.clone(),
                ScanItem::Skipped(_) => None,
            }).collect();
            let n = ids.len();
            ids.sort();
            ids.dedup();
            prop_assert_eq!(ids.len(), n);
        }
    }
}
