//! `forewarn scan`: check a LinkedIn data export or a mailbox on this
//! machine, and list every suspicious approach in it.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::{Context, Result};
use forewarn_core::{Analysis, Approach, Engine, Risk, Verdict};
use forewarn_ingest::scan::{Member, ScanFormat, ScanItem, ScanLimits, Scanned, Skipped, Source};
use forewarn_ingest::{Location, Read1};
use rayon::prelude::*;
use serde::Serialize;

use crate::batches::MAX_APPROACHES;
use crate::engine_options::EngineOptions;
use crate::render::{Renderer, one_line};
use crate::{EXIT_ERROR, EXIT_FLAGGED, EXIT_LOW};

/// Approaches judged together, on every core, before their output is
/// written in order.
const BATCH: usize = 512;

/// Skipped items named one by one in the terminal summary; the rest are
/// counted.
const SKIPPED_SHOWN: usize = 10;

pub const AFTER_HELP: &str = "\
Formats, detected from the content:
  a LinkedIn data export (\"Get a copy of your data\"): the .zip, or the folder it was extracted to
  an mbox file, a Maildir folder (cur/, new/), one .eml file, or a folder of .eml files

Privacy: scan reads the files on this machine and opens no network connection.
Nothing is sent anywhere; --keep stores findings only in the local data directory.

Exit codes:
  0  every approach found is low risk
  1  at least one approach is medium or high risk
  2  error: unreadable or unsafe input (e.g. a zip bomb), bad options";

/// Arguments of `forewarn scan`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The LinkedIn export (.zip or folder), mbox, Maildir, .eml file or folder of .eml files.
    #[arg(value_name = "PATH")]
    path: PathBuf,
    /// Print one verdict per approach as JSON, with a `source` pointer (file, conversation id or Message-ID).
    #[arg(long)]
    json: bool,
    /// Also write a self-contained HTML report of the findings to FILE, to read and to forward to the security team.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Your name or e-mail address, so your own messages are told apart (found from Profile.csv when absent). Repeatable.
    #[arg(long = "me", value_name = "NAME_OR_EMAIL")]
    me: Vec<String>,
    /// How many of the most suspicious findings to show in the terminal.
    #[arg(long, default_value_t = 10, value_name = "N")]
    top: usize,
    /// How many reasons to show per finding in the terminal.
    #[arg(long, default_value_t = 3, value_name = "N")]
    reasons: usize,
    /// Match against the alerts in this STIX 2.1 bundle instead of the imported ones. Repeatable.
    #[arg(long = "alerts", value_name = "BUNDLE")]
    alerts: Vec<PathBuf>,
    /// Keep the medium- and high-risk findings in the local store, for `forewarn hunt` when new alerts arrive.
    #[arg(long, conflicts_with = "keep_all")]
    keep: bool,
    /// Keep every approach found, low risk too.
    #[arg(long)]
    keep_all: bool,
    /// Do not show a progress bar (it is shown only on a terminal).
    #[arg(long)]
    no_progress: bool,
    #[command(flatten)]
    data: crate::data_dir::DataDir,
    #[command(flatten)]
    engine: EngineOptions,
}

/// A verdict with where its approach came from: the verdict contract plus
/// a `source` object.
#[derive(Serialize)]
struct SourcedVerdict<'a> {
    #[serde(flatten)]
    verdict: &'a Verdict,
    source: &'a Source,
}

/// A finding kept for the summary and the HTML report.
pub struct Finding {
    pub scanned: Scanned,
    pub verdict: Verdict,
}

/// What a scan found, in counts.
#[derive(Debug, Default)]
pub struct Counts {
    pub low: usize,
    pub medium: usize,
    pub high: usize,
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, risk: Risk) {
        match risk {
            Risk::Low => self.low += 1,
            Risk::Medium => self.medium += 1,
            Risk::High => self.high += 1,
        }
    }

    pub fn judged(&self) -> usize {
        self.low + self.medium + self.high
    }
}

