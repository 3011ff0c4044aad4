//! Reading one raw e-mail never panics, never overflows the stack, and every
//! approach it yields is valid, within the text limit and uniquely named.
#![no_main]

use forewarn_ingest::mail::read_email;
use forewarn_ingest::scan::{Member, ScanItem, ScanLimits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let member = Member {
        identities: vec!["Jane Doe".into(), "jane@example.org".into()],
    };
    let small = ScanLimits {
        max_text_bytes: 64,
        max_mime_parts: 8,
        max_mime_depth: 3,
        ..ScanLimits::default()
    };
    for limits in [ScanLimits::default(), small] {
        let items = read_email(data, "fuzz.eml", &member, &limits);
        let mut ids = Vec::new();
        for item in items {
            match item {
                ScanItem::Approach(found) => {
                    let approach = &found.approach;
                    assert!(approach.validate().is_ok(), "{approach:?}");
                    assert!(!approach.sender.name.trim().is_empty());
                    for message in &approach.messages {
                        assert!(message.text.len() <= limits.max_text_bytes);
                    }
                    assert_eq!(found.source.file, "fuzz.eml");
                    ids.push(approach.id.clone());
                }
                ScanItem::Skipped(skipped) => {
                    assert!(skipped.location.starts_with("fuzz.eml"));
                    assert!(!skipped.reason.is_empty());
                }
            }
        }
        let count = ids.len();
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), count, "approach ids are not unique");
    }
});
