//! A synthetic LinkedIn data export, in the real layout and with its
//! quirks: a byte order mark on `messages.csv`, the "Notes:" preamble of
//! `Connections.csv`, quoted content over several lines, HTML InMail, group
//! conversations, the member's own replies and drafts, the occasional name
//! in mis-decoded UTF-8, and conversations listed newest first.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};

use super::scripts::{self, Who};
use super::{FIRST, LAST, Label, LabelLine, Slots, pick};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub conversations: usize,
    pub messages: usize,
    pub connections: usize,
    pub hostile: usize,
    pub benign: usize,
    /// Write a .zip instead of a folder.
    pub zip: bool,
}

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub conversations: usize,
    pub messages: usize,
    pub connections: usize,
    pub invitations: usize,
    pub bytes: u64,
    /// One per conversation: its id, label and script.
    pub labels: Vec<(String, Label, &'static str)>,
}

const MEMBER_FIRST: &str = "Alex";
const MEMBER_LAST: &str = "Morgan";
const MEMBER_URL: &str = "https://www.linkedin.com/in/alex-morgan-westminster";

const MESSAGES_HEADER: [&str; 12] = [
    "CONVERSATION ID",
    "CONVERSATION TITLE",
    "FROM",
    "SENDER PROFILE URL",
    "TO",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "SUBJECT",
    "CONTENT",
    "FOLDER",
    "ATTACHMENTS",
    "IS MESSAGE DRAFT",
];

struct Person {
    name: String,
    /// The name as written in `messages.csv`: now and then mis-decoded.
    written: String,
    url: String,
    company: String,
    position: String,
}

struct Row {
    conversation: String,
    title: String,
    from_member: bool,
    author: usize,
    to: Vec<usize>,
    /// Seconds since the epoch.
    at: i64,
    subject: String,
    content: String,
    draft: bool,
}

/// Writes an export to `out` (a folder, or a zip with `options.zip`).
pub fn write(out: &Path, options: &Options) -> Result<Generated> {
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let mut generated = Generated::default();
    let mut people: Vec<Person> = Vec::new();
    let mut rows: Vec<Row> = Vec::with_capacity(options.messages + 16);
    let mut invitations: Vec<(usize, i64, String, bool)> = Vec::new();
    let plan = super::plant(
        &mut rng,
        options.conversations,
        options.hostile,
        options.benign,
    );
    let per_conversation = (options.messages / options.conversations.max(1)).max(1);
    let base = 1_672_531_200i64; // 2023-01-01
    for (c, planted) in plan.iter().enumerate() {
        let conversation = conversation_id(&mut rng);
        let first_row = rows.len();
        let start = base + rng.i64(0..(2 * 365 * 86_400));
        let counterpart = new_person(&mut rng, &mut people, planted.map(|(_, s)| s));
        let slots_owned = {
            let (city, amount) = super::hostile_slots(&mut rng);
            let first = people[counterpart]
                .name
                .split(' ')
                .next()
                .unwrap_or("")
                .to_owned();
            (city, amount, first, people[counterpart].company.clone())
        };
        let slots = Slots {
            member_first: MEMBER_FIRST,
            counterpart_first: &slots_owned.2,
            company: &slots_owned.3,
            city: slots_owned.0,
            amount: slots_owned.1,
        };
        match planted {
            Some((label, script)) => {
                generated
                    .labels
                    .push((conversation.clone(), *label, script.kind));
                if let Some(note) = script.invitation {
                    invitations.push((counterpart, start - 86_400, slots.fill(note), true));
                }
                for (who, day, text) in script.lines {
                    rows.push(Row {
                        conversation: conversation.clone(),
                        title: String::new(),
                        from_member: *who == Who::You,
                        author: counterpart,
                        to: vec![counterpart],
                        at: start + i64::from(*day) * 86_400 + rng.i64(0..3_600),
                        subject: String::new(),
                        content: slots.fill(text),
                        draft: false,
                    });
                }
            }
            None => {
                generated
                    .labels
                    .push((conversation.clone(), Label::Ordinary, "ordinary"));
                ordinary(
                    &mut rng,
                    &mut rows,
                    &mut people,
                    &conversation,
                    counterpart,
                    start,
                    per_conversation,
                    &slots,
                );
            }
        }
        // Conversations are listed newest message first.
        rows[first_row..].sort_by_key(|r| std::cmp::Reverse(r.at));
        generated.conversations = c + 1;
    }
    // Connections: everyone met in a conversation, then others, to the
    // number asked.
    while people.len() < options.connections {
        new_person(&mut rng, &mut people, None);
    }
    for _ in 0..(options.conversations / 20) {
        let who = rng.usize(..people.len());
        let note = pick(
            &mut rng,
            &[
                "Hi, I'd like to join your network.",
                "Great to meet you at the conference!",
                "",
            ],
        );
        invitations.push((
            who,
            base + rng.i64(0..(2 * 365 * 86_400)),
            note.to_owned(),
            rng.bool(),
        ));
    }
    generated.messages = rows.len();
    // Not everyone written to is a connection (InMail, group members).
    generated.connections = people.len().min(options.connections);
    generated.invitations = invitations.len();

    let files = [
        ("Profile.csv", profile()?),
        (
            "Connections.csv",
            connections(&mut rng, &people[..generated.connections])?,
        ),
        ("Invitations.csv", invitations_csv(&people, &invitations)?),
        ("messages.csv", messages_csv(&people, &rows)?),
    ];
    generated.bytes = files.iter().map(|(_, b)| b.len() as u64).sum();
    if options.zip {
        write_zip(out, &files)?;
    } else {
        std::fs::create_dir_all(out)
            .with_context(|| format!("cannot create `{}`", out.display()))?;
        for (name, bytes) in &files {
            let path = out.join(name);
            std::fs::write(&path, bytes)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
        }
    }
    Ok(generated)
}

