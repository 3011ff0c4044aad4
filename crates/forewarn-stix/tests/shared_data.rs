//! Real public STIX 2.1 bundles (OASIS examples, TLP 2.0 definitions,
//! MITRE ATT&CK) import and export without losing anything. The data lives
//! outside the repository (`../shared/data/stix`); without it the tests say
//! so and pass.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::path::{Path, PathBuf};

use forewarn_stix::{Bundle, Severity, validate};

fn data_dir() -> Option<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/stix");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!("skipped: {} is not here", dir.display());
        None
    }
}

/// Every `.json` file under `dir` whose top level is a bundle.
fn bundles(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "json") {
                let bytes = std::fs::read(&path).unwrap();
                let is_bundle = serde_json::from_slice::<serde_json::Value>(&bytes)
                    .ok()
                    .and_then(|v| {
                        v.get("type")
                            .and_then(|t| t.as_str())
                            .map(|t| t == "bundle")
                    })
                    .unwrap_or(false);
                if is_bundle {
                    out.push((path, bytes));
                }
            }
        }
    }
    out.sort();
    out
}

#[test]
fn import_then_export_loses_nothing() {
    let Some(dir) = data_dir() else { return };
    let found = bundles(&dir);
    assert!(
        found.len() >= 5,
        "only {} bundles under {}",
        found.len(),
        dir.display()
    );
    for (path, bytes) in &found {
        let original: serde_json::Value = serde_json::from_slice(bytes).unwrap();
        let bundle = Bundle::parse(bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let exported = bundle.to_json_pretty();
        let again: serde_json::Value = serde_json::from_str(&exported).unwrap();
        // Equal as values, and with every key in its original place.
        assert_eq!(again, original, "{}", path.display());
        assert_eq!(
            serde_json::to_string(&again).unwrap(),
            serde_json::to_string(&original).unwrap(),
            "{}",
            path.display()
        );
    }
    eprintln!("{} bundles round-tripped", found.len());
}

/// Bundles written by others, as they circulate (ATT&CK's custom objects
/// and properties, STIX 2.0-style bundles that carry `spec_version` on the
/// bundle), are accepted: they have warnings at most.
#[test]
fn public_bundles_validate_without_errors() {
    let Some(dir) = data_dir() else { return };
    for (path, bytes) in bundles(&dir) {
        let bundle = Bundle::parse(&bytes).unwrap();
        let errors: Vec<String> = validate(&bundle)
            .into_iter()
            .filter(|p| p.severity == Severity::Error)
            .map(|p| p.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
    }
}
