//! From the rows of an export to approaches: one per counterpart and
//! conversation, with the member as recipient, enriched from the member's
//! connections and invitations.

use std::collections::{HashMap, HashSet};

use forewarn_core::indicators::linkedin_slug;
use forewarn_core::{Approach, Author, Message, Recipient, Sender, approach::Channel};

use crate::scan::{Member, ScanItem, ScanLimits, Scanned, Skipped, Source, cut_text};

use super::dates;
use super::tables::{Connection, Invitation, MessageRow, Tables, display_name};

/// Who someone is within an export: their profile slug when the export
/// names their profile, else their name, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Person {
    Slug(String),
    Name(String),
}

fn person(name: &str, url: &str) -> Person {
    match linkedin_slug(url) {
        Some(slug) => Person::Slug(slug),
        None => Person::Name(name.trim().to_lowercase()),
    }
}

/// The member, as the export names them.
struct Me {
    names: HashSet<String>,
    slugs: HashSet<String>,
    display: Option<String>,
}

impl Me {
    fn find(member: &Member, tables: &Tables) -> Me {
        let mut names: HashSet<String> = member
            .identities
            .iter()
            .map(|i| i.trim().to_lowercase())
            .filter(|i| !i.is_empty())
            .collect();
        let mut display = member.identities.first().cloned();
        if let Some(name) = &tables.member_name {
            names.insert(name.to_lowercase());
            display = display.or_else(|| Some(name.clone()));
        }
        // Without a name, or with one the messages never use (a name
        // changed since, a middle name), the member is who writes in the
        // most conversations.
        let writes = |names: &HashSet<String>| {
            tables
                .messages
                .iter()
                .any(|m| names.contains(&m.from.to_lowercase()))
        };
        if !writes(&names)
            && let Some(name) = most_present(&tables.messages)
        {
            display = Some(name.clone());
            names.insert(name.to_lowercase());
        }
        let slugs = tables
            .messages
            .iter()
            .filter(|m| names.contains(&m.from.to_lowercase()))
            .filter_map(|m| linkedin_slug(&m.sender_url))
            .collect();
        Me {
            names,
            slugs,
            display,
        }
    }

    fn is(&self, name: &str, url: &str) -> bool {
        match linkedin_slug(url) {
            Some(slug) if !self.slugs.is_empty() => self.slugs.contains(&slug),
            _ => self.names.contains(&name.trim().to_lowercase()),
        }
    }
}

/// The name that writes in the most conversations, and in more than half
/// of them: the member, in an export without `Profile.csv`. A member who
/// never replies is not found, and every message counts as a counterpart's.
fn most_present(rows: &[MessageRow]) -> Option<String> {
    let mut seen: HashMap<&str, HashSet<&str>> = HashMap::new();
    let mut conversations: HashSet<&str> = HashSet::new();
    for row in rows {
        conversations.insert(row.conversation_id.as_str());
        if !row.from.is_empty() {
            seen.entry(row.from.as_str())
                .or_default()
                .insert(row.conversation_id.as_str());
        }
    }
    seen.into_iter()
        .max_by(|a, b| a.1.len().cmp(&b.1.len()).then_with(|| b.0.cmp(a.0)))
        .filter(|(_, seen_in)| seen_in.len() >= 2 && seen_in.len() * 2 > conversations.len())
        .map(|(name, _)| name.to_owned())
}

/// Connections and incoming invitations, found by person.
struct Directory<'t> {
    connections: HashMap<Person, &'t Connection>,
    connections_by_name: HashMap<String, &'t Connection>,
    invitations: HashMap<Person, &'t Invitation>,
    invitations_by_name: HashMap<String, &'t Invitation>,
}

