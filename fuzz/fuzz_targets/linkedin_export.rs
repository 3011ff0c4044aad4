//! The CSV reader and the LinkedIn export reader never panic, stay within
//! their limits, and build only valid approaches.
//!
//! The input is split at `\0` into the contents of `messages.csv`,
//! `Connections.csv`, `Invitations.csv` and `Profile.csv`.
#![no_main]

use forewarn_ingest::csv::{CsvItem, CsvLimits, CsvReader};
use forewarn_ingest::linkedin::scan_files;
use forewarn_ingest::scan::{Member, ScanItem, ScanLimits};
use libfuzzer_sys::fuzz_target;

const NAMES: [&str; 4] = ["messages.csv", "Connections.csv", "Invitations.csv", "Profile.csv"];

fuzz_target!(|data: &[u8]| {
    let csv = CsvLimits {
        max_field_bytes: 64,
        max_record_bytes: 256,
        max_fields: 16,
    };
    let mut reader = CsvReader::new(data, csv);
    while let Ok(Some(item)) = reader.read() {
        if let CsvItem::Record(r) = item {
            assert!(r.fields.len() <= 16);
        }
    }
    let files = NAMES
        .iter()
        .zip(data.split(|&b| b == 0))
        .map(|(name, bytes)| ((*name).to_owned(), bytes.to_vec()))
        .collect();
    let limits = ScanLimits {
        max_text_bytes: 128,
        max_messages: 8,
        max_csv_field_bytes: 256,
        max_csv_record_bytes: 1024,
        ..ScanLimits::default()
    };
    if let Ok(items) = scan_files(files, &Member::default(), limits) {
        for item in items {
            if let ScanItem::Approach(s) = item {
                assert!(s.approach.validate().is_ok());
                assert!(s.approach.messages.len() <= 8);
                assert!(s.approach.messages.iter().all(|m| m.text.len() <= 128));
            }
        }
    }
});
