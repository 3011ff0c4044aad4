//! Messenger handles: click-to-chat links (wa.me, t.me, signal.me) and
//! handles introduced by the platform's name ("WeChat ID: abc_123",
//! "微信号：abc123", "Telegram @handle", "Signal: name.12").

use std::sync::LazyLock;

use aho_corasick::packed::Searcher;
use daachorse::{DoubleArrayAhoCorasick, DoubleArrayAhoCorasickBuilder, MatchKind};
use regex::Regex;
use url::Url;

use super::{Messenger, Observable, ObservableKind, char_at, char_before, phone};

/// Platform names that introduce a handle, and whether the name already
/// says "ID" ("微信号" is "WeChat number").
const KEYWORDS: &[(&str, Messenger, bool)] = &[
    ("wechat", Messenger::Wechat, false),
    ("we chat", Messenger::Wechat, false),
    ("we-chat", Messenger::Wechat, false),
    ("weixin", Messenger::Wechat, false),
    ("wx", Messenger::Wechat, false),
    ("微信", Messenger::Wechat, false),
    ("微信号", Messenger::Wechat, true),
    ("微信号码", Messenger::Wechat, true),
    ("whatsapp", Messenger::Whatsapp, false),
    ("whats app", Messenger::Whatsapp, false),
    ("telegram", Messenger::Telegram, false),
    ("tg", Messenger::Telegram, false),
    ("signal", Messenger::Signal, false),
];

/// Finds the platform names (longest first) in any mix of ASCII case: each
/// name is in the automaton in every casing of its letters, so the text is
/// read as it is, without a lower-cased copy. A match's value is the name's
/// index in [`KEYWORDS`].
static KEYWORD_FINDER: LazyLock<Option<DoubleArrayAhoCorasick<usize>>> = LazyLock::new(|| {
    let casings = KEYWORDS
        .iter()
        .enumerate()
        .flat_map(|(i, (k, _, _))| ascii_casings(k).into_iter().map(move |c| (c, i)));
    DoubleArrayAhoCorasickBuilder::new()
        .match_kind(MatchKind::LeftmostLongest)
        .build_with_values(casings)
        .ok()
});

/// A piece of each name of [`KEYWORDS`], in lower case, chosen to be rare
/// in ordinary text. Normalisation keeps a run of ASCII letters, lower
/// cased, so a normalised text holds a piece wherever its original holds a
/// name, in any casing.
const PIECES: &[&str] = &["cha", "eix", "wx", "hats", "leg", "tg", "gna", "微信"];

/// Finds the [`PIECES`]: few, short and of one case, they make a
/// vectorised search.
static PIECE_FINDER: LazyLock<Option<Searcher>> = LazyLock::new(|| Searcher::new(PIECES));

/// Whether a text may hold a platform name, judged on its normalised text
/// (`Normalised::as_str`): `false` only when it holds none, and
/// [`find_phrases`] would find nothing.
pub(super) fn may_name(normalised: &str) -> bool {
    PIECE_FINDER
        .as_ref()
        .is_none_or(|finder| finder.find(normalised).is_some())
}

/// Every way of writing `word` with its ASCII letters in either case (2 to
/// the number of letters: the names are short).
fn ascii_casings(word: &str) -> Vec<Vec<u8>> {
    let mut casings = vec![Vec::with_capacity(word.len())];
    for b in word.bytes() {
        if b.is_ascii_alphabetic() {
            let upper: Vec<Vec<u8>> = casings
                .iter()
                .map(|c| {
                    let mut c = c.clone();
                    c.push(b.to_ascii_uppercase());
                    c
                })
                .collect();
            for c in &mut casings {
                c.push(b.to_ascii_lowercase());
            }
            casings.extend(upper);
        } else {
            for c in &mut casings {
                c.push(b);
            }
        }
    }
    casings
}

/// What may follow a platform name before the handle: a second platform
/// ("WeChat/WhatsApp"), an opening bracket ("WeChat (ID: ...)"), a
/// qualifier ("ID", "号"), a separator (":", "is").
static TAIL: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"(?x)^
        (?:\s*[/&,]\s*(?i:whats\s?app|wa|telegram|tg|signal|line|viber|wechat|weixin|微信)\b)?
        (?P<open>\s*[(\[（])?
        (?P<qual>\s*(?:(?i:id|number|account|handle|username|user\s?name)\b|(?i:no)\.|号|账号|帐号))?
        \s*(?P<sep>[:：=]|是|(?i:is)\b)?\s*",
    )
    .ok()
});

