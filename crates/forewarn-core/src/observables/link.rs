//! E-mail addresses and URLs, found with linkify and kept only when their
//! host has a registrable domain under a known public suffix.

use std::sync::LazyLock;

use linkify::{LinkFinder, LinkKind};
use url::{Host, Url};

use super::{Observable, ObservableKind, char_at, char_before, messenger};

/// Finds URLs (with or without a scheme) and e-mail addresses.
static FINDER: LazyLock<LinkFinder> = LazyLock::new(|| {
    let mut finder = LinkFinder::new();
    finder
        .url_must_have_scheme(false)
        .kinds(&[LinkKind::Url, LinkKind::Email]);
    finder
});

/// Suffixes that are public suffixes but, in a bare "name.ext" written
/// without a scheme or "www.", are far more often file names.
const FILE_LIKE_SUFFIXES: &[&str] = &["zip", "mov", "py", "rs", "md", "sh"];

/// The registrable domain of `host` ("news.bbc.co.uk" gives "bbc.co.uk"),
/// lower-cased and in ASCII (punycode for internationalised names).
///
/// `None` for IP addresses, malformed hosts, and hosts whose suffix is not
/// on the public suffix list ("Mr.Smith", "report.txt", "localhost").
pub fn registrable_domain(host: &str) -> Option<String> {
    let host = host.trim().trim_end_matches('.');
    if host.is_empty() {
        return None;
    }
    let ascii = match Host::parse(host).ok()? {
        Host::Domain(d) => d,
        Host::Ipv4(_) | Host::Ipv6(_) => return None,
    };
    let domain = psl::domain(ascii.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_owned)
}

/// The canonical form of the e-mail address `s` and its registrable domain.
///
/// The address is lower-cased, its host in ASCII (punycode); a leading
/// "mailto:" and surrounding angle brackets are dropped. `None` if `s` is
/// not one address whose host has a known public suffix.
pub fn canonical_email(s: &str) -> Option<(String, String)> {
    let mut s = s.trim();
    if s.get(..7)
        .is_some_and(|p| p.eq_ignore_ascii_case("mailto:"))
    {
        s = s.get(7..)?;
    }
    let s = s.trim_start_matches('<').trim_end_matches('>');
    let (local, host) = s.rsplit_once('@')?;
    if local.is_empty()
        || local.len() > 64
        || local.starts_with('.')
        || local.ends_with('.')
        || local
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || "@<>()[]\\,;:\"".contains(c))
    {
        return None;
    }
    let host = host.trim_end_matches('.');
    let ascii = match Host::parse(host).ok()? {
        Host::Domain(d) => d,
        Host::Ipv4(_) | Host::Ipv6(_) => return None,
    };
    let domain = registrable_domain(&ascii)?;
    Some((format!("{}@{ascii}", local.to_lowercase()), domain))
}

/// The canonical form of the URL `s` and its host's registrable domain.
///
/// `s` may lack its scheme ("www.example.com/a", "example.org"): it is then
/// read as https. The URL is as the `url` crate serialises it (lower-cased
/// scheme and host, punycode, "/" for an empty path). The host must have a
/// known public suffix, or be an IP address written with a scheme (its
/// "domain" is then the address).
pub fn canonical_url(s: &str) -> Option<(String, String)> {
    let s = s.trim();
    let (url, domain) = parse_url(s, scheme_len(s).is_some())?;
    Some((url.to_string(), domain))
}

/// The length of `s`'s "scheme://" prefix, if it has one.
fn scheme_len(s: &str) -> Option<usize> {
    let at = s.find("://")?;
    let scheme = s.get(..at)?;
    let mut chars = scheme.chars();
    let ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    ok.then_some(at + 3)
}

/// Parses `s` (prefixed with "https://" unless `has_scheme`) and returns it
/// with its registrable domain.
fn parse_url(s: &str, has_scheme: bool) -> Option<(Url, String)> {
    let url = if has_scheme {
        Url::parse(s).ok()?
    } else {
        // "mailto:x@example.com" or "x@example.com" is not a bare host.
        let authority = s.split(['/', '?', '#']).next().unwrap_or(s);
        if authority.contains('@') || s.contains(char::is_whitespace) {
            return None;
        }
        Url::parse(&format!("https://{s}")).ok()?
    };
    let domain = match url.host()? {
        Host::Domain(d) => registrable_domain(d)?,
        Host::Ipv4(ip) if has_scheme => ip.to_string(),
        Host::Ipv6(ip) if has_scheme => ip.to_string(),
        Host::Ipv4(_) | Host::Ipv6(_) => return None,
    };
    Some((url, domain))
}

