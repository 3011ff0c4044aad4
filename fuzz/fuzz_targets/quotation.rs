//! Finding the quoted passages of a message never panics, and gives ordered,
//! disjoint ranges on character boundaries of the text.
#![no_main]

use forewarn_core::quotation::{is_quoted, quoted_passages};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    let passages = quoted_passages(text);
    let mut end = 0;
    for p in &passages {
        assert!(end <= p.start && p.start <= p.end && p.end <= text.len());
        assert!(text.is_char_boundary(p.start) && text.is_char_boundary(p.end));
        assert!(is_quoted(&passages, p));
        end = p.end;
    }
});