/// A WeChat ID: 6 to 20 characters, a letter first, then letters, digits,
/// `_` or `-`.
static WECHAT_ID: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_\-]{5,19}").ok());

/// A Telegram username: 5 to 32 characters, a letter first.
static TELEGRAM_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z][A-Za-z0-9_]{4,31}").ok());

/// A Signal username: a nickname, a dot and two or more digits.
static SIGNAL_NAME: LazyLock<Option<Regex>> =
    LazyLock::new(|| Regex::new(r"^[A-Za-z_][A-Za-z0-9_]{2,31}\.[0-9]{2,9}").ok());

/// Ordinary words that follow "WeChat:" without being an ID.
const STOP_WORDS: &[&str] = &[
    "account",
    "accounts",
    "above",
    "anytime",
    "available",
    "below",
    "channel",
    "contact",
    "details",
    "group",
    "instead",
    "message",
    "messages",
    "number",
    "numbers",
    "later",
    "please",
    "preferred",
    "private",
    "there",
    "through",
    "whatsapp",
    "telegram",
    "signal",
    "wechat",
    "weixin",
    "username",
    "contacts",
];

/// The platform and canonical handle of a messenger link, if `s` is one.
///
/// wa.me/NUMBER and api.whatsapp.com/send?phone=NUMBER give the number in
/// E.164 (the digits as written if they are not a valid number);
/// chat.whatsapp.com/CODE the invite code; t.me/NAME and telegram.me/NAME
/// the lower-cased name (t.me/+NUMBER the E.164 number, t.me/+CODE and
/// t.me/joinchat/CODE the invite); signal.me/#p/NUMBER the E.164 number,
/// other signal.me and signal.group links the URL itself. `s` may lack its
/// scheme ("t.me/name").
pub fn messenger_link(s: &str) -> Option<(Messenger, String)> {
    let s = s.trim();
    let url = if s.contains("://") {
        Url::parse(s).ok()?
    } else {
        Url::parse(&format!("https://{s}")).ok()?
    };
    classify(&url)
}

/// The hosts of messenger links (without "www."), the only ones
/// [`classify`] reads.
const LINK_HOSTS: &[&str] = &[
    "wa.me",
    "api.whatsapp.com",
    "web.whatsapp.com",
    "whatsapp.com",
    "chat.whatsapp.com",
    "t.me",
    "telegram.me",
    "telegram.dog",
    "signal.me",
    "signal.group",
];

/// For each byte, whether it follows the first dot of a host of
/// [`LINK_HOSTS`] (they are lower case).
const AFTER_FIRST_DOT: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < LINK_HOSTS.len() {
        let host = LINK_HOSTS[i].as_bytes();
        let mut j = 0;
        while j + 1 < host.len() {
            if host[j] == b'.' {
                table[host[j + 1] as usize] = true;
                break;
            }
            j += 1;
        }
        i += 1;
    }
    table
};

/// Whether `text` may hold a messenger link: `false` only when no link in
/// it can have one of [`LINK_HOSTS`] as its host.
///
/// A parsed host is lower-cased ASCII, but the parser also maps full-width
/// and other compatibility characters and decodes percent escapes, so only
/// an ASCII text without `%` must hold the host as written, in some case.
/// Each host has a dot, and most dots of a text end a sentence: the byte
/// after a dot rules out nearly all of them at once.
pub(super) fn may_link(text: &str) -> bool {
    if !text.is_ascii() || text.contains('%') {
        return true;
    }
    let bytes = text.as_bytes();
    memchr::memchr_iter(b'.', bytes).any(|dot| {
        let after = bytes.get(dot + 1).map_or(0, u8::to_ascii_lowercase);
        if !AFTER_FIRST_DOT[usize::from(after)] {
            return false;
        }
        LINK_HOSTS.iter().any(|host| {
            let Some(first_dot) = host.find('.') else {
                return false;
            };
            dot.checked_sub(first_dot)
                .and_then(|start| bytes.get(start..start + host.len()))
                .is_some_and(|written| written.eq_ignore_ascii_case(host.as_bytes()))
        })
    })
}

