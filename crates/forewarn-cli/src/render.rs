//! The terminal view of a verdict, for a member who is not technical.
//!
//! Colour is written as ANSI styles; `anstream` strips them when standard
//! output is not a terminal or `NO_COLOR` is set.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use forewarn_core::rules::Family;
use forewarn_core::{Approach, Engine, Evidence, Risk, Verdict};
use forewarn_ingest::Read1;

/// Characters of context shown around quoted evidence.
const CONTEXT_CHARS: usize = 50;

/// Renders verdicts for people.
pub struct Renderer {
    reasons: usize,
    how_to_report: &'static str,
}

const BOLD: Style = Style::new().bold();
const DIM: Style = Style::new().dimmed();
const EVIDENCE: Style = Style::new()
    .bold()
    .fg_color(Some(anstyle::Color::Ansi(AnsiColor::Yellow)));

fn band_style(risk: Risk) -> Style {
    let colour = match risk {
        Risk::High => AnsiColor::Red,
        Risk::Medium => AnsiColor::Yellow,
        Risk::Low => AnsiColor::Green,
    };
    Style::new()
        .bold()
        .fg_color(Some(anstyle::Color::Ansi(colour)))
}

impl Renderer {
    /// A renderer showing at most `reasons` reasons per approach.
    pub fn new(reasons: usize) -> Renderer {
        Renderer {
            reasons,
            how_to_report: "send this approach file and `forewarn check --json` output",
        }
    }

    /// Says what to send when reporting, for commands other than `check`.
    pub fn how_to_report(mut self, what: &'static str) -> Renderer {
        self.how_to_report = what;
        self
    }

    /// Writes the view of one verdict.
    pub fn verdict(
        &self,
        out: &mut impl Write,
        read: &Read1,
        verdict: &Verdict,
        engine: &Engine,
    ) -> io::Result<()> {
        let config = engine.config();
        let is_context = |id: &str| {
            engine
                .catalogue()
                .find(id)
                .is_some_and(|i| engine.catalogue().signals()[i].family == Family::Context)
        };
        let approach = &read.approach;
        // The id comes from the input, like the sender's name.
        let name = one_line(verdict.id.as_deref().unwrap_or("approach"));
        writeln!(
            out,
            "{BOLD}{name}{BOLD:#} {DIM}({}, from {}){DIM:#}",
            read.location,
            one_line(&approach.sender.name)
        )?;
        let band = band_style(verdict.risk);
        let headline = match verdict.risk {
            Risk::High => "HIGH RISK: this looks like a covert approach",
            Risk::Medium => "MEDIUM RISK: some signs of a covert approach",
            Risk::Low => "LOW RISK: no clear signs of a covert approach",
        };
        writeln!(
            out,
            "  {band}{headline}{band:#} {DIM}(score {:.2}){DIM:#}",
            verdict.score
        )?;
        // Red flags that raise the score are reasons; context that lowers it
        // is shown as what looks ordinary. A red flag the model weighs
        // slightly down (few connections are common among students) is
        // neither, and stays in --json.
        let reasons: Vec<_> = verdict
            .signals
            .iter()
            .filter(|s| s.weight > 0.0 && !is_context(&s.id))
            .collect();
        if !reasons.is_empty() {
            writeln!(out, "\n  Why:")?;
            for signal in reasons.iter().take(self.reasons) {
                writeln!(out, "  • {}", signal.title)?;
                if let Some(e) = signal.evidence.first() {
                    writeln!(out, "      {}", quote(approach, e))?;
                }
            }
            if reasons.len() > self.reasons {
                writeln!(
                    out,
                    "  {DIM}and {} more (see --json){DIM:#}",
                    reasons.len() - self.reasons
                )?;
            }
        }
        let ordinary: Vec<_> = verdict
            .signals
            .iter()
            .filter(|s| s.weight < 0.0 && is_context(&s.id))
            .collect();
        if !ordinary.is_empty() {
            writeln!(out, "\n  What looks ordinary:")?;
            for signal in ordinary.iter().take(3) {
                writeln!(out, "  • {}", signal.title)?;
            }
        }
        writeln!(out, "\n  What to do now:")?;
        for (i, advice) in verdict.advice.iter().enumerate() {
            // Advice may quote an alert's name and issuer: outside input.
            writeln!(out, "  {}. {}", i + 1, one_line(advice))?;
        }
        if verdict.risk != Risk::Low {
            writeln!(
                out,
                "  {DIM}To report: {} to {}.{DIM:#}",
                self.how_to_report, config.report_to
            )?;
        }
        writeln!(out)
    }
}

/// Text without line breaks, control characters or bidirectional
/// overrides, for one terminal line: a message must not be able to move the
/// cursor, change colours or reorder what the reader sees.
pub fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            let bidi = matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{061C}');
            if c.is_control() || bidi { ' ' } else { c }
        })
        .collect()
}

/// Quotes a piece of evidence in its context, the evidence highlighted.
fn quote(approach: &Approach, evidence: &Evidence) -> String {
    match evidence {
        Evidence::Message {
            message,
            start,
            end,
            ..
        } => {
            let Some(text) = approach.messages.get(*message).map(|m| m.text.as_str()) else {
                return String::new();
            };
            let (Some(before), Some(hit), Some(after)) =
                (text.get(..*start), text.get(*start..*end), text.get(*end..))
            else {
                return String::new();
            };
            let before: String = before
                .chars()
                .rev()
                .take(CONTEXT_CHARS)
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let after: String = after.chars().take(CONTEXT_CHARS).collect();
            let lead = if before.len() < text[..*start].len() {
                "…"
            } else {
                ""
            };
            let tail = if after.len() < text[*end..].len() {
                "…"
            } else {
                ""
            };
            format!(
                "{DIM}message {}:{DIM:#} \"{lead}{}{EVIDENCE}[{}]{EVIDENCE:#}{}{tail}\"",
                message + 1,
                one_line(&before),
                one_line(hit),
                one_line(&after)
            )
        }
        Evidence::Field { field, text } => {
            format!(
                "{DIM}{field}:{DIM:#} {EVIDENCE}{}{EVIDENCE:#}",
                one_line(text)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::one_line;

    #[test]
    fn terminal_controls_and_bidi_overrides_are_neutralised() {
        assert_eq!(one_line("a\u{1b}[31mb\nc\u{202E}d"), "a [31mb c d");
    }
}