/// The labels of what was generated, for [`super::write_labels`].
pub fn label_lines(generated: &Generated) -> Vec<LabelLine<'_>> {
    generated
        .labels
        .iter()
        .map(|(id, label, kind)| LabelLine {
            conversation_id: Some(id),
            message_id: None,
            label: *label,
            kind,
        })
        .collect()
}

#[allow(clippy::too_many_arguments)]
fn ordinary(
    rng: &mut fastrand::Rng,
    rows: &mut Vec<Row>,
    people: &mut Vec<Person>,
    conversation: &str,
    counterpart: usize,
    start: i64,
    per_conversation: usize,
    slots: &Slots<'_>,
) {
    let count = rng.usize(1..=(2 * per_conversation).saturating_sub(1).max(1));
    let roll = rng.u32(0..100);
    if roll < 2 {
        // Sponsored InMail, in HTML, never answered.
        rows.push(Row {
            conversation: conversation.to_owned(),
            title: String::new(),
            from_member: false,
            author: counterpart,
            to: vec![counterpart],
            at: start,
            subject: "An invitation for you".into(),
            content: slots.fill(pick(rng, scripts::INMAIL_HTML)),
            draft: false,
        });
        return;
    }
    // A group conversation now and then: a third person writes too.
    let third = (roll < 5).then(|| new_person(rng, people, None));
    let title = if third.is_some() {
        "Project catch-up".to_owned()
    } else {
        String::new()
    };
    for m in 0..count {
        let at = start + (m as i64) * rng.i64(3_600..(3 * 86_400));
        let (from_member, author) = if m % 2 == 1 {
            (true, counterpart)
        } else {
            (
                false,
                match third {
                    Some(t) if m % 4 == 2 => t,
                    _ => counterpart,
                },
            )
        };
        let text = if from_member {
            pick(rng, scripts::ORDINARY_REPLIES)
        } else {
            pick(rng, scripts::ORDINARY_OPENERS)
        };
        let mut to = vec![counterpart];
        to.extend(third);
        rows.push(Row {
            conversation: conversation.to_owned(),
            title: title.clone(),
            from_member,
            author,
            to,
            at,
            subject: String::new(),
            content: slots.fill(text),
            // A reply the member never sent.
            draft: from_member && rng.u32(0..100) == 0,
        });
    }
}

fn new_person(
    rng: &mut fastrand::Rng,
    people: &mut Vec<Person>,
    script: Option<&scripts::Script>,
) -> usize {
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let name = format!("{first} {last}");
    // Now and then the export writes a name as UTF-8 read as Latin-1.
    let written = if !name.is_ascii() && rng.u32(0..3) == 0 {
        name.chars()
            .flat_map(|c| {
                let mut buf = [0u8; 4];
                c.encode_utf8(&mut buf)
                    .bytes()
                    .map(char::from)
                    .collect::<Vec<_>>()
            })
            .collect()
    } else {
        name.clone()
    };
    let (company, position) = match script {
        Some(s) => (s.company.to_owned(), s.position.to_owned()),
        None => {
            let (c, p) = super::ordinary_job(rng);
            (c.to_owned(), p.to_owned())
        }
    };
    let slug: String = name
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    people.push(Person {
        url: format!(
            "https://www.linkedin.com/in/{slug}-{}",
            rng.u32(10_000..99_999)
        ),
        name,
        written,
        company,
        position,
    });
    people.len() - 1
}

fn conversation_id(rng: &mut fastrand::Rng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let body: String = (0..40)
        .map(|_| char::from(ALPHABET[rng.usize(..ALPHABET.len())]))
        .collect();
    format!("2-{body}==")
}

fn utc(at: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[year]-[month]-[day] [hour]:[minute]:[second] UTC"
            ))
            .ok()
        })
        .unwrap_or_default()
}

fn csv_bytes(
    write: impl FnOnce(&mut csv::Writer<&mut Vec<u8>>) -> Result<()>,
    prefix: &[u8],
) -> Result<Vec<u8>> {
    let mut bytes = prefix.to_vec();
    {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(&mut bytes);
        write(&mut writer)?;
        writer.flush()?;
    }
    Ok(bytes)
}

