//! Normalisation never panics and every span maps into the original text on
//! character boundaries; scanning with the default rules never panics and
//! reports spans inside the original.
#![no_main]

use std::sync::LazyLock;

use forewarn_core::RuleSet;
use forewarn_core::normalise::Normalised;
use forewarn_core::rules::Field;
use libfuzzer_sys::fuzz_target;

static RULES: LazyLock<Option<RuleSet>> = LazyLock::new(|| RuleSet::default_pack().ok());

fuzz_target!(|text: &str| {
    let n = Normalised::new(text);
    let len = n.as_str().len();
    for (i, c) in n.as_str().char_indices() {
        let span = n.original_span(i..i + c.len_utf8());
        assert!(span.end <= text.len());
        assert!(text.is_char_boundary(span.start) && text.is_char_boundary(span.end));
    }
    let all = n.original_span(0..len);
    assert!(all.end <= text.len());
    if let Some(rules) = RULES.as_ref() {
        let mut hits = Vec::new();
        rules.scan_normalised(&n, Field::Messages, &mut hits);
        for h in hits {
            assert!(text.get(h.span.clone()).is_some());
        }
    }
});