/// Whether `c` is a character of a script written without spaces (CJK,
/// Thai) or CJK punctuation: it cannot be part of a link next to it, but
/// linkify, which allows IRIs, takes it in ("请访问www.example.com谢谢").
fn is_unspaced_script(c: char) -> bool {
    matches!(c,
        '\u{0E00}'..='\u{0E7F}'      // Thai
        | '\u{2E80}'..='\u{9FFF}'    // CJK radicals, punctuation, kana, ideographs
        | '\u{AC00}'..='\u{D7AF}'    // Hangul syllables
        | '\u{F900}'..='\u{FAFF}'    // CJK compatibility ideographs
        | '\u{FE30}'..='\u{FE4F}'    // CJK compatibility forms
        | '\u{FF00}'..='\u{FFEF}'    // full-width forms
        | '\u{20000}'..='\u{3FFFF}') // CJK extensions
}

/// Whether `c` cannot be part of a link although linkify, which allows
/// IRIs, may take it in: characters of unspaced scripts and typographic
/// quotes ("«www.example.com»").
fn is_link_delimiter(c: char) -> bool {
    is_unspaced_script(c)
        || c.is_whitespace()
        || matches!(
            c,
            '«' | '»'
                | '“'
                | '”'
                | '‘'
                | '’'
                | '„'
                | '‹'
                | '›'
                | '"'
                | '<'
                | '>'
                | '`'
                | '|'
                | '…'
        )
}

/// Whether `c` is CJK or full-width punctuation ("，", "。", "：").
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c,
        '\u{3000}'..='\u{303F}'
        | '\u{FF01}'..='\u{FF0F}'
        | '\u{FF1A}'..='\u{FF20}'
        | '\u{FF3B}'..='\u{FF40}'
        | '\u{FF5B}'..='\u{FF65}')
}

/// Narrows the link `text[start..end]` around `anchor` (the scheme or
/// first dot of a URL) to exclude delimiters, then trims trailing
/// punctuation. Up to the end of the host any unspaced-script character
/// ends the link; in the path, only punctuation does ("/wiki/北京" is a
/// path, "，" ends it).
fn narrow(text: &str, start: usize, end: usize, anchor: usize) -> Option<(usize, usize)> {
    let span = text.get(start..end)?;
    let host_end = text
        .get(anchor..end)
        .and_then(|rest| {
            let skip = if rest.starts_with("://") { 3 } else { 0 };
            rest.get(skip..)?
                .find(['/', '?', '#'])
                .map(|i| anchor + skip + i)
        })
        .unwrap_or(end);
    let mut s = start;
    let mut e = end;
    for (i, c) in span.char_indices() {
        let at = start + i;
        let delimits = if at < host_end {
            is_link_delimiter(c)
        } else {
            is_cjk_punctuation(c) || (is_link_delimiter(c) && !is_unspaced_script(c))
        };
        if !delimits {
            continue;
        }
        if at < anchor {
            s = at + c.len_utf8();
        } else {
            e = at;
            break;
        }
    }
    let trimmed = text.get(s..e)?;
    let trimmed = trim_trailing(trimmed);
    (!trimmed.is_empty()).then_some((s, s + trimmed.len()))
}

/// Narrows the e-mail address whose "@" is at `at` within
/// `text[start..end]` to the characters an address is made of.
fn narrow_email(text: &str, start: usize, end: usize, at: usize) -> Option<(usize, usize)> {
    let local_ok = |c: char| {
        (c.is_alphanumeric() && !is_unspaced_script(c)) || "!#$%&'*+-/=?^_{}~.".contains(c)
    };
    let domain_ok =
        |c: char| (c.is_alphanumeric() && !is_unspaced_script(c)) || c == '.' || c == '-';
    let local = text.get(start..at)?;
    let local_len: usize = local
        .chars()
        .rev()
        .take_while(|&c| local_ok(c))
        .map(char::len_utf8)
        .sum();
    let domain = text.get(at + 1..end)?;
    let domain_len: usize = domain
        .chars()
        .take_while(|&c| domain_ok(c))
        .map(char::len_utf8)
        .sum();
    let s = at - local_len;
    let e = at + 1 + domain_len;
    let trimmed = text.get(s..e)?.trim_end_matches(['.', '-']);
    (local_len > 0).then_some((s, s + trimmed.len()))
}

/// `s` without trailing sentence punctuation and unbalanced closing
/// brackets.
fn trim_trailing(mut s: &str) -> &str {
    loop {
        let Some(last) = s.chars().next_back() else {
            return s;
        };
        let drop = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '"' | '-' => true,
            ')' => s.matches(')').count() > s.matches('(').count(),
            ']' => s.matches(']').count() > s.matches('[').count(),
            _ => false,
        };
        if !drop {
            return s;
        }
        s = &s[..s.len() - last.len_utf8()];
    }
}