impl<'t> Directory<'t> {
    fn new(tables: &'t Tables, me: &Me) -> Directory<'t> {
        let mut d = Directory {
            connections: HashMap::new(),
            connections_by_name: HashMap::new(),
            invitations: HashMap::new(),
            invitations_by_name: HashMap::new(),
        };
        for c in &tables.connections {
            d.connections.entry(person(&c.name, &c.url)).or_insert(c);
            d.connections_by_name
                .entry(c.name.to_lowercase())
                .or_insert(c);
        }
        for i in &tables.invitations {
            let incoming = i
                .incoming
                .unwrap_or_else(|| !me.is(&i.from, &i.inviter_url));
            if incoming && !i.message.trim().is_empty() {
                d.invitations
                    .entry(person(&i.from, &i.inviter_url))
                    .or_insert(i);
                d.invitations_by_name
                    .entry(i.from.to_lowercase())
                    .or_insert(i);
            }
        }
        d
    }

    // A person known by their profile is found by it alone: two people
    // may share a name. Only a person the export names without a profile
    // is found by name.
    fn connection(&self, who: &Person, name: &str) -> Option<&'t Connection> {
        match who {
            Person::Slug(_) => self.connections.get(who),
            Person::Name(_) => self.connections_by_name.get(&name.to_lowercase()),
        }
        .copied()
    }

    fn invitation(&self, who: &Person, name: &str) -> Option<&'t Invitation> {
        match who {
            Person::Slug(_) => self.invitations.get(who),
            Person::Name(_) => self.invitations_by_name.get(&name.to_lowercase()),
        }
        .copied()
    }
}

/// Builds the approaches of an export, in the order its conversations first
/// appear, then the invitations that started no conversation.
pub(crate) fn build(tables: &Tables, member: &Member, limits: &ScanLimits) -> Vec<ScanItem> {
    let me = Me::find(member, tables);
    let directory = Directory::new(tables, &me);
    let mut order: Vec<&str> = Vec::new();
    let mut conversations: HashMap<&str, Vec<&MessageRow>> = HashMap::new();
    let mut items = Vec::new();
    for row in &tables.messages {
        if row.draft {
            continue;
        }
        if row.conversation_id.is_empty() {
            items.push(ScanItem::Skipped(Skipped {
                location: format!("messages.csv:{}", row.line),
                reason: "message without a conversation id".into(),
            }));
            continue;
        }
        conversations
            .entry(row.conversation_id.as_str())
            .or_insert_with(|| {
                order.push(row.conversation_id.as_str());
                Vec::new()
            })
            .push(row);
    }
    let mut invited: HashSet<Person> = HashSet::new();
    for id in order {
        let Some(rows) = conversations.get_mut(id) else {
            continue;
        };
        // Exports list a conversation newest first; approaches read in the
        // order things were said. Rows without a readable date keep their
        // place relative to each other.
        rows.sort_by_cached_key(|r| dates::message_time(&r.date));
        conversation(id, rows, &me, &directory, limits, &mut invited, &mut items);
    }
    // Invitations with a note from someone the member never messaged are
    // approaches too.
    for invitation in &tables.invitations {
        let who = person(&invitation.from, &invitation.inviter_url);
        if invited.contains(&who)
            || directory
                .invitation(&who, &invitation.from)
                .is_none_or(|i| !std::ptr::eq(i, invitation))
        {
            continue;
        }
        invited.insert(who.clone());
        let mut approach = approach_for(
            &invitation.from,
            &invitation.inviter_url,
            &who,
            &me,
            &directory,
        );
        let mut source = Source {
            file: display_name(super::tables::INVITATIONS),
            counterpart: Some(counterpart_label(&invitation.from, &invitation.inviter_url)),
            ..Source::default()
        };
        approach.id = Some(format!("invitation:{}", invitation.line));
        approach
            .messages
            .push(invitation_message(invitation, limits, &mut source));
        enrich_source(&mut source, &who, &invitation.from, &directory);
        items.push(scanned(approach, source));
    }
    items
}

