//! Forwarded messages written inline in the text of an e-mail.
//!
//! Mail programs forward a message by quoting its header fields and text
//! under a marker line:
//!
//! - Gmail: `---------- Forwarded message ---------`;
//! - Thunderbird: `-------- Original Message --------`,
//!   `-------- Forwarded Message --------`;
//! - Outlook: `-----Original Message-----`, or a rule of underscores, then
//!   `From:`, `Sent:`, `To:`, `Subject:`;
//! - Apple Mail: `Begin forwarded message:`.
//!
//! A marker counts only when a block of header fields follows it (at least
//! two `Label: value` lines, one of them naming the sender). Any text set
//! between runs of dashes is accepted as a marker, so that forwards written
//! in any language are found; the sender is the `From` field (or its
//! translation), else the first field holding an e-mail address.

/// One forwarded message found in a text.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct InlineForward {
    /// The sender's display name, if given.
    pub name: Option<String>,
    /// The sender's address, if given.
    pub address: Option<String>,
    /// The date field as written.
    pub date: Option<String>,
    /// The subject field.
    pub subject: Option<String>,
    /// The first recipient, name or address.
    pub to: Option<String>,
    /// The forwarded text, after the header fields, up to the next marker.
    pub text: String,
}

/// A text split at its inline forwards.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Split {
    /// The text before the first forward: the forwarder's own words.
    pub own: String,
    /// The forwards, outermost first: each one forwarded by the sender of
    /// the one before it (the first, by the e-mail's sender).
    pub forwards: Vec<InlineForward>,
    /// Whether more forwards were nested than `max` allowed; the rest stay
    /// in the text of the last one.
    pub truncated: bool,
}

const FROM_LABELS: &[&str] = &[
    "from",
    "von",
    "de",
    "da",
    "van",
    "från",
    "fra",
    "od",
    "от",
    "発信者",
    "差出人",
    "发件人",
    "寄件者",
    "보낸 사람",
    "보낸사람",
];
const DATE_LABELS: &[&str] = &[
    "date",
    "sent",
    "datum",
    "gesendet",
    "envoyé",
    "fecha",
    "enviado",
    "data",
    "inviato",
    "verzonden",
    "skickat",
    "sendt",
    "wysłano",
    "дата",
    "отправлено",
    "日付",
    "送信日時",
    "日期",
    "时间",
    "發送時間",
    "发送时间",
    "날짜",
    "보낸 날짜",
];
const SUBJECT_LABELS: &[&str] = &[
    "subject",
    "betreff",
    "objet",
    "asunto",
    "assunto",
    "oggetto",
    "onderwerp",
    "ämne",
    "emne",
    "temat",
    "тема",
    "件名",
    "主题",
    "主旨",
    "제목",
];
const TO_LABELS: &[&str] = &[
    "to",
    "an",
    "à",
    "a",
    "para",
    "aan",
    "till",
    "til",
    "do",
    "кому",
    "宛先",
    "收件人",
    "받는 사람",
];
const START_LABELS: &[&str] = &[
    "begin forwarded message",
    "anfang der weitergeleiteten nachricht",
    "début du message réexpédié",
    "inicio del mensaje reenviado",
    "início da mensagem reencaminhada",
    "inizio messaggio inoltrato",
    "begin doorgestuurd bericht",
];

/// Splits `text` at the inline forwards it holds, following at most `max`
/// of them.
pub(crate) fn split(text: &str, max: usize) -> Split {
    let lines = Lines::new(text);
    let mut split = Split::default();
    let mut own_end = text.len();
    // The body of the forward being read starts here.
    let mut current: Option<(InlineForward, usize, String)> = None;
    let mut index = 0;
    while let Some(line) = lines.get(index) {
        let Some(prefix) = marker(line.text) else {
            index += 1;
            continue;
        };
        let Some(block) = header_block(&lines, index + 1, &prefix) else {
            index += 1;
            continue;
        };
        if split.forwards.len() + usize::from(current.is_some()) >= max {
            split.truncated = true;
            break;
        }
        match current.take() {
            None => own_end = line.start,
            Some((mut forward, body_start, quote)) => {
                forward.text = unquote(text.get(body_start..line.start).unwrap_or(""), &quote);
                split.forwards.push(forward);
            }
        }
        let body_start = lines.get(block.end).map_or(text.len(), |l| l.start);
        current = Some((block.forward, body_start, prefix));
        index = block.end;
    }
    if let Some((mut forward, body_start, quote)) = current {
        forward.text = unquote(text.get(body_start..).unwrap_or(""), &quote);
        split.forwards.push(forward);
    }
    split.own = text.get(..own_end).unwrap_or(text).to_owned();
    split
}