/// Whether a URL written without a scheme looks like something else: a
/// sentence run together ("Thanks.Best"), an initial ("Mr.Smith"), a file
/// name ("setup.py"), a handle ("@john.doe").
fn bare_host_implausible(text: &str, start: usize, raw: &str) -> bool {
    if char_before(text, start)
        .is_some_and(|c| c == '@' || (c.is_alphanumeric() && !is_unspaced_script(c)))
    {
        return true;
    }
    let host_end = raw.find(['/', '?', '#', ':']).unwrap_or(raw.len());
    let host = raw.get(..host_end).unwrap_or(raw);
    let Some(tld) = host.rsplit('.').next() else {
        return true;
    };
    if tld.is_ascii() {
        let has_lower = tld.bytes().any(|b| b.is_ascii_lowercase());
        let has_upper = tld.bytes().any(|b| b.is_ascii_uppercase());
        if has_lower && has_upper {
            return true;
        }
    }
    let labels = host.split('.').count();
    let starts_www = host
        .get(..4)
        .is_some_and(|w| w.eq_ignore_ascii_case("www."));
    labels == 2
        && !starts_www
        && host_end == raw.len()
        && FILE_LIKE_SUFFIXES.contains(&tld.to_ascii_lowercase().as_str())
}

/// Pushes the URL `text[start..end]` (a messenger link or a plain URL).
fn push_url(text: &str, start: usize, end: usize, out: &mut Vec<Observable>) {
    let Some(raw) = text.get(start..end) else {
        return;
    };
    let has_scheme = scheme_len(raw).is_some();
    if !has_scheme && bare_host_implausible(text, start, raw) {
        return;
    }
    let Some((url, domain)) = parse_url(raw, has_scheme) else {
        return;
    };
    let kind = match messenger::classify(&url) {
        Some((platform, value)) => {
            out.push(Observable {
                kind: ObservableKind::Messenger { platform },
                value,
                start,
                end,
            });
            return;
        }
        None => ObservableKind::Url { domain },
    };
    out.push(Observable {
        kind,
        value: url.to_string(),
        start,
        end,
    });
}

/// Pushes every e-mail address, URL and messenger link in `text`.
pub(super) fn find(text: &str, out: &mut Vec<Observable>) {
    // Every link and address has a dot or "://".
    if !text.contains(['.', ':']) {
        return;
    }
    let mut spans: Vec<(usize, usize)> = Vec::new();
    for link in FINDER.links(text) {
        let (start, end) = (link.start(), link.end());
        spans.push((start, end));
        let Some(raw) = text.get(start..end) else {
            continue;
        };
        match link.kind() {
            LinkKind::Email => {
                let Some(at) = raw.rfind('@') else {
                    continue;
                };
                let Some((s, e)) = narrow_email(text, start, end, start + at) else {
                    continue;
                };
                if let Some((value, domain)) = text.get(s..e).and_then(canonical_email) {
                    out.push(Observable {
                        kind: ObservableKind::Email { domain },
                        value,
                        start: s,
                        end: e,
                    });
                }
            }
            _ => {
                let anchor = match scheme_len(raw) {
                    Some(len) => start + len.saturating_sub(3),
                    None => start + raw.find('.').unwrap_or(0),
                };
                if let Some((s, e)) = narrow(text, start, end, anchor) {
                    push_url(text, s, e, out);
                }
            }
        }
    }
    find_missed_urls(text, &spans, out);
}

/// Finds "http(s)://" links linkify missed (internationalised hosts such as
/// "https://пример.рф/", user-info tricks such as
/// "https://bank.com@evil.com/").
fn find_missed_urls(text: &str, spans: &[(usize, usize)], out: &mut Vec<Observable>) {
    for at in memchr::memmem::find_iter(text.as_bytes(), b"://") {
        // Spans are sorted and disjoint: only the last one starting at or
        // before `at` can contain it.
        let i = spans.partition_point(|&(s, _)| s <= at);
        if i > 0 && spans.get(i - 1).is_some_and(|&(_, e)| at < e) {
            continue;
        }
        let head = text.get(..at).unwrap_or("");
        let scheme_start = head
            .trim_end_matches(|c: char| c.is_ascii_alphabetic())
            .len();
        let scheme = head.get(scheme_start..).unwrap_or("");
        if !(scheme.eq_ignore_ascii_case("http") || scheme.eq_ignore_ascii_case("https")) {
            continue;
        }
        if char_before(text, scheme_start).is_some_and(|c| c.is_ascii_alphanumeric()) {
            continue;
        }
        let after = text.get(at + 3..).unwrap_or("");
        let len = after
            .find(|c: char| {
                is_cjk_punctuation(c) || (is_link_delimiter(c) && !is_unspaced_script(c))
            })
            .unwrap_or(after.len());
        let end = at + 3 + len;
        let Some(raw) = text.get(scheme_start..end) else {
            continue;
        };
        let raw = trim_trailing(raw);
        if raw.len() <= scheme.len() + 3 || char_at(text, scheme_start).is_none() {
            continue;
        }
        push_url(text, scheme_start, scheme_start + raw.len(), out);
    }
}