/// The approaches of one conversation: one per counterpart who wrote.
fn conversation(
    id: &str,
    rows: &[&MessageRow],
    me: &Me,
    directory: &Directory<'_>,
    limits: &ScanLimits,
    invited: &mut HashSet<Person>,
    items: &mut Vec<ScanItem>,
) {
    // Counterparts in the order they first wrote.
    let mut counterparts: Vec<(Person, &str, &str)> = Vec::new();
    let mut people: HashSet<Person> = HashSet::new();
    for row in rows {
        let who = person(&row.from, &row.sender_url);
        if !row.from.is_empty() || !row.sender_url.is_empty() {
            people.insert(who.clone());
        }
        if !me.is(&row.from, &row.sender_url)
            && !row.from.is_empty()
            && !counterparts.iter().any(|(p, _, _)| *p == who)
        {
            counterparts.push((who, &row.from, &row.sender_url));
        }
    }
    for row in rows {
        for (i, name) in split_names(&row.to).into_iter().enumerate() {
            let url = row.recipient_urls.split(';').nth(i).unwrap_or("").trim();
            people.insert(person(name, url));
        }
    }
    if counterparts.is_empty() {
        // Only the member wrote: the conversation is judged all the same,
        // against the person written to.
        let first = rows.first();
        let name = first
            .and_then(|r| split_names(&r.to).into_iter().next())
            .unwrap_or("unknown recipient");
        let url = first
            .and_then(|r| r.recipient_urls.split(';').next())
            .unwrap_or("")
            .trim();
        counterparts.push((person(name, url), name, url));
    }
    let group = counterparts.len() > 1 || people.len() > 2;
    for (n, (who, name, url)) in counterparts.iter().enumerate() {
        let mut approach = approach_for(name, url, who, me, directory);
        approach.id = Some(if counterparts.len() > 1 {
            format!("{id}#{}", n + 1)
        } else {
            id.to_owned()
        });
        let mut source = Source {
            file: "messages.csv".into(),
            conversation_id: Some(id.to_owned()),
            counterpart: Some(counterpart_label(name, url)),
            ..Source::default()
        };
        if group {
            source.notes.push(format!(
                "group conversation with {} people; only {name}'s messages and yours are judged here",
                people.len().max(counterparts.len() + 1)
            ));
        }
        if let Some(invitation) = directory.invitation(who, name)
            && invited.insert(who.clone())
        {
            approach
                .messages
                .push(invitation_message(invitation, limits, &mut source));
        }
        let mut attachments = 0usize;
        for row in rows {
            let from = if me.is(&row.from, &row.sender_url) {
                Author::Recipient
            } else if person(&row.from, &row.sender_url) == *who {
                Author::Sender
            } else {
                continue;
            };
            if !row.attachments.is_empty() {
                attachments += row
                    .attachments
                    .split(';')
                    .filter(|a| !a.trim().is_empty())
                    .count();
            }
            let mut text = message_text(&row.content);
            if cut_text(&mut text, limits.max_text_bytes) {
                source.notes.push(format!(
                    "a message (messages.csv line {}) was cut to {} bytes",
                    row.line, limits.max_text_bytes
                ));
            }
            approach.messages.push(Message {
                sent_at: dates::message_time(&row.date),
                from,
                subject: (!row.subject.is_empty()).then(|| row.subject.clone()),
                text,
            });
        }
        if attachments > 0 {
            source.notes.push(format!(
                "{attachments} attachment(s) shared in the conversation (not opened)"
            ));
        }
        if approach.messages.len() > limits.max_messages {
            let extra = approach.messages.len() - limits.max_messages;
            approach.messages.drain(..extra);
            source.notes.push(format!(
                "the oldest {extra} message(s) were left out (over {} in one conversation)",
                limits.max_messages
            ));
        }
        enrich_source(&mut source, who, name, directory);
        items.push(scanned(approach, source));
    }
}

fn scanned(approach: Approach, source: Source) -> ScanItem {
    ScanItem::Approach(Box::new(Scanned { approach, source }))
}

