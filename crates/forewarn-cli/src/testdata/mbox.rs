//! A synthetic mbox: ordinary mail, planted hostile and benign approaches
//! (each the counterpart's lines of a script, as one e-mail), and the mail
//! quirks a scan must handle: HTML-only bodies, attachments, a Reply-To that
//! goes elsewhere, a forwarded message, `>From ` escaping and CRLF.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result};

use super::scripts::{self, Who};
use super::{FIRST, LAST, Label, Slots, pick};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub messages: usize,
    pub hostile: usize,
    pub benign: usize,
    /// Pad ordinary mail with attachments until the file reaches this many
    /// bytes (for streaming benchmarks).
    pub size: Option<u64>,
}

/// What was generated.
#[derive(Debug, Default)]
pub struct Generated {
    pub messages: usize,
    pub bytes: u64,
    /// One per message: its Message-ID, label and script.
    pub labels: Vec<(String, Label, &'static str)>,
}

const MEMBER: &str = "Alex Morgan <alex.morgan@parliament.example.org>";

/// Writes an mbox to `out`.
pub fn write(out: &Path, options: &Options) -> Result<Generated> {
    let file =
        std::fs::File::create(out).with_context(|| format!("cannot create `{}`", out.display()))?;
    let mut w = BufWriter::with_capacity(1 << 16, file);
    let mut rng = fastrand::Rng::with_seed(options.seed);
    let plan = super::plant(&mut rng, options.messages, options.hostile, options.benign);
    let mut generated = Generated::default();
    let padding_each = options
        .size
        .map(|s| s / options.messages.max(1) as u64)
        .unwrap_or(0);
    for (i, planted) in plan.iter().enumerate() {
        let first = pick(&mut rng, FIRST);
        let last = pick(&mut rng, LAST);
        let (city, amount) = super::hostile_slots(&mut rng);
        let slots = Slots {
            member_first: "Alex",
            counterpart_first: first,
            company: "",
            city,
            amount,
        };
        let id = format!("{}.{}@mail.example.net", i + 1, rng.u32(100_000..999_999));
        let day = 1 + (i % 28);
        let date = format!("Mon, {day:02} Sep 2025 10:{:02}:00 +0000", i % 60);
        let local = format!("{}.{}", first.to_lowercase(), last.to_lowercase())
            .replace(|c: char| !c.is_ascii_alphanumeric() && c != '.', "");
        let mut headers = format!(
            "From: {first} {last} <{local}@example.com>\r\nTo: {MEMBER}\r\nDate: {date}\r\nMessage-ID: <{id}>\r\nMIME-Version: 1.0\r\n"
        );
        let (label, kind, subject, body) = match planted {
            Some((label, script)) => {
                let body: Vec<String> = script
                    .lines
                    .iter()
                    .filter(|(who, _, _)| *who == Who::Them)
                    .map(|(_, _, text)| slots.fill(text))
                    .collect();
                if *label == Label::Hostile && rng.bool() {
                    headers.push_str(&format!("Reply-To: <{local}.private@freemail.example>\r\n"));
                }
                (
                    *label,
                    script.kind,
                    format!("Opportunity: {}", script.position),
                    body.join("\n\n"),
                )
            }
            None => {
                let text = slots.fill(pick(&mut rng, scripts::ORDINARY_OPENERS));
                (Label::Ordinary, "ordinary", "Hello".to_owned(), text)
            }
        };
        generated.labels.push((id.clone(), label, kind));
        write!(
            w,
            "From {local}@example.com Mon Sep {day:2} 10:00:00 2025\r\n{headers}Subject: {subject}\r\n"
        )?;
        let roll = rng.u32(0..100);
        if label == Label::Ordinary && (padding_each > 0 || roll < 5) {
            attachment_mail(&mut w, &mut rng, &body, padding_each.max(2_000))?;
        } else if label == Label::Ordinary && roll < 10 {
            write!(
                w,
                "Content-Type: text/html; charset=utf-8\r\n\r\n<html><body><p>{}</p></body></html>\r\n\r\n",
                html_escape::encode_text(&body)
            )?;
        } else {
            write!(w, "Content-Type: text/plain; charset=utf-8\r\n\r\n")?;
            for line in body.lines() {
                // mboxrd: a body line that starts with "From " is escaped.
                if line.trim_start_matches('>').starts_with("From ") {
                    w.write_all(b">")?;
                }
                write!(w, "{line}\r\n")?;
            }
            w.write_all(b"\r\n")?;
        }
        generated.messages += 1;
    }
    w.flush()?;
    generated.bytes = std::fs::metadata(out).map(|m| m.len()).unwrap_or(0);
    Ok(generated)
}

/// A multipart message with a text body and a base64 attachment of about
/// `size` bytes.
fn attachment_mail(
    w: &mut impl Write,
    rng: &mut fastrand::Rng,
    body: &str,
    size: u64,
) -> Result<()> {
    let boundary = format!("b{}", rng.u64(..));
    write!(
        w,
        "Content-Type: multipart/mixed; boundary=\"{boundary}\"\r\n\r\n--{boundary}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n--{boundary}\r\nContent-Type: application/pdf; name=\"report.pdf\"\r\nContent-Disposition: attachment; filename=\"report.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
    )?;
    const B64: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut line = [0u8; 76];
    let lines = (size / 77).max(1);
    for _ in 0..lines {
        for b in line.iter_mut() {
            *b = B64[rng.usize(..64)];
        }
        w.write_all(&line)?;
        w.write_all(b"\r\n")?;
    }
    write!(w, "--{boundary}--\r\n\r\n")?;
    Ok(())
}

/// The labels of what was generated, for [`super::write_labels`].
pub fn label_lines(generated: &Generated) -> Vec<super::LabelLine<'_>> {
    generated
        .labels
        .iter()
        .map(|(id, label, kind)| super::LabelLine {
            conversation_id: None,
            message_id: Some(id),
            label: *label,
            kind,
        })
        .collect()
}