/// The messenger handle a parsed URL links to, if any.
pub(super) fn classify(url: &Url) -> Option<(Messenger, String)> {
    let host = url.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    if !LINK_HOSTS.contains(&host) {
        return None;
    }
    let segments: Vec<&str> = url
        .path_segments()
        .map(|s| s.filter(|p| !p.is_empty()).collect())
        .unwrap_or_default();
    let first = segments.first().copied();
    match host {
        "wa.me" => {
            let first = first?;
            let digits = first.strip_prefix('+').unwrap_or(first);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                return Some((Messenger::Whatsapp, whatsapp_number(digits)));
            }
            let code = segments.get(1).filter(|_| first == "message")?;
            Some((Messenger::Whatsapp, format!("message/{code}")))
        }
        "api.whatsapp.com" | "web.whatsapp.com" | "whatsapp.com" => {
            if first != Some("send") {
                return None;
            }
            let phone = url
                .query_pairs()
                .find(|(k, _)| k == "phone")
                .map(|(_, v)| v.into_owned())?;
            let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
            (!digits.is_empty()).then(|| (Messenger::Whatsapp, whatsapp_number(&digits)))
        }
        "chat.whatsapp.com" => Some((Messenger::Whatsapp, first?.to_owned())),
        "t.me" | "telegram.me" | "telegram.dog" => {
            let name = match first? {
                "s" => segments.get(1).copied()?,
                "joinchat" => {
                    return Some((
                        Messenger::Telegram,
                        format!("joinchat/{}", segments.get(1)?),
                    ));
                }
                name => name,
            };
            if let Some(rest) = name.strip_prefix('+') {
                if rest.is_empty() {
                    return None;
                }
                if rest.bytes().all(|b| b.is_ascii_digit()) {
                    let value =
                        phone::canonical_phone(name, None).unwrap_or_else(|| name.to_owned());
                    return Some((Messenger::Telegram, value));
                }
                return Some((Messenger::Telegram, name.to_owned()));
            }
            let re = TELEGRAM_NAME.as_ref()?;
            re.find(name)
                .filter(|m| m.end() == name.len())
                .map(|_| (Messenger::Telegram, name.to_ascii_lowercase()))
        }
        "signal.me" => {
            let fragment = url.fragment()?;
            if let Some(number) = fragment.strip_prefix("p/") {
                let number = percent_decode_plus(number);
                if let Some(e164) = phone::canonical_phone(&number, None) {
                    return Some((Messenger::Signal, e164));
                }
            }
            (!fragment.is_empty()).then(|| (Messenger::Signal, url.to_string()))
        }
        "signal.group" => url.fragment().map(|_| (Messenger::Signal, url.to_string())),
        _ => None,
    }
}

/// A wa.me number in E.164, or its digits if it is not a valid number.
fn whatsapp_number(digits: &str) -> String {
    phone::canonical_phone(&format!("+{digits}"), None).unwrap_or_else(|| digits.to_owned())
}

/// Decodes `%2B` (the only escape seen in signal.me phone links).
fn percent_decode_plus(s: &str) -> String {
    s.replace("%2B", "+").replace("%2b", "+")
}

/// Whether `c` continues a handle (so a match ending before it is cut).
fn continues_handle(text: &str, end: usize) -> bool {
    match char_at(text, end) {
        None => false,
        Some(c) if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '@') => true,
        // "john.smith" or "name.example.com": a dot followed by more of it.
        Some('.') => char_at(text, end + 1).is_some_and(|n| n.is_ascii_alphanumeric()),
        Some(_) => false,
    }
}

/// Pushes the handles introduced by a platform name onto `out`.
pub(super) fn find_phrases(text: &str, region: Option<&str>, out: &mut Vec<Observable>) {
    let (Some(finder), Some(tail)) = (KEYWORD_FINDER.as_ref(), TAIL.as_ref()) else {
        return;
    };
    for m in finder.leftmost_find_iter(text) {
        let Some(&(keyword, platform, qualified)) = KEYWORDS.get(m.value()) else {
            continue;
        };
        let (start, end) = (m.start(), m.end());
        // Latin names must be whole words ("wx" not in "wxyz", "signal" not
        // in "signals").
        if keyword.is_ascii()
            && (char_before(text, start).is_some_and(|c| c.is_ascii_alphanumeric())
                || char_at(text, end).is_some_and(|c| c.is_ascii_alphanumeric()))
        {
            continue;
        }
        let Some(rest) = text.get(end..) else {
            continue;
        };
        let Some(caps) = tail.captures(rest) else {
            continue;
        };
        let strong_sep = caps
            .name("sep")
            .is_some_and(|s| matches!(s.as_str(), ":" | "：" | "=" | "是"));
        let strong = qualified || caps.name("qual").is_some() || strong_sep;
        let id_start = end + caps.get(0).map_or(0, |c| c.end());
        if let Some(found) = handle_at(text, id_start, platform, strong, region) {
            out.push(found);
        }
    }
}

