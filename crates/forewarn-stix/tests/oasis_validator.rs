//! The example alerts, the test bundles and what forewarn exports of them
//! pass OASIS's `stix2_validator` (installed by `.ci/run` from PyPI). Where
//! the validator is not installed, the test says so and passes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use forewarn_stix::Bundle;

mod common;
use common::validator_available;

/// Runs the validator on `path`; panics with its report unless it is valid
/// without errors.
fn assert_valid(path: &Path) {
    common::oasis_warnings(path);
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn bundles() -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(repo().join("examples/alerts"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.push(repo().join("crates/forewarn-cli/tests/data/alert-test-bundle.json"));
    paths.sort();
    paths
}

#[test]
fn examples_and_their_exports_pass_the_oasis_validator() {
    if !validator_available() {
        return;
    }
    let dir = std::env::temp_dir().join(format!("forewarn-stix-validator-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for path in bundles() {
        assert_valid(&path);
        let bundle = Bundle::parse(&std::fs::read(&path).unwrap()).unwrap();
        let exported = dir.join(path.file_name().unwrap());
        std::fs::write(&exported, bundle.to_json_pretty()).unwrap();
        assert_valid(&exported);
    }
    std::fs::remove_dir_all(&dir).ok();
}
