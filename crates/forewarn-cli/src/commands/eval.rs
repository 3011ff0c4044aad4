//! `forewarn eval`: accuracy of the engine on a labelled corpus.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;

use anyhow::Result;
use forewarn_core::Risk;
use forewarn_ingest::Label;
use serde::Serialize;

use crate::EXIT_LOW;
use crate::corpus::{self, Split};
use crate::engine_options::EngineOptions;

/// Arguments of `forewarn eval`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A corpus directory (with train/ and dev/ splits, or plain .jsonl files) or one .jsonl file.
    #[arg(value_name = "CORPUS")]
    corpus: PathBuf,
    /// Take labels from this file (JSON Lines {"id", "label"} or CSV id,label) instead of each record's "label".
    #[arg(long, value_name = "FILE")]
    labels: Option<PathBuf>,
    /// Which split of a corpus directory to evaluate.
    #[arg(long, value_enum, default_value_t = Split::Dev)]
    split: Split,
    /// Print the report as one JSON object.
    #[arg(long)]
    json: bool,
    /// List the approaches the engine got wrong (hostile judged low, benign judged high).
    #[arg(long)]
    errors: bool,
    #[command(flatten)]
    engine: EngineOptions,
}

/// Precision, recall and F1 of one way of calling an approach hostile.
#[derive(Debug, Clone, Serialize)]
pub struct BandScores {
    /// Which bands count as hostile.
    pub bands: &'static str,
    /// Share of approaches so called that are hostile.
    pub precision: f64,
    /// Share of hostile approaches so called.
    pub recall: f64,
    /// Harmonic mean of precision and recall.
    pub f1: f64,
    /// Share of benign approaches so called.
    pub false_positive_rate: f64,
}

/// Hit rate of one signal.
#[derive(Debug, Clone, Serialize)]
pub struct SignalRate {
    /// Share of hostile approaches where it fired.
    pub hostile: f64,
    /// Share of benign approaches where it fired.
    pub benign: f64,
}

/// Results for one category of approach.
#[derive(Debug, Clone, Default, Serialize)]
pub struct CategoryScores {
    /// Label of the category's approaches.
    pub label: Option<Label>,
    /// Approaches.
    pub count: usize,
    /// Judged medium or high.
    pub medium_or_high: usize,
    /// Judged high.
    pub high: usize,
}

/// The evaluation report.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    /// Approaches evaluated.
    pub approaches: usize,
    /// Hostile approaches.
    pub hostile: usize,
    /// Benign approaches.
    pub benign: usize,
    /// Area under the ROC curve of the score.
    pub roc_auc: f64,
    /// Scores of "high" and of "medium or high".
    pub bands: Vec<BandScores>,
    /// Rows: label; columns: band.
    pub confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>>,
    /// Per-signal hit rates.
    pub signals: BTreeMap<String, SignalRate>,
    /// Per-category results.
    pub categories: BTreeMap<String, CategoryScores>,
}

/// Runs `forewarn eval`.
pub fn run(args: Args) -> Result<u8> {
    let mut config = args.engine.config()?;
    if args.engine.as_of.is_none() {
        config.today = None;
    }
    let engine = forewarn_core::Engine::new(args.engine.rule_set()?, args.engine.model()?, config);
    let labels = args
        .labels
        .as_deref()
        .map(corpus::read_labels)
        .transpose()?;
    let files = corpus::files(&args.corpus, args.split)?;
    let entries = corpus::read(&files, labels.as_ref())?;
    let mut results = Vec::with_capacity(entries.len());
    for entry in &entries {
        let verdict = engine.evaluate(&entry.record.approach);
        results.push((entry, verdict));
    }
    let scored: Vec<(f64, bool)> = results
        .iter()
        .map(|(e, v)| (v.score, e.label == Label::Hostile))
        .collect();
    let hostile = scored.iter().filter(|s| s.1).count();
    let benign = scored.len() - hostile;

    let band_scores = |bands: &'static str, called: &dyn Fn(Risk) -> bool| {
        let tp = results
            .iter()
            .filter(|(e, v)| e.label == Label::Hostile && called(v.risk))
            .count() as f64;
        let fp = results
            .iter()
            .filter(|(e, v)| e.label == Label::Benign && called(v.risk))
            .count() as f64;
        let precision = if tp + fp > 0.0 { tp / (tp + fp) } else { 0.0 };
        let recall = if hostile > 0 {
            tp / hostile as f64
        } else {
            0.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        BandScores {
            bands,
            precision: round(precision),
            recall: round(recall),
            f1: round(f1),
            false_positive_rate: round(if benign > 0 { fp / benign as f64 } else { 0.0 }),
        }
    };
    let bands = vec![
        band_scores("high", &|r| r == Risk::High),
        band_scores("medium or high", &|r| r >= Risk::Medium),
    ];

    let mut confusion: BTreeMap<&'static str, BTreeMap<&'static str, usize>> = BTreeMap::new();
    for label in ["hostile", "benign"] {
        let row = confusion.entry(label).or_default();
        for band in ["low", "medium", "high"] {
            row.insert(band, 0);
        }
    }
    let mut signal_counts: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut categories: BTreeMap<String, CategoryScores> = BTreeMap::new();
    for (entry, verdict) in &results {
        let label = label_name(entry.label);
        *confusion
            .entry(label)
            .or_default()
            .entry(verdict.risk.as_str())
            .or_default() += 1;
        for s in &verdict.signals {
            let c = signal_counts.entry(s.id.to_string()).or_default();
            if entry.label == Label::Hostile {
                c.0 += 1;
            } else {
                c.1 += 1;
            }
        }
        let category = entry
            .record
            .category
            .clone()
            .unwrap_or_else(|| "(none)".to_owned());
        let c = categories.entry(category).or_default();
        c.label = Some(entry.label);
        c.count += 1;
        c.medium_or_high += usize::from(verdict.risk >= Risk::Medium);
        c.high += usize::from(verdict.risk == Risk::High);
    }
    let rate = |n: usize, of: usize| {
        if of > 0 {
            round(n as f64 / of as f64)
        } else {
            0.0
        }
    };
    let signals = signal_counts
        .into_iter()
        .map(|(id, (h, b))| {
            (
                id,
                SignalRate {
                    hostile: rate(h, hostile),
                    benign: rate(b, benign),
                },
            )
        })
        .collect();
    let report = Report {
        approaches: results.len(),
        hostile,
        benign,
        roc_auc: round(roc_auc(&scored)),
        bands,
        confusion,
        signals,
        categories,
    };

    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    if args.json {
        serde_json::to_writer_pretty(&mut out, &report)?;
        writeln!(out)?;
    } else {
        print_report(&mut out, &report)?;
    }
    if args.errors {
        writeln!(out, "\nMisjudged:")?;
        for (entry, verdict) in &results {
            let wrong = match entry.label {
                Label::Hostile => verdict.risk == Risk::Low,
                Label::Benign => verdict.risk == Risk::High,
            };
            if wrong {
                let ids: Vec<&str> = verdict.signals.iter().map(|s| &*s.id).collect();
                writeln!(
                    out,
                    "  {} {} ({}) judged {} at {:.3}: {}",
                    label_name(entry.label),
                    verdict.id.as_deref().unwrap_or("?"),
                    entry.record.category.as_deref().unwrap_or("-"),
                    verdict.risk.as_str(),
                    verdict.score,
                    ids.join(" ")
                )?;
            }
        }
    }
    Ok(EXIT_LOW)
}

