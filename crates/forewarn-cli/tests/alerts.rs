//! `forewarn check --alerts`: approaches whose text is bland and that only
//! an alert makes hostile, checked through the real binary.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{forewarn, repo};
use predicates::prelude::*;

const BUNDLE: &str = "crates/forewarn-cli/tests/data/alert-test-bundle.json";
const APPROACHES: &str = "crates/forewarn-cli/tests/data/alert-approaches.jsonl";

/// (id, risk) of each verdict.
fn risks(args: &[&str]) -> Vec<(String, String)> {
    let out = forewarn().args(args).output().unwrap();
    assert!(out.status.code().is_some_and(|c| c <= 1), "{out:?}");
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["risk"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn every_alerted_approach_is_found_and_namesakes_are_not_high() {
    // Each approach's id ends with the band it must get with the alert:
    // names, aliases, initials, surname first, typos, romanisation,
    // diacritics, legal suffixes, canonical URLs, e-mails and LIKE.
    let found = risks(&["check", "--json", "--alerts", BUNDLE, APPROACHES]);
    assert_eq!(found.len(), 18);
    for (id, risk) in &found {
        let expected = id.rsplit(':').next().unwrap();
        assert_eq!(risk, expected, "{id}");
    }
}

#[test]
fn without_the_alert_nothing_is_high() {
    for (id, risk) in risks(&["check", "--json", APPROACHES]) {
        assert_ne!(risk, "high", "{id}");
    }
}

#[test]
fn verdicts_name_the_alert_and_its_issuer() {
    forewarn()
        .args(["check", "--alerts", BUNDLE, APPROACHES])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "This matches the alerted persona Wenjing Zhang in the alert \u{201c}Test alert: recruiter personas\u{201d} from Test Authority (test data).",
        ))
        .stdout(predicate::str::contains(
            "same name as the alerted persona Wenjing Zhang",
        ))
        .stderr(predicate::str::contains("(TLP:AMBER): 4 personas, 2 organisations, 4 observable indicators, 1 photo, 1 kept but not matched"))
        .stderr(predicate::str::contains("is not matched: object path `file:hashes.'SHA-256'`"));
}

#[test]
fn the_example_alert_loads_and_matches() {
    let approach = r#"{"sender":{"name":"Shirley Shen","organisation":"Internship Union"},"messages":[{"text":"Hi, would you be open to a short chat about opportunities?"}]}"#;
    forewarn()
        .args([
            "check",
            "--json",
            "--alerts",
            "examples/alerts/parliament-2025-11.json",
            "-",
        ])
        .write_stdin(approach)
        .assert()
        .code(1)
        .stdout(predicate::str::contains(r#""risk":"high""#))
        .stdout(predicate::str::contains("FW-IND-PERSONA"));
}

#[test]
fn an_invalid_bundle_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(repo().join(BUNDLE)).unwrap();
    // A persona without a name, and a report citing a persona that is not
    // in the bundle (a warning: bundles need not be closed).
    let broken = text
        .replacen("\"name\": \"Wenjing Zhang\",", "", 1)
        .replacen(
            "\"object_refs\": [\n        \"threat-actor--",
            "\"object_refs\": [\n        \"threat-actor--00000000-0000-4000-8000-000000000000\",\n        \"threat-actor--",
            1,
        );
    assert_ne!(broken, text);
    let path = dir.path().join("broken.json");
    std::fs::write(&path, broken).unwrap();
    forewarn()
        .args(["check", "--alerts"])
        .arg(&path)
        .arg(APPROACHES)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("warning: report--"))
        .stderr(predicate::str::contains("is not in the bundle"))
        .stderr(predicate::str::contains("name: is missing"))
        .stderr(predicate::str::contains("is not valid STIX 2.1 (1 error)"));
}

#[test]
fn control_characters_from_an_alert_never_reach_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(common::repo().join(BUNDLE)).unwrap();
    // An escape sequence (clear the screen) and a right-to-left override in
    // a persona's name and in the alert's name.
    let hostile = text
        .replacen(
            "\"name\": \"Wenjing Zhang\",",
            "\"name\": \"Wenjing Zhang\\u001b[2J\\u202e\",",
            1,
        )
        .replacen(
            "Test alert: recruiter personas",
            "Test alert\\u001b]0;owned\\u0007",
            1,
        );
    assert_ne!(hostile, text);
    let path = dir.path().join("hostile.json");
    std::fs::write(&path, hostile).unwrap();
    let out = forewarn()
        .args(["check", "--alerts"])
        .arg(&path)
        .arg(APPROACHES)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stdout.contains("This matches the alerted persona Wenjing Zhang"),
        "{stdout}"
    );
    for text in [&stdout, &stderr] {
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\u{202e}'));
    }
}
