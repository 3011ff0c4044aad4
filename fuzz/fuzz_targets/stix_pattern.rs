//! The STIX pattern parser never panics, every error is located inside the
//! input, and every pattern it accepts prints as text that parses back to
//! an equal pattern.
#![no_main]

use forewarn_stix::pattern::{self, MAX_PATTERN_BYTES};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match pattern::parse(text) {
        Ok(parsed) => {
            let printed = parsed.to_string();
            // Canonical text can be a little longer than the input (spaces
            // around operators); past the limit it is rightly refused.
            if printed.len() <= MAX_PATTERN_BYTES {
                match pattern::parse(&printed) {
                    Ok(again) => assert_eq!(again, parsed, "{text:?} printed as {printed:?}"),
                    Err(e) => panic!("{text:?} printed as {printed:?}, which fails: {e}"),
                }
            }
            let _ = parsed.unsupported();
            let _ = parsed.tests();
        }
        Err(e) => {
            assert!(e.offset <= text.len(), "{e} for {text:?}");
            assert!(text.is_char_boundary(e.offset), "{e} for {text:?}");
        }
    }
});
