//! `forewarn train`: fit the scoring model on a labelled corpus.

use std::path::PathBuf;

use anyhow::{Context, Result};
use forewarn_core::model::{TrainingSettings, train};
use forewarn_core::padding;
use forewarn_core::rules::Family;
use forewarn_ingest::Label;

use crate::EXIT_LOW;
use crate::corpus::{self, Split};
use crate::engine_options::EngineOptions;

/// Arguments of `forewarn train`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Corpus directory with train/ and dev/ splits of labelled .jsonl files.
    #[arg(value_name = "CORPUS")]
    corpus: PathBuf,
    /// Where to write the model (JSON).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Seed of the text-feature hash.
    #[arg(long, default_value_t = TrainingSettings::default().seed)]
    seed: u64,
    /// L2 penalty on signal weights.
    #[arg(long, default_value_t = TrainingSettings::default().signal_l2)]
    signal_l2: f64,
    /// L2 penalty on text-feature weights.
    #[arg(long, default_value_t = TrainingSettings::default().text_l2)]
    text_l2: f64,
    #[command(flatten)]
    engine: EngineOptions,
}

/// Runs `forewarn train`.
pub fn run(args: Args) -> Result<u8> {
    let settings = TrainingSettings {
        seed: args.seed,
        signal_l2: args.signal_l2,
        text_l2: args.text_l2,
        ..TrainingSettings::default()
    };
    // Features come from the rules and settings alone: no earlier model is
    // read, so a model of an older format can be replaced.
    if args.engine.model.is_some() {
        anyhow::bail!("train reads no model: --model only applies to the commands that score");
    }
    let model = forewarn_core::model::Model::untrained(settings.clone());
    let mut config = args.engine.config()?;
    if args.engine.as_of.is_none() {
        // Undated approaches must not depend on the day of training.
        config.today = None;
    }
    let engine = forewarn_core::Engine::new(args.engine.rule_set()?, model, config);
    let read = |split| -> Result<Vec<corpus::Entry>> {
        corpus::read(&corpus::files(&args.corpus, split)?, None)
    };
    let examples = |entries: &[corpus::Entry]| -> Vec<forewarn_core::model::Example> {
        entries
            .iter()
            .map(|e| engine.example(&e.record.approach, e.label == Label::Hostile))
            .collect()
    };
    let train_entries = read(Split::Train)?;
    let mut train_set = examples(&train_entries);
    let dev_set = examples(&read(Split::Dev)?);
    // Pasted reassurance is cheap: a share of the hostile approaches is
    // also learned with a context sentence of the benign ones pasted in.
    let of = |label: Label| {
        train_entries
            .iter()
            .filter(move |e| e.label == label)
            .map(|e| &e.record.approach)
    };
    let sentences = padding::context_sentences(&engine, of(Label::Benign));
    let padded = padding::padded_copies(of(Label::Hostile), &sentences, settings.seed);
    train_set.extend(padded.iter().map(|a| engine.example(a, true)));
    let ids: Vec<String> = engine
        .catalogue()
        .signals()
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    eprintln!(
        "forewarn: training on {} approaches ({} of them hostile ones padded with one of {} context sentences), calibrating on {}",
        train_set.len(),
        padded.len(),
        sentences.len(),
        dev_set.len()
    );
    // Context does not add up (see `forewarn_core::model::train`).
    let pooled: Vec<String> = engine
        .catalogue()
        .signals()
        .iter()
        .filter(|s| s.family == Family::Context)
        .map(|s| s.id.to_string())
        .collect();
    let model = train(&ids, &pooled, &train_set, &dev_set, &settings)?;
    let text = model.to_json();
    // Write next to the target, then rename: never a half-written model.
    let tmp = args.out.with_extension("json.tmp");
    std::fs::write(&tmp, &text).with_context(|| format!("cannot write `{}`", tmp.display()))?;
    std::fs::rename(&tmp, &args.out)
        .with_context(|| format!("cannot write `{}`", args.out.display()))?;
    eprintln!(
        "forewarn: wrote {} ({} signal weights, {} text weights; thresholds medium {:.4}, high {:.4})",
        args.out.display(),
        model.signals.len(),
        model.text.len(),
        model.thresholds.medium,
        model.thresholds.high
    );
    Ok(EXIT_LOW)
}
