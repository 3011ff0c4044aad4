//! `forewarn bench`: time the `check --json` path on generated approaches.
//!
//! The generator writes a realistic mix of approaches (a profile and two to
//! four messages, 1.3 KB on average; `--max-messages 2` makes them 1 KB;
//! ordinary networking, recruiters, conferences and hostile approaches, some
//! with Chinese text and obfuscation), deterministic for a seed. The timing
//! runs the same code as `forewarn check --json` (streaming reader, engine,
//! JSON writer) on one thread, at a tenth of the size and at the full size,
//! and reports the peak resident memory of each run, so that flat memory is
//! visible.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use forewarn_core::{Approach, Engine, Message, Recipient, Sender};
use forewarn_ingest::{ApproachReader, Limits};

use crate::EXIT_LOW;
use crate::batches::batches;
use crate::engine_options::EngineOptions;
use crate::testdata::{FIRST, LAST};

/// Arguments of `forewarn bench`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// How many approaches to generate.
    #[arg(long, default_value_t = 100_000)]
    count: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Most messages in a generated approach: each has two to this many.
    /// Four give 1.3 KB per approach on average, two give 1 KB.
    #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u16).range(2..=100))]
    max_messages: u16,
    /// Only write the generated approaches to FILE (JSON Lines) and stop.
    #[arg(long, value_name = "FILE")]
    generate: Option<PathBuf>,
    /// Directory for the generated files [default: a temporary directory].
    #[arg(long, value_name = "DIR")]
    dir: Option<PathBuf>,
    /// Time each size this many times and report the fastest run and the
    /// median: steadier on a shared machine, whose speed drifts.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=100))]
    repeat: u32,
    #[command(flatten)]
    engine: EngineOptions,
}

/// Runs `forewarn bench`.
pub fn run(args: Args) -> Result<u8> {
    if let Some(path) = &args.generate {
        let bytes = generate(path, args.count, args.seed, args.max_messages)?;
        eprintln!(
            "forewarn: wrote {} approaches ({:.1} MB, {:.0} bytes each) to {}",
            args.count,
            bytes as f64 / 1e6,
            bytes as f64 / args.count.max(1) as f64,
            path.display()
        );
        return Ok(EXIT_LOW);
    }
    let engine = args.engine.engine()?;
    let dir = match &args.dir {
        Some(d) => d.clone(),
        None => std::env::temp_dir().join(format!("forewarn-bench-{}", std::process::id())),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    writeln!(
        out,
        "forewarn bench: check --json on one thread, generated approaches (seed {}, 2 to {} messages)",
        args.seed, args.max_messages
    )?;
    for count in [args.count / 10, args.count] {
        if count == 0 {
            continue;
        }
        let path = dir.join(format!("bench-{count}.jsonl"));
        let bytes = generate(&path, count, args.seed, args.max_messages)?;
        let mut runs = Vec::new();
        let mut judged = 0;
        reset_peak_memory();
        for _ in 0..args.repeat {
            let start = Instant::now();
            judged = check_json(&engine, &path)?;
            runs.push(start.elapsed().as_secs_f64());
        }
        let peak = peak_memory_kib();
        runs.sort_by(f64::total_cmp);
        // `--repeat` is at least 1, so there is a run; of an even number,
        // the median is half way between the two middle ones.
        let middle = (
            runs.get((runs.len().max(1) - 1) / 2),
            runs.get(runs.len() / 2),
        );
        let (Some(&fastest), (Some(&low), Some(&high))) = (runs.first(), middle) else {
            continue;
        };
        let median = (low + high) / 2.0;
        let per_second = |seconds: f64| judged as f64 / seconds;
        write!(
            out,
            "{judged:>8} approaches, {:>7.1} MB: {:>6.2} s, {:>9.0} approaches/s, {:>6.1} MB/s, peak memory {}",
            bytes as f64 / 1e6,
            fastest,
            per_second(fastest),
            bytes as f64 / 1e6 / fastest,
            peak.map_or("n/a".to_owned(), |k| format!(
                "{:.1} MiB",
                k as f64 / 1024.0
            )),
        )?;
        if runs.len() > 1 {
            write!(
                out,
                " (fastest of {} runs; median {:.2} s, {:.0} approaches/s)",
                runs.len(),
                median,
                per_second(median)
            )?;
        }
        writeln!(out)?;
        std::fs::remove_file(&path).ok();
    }
    if args.dir.is_none() {
        std::fs::remove_dir(&dir).ok();
    }
    Ok(EXIT_LOW)
}

/// The `check --json` path: read, judge, write one JSON line each.
fn check_json(engine: &Engine, path: &Path) -> Result<usize> {
    let reader = ApproachReader::open(path, Limits::default())?;
    let mut sink = BufWriter::new(std::io::sink());
    let mut line = Vec::new();
    let mut n = 0;
    for batch in batches(reader) {
        let batch = batch?;
        let approaches: Vec<&Approach> = batch.iter().map(|read| &read.approach).collect();
        for (approach, analysis) in approaches.iter().zip(engine.analyse_batch(&approaches)) {
            let verdict = engine.into_verdict(approach, analysis);
            line.clear();
            verdict.write_json(&mut line);
            line.push(b'\n');
            sink.write_all(&line)?;
            n += 1;
        }
    }
    sink.flush()?;
    Ok(n)
}

/// Resets the kernel's record of peak resident memory (Linux).
fn reset_peak_memory() {
    std::fs::write("/proc/self/clear_refs", "5").ok();
}

/// Peak resident memory since the last reset, in KiB (Linux).
fn peak_memory_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

/// Writes `count` generated approaches, of two to `max_messages` messages
/// each, to `path`; returns the bytes written.
pub fn generate(path: &Path, count: usize, seed: u64, max_messages: u16) -> Result<u64> {
    let file = File::create(path).with_context(|| format!("cannot create `{}`", path.display()))?;
    let mut out = BufWriter::new(file);
    let mut rng = fastrand::Rng::with_seed(seed);
    let mut bytes = 0u64;
    let mut line = Vec::with_capacity(2048);
    for i in 0..count {
        let approach = generate_one(&mut rng, i, usize::from(max_messages));
        line.clear();
        serde_json::to_writer(&mut line, &approach)?;
        line.push(b'\n');
        out.write_all(&line)?;
        bytes += line.len() as u64;
    }
    out.flush()?;
    Ok(bytes)
}

const HEADLINES: &[&str] = &[
    "Senior Policy Adviser at a public affairs consultancy",
    "Talent Consultant | Global Opportunities",
    "Research Fellow, International Political Economy",
    "Partner, Executive Search (Public Sector Practice)",
    "Business Development | International Cooperation",
    "Journalist covering Westminster and Whitehall",
    "PhD candidate in security studies",
];
const OPENERS: &[&str] = &[
    "I came across your recent article on trade policy and found it very thoughtful.",
    "We met briefly at the party conference last autumn and I wanted to follow up.",
    "I am reaching out on behalf of a client who admires your work on economic security.",
    "Our association is organising a public round-table on supply chains next month.",
    "I am a final-year student and would be grateful for fifteen minutes of careers advice.",
    "I lead a retained search for a Head of Government Affairs, salary GBP 95,000 to 110,000.",
    "Thank you for accepting my connection request, it is a pleasure to be in touch.",
];
const MIDDLES: &[&str] = &[
    "The agenda, the other speakers and the registration link are on our website, and the event will be livestreamed.",
    "Our client would pay a generous fee for a short report with your insights on upcoming decisions in your committee.",
    "We would cover business class flights and a five-star hotel for you and your family to attend our forum in Shanghai.",
    "The role is based in London, hybrid, and the full job description is attached; interviews are in early March.",
    "Please note that we never ask for confidential or non-public information, and the call follows our compliance rules.",
    "My boss is very interested in the internal discussions of your department before the budget is announced.",
    "Payment can be made in USDT or bitcoin if that is more convenient for you, nobody needs to know.",
    "我们老板很欣赏您的见解，报酬丰厚，请加我微信详谈。",
    "It would help my dissertation to hear how select committees weigh expert evidence.",
];
const CLOSERS: &[&str] = &[
    "Could we continue on W e C h a t or WhatsApp, it is more discreet than LinkedIn?",
    "Please let me know if a short call next week would suit you.",
    "Happy to send more details by email if helpful.",
    "Kindly keep this between us for now, my client prefers not to be named.",
    "Thank you for your time and best wishes for the new session.",
    "You can reach me at +44 20 7946 0958 or on my work address.",
];

fn pick<'a>(rng: &mut fastrand::Rng, list: &[&'a str]) -> &'a str {
    list[rng.usize(..list.len())]
}