/// Runs `forewarn scan`.
pub fn run(args: Args) -> Result<u8> {
    let indicators = crate::alerts::load(&args.alerts, &args.data)?;
    let alerts = indicators.alerts().len();
    let engine = args.engine.engine()?.with_indicators(indicators);
    let store = if args.keep || args.keep_all {
        Some(args.data.open()?)
    } else {
        None
    };
    let member = Member {
        identities: args.me.clone(),
    };
    let mut scan = match forewarn_ingest::scan::open(&args.path, &member, ScanLimits::default()) {
        Ok(scan) => scan,
        Err(e) => {
            eprintln!("forewarn: {e}");
            return Ok(EXIT_ERROR);
        }
    };
    let progress = progress_bar(args.no_progress, scan.format);
    if let Some(total) = scan.progress().total {
        progress.set_length(total);
    }
    progress.set_message(scan.format.describe());
    let mut out = BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    let mut counts = Counts::default();
    let mut findings: Vec<Finding> = Vec::new();
    let mut skipped: Vec<Skipped> = Vec::new();
    let mut batch: Vec<Scanned> = Vec::with_capacity(BATCH);
    let mut failed = None;
    loop {
        let item = scan.next();
        let end = match item {
            None => true,
            Some(Err(e)) => {
                failed = Some(e);
                true
            }
            Some(Ok(ScanItem::Skipped(s))) => {
                counts.skipped += 1;
                if skipped.len() < SKIPPED_SHOWN {
                    skipped.push(s);
                }
                false
            }
            Some(Ok(ScanItem::Approach(scanned))) => {
                batch.push(*scanned);
                false
            }
        };
        if batch.len() >= BATCH || (end && !batch.is_empty()) {
            let judged = judge(&engine, std::mem::take(&mut batch));
            for (scanned, analysis, verdict) in judged {
                counts.add(verdict.risk);
                if let Some(store) = &store
                    && (args.keep_all || verdict.risk != Risk::Low)
                {
                    crate::commands::hunt::keep(
                        store,
                        &engine,
                        &scanned.approach,
                        &scanned.source.to_string(),
                        &analysis,
                        verdict.risk.as_str(),
                    )?;
                }
                if args.json {
                    let line = SourcedVerdict {
                        verdict: &verdict,
                        source: &scanned.source,
                    };
                    serde_json::to_writer(&mut out, &line).context("cannot write the verdict")?;
                    out.write_all(b"\n")?;
                }
                if verdict.risk != Risk::Low {
                    findings.push(Finding { scanned, verdict });
                }
            }
            let p = scan.progress();
            if let Some(total) = p.total {
                progress.set_length(total);
            }
            progress.set_position(p.done);
        }
        if end {
            break;
        }
    }
    progress.finish_and_clear();
    out.flush()?;
    if let Some(e) = failed {
        eprintln!("forewarn: {e}");
        eprintln!(
            "forewarn: scan stopped after {} approach(es); nothing after this point was checked",
            counts.judged()
        );
        return Ok(EXIT_ERROR);
    }
    // Most suspicious first; the input order breaks ties.
    findings.sort_by(|a, b| b.verdict.score.total_cmp(&a.verdict.score));
    if let Some(path) = &args.html {
        let report = crate::scan_report::Report {
            scanned_path: &args.path,
            format: scan.format.describe(),
            counts: &counts,
            findings: &findings,
            skipped: &skipped,
            alerts,
            report_to: &engine.config().report_to,
        };
        crate::scan_report::write(path, &report)?;
    }
    if !args.json {
        summary(
            &args,
            &engine,
            &counts,
            &findings,
            &skipped,
            scan.format.describe(),
        )?;
    }
    Ok(if counts.medium + counts.high == 0 {
        EXIT_LOW
    } else {
        EXIT_FLAGGED
    })
}

