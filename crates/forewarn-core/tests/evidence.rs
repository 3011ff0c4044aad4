//! Evidence offsets always point into the original text, whatever the input:
//! every piece of message evidence is exactly `text[start..end]`.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use forewarn_core::{Approach, Engine, EngineConfig, Evidence, Message, Model, RuleSet, Sender};
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
        let engine = Engine::new(
            RuleSet::default_pack().unwrap(),
            Model::shipped().unwrap(),
            EngineConfig::default(),
        );
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
}