fn label_name(label: Label) -> &'static str {
    match label {
        Label::Hostile => "hostile",
        Label::Benign => "benign",
    }
}

fn round(x: f64) -> f64 {
    (x * 1e4).round() / 1e4
}

/// Area under the ROC curve: the probability that a random hostile
/// approach scores above a random benign one (ties count half).
pub fn roc_auc(scored: &[(f64, bool)]) -> f64 {
    let mut sorted: Vec<(f64, bool)> = scored.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let positives = sorted.iter().filter(|s| s.1).count() as f64;
    let negatives = sorted.len() as f64 - positives;
    if positives == 0.0 || negatives == 0.0 {
        return 0.0;
    }
    // Sum of the (average) ranks of the positives.
    let mut rank_sum = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let mut j = i;
        while j + 1 < sorted.len() && sorted[j + 1].0 == sorted[i].0 {
            j += 1;
        }
        let average_rank = (i + j) as f64 / 2.0 + 1.0;
        rank_sum += sorted[i..=j].iter().filter(|s| s.1).count() as f64 * average_rank;
        i = j + 1;
    }
    (rank_sum - positives * (positives + 1.0) / 2.0) / (positives * negatives)
}

fn print_report(out: &mut impl Write, r: &Report) -> std::io::Result<()> {
    writeln!(
        out,
        "{} approaches: {} hostile, {} benign",
        r.approaches, r.hostile, r.benign
    )?;
    writeln!(out, "ROC AUC: {:.4}", r.roc_auc)?;
    writeln!(
        out,
        "\n{:<16} {:>9} {:>7} {:>7} {:>9}",
        "called hostile", "precision", "recall", "F1", "FP rate"
    )?;
    for b in &r.bands {
        writeln!(
            out,
            "{:<16} {:>9.3} {:>7.3} {:>7.3} {:>9.3}",
            b.bands, b.precision, b.recall, b.f1, b.false_positive_rate
        )?;
    }
    writeln!(out, "\nConfusion matrix (rows: label, columns: band)")?;
    writeln!(out, "{:<10} {:>7} {:>7} {:>7}", "", "low", "medium", "high")?;
    for (label, row) in &r.confusion {
        let get = |b| row.get(b).copied().unwrap_or(0);
        writeln!(
            out,
            "{:<10} {:>7} {:>7} {:>7}",
            label,
            get("low"),
            get("medium"),
            get("high")
        )?;
    }
    writeln!(
        out,
        "\nSignal hit rates (share of hostile / benign approaches)"
    )?;
    for (id, s) in &r.signals {
        writeln!(
            out,
            "{:<36} {:>6.1}% {:>6.1}%",
            id,
            s.hostile * 100.0,
            s.benign * 100.0
        )?;
    }
    writeln!(out, "\nBy category (count, medium or high, high)")?;
    for (name, c) in &r.categories {
        let label = c.label.map_or("-", label_name);
        writeln!(
            out,
            "{:<32} {:<8} {:>4} {:>4} {:>4}",
            name, label, c.count, c.medium_or_high, c.high
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::roc_auc;

    #[test]
    fn auc_of_perfect_random_and_tied_scores() {
        assert_eq!(roc_auc(&[(0.1, false), (0.9, true)]), 1.0);
        assert_eq!(roc_auc(&[(0.9, false), (0.1, true)]), 0.0);
        assert_eq!(roc_auc(&[(0.5, false), (0.5, true)]), 0.5);
        assert!(
            (roc_auc(&[(0.1, false), (0.4, true), (0.5, false), (0.8, true)]) - 0.75).abs() < 1e-9
        );
    }
}
