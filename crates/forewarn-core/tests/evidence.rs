//! Evidence offsets always point into the original text, whatever the input:
//! every piece of message evidence is exactly `text[start..end]`. And a
//! batch of approaches is judged exactly as each one alone.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::ENGINE;
use forewarn_core::{Approach, Author, Evidence, Message, Sender};
use proptest::prelude::*;

/// Pieces that fire rules, in plain, obfuscated and Chinese forms, mixed
/// with arbitrary text.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("add me on WeChat".to_owned()),
        Just("W e C h a t".to_owned()),
        Just("w.e.c.h.a.t".to_owned()),
        Just("ＷｅＣｈａｔ".to_owned()),
        Just("We\u{200b}Chat".to_owned()),
        Just("W\u{0435}Ch\u{0430}t".to_owned()),
        Just("paid in crypt0".to_owned()),
        Just("USDT".to_owned()),
        Just("internal documents".to_owned()),
        Just("non-public information".to_owned()),
        Just("keep this between us".to_owned()),
        Just("all expenses paid trip".to_owned()),
        Just("加我微信".to_owned()),
        Just("内部资料".to_owned()),
        Just("報酬豐厚".to_owned()),
        Just("e\u{0301}".to_owned()),
        Just("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa".to_owned()),
        "\\PC{0,12}",
        " ",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn evidence_quotes_the_original_exactly(texts in proptest::collection::vec(proptest::collection::vec(piece(), 0..12), 1..4)) {
        let engine = &*ENGINE;
        let approach = Approach {
            sender: Sender { name: "X".into(), ..Sender::default() },
            messages: texts.iter().map(|t| Message { text: t.concat(), ..Message::default() }).collect(),
            ..Approach::default()
        };
        let verdict = engine.evaluate(&approach);
        prop_assert!((0.0..=1.0).contains(&verdict.score));
        // Moving the evidence out of the analysis gives the same verdict as
        // copying it.
        prop_assert_eq!(&verdict, &engine.verdict(&approach, &engine.analyse(&approach)));
        for s in &verdict.signals {
            for e in &s.evidence {
                if let Evidence::Message { message, start, end, text } = e {
                    let original = &approach.messages[*message].text;
                    prop_assert!(start < end);
                    prop_assert_eq!(original.get(*start..*end), Some(text.as_str()));
                }
            }
        }
    }

    #[test]
    fn a_batch_is_judged_as_each_approach_alone(
        approaches in proptest::collection::vec(
            proptest::collection::vec(
                (proptest::collection::vec(piece(), 0..8), proptest::option::of(piece()), any::<bool>()),
                0..4,
            ),
            0..6,
        )
    ) {
        let engine = &*ENGINE;
        let approaches: Vec<Approach> = approaches
            .into_iter()
            .map(|messages| Approach {
                sender: Sender { name: "X".into(), ..Sender::default() },
                messages: messages
                    .into_iter()
                    .map(|(pieces, subject, reply)| Message {
                        from: if reply { Author::Recipient } else { Author::Sender },
                        subject,
                        text: pieces.concat(),
                        ..Message::default()
                    })
                    .collect(),
                ..Approach::default()
            })
            .collect();
        let batch: Vec<&Approach> = approaches.iter().collect();
        let analyses = engine.analyse_batch(&batch);
        prop_assert_eq!(analyses.len(), approaches.len());
        for (approach, analysis) in approaches.iter().zip(&analyses) {
            prop_assert_eq!(engine.verdict(approach, analysis), engine.evaluate(approach));
        }
    }
}
