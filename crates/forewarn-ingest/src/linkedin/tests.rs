use forewarn_core::Author;

use super::scan_files;
use crate::scan::{Member, ScanItem, ScanLimits, Scanned};

const HEADER: &str = "CONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER,ATTACHMENTS,IS MESSAGE DRAFT\r\n";
const ME: &str = "https://www.linkedin.com/in/alex-morgan";

fn files(messages: &str, extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        (
            "Profile.csv".to_owned(),
            b"First Name,Last Name,Headline\r\nAlex,Morgan,MP\r\n".to_vec(),
        ),
        (
            "messages.csv".to_owned(),
            [
                b"\xef\xbb\xbf".as_slice(),
                HEADER.as_bytes(),
                messages.as_bytes(),
            ]
            .concat(),
        ),
    ];
    files.extend(
        extra
            .iter()
            .map(|(n, c)| ((*n).to_owned(), c.as_bytes().to_vec())),
    );
    files
}

fn approaches(items: Vec<ScanItem>) -> Vec<Scanned> {
    items
        .into_iter()
        .filter_map(ScanItem::into_approach)
        .collect()
}

fn scan(messages: &str, extra: &[(&str, &str)]) -> Vec<Scanned> {
    approaches(
        scan_files(
            files(messages, extra),
            &Member::default(),
            ScanLimits::default(),
        )
        .unwrap(),
    )
}

fn row(conv: &str, from: &str, url: &str, date: &str, content: &str) -> String {
    format!("{conv},,{from},{url},x,,{date},,\"{content}\",INBOX,,No\r\n")
}

#[test]
fn a_conversation_becomes_one_approach_in_time_order_with_the_member_as_recipient() {
    let sam = "https://www.linkedin.com/in/sam-lee-1";
    let messages = [
        row(
            "2-a",
            "Sam Lee",
            sam,
            "2025-01-03 09:00:00 UTC",
            "Third, from Sam",
        ),
        row(
            "2-a",
            "Alex Morgan",
            ME,
            "2025-01-02 09:00:00 UTC",
            "Second, my reply",
        ),
        row(
            "2-a",
            "Sam Lee",
            sam,
            "2025-01-01 09:00:00 UTC",
            "First,\r\nover two lines",
        ),
        format!("2-a,,Alex Morgan,{ME},x,,2025-01-04 09:00:00 UTC,,never sent,INBOX,,Yes\r\n"),
    ]
    .concat();
    let found = scan(&messages, &[]);
    assert_eq!(found.len(), 1);
    let a = &found[0].approach;
    assert_eq!(a.id.as_deref(), Some("2-a"));
    assert_eq!(a.sender.name, "Sam Lee");
    assert_eq!(a.sender.profile_url.as_deref(), Some(sam));
    let texts: Vec<(&str, Author)> = a
        .messages
        .iter()
        .map(|m| (m.text.as_str(), m.from))
        .collect();
    assert_eq!(
        texts,
        [
            ("First,\r\nover two lines", Author::Sender),
            ("Second, my reply", Author::Recipient),
            ("Third, from Sam", Author::Sender),
        ],
        "in time order, the draft left out"
    );
    assert_eq!(
        a.messages[0].sent_at.as_deref(),
        Some("2025-01-01T09:00:00Z")
    );
    assert_eq!(found[0].source.conversation_id.as_deref(), Some("2-a"));
    assert!(a.validate().is_ok());
}

#[test]
fn connections_and_invitations_enrich_the_counterpart() {
    let url = "https://www.linkedin.com/in/renee-dubois-9";
    // The export wrote her name as UTF-8 read as Latin-1.
    let messages = row(
        "2-b",
        "RenÃ©e Dubois",
        url,
        "2025-02-01 10:00:00 UTC",
        "Hello",
    );
    let connections = format!(
        "Notes:\r\n\"When exporting your connection data, you may notice that some of the email addresses are missing.\"\r\n\r\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\r\nRenée,Dubois,{url},renee@example.org,Example Search Ltd,Partner,12 Mar 2024\r\n"
    );
    let invitations = format!(
        "From,To,Sent At,Message,Direction,inviterProfileUrl,inviteeProfileUrl\r\nRenée Dubois,Alex Morgan,\"1/5/25, 9:03 AM\",\"A paid opportunity for you\",INCOMING,{url},{ME}\r\n"
    );
    let found = scan(
        &messages,
        &[
            ("Connections.csv", &connections),
            ("Invitations.csv", &invitations),
        ],
    );
    assert_eq!(found.len(), 1, "the invitation joins the conversation");
    let a = &found[0].approach;
    assert_eq!(a.sender.name, "Renée Dubois");
    assert_eq!(a.sender.organisation.as_deref(), Some("Example Search Ltd"));
    assert_eq!(
        a.sender.headline.as_deref(),
        Some("Partner at Example Search Ltd")
    );
    assert_eq!(a.sender.emails, ["renee@example.org"]);
    assert_eq!(a.messages[0].text, "A paid opportunity for you");
    assert_eq!(
        a.messages[0].sent_at.as_deref(),
        Some("2025-01-05T09:03:00Z")
    );
    assert!(
        found[0]
            .source
            .notes
            .iter()
            .any(|n| n == "connected on 12 Mar 2024")
    );
}

