//! `forewarn rules`: list rule packs and run their examples.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use forewarn_core::RuleSet;
use forewarn_core::rules::{DEFAULT_PACK, RulePack};

use crate::engine_options::{EngineOptions, load_pack};
use crate::{EXIT_FLAGGED, EXIT_LOW};

/// Subcommands of `forewarn rules`.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the rules in use (the default pack, plus any --rules).
    List {
        #[command(flatten)]
        engine: EngineOptions,
        /// Print the rules as JSON.
        #[arg(long)]
        json: bool,
    },
    /// Run every rule's own examples; exits 1 if any fails. Without FILE, tests the default pack.
    Test {
        /// Rule pack files (TOML).
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

/// Runs `forewarn rules`.
pub fn run(command: Command) -> Result<u8> {
    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    match command {
        Command::List { engine, json } => {
            let engine = engine.engine()?;
            let signals = engine.catalogue().signals();
            if json {
                let list: Vec<_> = signals
                    .iter()
                    .map(|s| {
                        serde_json::json!({
                            "id": s.id,
                            "title": s.title,
                            "family": s.family.as_str(),
                            "weight": engine.model().signals.get(&*s.id).copied().unwrap_or(s.prior_weight),
                            "learned": engine.model().signals.contains_key(&*s.id),
                            "pooled": engine.model().pools(&s.id),
                            "builtin": matches!(s.source, forewarn_core::signals::Source::Builtin(_)),
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut out, &list)?;
                writeln!(out)?;
            } else {
                let rules = engine.rules();
                writeln!(
                    out,
                    "{} {} ({} rules, {} built-in signals)",
                    rules.name(),
                    rules.version(),
                    rules.rules().len(),
                    signals.len() - rules.rules().len()
                )?;
                let mut any_pooled = false;
                for s in signals {
                    let weight = engine
                        .model()
                        .signals
                        .get(&*s.id)
                        .copied()
                        .unwrap_or(s.prior_weight);
                    let pooled = engine.model().pools(&s.id);
                    any_pooled |= pooled;
                    writeln!(
                        out,
                        "{:<34} {:<12} {:>6.2}{} {}",
                        s.id,
                        s.family.as_str(),
                        weight,
                        if pooled { "*" } else { " " },
                        s.title
                    )?;
                }
                if any_pooled {
                    writeln!(
                        out,
                        "* pooled: of these, only the one of lowest weight counts in an approach"
                    )?;
                }
            }
            Ok(EXIT_LOW)
        }
        Command::Test { files } => {
            let packs: Vec<(String, RulePack)> = if files.is_empty() {
                vec![(
                    "default rule pack".to_owned(),
                    RulePack::parse(DEFAULT_PACK, "default rule pack")?,
                )]
            } else {
                files
                    .iter()
                    .map(|f| Ok((f.display().to_string(), load_pack(f)?)))
                    .collect::<Result<_>>()?
            };
            let mut failed = 0;
            for (name, pack) in packs {
                let set = RuleSet::compile(pack)?;
                let failures = set.test_examples();
                let (matching, no_match) = set.example_count();
                for f in &failures {
                    let expected = if f.expected_match {
                        "should fire"
                    } else {
                        "should not fire"
                    };
                    writeln!(out, "{name}: {}: {expected} on: {:?}", f.rule, f.sentence)?;
                }
                if failures.is_empty() {
                    writeln!(
                        out,
                        "{name}: {} rules, {} examples: all pass",
                        set.rules().len(),
                        matching + no_match
                    )?;
                } else {
                    writeln!(
                        out,
                        "{name}: {} rules, {} examples: {} fail",
                        set.rules().len(),
                        matching + no_match,
                        failures.len()
                    )?;
                }
                failed += failures.len();
            }
            Ok(if failed == 0 { EXIT_LOW } else { EXIT_FLAGGED })
        }
    }
}