#[derive(Debug, Clone, Copy)]
struct Line<'a> {
    start: usize,
    text: &'a str,
}

struct Lines<'a> {
    lines: Vec<Line<'a>>,
}

impl<'a> Lines<'a> {
    fn new(text: &'a str) -> Self {
        let mut lines = Vec::new();
        let mut start = 0;
        for piece in text.split_inclusive('\n') {
            let trimmed = piece.trim_end_matches(['\n', '\r']);
            lines.push(Line {
                start,
                text: trimmed,
            });
            start += piece.len();
        }
        Lines { lines }
    }

    fn get(&self, i: usize) -> Option<Line<'a>> {
        self.lines.get(i).copied()
    }
}

/// The quote prefix (`> `) of a line and the rest.
fn strip_quote(line: &str) -> (&str, &str) {
    let rest = line.trim_start_matches(['>', ' ', '\t']);
    let prefix_len = line.len() - rest.len();
    (line.get(..prefix_len).unwrap_or(""), rest)
}

/// Whether `line` is a forward marker; gives its quote prefix.
fn marker(line: &str) -> Option<String> {
    let (prefix, rest) = strip_quote(line);
    let content = rest.trim().trim_matches('*').trim();
    if content.is_empty() || content.len() > 120 {
        return None;
    }
    let is_marker = dashed_label(content)
        || (content.len() >= 8 && content.chars().all(|c| c == '_'))
        || START_LABELS.iter().any(|label| {
            let lower = content.to_lowercase();
            let lower = lower.trim_end_matches([':', ' ']);
            lower == *label
        });
    // Only `>` marks a quote; spaces before an unquoted marker are not part
    // of the prefix to take off the text.
    let quote = if prefix.contains('>') {
        prefix.trim_end()
    } else {
        ""
    };
    is_marker.then(|| quote.to_owned())
}

/// `----- label -----`: at least two dashes on each side of a short text.
fn dashed_label(content: &str) -> bool {
    let Some(inner) = content.strip_prefix("--") else {
        return false;
    };
    let Some(inner) = inner.strip_suffix("--") else {
        return false;
    };
    let label = inner.trim_matches('-').trim();
    !label.is_empty()
        && label.chars().count() <= 40
        && label.chars().any(char::is_alphabetic)
        && !label.contains(':')
}

struct Block {
    forward: InlineForward,
    /// The index of the first line after the block.
    end: usize,
}

/// The header fields after a marker, starting at line `from`.
fn header_block(lines: &Lines<'_>, from: usize, quote: &str) -> Option<Block> {
    let mut index = from;
    // Up to two blank lines may come between the marker and the fields.
    let mut blanks = 0;
    while let Some(line) = lines.get(index) {
        if !unquoted(line.text, quote).trim().is_empty() || blanks == 2 {
            break;
        }
        blanks += 1;
        index += 1;
    }
    let mut fields: Vec<(String, String)> = Vec::new();
    while let Some(line) = lines.get(index) {
        let content = unquoted(line.text, quote);
        if content.trim().is_empty() {
            index += 1;
            break;
        }
        if let Some((label, value)) = field(content) {
            fields.push((label, value));
        } else if content.starts_with([' ', '\t']) && !fields.is_empty() {
            if let Some((_, value)) = fields.last_mut() {
                value.push(' ');
                value.push_str(content.trim());
            }
        } else {
            break;
        }
        index += 1;
        if fields.len() > 32 {
            return None;
        }
    }
    if fields.len() < 2 {
        return None;
    }
    let find = |labels: &[&str]| {
        fields
            .iter()
            .find(|(label, _)| labels.contains(&label.as_str()))
            .map(|(_, value)| value.clone())
    };
    let from_value = find(FROM_LABELS).or_else(|| {
        fields
            .iter()
            .find(|(_, value)| person(value).1.is_some())
            .map(|(_, value)| value.clone())
    })?;
    let (name, address) = person(&from_value);
    if name.is_none() && address.is_none() {
        return None;
    }
    let to = find(TO_LABELS).and_then(|v| {
        let (name, address) = person(v.split([',', ';']).next().unwrap_or(""));
        name.or(address)
    });
    Some(Block {
        forward: InlineForward {
            name,
            address,
            date: find(DATE_LABELS).filter(|d| !d.is_empty()),
            subject: find(SUBJECT_LABELS).filter(|s| !s.is_empty()),
            to,
            text: String::new(),
        },
        end: index,
    })
}

