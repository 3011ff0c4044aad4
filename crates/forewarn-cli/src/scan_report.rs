//! The HTML report of `forewarn scan --html`: one self-contained file a
//! member can read in any browser and forward to the security team.
//!
//! Everything in it that came from the scanned history (names, messages,
//! file names, notes) is escaped; the page has no script and no external
//! resource, and its Content-Security-Policy forbids both, so that even a
//! mistake in escaping could not run anything.

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use forewarn_core::{Evidence, Risk};
use forewarn_ingest::scan::Skipped;

use crate::commands::scan::{Counts, Finding};

/// Characters of one message shown in the report; the rest is cut.
const MESSAGE_CHARS: usize = 20_000;

/// What the report shows.
pub struct Report<'a> {
    pub scanned_path: &'a Path,
    pub format: &'a str,
    pub counts: &'a Counts,
    pub findings: &'a [Finding],
    pub skipped: &'a [Skipped],
    pub alerts: usize,
    pub report_to: &'a str,
}

/// Writes the report to `path`, through a temporary file, so that no
/// half-written report is ever left behind.
pub fn write(path: &Path, report: &Report<'_>) -> Result<()> {
    let html = render(report);
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)
        .with_context(|| format!("cannot write in `{}`", dir.display()))?;
    std::io::Write::write_all(&mut tmp, html.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    tmp.persist(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

fn esc(text: &str) -> String {
    html_escape::encode_text(text).into_owned()
}

const STYLE: &str = "
body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b;line-height:1.45}
h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem}
.counts span{display:inline-block;margin-right:1.2rem;font-weight:600}
.finding{border:1px solid #ccc;border-left:6px solid #999;border-radius:4px;padding:.8rem 1rem;margin:1.2rem 0}
.finding.high{border-left-color:#b00020}.finding.medium{border-left-color:#c77700}
.band{font-weight:700;text-transform:uppercase}.high .band{color:#b00020}.medium .band{color:#c77700}
.source{color:#555;font-size:.9rem;word-break:break-all}
.message{background:#f6f6f6;border-radius:4px;padding:.5rem .7rem;margin:.4rem 0;white-space:pre-wrap;word-wrap:break-word}
.message.you{background:#eef4fb}
.meta{color:#555;font-size:.85rem}
mark{background:#ffe27a;padding:0 .1em}
";

fn render(report: &Report<'_>) -> String {
    let mut h = String::with_capacity(64 * 1024);
    let counts = report.counts;
    // Writing to a String cannot fail.
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src 'none'; form-action 'none'; base-uri 'none'\">\
<meta name=\"referrer\" content=\"no-referrer\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>forewarn scan report</title><style>{STYLE}</style></head><body>\n\
<h1>forewarn scan report</h1>\n\
<p>Scanned <code>{path}</code> ({format}) on {date}, on this machine: nothing was sent anywhere. \
{alerts} alert(s) were checked as well as forewarn's rules.</p>\n\
<p class=\"counts\"><span>{judged} approach(es) checked</span><span style=\"color:#b00020\">high risk: {high}</span>\
<span style=\"color:#c77700\">medium risk: {medium}</span><span>low risk: {low}</span><span>skipped: {skipped}</span></p>\n\
<p>To report: send this file to {report_to}. Do not reply to the senders below, and do not delete the messages.</p>\n",
        path = esc(&report.scanned_path.display().to_string()),
        format = esc(report.format),
        date = esc(&crate::now_rfc3339()),
        alerts = report.alerts,
        judged = counts.judged(),
        high = counts.high,
        medium = counts.medium,
        low = counts.low,
        skipped = counts.skipped,
        report_to = esc(report.report_to),
    );
    if report.findings.is_empty() {
        h.push_str("<p>No suspicious approach was found.</p>\n");
    } else {
        let _ = writeln!(
            h,
            "<h2>Findings, most suspicious first ({})</h2>",
            report.findings.len()
        );
    }
    for finding in report.findings {
        finding_html(&mut h, finding);
    }
    if !report.skipped.is_empty() {
        let _ = writeln!(
            h,
            "<h2>Skipped</h2>\n<p>{} item(s) were left out (your own messages, or what could not be read safely); the first are:</p><ul>",
            counts.skipped
        );
        for s in report.skipped {
            let _ = writeln!(h, "<li>{}: {}</li>", esc(&s.location), esc(&s.reason));
        }
        h.push_str("</ul>\n");
    }
    h.push_str("<p class=\"meta\">Written by forewarn scan.</p>\n</body></html>\n");
    h
}

fn finding_html(h: &mut String, finding: &Finding) {
    let verdict = &finding.verdict;
    let approach = &finding.scanned.approach;
    let source = &finding.scanned.source;
    let band = match verdict.risk {
        Risk::High => "high",
        Risk::Medium => "medium",
        Risk::Low => "low",
    };
    let _ = write!(
        h,
        "<section class=\"finding {band}\"><p><span class=\"band\">{band} risk</span> (score {score:.2}): \
<strong>{sender}</strong>",
        score = verdict.score,
        sender = esc(&approach.sender.name),
    );
    let headline = approach.sender.headline.as_deref();
    if let Some(v) = headline {
        let _ = write!(h, ", {}", esc(v));
    }
    if let Some(org) = &approach.sender.organisation
        && !headline.is_some_and(|h| h.contains(org.as_str()))
    {
        let _ = write!(h, ", {}", esc(org));
    }
    h.push_str("</p>\n<p class=\"source\">From ");
    let _ = write!(h, "<code>{}</code>", esc(&source.file));
    if let Some(id) = &source.conversation_id {
        let _ = write!(h, ", conversation <code>{}</code>", esc(id));
    }
    if let Some(id) = &source.message_id {
        let _ = write!(h, ", Message-ID <code>{}</code>", esc(id));
    }
    if let Some(who) = &source.counterpart {
        let _ = write!(h, ", counterpart <code>{}</code>", esc(who));
    }
    h.push_str("</p>\n<p>Why:</p><ul>");
    for signal in verdict.signals.iter().filter(|s| s.weight > 0.0) {
        let _ = write!(h, "<li>{}", esc(&signal.title));
        if let Some(Evidence::Field { field, text }) = signal.evidence.first() {
            let _ = write!(
                h,
                " <span class=\"meta\">({}: {})</span>",
                esc(field),
                esc(text)
            );
        }
        h.push_str("</li>");
    }
    h.push_str("</ul>\n");
    if !verdict.advice.is_empty() {
        h.push_str("<p>What to do:</p><ol>");
        for advice in &verdict.advice {
            let _ = write!(h, "<li>{}</li>", esc(advice));
        }
        h.push_str("</ol>\n");
    }
    if !source.notes.is_empty() || !source.attachments.is_empty() {
        h.push_str("<ul class=\"meta\">");
        for note in &source.notes {
            let _ = write!(h, "<li>{}</li>", esc(note));
        }
        for a in &source.attachments {
            let _ = write!(
                h,
                "<li>attachment (not opened): {} ({}, {} bytes)</li>",
                esc(&a.name),
                esc(&a.content_type),
                a.size
            );
        }
        h.push_str("</ul>\n");
    }
    for (i, message) in approach.messages.iter().enumerate() {
        let you = message.from == forewarn_core::Author::Recipient;
        let _ = write!(
            h,
            "<div class=\"message{}\"><div class=\"meta\">{}{}{}</div>",
            if you { " you" } else { "" },
            if you { "You" } else { "Them" },
            message
                .sent_at
                .as_deref()
                .map(|d| format!(", {}", esc(d)))
                .unwrap_or_default(),
            message
                .subject
                .as_deref()
                .map(|s| format!(": {}", esc(s)))
                .unwrap_or_default(),
        );
        marked(h, &message.text, &spans(verdict, i));
        h.push_str("</div>\n");
    }
    h.push_str("</section>\n");
}

/// The byte spans of message `index` that some signal quotes, sorted and
/// merged.
fn spans(verdict: &forewarn_core::Verdict, index: usize) -> Vec<(usize, usize)> {
    let mut spans: Vec<(usize, usize)> = verdict
        .signals
        .iter()
        .filter(|s| s.weight > 0.0)
        .flat_map(|s| &s.evidence)
        .filter_map(|e| match e {
            Evidence::Message {
                message,
                start,
                end,
                ..
            } if *message == index && start < end => Some((*start, *end)),
            _ => None,
        })
        .collect();
    spans.sort_unstable();
    let mut merged: Vec<(usize, usize)> = Vec::with_capacity(spans.len());
    for (start, end) in spans {
        match merged.last_mut() {
            Some(last) if start <= last.1 => last.1 = last.1.max(end),
            _ => merged.push((start, end)),
        }
    }
    merged
}

/// Writes `text`, escaped, with `spans` marked, cut at [`MESSAGE_CHARS`].
fn marked(h: &mut String, text: &str, spans: &[(usize, usize)]) {
    let limit = text
        .char_indices()
        .nth(MESSAGE_CHARS)
        .map_or(text.len(), |(i, _)| i);
    let mut at = 0;
    for &(start, end) in spans {
        let (start, end) = (start.min(limit), end.min(limit));
        if start < at {
            continue;
        }
        if let (Some(before), Some(hit)) = (text.get(at..start), text.get(start..end)) {
            h.push_str(&esc(before));
            let _ = write!(h, "<mark>{}</mark>", esc(hit));
            at = end;
        }
    }
    if let Some(rest) = text.get(at..limit) {
        h.push_str(&esc(rest));
    }
    if limit < text.len() {
        h.push_str(" […]");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_escaped_and_merged() {
        let mut h = String::new();
        marked(&mut h, "pay <b>cash</b> & crypto", &[(4, 15)]);
        assert_eq!(h, "pay <mark>&lt;b&gt;cash&lt;/b&gt;</mark> &amp; crypto");
        let mut h = String::new();
        // Spans off character boundaries are left unmarked, never cut.
        marked(&mut h, "é<script>", &[(1, 3)]);
        assert_eq!(h, "é&lt;script&gt;");
    }
}
