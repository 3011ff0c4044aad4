//! OASIS's `stix2_validator` (installed by `.ci/run` from PyPI), for the
//! tests that check forewarn's bundles with it.

use std::path::Path;
use std::process::Command;

/// Whether the validator is installed; says so on standard error when not,
/// so the calling test can skip.
pub fn validator_available() -> bool {
    let found = Command::new("stix2_validator")
        .arg("--help")
        .output()
        .is_ok_and(|o| o.status.success());
    if !found {
        eprintln!("skipped: stix2_validator is not installed (pip install stix2-validator)");
    }
    found
}

/// Runs the validator on `path`; panics with its report unless it is valid
/// without errors. Returns its warnings.
pub fn oasis_warnings(path: &Path) -> Vec<String> {
    let out = Command::new("stix2_validator").arg(path).output().unwrap();
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && report.contains("STIX JSON: Valid") && !report.contains("[X]"),
        "{}:\n{report}",
        path.display()
    );
    report
        .lines()
        .filter(|l| l.contains("[!]"))
        .map(str::to_owned)
        .collect()
}