/// Judges a batch on every core, each core a few tens of approaches at a
/// time ([`Engine::analyse_batch`]); the results keep the batch's order.
fn judge(engine: &Engine, batch: Vec<Scanned>) -> Vec<(Scanned, Analysis, Verdict)> {
    let approaches: Vec<&Approach> = batch.iter().map(|s| &s.approach).collect();
    let analyses: Vec<Analysis> = approaches
        .par_chunks(MAX_APPROACHES)
        .flat_map_iter(|chunk| engine.analyse_batch(chunk))
        .collect();
    batch
        .into_par_iter()
        .zip(analyses)
        .map(|(scanned, analysis)| {
            let verdict = engine.verdict(&scanned.approach, &analysis);
            (scanned, analysis, verdict)
        })
        .collect()
}

/// A progress bar on standard error when it is a terminal; hidden
/// otherwise. An mbox counts bytes, other formats count items.
fn progress_bar(disabled: bool, format: ScanFormat) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if disabled || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(0);
    let template = if format == ScanFormat::Mbox {
        "{msg}: [{bar:30}] {bytes}/{total_bytes} ({eta} left)"
    } else {
        "{msg}: [{bar:30}] {pos}/{len} ({eta} left)"
    };
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar
}

/// The terminal summary: counts per band, what was skipped, the top
/// findings with their reasons and sources.
fn summary(
    args: &Args,
    engine: &Engine,
    counts: &Counts,
    findings: &[Finding],
    skipped: &[Skipped],
    format: &str,
) -> Result<()> {
    use anstyle::{AnsiColor, Color, Style};
    let bold = Style::new().bold();
    let red = Style::new()
        .bold()
        .fg_color(Some(Color::Ansi(AnsiColor::Red)));
    let yellow = Style::new()
        .bold()
        .fg_color(Some(Color::Ansi(AnsiColor::Yellow)));
    let mut out = anstream::stdout().lock();
    writeln!(
        out,
        "{bold}Scanned {}{bold:#} ({format}): {} approach(es) checked on this machine",
        one_line(&args.path.display().to_string()),
        counts.judged()
    )?;
    writeln!(
        out,
        "  {red}high risk: {}{red:#}   {yellow}medium risk: {}{yellow:#}   low risk: {}",
        counts.high, counts.medium, counts.low
    )?;
    if counts.skipped > 0 {
        writeln!(
            out,
            "  skipped: {} item(s), each with its reason:",
            counts.skipped
        )?;
        for s in skipped {
            writeln!(out, "    {}", one_line(&s.to_string()))?;
        }
        if counts.skipped > skipped.len() {
            writeln!(out, "    and {} more", counts.skipped - skipped.len())?;
        }
    }
    if findings.is_empty() {
        writeln!(out, "\nNo suspicious approach found.")?;
        return Ok(());
    }
    let shown = findings.len().min(args.top);
    writeln!(
        out,
        "\n{bold}The {shown} most suspicious of {} finding(s):{bold:#}\n",
        findings.len()
    )?;
    let renderer = Renderer::new(args.reasons)
        .how_to_report("write a report with `forewarn scan --html FILE` and send it");
    for finding in findings.iter().take(shown) {
        // The verdict's id already names the conversation.
        let source = &finding.scanned.source;
        let location = match &source.message_id {
            Some(id) => format!("{}, Message-ID <{id}>", source.file),
            None => source.file.clone(),
        };
        let read = Read1 {
            location: Location {
                source: location,
                line: None,
            },
            // Only rendered: the size of the message it came from is not kept.
            bytes: 0,
            approach: finding.scanned.approach.clone(),
        };
        renderer.verdict(&mut out, &read, &finding.verdict, engine)?;
        for note in &finding.scanned.source.notes {
            writeln!(out, "  note: {}", one_line(note))?;
        }
        writeln!(out)?;
    }
    if findings.len() > shown {
        writeln!(
            out,
            "and {} more: see --json or --html, or raise --top",
            findings.len() - shown
        )?;
    }
    Ok(())
}
