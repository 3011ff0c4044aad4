//! What loaded alerts cost: the engine on the project's corpus with 100 and
//! with 100,000 indicators (personas, organisations and observables in
//! equal parts, with realistic names). Matching goes through indexes, so the
//! two should cost nearly the same.
//!
//! Run with `cargo bench -p forewarn-core --bench indicators`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::PathBuf;

use criterion::{Criterion, criterion_group, criterion_main};
use forewarn_core::indicators::{AlertSource, Condition, IndicatorSet, ObservableField};
use forewarn_core::{Approach, Engine, EngineConfig, Model, RuleSet};

const SURNAMES: &[&str] = &[
    "Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Huang", "Zhao", "Wu", "Zhou", "Xu", "Sun", "Ma",
    "Zhu", "Hu", "Guo", "He", "Lin", "Gao", "Luo", "Smith", "Jones", "Taylor", "Brown", "Wilson",
    "Evans", "Thomas", "Roberts", "Novak", "Kowalski", "Haddad", "Okafor",
];
const GIVEN: &[&str] = &[
    "Wei", "Fang", "Min", "Jing", "Lei", "Yan", "Hui", "Xin", "Amanda", "Shirley", "Grace",
    "Kevin", "Lucy", "Daniel", "Helen", "Victor", "Anna", "Tomasz", "Layla", "Chidi", "Sofia",
    "Oliver", "Emma", "James",
];
const WORDS: &[&str] = &[
    "Northgate",
    "Meridian",
    "Crane",
    "Harbour",
    "Silk",
    "Bridge",
    "Summit",
    "Eastern",
    "Pacific",
    "Capital",
    "Horizon",
    "Talent",
    "Policy",
    "Insight",
    "Strategy",
    "Search",
    "Partners",
    "Advisory",
    "Consulting",
    "Global",
];

fn corpus() -> Vec<Approach> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../corpus/dev");
    let mut files: Vec<PathBuf> = std::fs::read_dir(root)
        .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    files.sort();
    files
        .iter()
        .flat_map(|f| {
            std::fs::read_to_string(f)
                .unwrap_or_default()
                .lines()
                .filter_map(|l| serde_json::from_str(l).ok())
                .collect::<Vec<Approach>>()
        })
        .collect()
}

/// `count` indicators: a third personas, a third organisations, a third
/// e-mail addresses, deterministic.
fn indicators(count: usize) -> IndicatorSet {
    let mut set = IndicatorSet::new();
    let alert = set.add_alert(AlertSource {
        id: "report--bench".to_owned(),
        name: "benchmark".to_owned(),
        issuer: None,
    });
    let mut rng = fastrand::Rng::with_seed(7);
    for i in 0..count {
        let surname = SURNAMES[rng.usize(..SURNAMES.len())];
        let given = GIVEN[rng.usize(..GIVEN.len())];
        let a = WORDS[rng.usize(..WORDS.len())];
        let b = WORDS[rng.usize(..WORDS.len())];
        match i % 3 {
            0 => set.add_persona(alert, &format!("{given} {surname}{i}"), &[]),
            1 => set.add_organisation(alert, &format!("{a} {b} {i} Ltd")),
            _ => set
                .add_observable(
                    alert,
                    "address",
                    &Condition::AnyOf(
                        ObservableField::Email,
                        vec![format!("{}.{}{i}@{}.example.com", given, surname, a)],
                    ),
                )
                .unwrap(),
        }
    }
    set
}

fn bench(c: &mut Criterion) {
    let approaches = corpus();
    let mut group = c.benchmark_group("indicators");
    for count in [100, 100_000] {
        let engine = Engine::new(
            RuleSet::default_pack().unwrap(),
            Model::shipped().unwrap(),
            EngineConfig::default(),
        )
        .with_indicators(indicators(count));
        group.bench_function(format!("dev corpus, {count} indicators"), |b| {
            b.iter(|| {
                approaches
                    .iter()
                    .map(|a| engine.evaluate(a).score)
                    .sum::<f64>()
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
