//! The CSV files of a LinkedIn data export, read into rows.
//!
//! Columns are found by name, never by position, and the header row is
//! found by its content, so preamble lines (the "Notes:" block of
//! `Connections.csv`) and column variants of different export years are
//! read alike.

use crate::csv::{CsvItem, CsvLimits, CsvReader, Header, Record};
use crate::scan::{ScanError, ScanLimits, Skipped};

use super::archive::Export;

/// `Profile.csv`: the member.
pub(crate) const PROFILE: &str = "profile.csv";
/// `Connections.csv`: the member's connections.
pub(crate) const CONNECTIONS: &str = "connections.csv";
/// `Invitations.csv`: connection requests, with their notes.
pub(crate) const INVITATIONS: &str = "invitations.csv";
/// `messages.csv`: every message.
pub(crate) const MESSAGES: &str = "messages.csv";

/// One connection.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Connection {
    pub name: String,
    pub url: String,
    pub email: String,
    pub company: String,
    pub position: String,
    pub connected_on: String,
}

/// One invitation to connect.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Invitation {
    pub line: u64,
    pub from: String,
    pub to: String,
    pub sent_at: String,
    pub message: String,
    pub incoming: Option<bool>,
    pub inviter_url: String,
}

/// One row of `messages.csv`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct MessageRow {
    pub line: u64,
    pub conversation_id: String,
    pub conversation_title: String,
    pub from: String,
    pub sender_url: String,
    pub to: String,
    pub recipient_urls: String,
    pub date: String,
    pub subject: String,
    pub content: String,
    pub folder: String,
    pub attachments: String,
    pub draft: bool,
}

/// Everything read from an export's tables.
#[derive(Debug, Default)]
pub(crate) struct Tables {
    /// The member's name, from `Profile.csv`.
    pub member_name: Option<String>,
    pub connections: Vec<Connection>,
    pub invitations: Vec<Invitation>,
    pub messages: Vec<MessageRow>,
    /// What was left out, and why.
    pub skipped: Vec<Skipped>,
}

impl Tables {
    /// Reads the tables of `export`.
    pub(crate) fn read(export: &mut Export, limits: &ScanLimits) -> Result<Tables, ScanError> {
        let mut tables = Tables::default();
        let csv = CsvLimits {
            max_field_bytes: limits.max_csv_field_bytes,
            max_record_bytes: limits.max_csv_record_bytes,
            ..CsvLimits::default()
        };
        read_table(
            export,
            PROFILE,
            &["first name", "last name"],
            csv,
            &mut tables.skipped,
            |h, r| {
                if tables.member_name.is_none() {
                    let name =
                        full_name(r.get(h.column("first name")), r.get(h.column("last name")));
                    if !name.is_empty() {
                        tables.member_name = Some(name);
                    }
                }
            },
        )?;
        read_table(
            export,
            CONNECTIONS,
            &["first name", "last name", "connected on"],
            csv,
            &mut tables.skipped,
            |h, r| {
                tables.connections.push(Connection {
                    name: full_name(r.get(h.column("first name")), r.get(h.column("last name"))),
                    url: r.get(h.column("url")).trim().to_owned(),
                    email: r.get(h.column("email address")).trim().to_owned(),
                    company: r.get(h.column("company")).trim().to_owned(),
                    position: r.get(h.column("position")).trim().to_owned(),
                    connected_on: r.get(h.column("connected on")).trim().to_owned(),
                });
            },
        )?;
        read_table(
            export,
            INVITATIONS,
            &["from", "to", "message"],
            csv,
            &mut tables.skipped,
            |h, r| {
                let direction = r.get(h.column("direction")).trim();
                tables.invitations.push(Invitation {
                    line: r.line,
                    from: r.get(h.column("from")).trim().to_owned(),
                    to: r.get(h.column("to")).trim().to_owned(),
                    sent_at: r.get(h.column("sent at")).trim().to_owned(),
                    message: r.get(h.column("message")).to_owned(),
                    incoming: if direction.eq_ignore_ascii_case("incoming") {
                        Some(true)
                    } else if direction.eq_ignore_ascii_case("outgoing") {
                        Some(false)
                    } else {
                        None
                    },
                    inviter_url: r.get(h.column("inviterprofileurl")).trim().to_owned(),
                });
            },
        )?;
        let found = read_table(
            export,
            MESSAGES,
            &["conversation id", "from", "content"],
            csv,
            &mut tables.skipped,
            |h, r| {
                let draft = r.get(h.column("is message draft")).trim();
                tables.messages.push(MessageRow {
                    line: r.line,
                    conversation_id: r.get(h.column("conversation id")).trim().to_owned(),
                    conversation_title: r.get(h.column("conversation title")).trim().to_owned(),
                    from: r.get(h.column("from")).trim().to_owned(),
                    sender_url: r.get(h.column("sender profile url")).trim().to_owned(),
                    to: r.get(h.column("to")).trim().to_owned(),
                    recipient_urls: r.get(h.column("recipient profile urls")).trim().to_owned(),
                    date: r.get(h.column("date")).trim().to_owned(),
                    subject: r.get(h.column("subject")).trim().to_owned(),
                    content: r.get(h.column("content")).to_owned(),
                    folder: r.get(h.column("folder")).trim().to_owned(),
                    attachments: r.get(h.column("attachments")).trim().to_owned(),
                    draft: draft.eq_ignore_ascii_case("yes") || draft.eq_ignore_ascii_case("true"),
                });
            },
        )?;
        if found == TableRead::NoHeader {
            return Err(ScanError::Archive {
                path: MESSAGES.into(),
                message: "no header with CONVERSATION ID, FROM and CONTENT columns: not a LinkedIn messages file".into(),
            });
        }
        Ok(tables)
    }
}