fn profile() -> Result<Vec<u8>> {
    csv_bytes(
        |w| {
            w.write_record([
                "First Name",
                "Last Name",
                "Maiden Name",
                "Address",
                "Birth Date",
                "Headline",
                "Summary",
                "Industry",
                "Zip Code",
                "Geo Location",
                "Twitter Handles",
                "Websites",
                "Instant Messengers",
            ])?;
            w.write_record([
                MEMBER_FIRST,
                MEMBER_LAST,
                "",
                "",
                "",
                "Member of Parliament",
                "",
                "Government Administration",
                "",
                "London, England, United Kingdom",
                "",
                "",
                "",
            ])?;
            Ok(())
        },
        b"",
    )
}

fn connections(rng: &mut fastrand::Rng, people: &[Person]) -> Result<Vec<u8>> {
    const PREAMBLE: &[u8] = b"Notes:\r\n\"When exporting your connection data, you may notice that some of the email addresses are missing. You will only see email addresses for connections who have allowed their connections to see or download their email address.\"\r\n\r\n";
    csv_bytes(
        |w| {
            w.write_record([
                "First Name",
                "Last Name",
                "URL",
                "Email Address",
                "Company",
                "Position",
                "Connected On",
            ])?;
            for p in people {
                let (first, last) = p.name.split_once(' ').unwrap_or((&p.name, ""));
                let day = time::Date::from_ordinal_date(2018 + rng.i32(0..5), rng.u16(1..=365))
                    .ok()
                    .and_then(|d| {
                        d.format(time::macros::format_description!(
                            "[day] [month repr:short] [year]"
                        ))
                        .ok()
                    })
                    .unwrap_or_default();
                w.write_record([first, last, &p.url, "", &p.company, &p.position, &day])?;
            }
            Ok(())
        },
        PREAMBLE,
    )
}

fn invitations_csv(
    people: &[Person],
    invitations: &[(usize, i64, String, bool)],
) -> Result<Vec<u8>> {
    csv_bytes(
        |w| {
            w.write_record([
                "From",
                "To",
                "Sent At",
                "Message",
                "Direction",
                "inviterProfileUrl",
                "inviteeProfileUrl",
            ])?;
            let member = format!("{MEMBER_FIRST} {MEMBER_LAST}");
            for (who, at, note, incoming) in invitations {
                let p = &people[*who];
                let sent = time::OffsetDateTime::from_unix_timestamp(*at)
                    .ok()
                    .and_then(|t| {
                        t.format(time::macros::format_description!(
                            "[month padding:none]/[day padding:none]/[year repr:last_two], [hour repr:12 padding:none]:[minute] [period]"
                        ))
                        .ok()
                    })
                    .unwrap_or_default();
                if *incoming {
                    w.write_record([
                        &p.name, &member, &sent, note, "INCOMING", &p.url, MEMBER_URL,
                    ])?;
                } else {
                    w.write_record([
                        &member, &p.name, &sent, note, "OUTGOING", MEMBER_URL, &p.url,
                    ])?;
                }
            }
            Ok(())
        },
        b"",
    )
}

fn messages_csv(people: &[Person], rows: &[Row]) -> Result<Vec<u8>> {
    let member = format!("{MEMBER_FIRST} {MEMBER_LAST}");
    csv_bytes(
        |w| {
            w.write_record(MESSAGES_HEADER)?;
            for r in rows {
                let (from, from_url, to, to_urls) = if r.from_member {
                    let names: Vec<&str> =
                        r.to.iter().map(|&i| people[i].written.as_str()).collect();
                    let urls: Vec<&str> = r.to.iter().map(|&i| people[i].url.as_str()).collect();
                    (
                        member.clone(),
                        MEMBER_URL.to_owned(),
                        names.join(", "),
                        urls.join(";"),
                    )
                } else {
                    let author = &people[r.author];
                    let mut names = vec![member.as_str()];
                    let mut urls = vec![MEMBER_URL];
                    for &i in r.to.iter().filter(|&&i| i != r.author) {
                        names.push(&people[i].written);
                        urls.push(&people[i].url);
                    }
                    (
                        author.written.clone(),
                        author.url.clone(),
                        names.join(", "),
                        urls.join(";"),
                    )
                };
                w.write_record([
                    r.conversation.as_str(),
                    &r.title,
                    &from,
                    &from_url,
                    &to,
                    &to_urls,
                    &utc(r.at),
                    &r.subject,
                    &r.content,
                    "INBOX",
                    "",
                    if r.draft { "Yes" } else { "No" },
                ])?;
            }
            Ok(())
        },
        b"\xef\xbb\xbf",
    )
}

fn write_zip(out: &Path, files: &[(&str, Vec<u8>)]) -> Result<()> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut zip = zip::ZipWriter::new(std::io::BufWriter::new(file));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in files {
        zip.start_file(*name, options)?;
        zip.write_all(bytes)?;
    }
    zip.finish()?.flush()?;
    Ok(())
}