fn generate_one(rng: &mut fastrand::Rng, i: usize, max_messages: usize) -> Approach {
    let first = pick(rng, FIRST);
    let last = pick(rng, LAST);
    let name = format!("{first} {last}");
    let messages = (0..rng.usize(2..=max_messages.max(2)))
        .map(|m| {
            let from_recipient = m % 2 == 1 && rng.bool();
            let text = if from_recipient {
                "Thank you for getting in touch. Could you tell me a little more about your organisation?".to_owned()
            } else {
                format!(
                    "Dear colleague, {} {} {} Best regards, {first}",
                    pick(rng, OPENERS),
                    pick(rng, MIDDLES),
                    pick(rng, CLOSERS)
                )
            };
            Message {
                sent_at: Some(format!("2025-{:02}-{:02}T09:{:02}:00Z", 1 + m * 2, 1 + rng.u32(0..27), rng.u32(0..60))),
                from: if from_recipient {
                    forewarn_core::Author::Recipient
                } else {
                    forewarn_core::Author::Sender
                },
                subject: None,
                text,
            }
        })
        .collect();
    Approach {
        id: Some(format!("bench-{i}")),
        channel: Some(forewarn_core::approach::Channel::Linkedin),
        sender: Sender {
            name,
            headline: Some(pick(rng, HEADLINES).to_owned()),
            organisation: Some("Northbridge Advisory".to_owned()),
            location: Some("London, United Kingdom".to_owned()),
            profile_url: Some(format!(
                "https://www.linkedin.com/in/{}-{}-{}",
                first.to_lowercase(),
                last.to_lowercase(),
                rng.u32(100..999)
            )),
            account_created: Some(format!(
                "20{:02}-0{}-1{}",
                rng.u32(12..25),
                rng.u32(1..9),
                rng.u32(0..9)
            )),
            connections: Some(rng.u64(3..900)),
            mutual_connections: Some(rng.u64(0..20)),
            ..Sender::default()
        },
        recipient: Some(Recipient {
            role: Some("parliamentary_staff".to_owned()),
            ..Recipient::default()
        }),
        messages,
    }
}
