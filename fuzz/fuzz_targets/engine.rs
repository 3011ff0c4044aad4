//! Any approach the reader accepts can be judged without a panic, every
//! piece of message evidence quotes the original text exactly, and judged
//! in a batch it gets the same verdict as alone.
#![no_main]

use std::sync::LazyLock;

use forewarn_core::{Approach, Engine, EngineConfig, Evidence, Model, RuleSet};
use libfuzzer_sys::fuzz_target;

static ENGINE: LazyLock<Option<Engine>> = LazyLock::new(|| {
    Some(Engine::new(RuleSet::default_pack().ok()?, Model::shipped().ok()?, EngineConfig::default()))
});

fuzz_target!(|data: &[u8]| {
    let Ok(approach) = serde_json::from_slice::<Approach>(data) else {
        return;
    };
    let Some(engine) = ENGINE.as_ref() else {
        return;
    };
    let verdict = engine.evaluate(&approach);
    assert!((0.0..=1.0).contains(&verdict.score));
    // Twice in one batch, so that the tries of each regex in its texts
    // and in the same texts again run together.
    let batch = engine.analyse_batch(&[&approach, &Approach::default(), &approach]);
    for analysis in [&batch[0], &batch[2]] {
        assert_eq!(engine.verdict(&approach, analysis), verdict);
    }
    for s in &verdict.signals {
        for e in &s.evidence {
            if let Evidence::Message { message, start, end, text } = e {
                assert_eq!(approach.messages[*message].text.get(*start..*end), Some(text.as_str()));
            }
        }
    }
});
