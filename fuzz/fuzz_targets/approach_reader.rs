//! The approach reader never panics, and every error is located.
#![no_main]

use forewarn_core::Approach;
use forewarn_ingest::{ApproachReader, Format, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let limits = Limits {
        max_message_bytes: 256,
        max_approach_bytes: 4096,
        max_messages: 16,
    };
    for format in [Format::Lines, Format::Single, Format::Detect] {
        for item in ApproachReader::<_, Approach>::new(data, "fuzz", format, limits).take(10_000) {
            if let Err(e) = item {
                assert!(e.to_string().starts_with("fuzz"));
            }
        }
    }
});
