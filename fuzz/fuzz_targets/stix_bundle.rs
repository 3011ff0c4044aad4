//! Reading a STIX bundle never panics; validation never panics; what is
//! read exports as a bundle that reads back equal.
#![no_main]

use forewarn_stix::{Bundle, validate};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(bundle) = Bundle::parse(data) else {
        return;
    };
    let _ = validate(&bundle);
    let exported = bundle.to_json_pretty();
    match Bundle::parse(exported.as_bytes()) {
        Ok(again) => assert_eq!(again, bundle),
        Err(e) => panic!("export does not read back: {e}"),
    }
});
