//! `forewarn check`: judge approaches.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Result;
use forewarn_core::{Approach, Risk};
use forewarn_ingest::{ApproachReader, Limits};

use crate::batches::batches;
use crate::engine_options::EngineOptions;
use crate::render::Renderer;
use crate::{EXIT_ERROR, EXIT_FLAGGED, EXIT_LOW};

/// Arguments of `forewarn check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Approach files: .json (one approach), .jsonl (one per line), - for standard input.
    #[arg(value_name = "PATH", required = true)]
    paths: Vec<PathBuf>,
    /// Print one verdict per line as JSON (the verdict contract), in input order.
    #[arg(long)]
    json: bool,
    /// Judge the valid approaches and report the bad ones, instead of stopping at the first.
    #[arg(long)]
    keep_going: bool,
    /// How many reasons to show per approach in the terminal view.
    #[arg(long, default_value_t = 5, value_name = "N")]
    reasons: usize,
    /// Match approaches against the alerts in this STIX 2.1 bundle instead of the imported ones. Repeatable.
    #[arg(long = "alerts", value_name = "BUNDLE")]
    alerts: Vec<PathBuf>,
    /// Keep every approach checked in the local store, for `forewarn hunt` to re-check when new alerts arrive.
    #[arg(long)]
    keep: bool,
    #[command(flatten)]
    data: crate::data_dir::DataDir,
    #[command(flatten)]
    engine: EngineOptions,
}

/// Runs `forewarn check`.
pub fn run(args: Args) -> Result<u8> {
    let indicators = crate::alerts::load(&args.alerts, &args.data)?;
    let engine = args.engine.engine()?.with_indicators(indicators);
    let store = if args.keep {
        Some(args.data.open()?)
    } else {
        None
    };
    // JSON carries no styles: write it straight through; the terminal view
    // goes through anstream, which strips styles when they are not wanted.
    let mut out: BufWriter<Box<dyn Write>> = if args.json {
        BufWriter::with_capacity(1 << 16, Box::new(std::io::stdout().lock()))
    } else {
        BufWriter::with_capacity(1 << 16, Box::new(anstream::stdout().lock()))
    };
    let renderer = Renderer::new(args.reasons);
    // One verdict's JSON, reused from line to line.
    let mut line = Vec::new();
    let mut worst = Risk::Low;
    let mut bad = 0usize;
    let mut checked = 0usize;
    for path in &args.paths {
        let reader = match ApproachReader::open(path, Limits::default()) {
            Ok(r) => r,
            Err(e) if args.keep_going => {
                out.flush()?;
                eprintln!("forewarn: {e}");
                bad += 1;
                continue;
            }
            Err(e) => {
                out.flush()?;
                return Err(e.into());
            }
        };
        for batch in batches(reader) {
            let batch = match batch {
                Ok(batch) => batch,
                Err(e) => {
                    out.flush()?;
                    eprintln!("forewarn: {e}");
                    bad += 1;
                    if args.keep_going && e.is_recoverable() {
                        continue;
                    }
                    if args.keep_going {
                        break;
                    }
                    return Ok(EXIT_ERROR);
                }
            };
            let approaches: Vec<&Approach> = batch.iter().map(|read| &read.approach).collect();
            for (read, analysis) in batch.iter().zip(engine.analyse_batch(&approaches)) {
                let verdict = match &store {
                    Some(store) => {
                        let verdict = engine.verdict(&read.approach, &analysis);
                        crate::commands::hunt::keep(
                            store,
                            &engine,
                            &read.approach,
                            &read.location.to_string(),
                            &analysis,
                            verdict.risk.as_str(),
                        )?;
                        verdict
                    }
                    None => engine.into_verdict(&read.approach, analysis),
                };
                worst = worst.max(verdict.risk);
                checked += 1;
                if args.json {
                    line.clear();
                    verdict.write_json(&mut line);
                    line.push(b'\n');
                    out.write_all(&line)?;
                } else {
                    renderer.verdict(&mut out, read, &verdict, &engine)?;
                }
            }
        }
    }
    out.flush()?;
    if bad > 0 {
        eprintln!("forewarn: {bad} bad input(s); {checked} approach(es) judged");
        return Ok(EXIT_ERROR);
    }
    Ok(if worst == Risk::Low {
        EXIT_LOW
    } else {
        EXIT_FLAGGED
    })
}