/// An approach from `name`, with what the export says of them.
fn approach_for(
    name: &str,
    url: &str,
    who: &Person,
    me: &Me,
    directory: &Directory<'_>,
) -> Approach {
    let mut sender = Sender {
        name: name.trim().to_owned(),
        profile_url: linkedin_slug(url).map(|_| url.trim().to_owned()),
        ..Sender::default()
    };
    if sender.name.is_empty() {
        sender.name = "unknown sender".into();
    }
    if let Some(c) = directory.connection(who, name) {
        if !c.company.is_empty() {
            sender.organisation = Some(c.company.clone());
        }
        // What a profile shows under the name when its owner wrote no
        // headline of their own.
        sender.headline = match (c.position.is_empty(), c.company.is_empty()) {
            (false, false) => Some(format!("{} at {}", c.position, c.company)),
            (false, true) => Some(c.position.clone()),
            (true, _) => None,
        };
        if !c.email.is_empty() {
            sender.emails.push(c.email.clone());
        }
        if sender.profile_url.is_none() && linkedin_slug(&c.url).is_some() {
            sender.profile_url = Some(c.url.clone());
        }
    }
    Approach {
        id: None,
        channel: Some(Channel::Linkedin),
        sender,
        recipient: me.display.as_ref().map(|name| Recipient {
            name: Some(name.clone()),
            ..Recipient::default()
        }),
        messages: Vec::new(),
    }
}

/// Notes what the export says of the counterpart beyond the approach.
fn enrich_source(source: &mut Source, who: &Person, name: &str, directory: &Directory<'_>) {
    match directory.connection(who, name) {
        Some(c) if !c.connected_on.is_empty() => {
            source
                .notes
                .push(format!("connected on {}", c.connected_on));
        }
        Some(_) => {}
        None => source.notes.push("not among your connections".into()),
    }
}

fn invitation_message(
    invitation: &Invitation,
    limits: &ScanLimits,
    source: &mut Source,
) -> Message {
    let mut text = invitation.message.clone();
    if cut_text(&mut text, limits.max_text_bytes) {
        source.notes.push("the invitation's note was cut".into());
    }
    source
        .notes
        .push("the conversation starts with an invitation to connect".into());
    Message {
        sent_at: dates::invitation_time(&invitation.sent_at),
        from: Author::Sender,
        subject: Some("Invitation to connect".into()),
        text,
    }
}

fn counterpart_label(name: &str, url: &str) -> String {
    if linkedin_slug(url).is_some() {
        url.trim().to_owned()
    } else {
        name.trim().to_owned()
    }
}

/// The names of a `TO` field: one name, or several joined by commas.
fn split_names(to: &str) -> Vec<&str> {
    to.split(',')
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .collect()
}

/// The text of a message: HTML (InMail, sponsored messages) turned into
/// plain text; other text as it is.
fn message_text(content: &str) -> String {
    if looks_like_html(content) {
        mail_parser::decoders::html::html_to_text(content)
    } else {
        content.to_owned()
    }
}

fn looks_like_html(text: &str) -> bool {
    let lower_has = |tag: &str| {
        text.as_bytes()
            .windows(tag.len())
            .any(|w| w.eq_ignore_ascii_case(tag.as_bytes()))
    };
    text.contains('<')
        && [
            "<p>", "<p ", "<br", "<div", "<html", "<body", "<span", "<table", "<a href", "</a>",
        ]
        .iter()
        .any(|t| lower_has(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_content_becomes_text() {
        let text = message_text(
            "<html><body><p>Dear member,</p><p>A <b>paid</b> role<br>awaits.</p></body></html>",
        );
        assert!(text.contains("Dear member,"), "{text}");
        assert!(text.contains("paid"), "{text}");
        assert!(!text.contains('<'), "{text}");
        assert_eq!(
            message_text("I think 3 < 4, don't you?"),
            "I think 3 < 4, don't you?"
        );
    }

    #[test]
    fn the_most_present_writer_is_the_member() {
        let row = |conv: &str, from: &str| MessageRow {
            conversation_id: conv.into(),
            from: from.into(),
            ..MessageRow::default()
        };
        let rows = [
            row("a", "Me"),
            row("a", "X"),
            row("b", "Me"),
            row("b", "Y"),
            row("c", "Me"),
        ];
        assert_eq!(most_present(&rows).as_deref(), Some("Me"));
    }
}
