//! Criterion benchmarks of the engine on a realistic mix: the project's own
//! labelled corpus (hostile and benign, cold messages and long
//! conversations, English, Chinese and obfuscated text).
//!
//! Run with `cargo bench -p forewarn-core`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use forewarn_core::features::text_features_normalised;
use forewarn_core::normalise::Normalised;
use forewarn_core::rules::Field;
use forewarn_core::{Approach, Engine, EngineConfig, Model, RuleSet};

fn corpus() -> Vec<(Approach, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus");
    let mut out = Vec::new();
    for split in ["train", "dev"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join(split))
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap_or_default();
            for line in text.lines().filter(|l| !l.trim().is_empty()) {
                if let Ok(a) = serde_json::from_str::<Approach>(line) {
                    out.push((a, line.to_owned()));
                }
            }
        }
    }
    out
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new(
        RuleSet::default_pack().unwrap(),
        Model::shipped().unwrap(),
        EngineConfig::default(),
    );
    let approaches = corpus();
    let bytes: usize = approaches.iter().map(|(_, l)| l.len()).sum();

    let mut group = c.benchmark_group("corpus");
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("parse+evaluate+serialise", |b| {
        b.iter(|| {
            let mut out = Vec::with_capacity(1 << 20);
            for (_, line) in &approaches {
                let a: Approach = serde_json::from_str(line).unwrap();
                let v = engine.evaluate(&a);
                serde_json::to_writer(&mut out, &v).unwrap();
            }
            out.len()
        })
    });
    group.bench_function("evaluate", |b| {
        b.iter(|| {
            approaches
                .iter()
                .map(|(a, _)| engine.evaluate(a).signals.len())
                .sum::<usize>()
        })
    });
    // As `forewarn check` judges a file: in batches, the rules first.
    group.bench_function("evaluate-in-batches-of-64", |b| {
        let refs: Vec<&Approach> = approaches.iter().map(|(a, _)| a).collect();
        b.iter(|| {
            let mut n = 0;
            for batch in refs.chunks(64) {
                for (a, analysis) in batch.iter().zip(engine.analyse_batch(batch)) {
                    n += engine.into_verdict(a, analysis).signals.len();
                }
            }
            n
        })
    });
    group.bench_function("normalise", |b| {
        b.iter(|| {
            approaches
                .iter()
                .flat_map(|(a, _)| a.messages.iter())
                .map(|m| Normalised::new(&m.text).as_str().len())
                .sum::<usize>()
        })
    });
    // The stages of `evaluate` that read every message, each alone.
    let normalised: Vec<Vec<Normalised>> = approaches
        .iter()
        .map(|(a, _)| {
            a.messages
                .iter()
                .map(|m| Normalised::new(&m.text))
                .collect()
        })
        .collect();
    group.bench_function("rules", |b| {
        let mut hits = Vec::new();
        b.iter(|| {
            let mut n = 0;
            for text in normalised.iter().flatten() {
                hits.clear();
                engine
                    .rules()
                    .scan_normalised(text, Field::Messages, &mut hits);
                n += hits.len();
            }
            n
        })
    });
    group.bench_function("text-features", |b| {
        let seed = engine.model().settings.seed;
        b.iter(|| {
            approaches
                .iter()
                .zip(&normalised)
                .map(|((a, _), n)| text_features_normalised(a, n, seed).len())
                .sum::<usize>()
        })
    });
    group.bench_function("observables", |b| {
        let options = forewarn_core::observables::ExtractOptions {
            default_region: Some("GB".to_owned()),
        };
        b.iter(|| {
            approaches
                .iter()
                .flat_map(|(a, _)| a.messages.iter())
                .map(|m| forewarn_core::observables::extract(&m.text, &options).len())
                .sum::<usize>()
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