/// What reading one table found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TableRead {
    /// The export has no such file.
    Absent,
    /// The file has records but none is the expected header.
    NoHeader,
    /// The header was found and the records after it were read.
    Read,
}

/// Reads the table `name`: finds its header by the columns `required`, then
/// hands every later record to `row`. Records that cannot be read are
/// added to `skipped`, with their line.
fn read_table(
    export: &mut Export,
    name: &str,
    required: &[&str],
    limits: CsvLimits,
    skipped: &mut Vec<Skipped>,
    mut row: impl FnMut(&Header, &Record),
) -> Result<TableRead, ScanError> {
    let Some(input) = export.open(name)? else {
        return Ok(TableRead::Absent);
    };
    let display = display_name(name);
    let mut reader = CsvReader::new(input, limits);
    let mut header: Option<Header> = None;
    let mut any = false;
    loop {
        let item = reader.read().map_err(|e| read_error(&display, e))?;
        let Some(item) = item else {
            break;
        };
        any = true;
        match item {
            CsvItem::Skipped { line, reason } => skipped.push(Skipped {
                location: format!("{display}:{line}"),
                reason,
            }),
            CsvItem::Record(record) => match &header {
                Some(h) => row(h, &record),
                None => {
                    let candidate = Header::new(&record);
                    if candidate.has_all(required) {
                        header = Some(candidate);
                    }
                }
            },
        }
    }
    Ok(match (header, any) {
        (Some(_), _) => TableRead::Read,
        (None, true) => TableRead::NoHeader,
        (None, false) => TableRead::Absent,
    })
}

fn read_error(display: &str, e: std::io::Error) -> ScanError {
    ScanError::Archive {
        path: display.into(),
        message: e.to_string(),
    }
}

/// The file name as LinkedIn writes it, for messages.
pub(crate) fn display_name(name: &str) -> String {
    match name {
        PROFILE => "Profile.csv".into(),
        CONNECTIONS => "Connections.csv".into(),
        INVITATIONS => "Invitations.csv".into(),
        other => other.into(),
    }
}

fn full_name(first: &str, last: &str) -> String {
    let (first, last) = (first.trim(), last.trim());
    match (first.is_empty(), last.is_empty()) {
        (false, false) => format!("{first} {last}"),
        (false, true) => first.to_owned(),
        (true, _) => last.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_name_joins_what_is_there() {
        assert_eq!(full_name(" Ada ", "Lovelace"), "Ada Lovelace");
        assert_eq!(full_name("Ada", ""), "Ada");
        assert_eq!(full_name("", "Lovelace"), "Lovelace");
        assert_eq!(full_name("", ""), "");
    }
}