/// `line` without the quote prefix `quote` (and one space after it).
fn unquoted<'a>(line: &'a str, quote: &str) -> &'a str {
    if quote.is_empty() {
        return line;
    }
    match line.strip_prefix(quote) {
        Some(rest) => rest.strip_prefix(' ').unwrap_or(rest),
        None => line,
    }
}

/// Takes the quote prefix off every line of `text`, and the blank lines
/// off its start.
fn unquote(text: &str, quote: &str) -> String {
    let text = text.trim_start_matches(['\n', '\r']);
    if quote.is_empty() {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive('\n') {
        let body = piece.trim_end_matches(['\n', '\r']);
        out.push_str(unquoted(body, quote));
        out.push_str(piece.get(body.len()..).unwrap_or(""));
    }
    out
}

/// A `Label: value` line: the label in lower case, without `*` bold marks.
fn field(line: &str) -> Option<(String, String)> {
    if line.starts_with([' ', '\t']) {
        return None;
    }
    let (label, value) = line.split_once([':', '：'])?;
    let label = label.trim().trim_matches('*').trim();
    if label.is_empty() || label.chars().count() > 30 || label.contains(['<', '@', '>']) {
        return None;
    }
    let value = value.trim().trim_start_matches('*').trim();
    Some((label.to_lowercase(), value.to_owned()))
}

/// A name and an address from `Name <addr>`, `Name [mailto:addr]`, `addr`,
/// or a bare name.
pub(crate) fn person(value: &str) -> (Option<String>, Option<String>) {
    let clean_name = |s: &str| {
        let s = s
            .trim()
            .trim_matches(|c: char| c == '"' || c == '\'' || c == '*' || c.is_whitespace());
        (!s.is_empty()).then(|| s.to_owned())
    };
    for (open, close, skip) in [('<', '>', ""), ('[', ']', "mailto:")] {
        if let Some((before, rest)) = value.split_once(open)
            && let Some((inside, _)) = rest.split_once(close)
        {
            let inside = inside.trim();
            let inside = inside
                .get(..skip.len())
                .filter(|p| p.eq_ignore_ascii_case(skip))
                .map_or(inside, |_| inside.get(skip.len()..).unwrap_or(""));
            if is_address(inside) {
                return (clean_name(before), Some(inside.to_owned()));
            }
        }
    }
    let punctuation: &[char] = &['(', ')', '<', '>', '[', ']', ',', ';', '"', '\'', '*'];
    if let Some(token) = value
        .split_whitespace()
        .map(|t| t.trim_matches(punctuation))
        .find(|t| is_address(t))
    {
        let name = value.replacen(token, "", 1);
        let name = name.trim_matches(|c: char| c.is_whitespace() || punctuation.contains(&c));
        return (clean_name(name), Some(token.to_owned()));
    }
    (clean_name(value), None)
}

/// Whether `s` looks like an e-mail address: `local@domain.tld`.
pub(crate) fn is_address(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "<>()[],;:\"".contains(c))
        && s.len() <= 320
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_forward() {
        let text = "FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Amanda Example <amanda@example.com>\nDate: Mon, Mar 3, 2025 at 10:15 AM\nSubject: An opportunity\nTo: Jane Doe <jane@example.org>\n\n\nDear Jane,\nWe pay well.\n";
        let split = split(text, 8);
        assert_eq!(split.own, "FYI, see below.\n\n");
        assert_eq!(split.forwards.len(), 1);
        let f = &split.forwards[0];
        assert_eq!(f.name.as_deref(), Some("Amanda Example"));
        assert_eq!(f.address.as_deref(), Some("amanda@example.com"));
        assert_eq!(f.date.as_deref(), Some("Mon, Mar 3, 2025 at 10:15 AM"));
        assert_eq!(f.subject.as_deref(), Some("An opportunity"));
        assert_eq!(f.to.as_deref(), Some("Jane Doe"));
        assert_eq!(f.text, "Dear Jane,\nWe pay well.\n");
        assert!(!split.truncated);
    }

    #[test]
    fn outlook_apple_and_thunderbird_forwards() {
        let outlook = "Thoughts?\n\n________________________________\nFrom: Bo Example [mailto:bo@example.com]\nSent: Monday, March 3, 2025 10:15 AM\nTo: Jane Doe\nSubject: Paid report\n\nHello\n";
        let s = split(outlook, 8);
        assert_eq!(s.forwards[0].address.as_deref(), Some("bo@example.com"));
        assert_eq!(s.forwards[0].name.as_deref(), Some("Bo Example"));
        assert_eq!(
            s.forwards[0].date.as_deref(),
            Some("Monday, March 3, 2025 10:15 AM")
        );
        assert_eq!(s.forwards[0].text, "Hello\n");

        let original =
            "-----Original Message-----\nFrom: cy@example.com\nSent: today\nSubject: x\n\nBody\n";
        let s = split(original, 8);
        assert_eq!(s.own, "");
        assert_eq!(s.forwards[0].name, None);
        assert_eq!(s.forwards[0].address.as_deref(), Some("cy@example.com"));

        let apple = "Begin forwarded message:\n\nFrom: Di Example <di@example.com>\nSubject: Trip\nDate: 3 March 2025 at 10:15:00 GMT\nTo: jane@example.org\n\nAll expenses paid.\n";
        let s = split(apple, 8);
        assert_eq!(s.forwards[0].to.as_deref(), Some("jane@example.org"));
        assert_eq!(s.forwards[0].text, "All expenses paid.\n");

        let thunderbird = "-------- Forwarded Message --------\nSubject: \tx\nDate: \tMon, 3 Mar 2025 10:15:00 +0000\nFrom: \tEd Example <ed@example.com>\nTo: \tjane@example.org\n\nHi\n";
        let s = split(thunderbird, 8);
        assert_eq!(s.forwards[0].name.as_deref(), Some("Ed Example"));
        assert_eq!(s.forwards[0].text, "Hi\n");
    }

    #[test]
    fn any_language_between_dashes() {
        let text = "---------- 转发的邮件 ---------\n发件人： Fei Example <fei@example.com>\n日期： 2025年3月3日\n主题： 咨询\n收件人： <jane@example.org>\n\n你好\n";
        let s = split(text, 8);
        assert_eq!(s.forwards.len(), 1);
        assert_eq!(s.forwards[0].address.as_deref(), Some("fei@example.com"));
        assert_eq!(s.forwards[0].subject.as_deref(), Some("咨询"));
        assert_eq!(s.forwards[0].text, "你好\n");
    }

    #[test]
    fn nested_and_quoted_forwards() {
        let text = "mine\n---------- Forwarded message ---------\nFrom: A <a@example.com>\nDate: x\n\nhers\n> ---------- Forwarded message ---------\n> From: B <b@example.com>\n> Subject: y\n>\n> theirs\n> more\n";
        let s = split(text, 8);
        assert_eq!(s.own, "mine\n");
        assert_eq!(s.forwards.len(), 2);
        assert_eq!(s.forwards[0].text, "hers\n");
        assert_eq!(s.forwards[1].address.as_deref(), Some("b@example.com"));
        assert_eq!(s.forwards[1].text, "theirs\nmore\n");
        let limited = split(text, 1);
        assert!(limited.truncated);
        assert_eq!(limited.forwards.len(), 1);
        assert!(limited.forwards[0].text.contains("theirs"));
    }

    #[test]
    fn markers_without_fields_are_text() {
        for text in [
            "---------- Forwarded message ---------\nno fields here\n",
            "-- \nJane Doe\nPhone: 123\n",
            "____________\nName: x\n\nbody",
            "Begin forwarded message:\n\nFrom: \nTo: \n",
        ] {
            let s = split(text, 8);
            assert!(s.forwards.is_empty(), "{text:?}");
            assert_eq!(s.own, text);
        }
    }

    #[test]
    fn people() {
        assert_eq!(
            person("\"Doe, Jane\" <jane@example.org>"),
            (Some("Doe, Jane".into()), Some("jane@example.org".into()))
        );
        assert_eq!(
            person("jane@example.org"),
            (None, Some("jane@example.org".into()))
        );
        assert_eq!(
            person("Jane Doe (jane@example.org)"),
            (Some("Jane Doe".into()), Some("jane@example.org".into()))
        );
        assert_eq!(person("Jane Doe"), (Some("Jane Doe".into()), None));
        assert_eq!(person("  "), (None, None));
        assert!(!is_address("a@b"));
        assert!(!is_address("@b.c"));
        assert!(is_address("a.b+c@d.example"));
    }
}