/// Reads the handle of `platform` starting at `start`.
fn handle_at(
    text: &str,
    start: usize,
    platform: Messenger,
    strong: bool,
    region: Option<&str>,
) -> Option<Observable> {
    let rest = text.get(start..)?;
    let first = rest.chars().next()?;
    let make = |value: String, end: usize| Observable {
        kind: ObservableKind::Messenger { platform },
        value,
        start,
        end,
    };
    if first == '+' || first.is_ascii_digit() || first == '(' {
        let (end, e164) = phone::at(text, start, region)?;
        return Some(make(e164, end));
    }
    let at_sign = first == '@' && matches!(platform, Messenger::Telegram | Messenger::Signal);
    let name_start = if at_sign { start + 1 } else { start };
    let name_text = text.get(name_start..)?;
    let re = match platform {
        Messenger::Wechat => WECHAT_ID.as_ref()?,
        Messenger::Telegram => TELEGRAM_NAME.as_ref()?,
        Messenger::Signal => SIGNAL_NAME.as_ref()?,
        Messenger::Whatsapp => return None,
    };
    let name = re.find(name_text)?.as_str();
    let end = name_start + name.len();
    if continues_handle(text, end) {
        return None;
    }
    let marked = name
        .bytes()
        .any(|b| b.is_ascii_digit() || b == b'_' || b == b'-');
    if !(strong || at_sign || marked) {
        return None;
    }
    let value = name.to_ascii_lowercase();
    if !marked && STOP_WORDS.contains(&value.as_str()) {
        return None;
    }
    Some(make(value, end))
}

#[cfg(test)]
pub(super) fn statics_compile() -> bool {
    PIECE_FINDER.is_some()
        && KEYWORD_FINDER.is_some()
        && TAIL.is_some()
        && WECHAT_ID.is_some()
        && TELEGRAM_NAME.is_some()
        && SIGNAL_NAME.is_some()
}

#[cfg(test)]
mod casing_tests {
    use super::*;

    #[test]
    fn every_casing_of_a_name_is_listed_once() {
        let casings = ascii_casings("we-chat");
        assert_eq!(casings.len(), 64);
        assert!(casings.contains(&b"We-ChAt".to_vec()));
        let mut unique = casings.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), casings.len());
        assert_eq!(ascii_casings("微信"), vec!["微信".as_bytes().to_vec()]);
    }

    #[test]
    fn every_name_holds_a_piece() {
        for (keyword, _, _) in KEYWORDS {
            assert!(
                PIECES.iter().any(|p| keyword.contains(p)),
                "{keyword} holds none of the pieces"
            );
        }
    }

    #[test]
    fn names_are_found_in_any_case() {
        for text in [
            "wEcHaT ID: jli_2024",
            "WECHAT ID: jli_2024",
            "wechat id: jli_2024",
        ] {
            let out = phrases(text);
            assert_eq!(out.len(), 1, "{text}");
            assert_eq!(out[0].value, "jli_2024");
        }
    }

    #[test]
    fn words_after_a_handle_qualifier_are_no_handle() {
        for text in [
            "I got your Telegram handle from the speakers' group",
            "Telegram handle below",
            "Our Telegram channel: later",
        ] {
            let out = phrases(text);
            assert!(out.is_empty(), "{text}: {out:?}");
        }
        assert_eq!(phrases("Telegram handle: lisbon_forum").len(), 1);
    }

    /// The handles [`find_phrases`] finds in `text`.
    fn phrases(text: &str) -> Vec<Observable> {
        let mut out = Vec::new();
        find_phrases(text, None, &mut out);
        out
    }
}

#[cfg(test)]
mod link_host_tests {
    use super::*;

    #[test]
    fn every_host_is_seen_in_any_case() {
        for host in LINK_HOSTS {
            for text in [
                format!("see {host}/abc."),
                format!("see https://www.{}/abc", host.to_ascii_uppercase()),
                (*host).to_owned(),
            ] {
                assert!(may_link(&text), "{text}");
            }
        }
    }

    #[test]
    fn texts_that_cannot_hold_a_messenger_link() {
        for text in [
            "We met. Many thanks. Do get in touch on WhatsApp.",
            "https://example.com/team.me and mail@example.org",
            "",
        ] {
            assert!(!may_link(text), "{text}");
        }
        // Full-width letters and percent escapes may still parse to a host.
        assert!(may_link("ｗａ.ｍｅ/447700900123"));
        assert!(may_link("https://%77a.me/447700900123"));
    }
}
