//! Context does not add up: of the context signals that fire in one
//! approach, only the one of lowest weight lowers the score. A sender who
//! has read the open rule pack gains nothing by pasting in one reassuring
//! sentence after another.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{ENGINE, one_message};
use forewarn_core::rules::Family;
use forewarn_core::signals::Fired;
use forewarn_core::{Analysis, Evidence};
use proptest::prelude::*;

/// Catalogue indices of the signals of one family or of every other.
fn indices(context: bool) -> Vec<usize> {
    ENGINE
        .catalogue()
        .signals()
        .iter()
        .enumerate()
        .filter(|(_, s)| (s.family == Family::Context) == context)
        .map(|(i, _)| i)
        .collect()
}

/// The weight the engine gives a signal: learned, or the rule's prior.
fn weight(signal: usize) -> f64 {
    let info = &ENGINE.catalogue().signals()[signal];
    ENGINE
        .model()
        .signals
        .get(&*info.id)
        .copied()
        .unwrap_or(info.prior_weight)
}

fn analysis(signals: &[usize]) -> Analysis {
    Analysis {
        fired: signals
            .iter()
            .map(|&signal| Fired {
                signal,
                evidence: vec![Evidence::Field {
                    field: "sender".into(),
                    text: String::new(),
                }],
            })
            .collect(),
        ..Analysis::default()
    }
}

#[test]
fn the_shipped_model_pools_every_context_signal() {
    let context = indices(true);
    assert!(context.len() >= 8);
    for i in context {
        let id = &ENGINE.catalogue().signals()[i].id;
        assert!(ENGINE.model().pools(id), "{id}");
    }
}

proptest! {
    #[test]
    fn context_counts_only_by_its_strongest_signal(
        others in proptest::sample::subsequence(indices(false), 0..6),
        context in proptest::sample::subsequence(indices(true), 0..5),
        context_first in any::<bool>(),
    ) {
        let fired: Vec<usize> = if context_first {
            context.iter().chain(&others).copied().collect()
        } else {
            others.iter().chain(&context).copied().collect()
        };
        let expected = ENGINE.model().bias
            + others.iter().map(|&s| weight(s)).sum::<f64>()
            + context.iter().map(|&s| weight(s)).reduce(f64::min).unwrap_or(0.0);
        prop_assert!((ENGINE.raw_score(&analysis(&fired)) - expected).abs() < 1e-9);
    }
}

#[test]
fn pasted_reassurance_shows_one_context_weight() {
    let hostile = "Our client pays 2,000 GBP per short report on what is discussed internally \
                   in your committee before it is published. Let's continue on WeChat.";
    let padded = format!(
        "{hostile} Under our compliance rules you must not share anything confidential. \
         The agenda and the registration link are on our website. \
         The role is Head of Policy, salary GBP 95,000 to 110,000."
    );
    let verdict = ENGINE.evaluate(&one_message(&padded));
    let context: Vec<_> = verdict
        .signals
        .iter()
        .filter(|s| s.id.starts_with("FW-CONTEXT-"))
        .collect();
    assert!(context.len() >= 2, "{context:?}");
    let counted: Vec<_> = context.iter().filter(|s| s.weight != 0.0).collect();
    assert_eq!(counted.len(), 1, "{context:?}");
    // The one that counts is the strongest, and the verdict's weights
    // are what the score adds up.
    let lowest = context
        .iter()
        .map(|s| weight(ENGINE.catalogue().find(&s.id).unwrap()))
        .fold(f64::INFINITY, f64::min);
    let slope = ENGINE.model().calibration.slope;
    assert!((counted[0].weight - (lowest * slope * 100.0).round() / 100.0).abs() < 1e-9);
}