#[test]
fn a_group_conversation_gives_one_approach_per_counterpart() {
    let messages = [
        row(
            "2-g",
            "Sam Lee",
            "https://www.linkedin.com/in/sam",
            "2025-01-01 09:00:00 UTC",
            "From Sam",
        ),
        row(
            "2-g",
            "Kim Park",
            "https://www.linkedin.com/in/kim",
            "2025-01-02 09:00:00 UTC",
            "From Kim",
        ),
        row(
            "2-g",
            "Alex Morgan",
            ME,
            "2025-01-03 09:00:00 UTC",
            "From me",
        ),
    ]
    .concat();
    let found = scan(&messages, &[]);
    let ids: Vec<_> = found
        .iter()
        .map(|s| s.approach.id.clone().unwrap_or_default())
        .collect();
    assert_eq!(ids, ["2-g#1", "2-g#2"]);
    assert_eq!(found[1].approach.sender.name, "Kim Park");
    let texts: Vec<&str> = found[1]
        .approach
        .messages
        .iter()
        .map(|m| m.text.as_str())
        .collect();
    assert_eq!(texts, ["From Kim", "From me"]);
    assert!(
        found[0]
            .source
            .notes
            .iter()
            .any(|n| n.starts_with("group conversation"))
    );
}

#[test]
fn html_inmail_is_read_as_text_and_a_member_only_conversation_is_still_judged() {
    let messages = [
        row("2-h", "Learning Team", "", "2025-01-01 09:00:00 UTC", "<p>Hi Alex,</p><p>Join our <b>webinar</b></p>"),
        format!("2-m,,Alex Morgan,{ME},Sam Lee,https://www.linkedin.com/in/sam,2025-01-01 09:00:00 UTC,,Hi Sam,INBOX,,No\r\n"),
    ]
    .concat();
    let found = scan(&messages, &[]);
    assert_eq!(found.len(), 2);
    assert!(
        found[0].approach.messages[0]
            .text
            .contains("Join our webinar")
    );
    assert!(!found[0].approach.messages[0].text.contains('<'));
    assert_eq!(found[1].approach.sender.name, "Sam Lee");
    assert_eq!(found[1].approach.messages[0].from, Author::Recipient);
}

#[test]
fn without_a_profile_the_member_is_who_writes_in_most_conversations() {
    let messages = [
        row("2-1", "Sam Lee", "", "2025-01-01 09:00:00 UTC", "Hi"),
        row("2-1", "Alex Morgan", "", "2025-01-01 10:00:00 UTC", "Hello"),
        row("2-2", "Kim Park", "", "2025-01-01 09:00:00 UTC", "Hi"),
        row("2-2", "Alex Morgan", "", "2025-01-01 10:00:00 UTC", "Hello"),
    ]
    .concat();
    let files = vec![(
        "messages.csv".to_owned(),
        [HEADER, messages.as_str()].concat().into_bytes(),
    )];
    let found = approaches(scan_files(files, &Member::default(), ScanLimits::default()).unwrap());
    let senders: Vec<&str> = found
        .iter()
        .map(|s| s.approach.sender.name.as_str())
        .collect();
    assert_eq!(senders, ["Sam Lee", "Kim Park"]);
}

#[test]
fn a_messages_file_without_its_header_is_an_error() {
    let files = vec![("messages.csv".to_owned(), b"a,b,c\r\n1,2,3\r\n".to_vec())];
    let err = scan_files(files, &Member::default(), ScanLimits::default()).unwrap_err();
    assert!(err.to_string().contains("CONVERSATION ID"), "{err}");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

    /// Whatever the rows hold, the scan does not panic, every approach it
    /// builds is valid, and every conversation is judged.
    #[test]
    fn every_conversation_becomes_a_valid_approach(
        rows in proptest::collection::vec(
            (0u8..6, "[ -~éÃ©\"\r\n,<>]{0,40}", "[ -~é\"\r\n,]{0,60}", proptest::bool::ANY),
            0..30,
        ),
    ) {
        let mut messages = String::new();
        for (conv, from, content, mine) in &rows {
            let from = if *mine { "Alex Morgan".to_owned() } else { from.replace('"', "\"\"") };
            messages.push_str(&format!(
                "2-{conv},,\"{from}\",,x,,2025-01-01 09:00:00 UTC,,\"{}\",INBOX,,No\r\n",
                content.replace('"', "\"\"")
            ));
        }
        let found = approaches(
            scan_files(files(&messages, &[]), &Member::default(), ScanLimits::default()).unwrap(),
        );
        for s in &found {
            proptest::prop_assert!(s.approach.validate().is_ok(), "{:?}", s.approach);
        }
        let judged: std::collections::HashSet<_> =
            found.iter().filter_map(|s| s.source.conversation_id.clone()).collect();
        let conversations: std::collections::HashSet<_> =
            rows.iter().map(|(c, ..)| format!("2-{c}")).collect();
        proptest::prop_assert_eq!(judged, conversations);
    }
}
