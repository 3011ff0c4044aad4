//! Signed alerts through the real binary: keys, signing, verified import
//! into the local store, export, removal, and `check` with imported alerts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{forewarn, repo};
use predicates::prelude::*;

const EXAMPLE: &str = "examples/alerts/parliament-2025-11.json";
const EXAMPLE_ID: &str = "bundle--6d8b2736-7607-4dda-926f-9630bfb43ffc";
const HOSTILE: &str = r#"{"sender":{"name":"A. Qiu","organisation":"BR YR Executive Search Limited"},"messages":[{"text":"Hello, good to connect."}]}"#;

/// Trusts the example alert's key in the store at `dd`.
fn trust_example_key(dd: &str) {
    forewarn()
        .args([
            "keys",
            "trust",
            "examples/alerts/example-issuer.pub",
            "--name",
            "Example issuer",
            "--data-dir",
            dd,
        ])
        .assert()
        .success();
}

#[test]
fn keys_generate_writes_a_private_secret_and_a_public_key() {
    let dir = tempfile::tempdir().unwrap();
    let key = dir.path().join("k");
    forewarn()
        .args(["keys", "generate", "--out"])
        .arg(&key)
        .assert()
        .success()
        .stdout(predicate::str::contains("forewarn-ed25519-public "));
    assert!(
        std::fs::read_to_string(&key)
            .unwrap()
            .contains("forewarn-ed25519-secret ")
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "secret key is readable by others: {mode:o}"
        );
    }
    // Never overwritten by accident.
    forewarn()
        .args(["keys", "generate", "--out"])
        .arg(&key)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--force"));
}

#[test]
fn the_signed_example_imports_only_from_a_trusted_key_and_matches() {
    let data = tempfile::tempdir().unwrap();
    let dd = data.path().to_str().unwrap();
    forewarn()
        .args(["alert", "import", EXAMPLE, "--data-dir", dd])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("which you do not trust"));
    trust_example_key(dd);
    forewarn()
        .args(["keys", "list", "--data-dir", dd])
        .assert()
        .success()
        .stdout(predicate::str::contains("0899787585c5a153  Example issuer"));
    forewarn()
        .args(["alert", "import", EXAMPLE, "--data-dir", dd])
        .assert()
        .success()
        .stderr(predicate::str::contains("2 personas, 2 organisations"));
    forewarn()
        .args(["alert", "list", "--data-dir", dd])
        .assert()
        .success()
        .stdout(predicate::str::contains(EXAMPLE_ID))
        .stdout(predicate::str::contains(
            "Example issuer (signature verified)",
        ));
    forewarn()
        .args(["alert", "show", EXAMPLE_ID, "--data-dir", dd])
        .assert()
        .success()
        .stdout(predicate::str::contains("persona:   Amanda Qiu"))
        .stdout(predicate::str::contains("organisation: InternshipUnion"));

    // Export gives back the exact bytes and the signature.
    let out = data.path().join("exported.json");
    forewarn()
        .args(["alert", "export", EXAMPLE_ID, "--data-dir", dd, "--out"])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(repo().join(EXAMPLE)).unwrap()
    );
    assert!(out.with_extension("json.sig").exists());

    // `check` without --alerts uses what was imported, and says who vouched.
    forewarn()
        .args(["check", "-", "--data-dir", dd])
        .write_stdin(HOSTILE)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("HIGH RISK"))
        .stdout(predicate::str::contains(
            "from Example issuer (signature verified)",
        ));

    forewarn()
        .args(["alert", "remove", EXAMPLE_ID, "--data-dir", dd])
        .assert()
        .success();
    forewarn()
        .args(["check", "--json", "-", "--data-dir", dd])
        .write_stdin(HOSTILE)
        .assert()
        .stdout(predicate::str::contains("FW-IND").not());
    forewarn()
        .args(["alert", "remove", EXAMPLE_ID, "--data-dir", dd])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no imported alert"));
}

#[test]
fn tampered_and_unsigned_bundles_are_refused_unless_allowed() {
    let data = tempfile::tempdir().unwrap();
    let dd = data.path().to_str().unwrap();
    trust_example_key(dd);
    // One changed byte in a name, with the original signature beside it.
    let tampered = data.path().join("tampered.json");
    let text = std::fs::read_to_string(repo().join(EXAMPLE)).unwrap();
    std::fs::write(&tampered, text.replacen("Amanda Qiu", "Amanda Qiv", 1)).unwrap();
    std::fs::copy(
        repo().join(format!("{EXAMPLE}.sig")),
        tampered.with_extension("json.sig"),
    )
    .unwrap();
    forewarn()
        .args(["alert", "import", "--data-dir", dd])
        .arg(&tampered)
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "does not match: the bundle was changed after it was signed",
        ));
    // Without any signature.
    let unsigned = data.path().join("unsigned.json");
    std::fs::write(&unsigned, &text).unwrap();
    forewarn()
        .args(["alert", "import", "--data-dir", dd])
        .arg(&unsigned)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("the bundle is not signed"));
    forewarn()
        .args(["alert", "import", "--allow-unsigned", "--data-dir", dd])
        .arg(&unsigned)
        .assert()
        .success()
        .stderr(predicate::str::contains("imported as unsigned"));
    forewarn()
        .args(["alert", "list", "--data-dir", dd])
        .assert()
        .stdout(predicate::str::contains("(unsigned)"));
}

#[test]
fn signing_then_verifying_a_new_bundle() {
    let dir = tempfile::tempdir().unwrap();
    let dd = dir.path().join("data");
    let key = dir.path().join("key");
    forewarn()
        .args(["keys", "generate", "--out"])
        .arg(&key)
        .assert()
        .success();
    let bundle = dir.path().join("alert.json");
    std::fs::copy(
        repo().join("crates/forewarn-cli/tests/data/alert-test-bundle.json"),
        &bundle,
    )
    .unwrap();
    forewarn()
        .args(["alert", "sign", "--key"])
        .arg(&key)
        .arg(&bundle)
        .assert()
        .success();
    forewarn()
        .args(["keys", "trust", "--name", "Test issuer", "--data-dir"])
        .arg(&dd)
        .arg(key.with_extension("pub"))
        .assert()
        .success();
    forewarn()
        .args(["alert", "import", "--data-dir"])
        .arg(&dd)
        .arg(&bundle)
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "from Test issuer (signature verified)",
        ));
}

#[test]
fn a_public_bundle_from_elsewhere_imports_and_exports_unchanged() {
    let source =
        repo().join("../shared/data/stix/cti-stix2-json-schemas/examples/threat-reports/apt1.json");
    if !source.exists() {
        eprintln!("skipped: {} is not here", source.display());
        return;
    }
    let data = tempfile::tempdir().unwrap();
    let dd = data.path().to_str().unwrap();
    forewarn()
        .args(["alert", "import", "--allow-unsigned", "--data-dir", dd])
        .arg(&source)
        .assert()
        .success()
        .stderr(predicate::str::contains("kept but not matched"));
    let id: serde_json::Value = serde_json::from_slice(&std::fs::read(&source).unwrap()).unwrap();
    let out = data.path().join("apt1.json");
    forewarn()
        .args([
            "alert",
            "export",
            id["id"].as_str().unwrap(),
            "--data-dir",
            dd,
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    assert_eq!(
        std::fs::read(&out).unwrap(),
        std::fs::read(&source).unwrap()
    );
}

#[test]
fn hunt_finds_old_approaches_that_a_new_alert_names() {
    let data = tempfile::tempdir().unwrap();
    let dd = data.path().to_str().unwrap();
    let approaches = "crates/forewarn-cli/tests/data/alert-approaches.jsonl";
    // Checked months ago, before any alert: nothing high.
    forewarn()
        .args(["check", "--json", "--keep", approaches, "--data-dir", dd])
        .assert()
        .stdout(predicate::str::contains(r#""risk":"high""#).not());
    forewarn()
        .args(["hunt", "--data-dir", dd])
        .assert()
        .success()
        .stderr(predicate::str::contains(
            "18 kept approach(es) against 0 alert(s): 0 new match(es)",
        ));
    // The alert arrives.
    forewarn()
        .args([
            "alert",
            "import",
            "--allow-unsigned",
            "crates/forewarn-cli/tests/data/alert-test-bundle.json",
            "--data-dir",
            dd,
        ])
        .assert()
        .success();
    let out = forewarn()
        .args(["hunt", "--data-dir", dd])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.contains(&format!("{approaches}:1 (exact:high, checked ")),
        "{stdout}"
    );
    assert!(
        stdout.contains("now HIGH RISK: matches the alerted persona Wenjing Zhang in the alert"),
        "{stdout}"
    );
    // Every approach the alert makes high or medium is listed; the
    // unrelated one is not.
    for line in std::fs::read_to_string(repo().join(approaches))
        .unwrap()
        .lines()
    {
        let id = serde_json::from_str::<serde_json::Value>(line).unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let listed = stdout.contains(&format!("({id}, checked"));
        assert_eq!(listed, !id.ends_with(":low"), "{id}");
    }
    // Reported once: the next hunt finds nothing new.
    forewarn()
        .args(["hunt", "--data-dir", dd])
        .assert()
        .success()
        .stderr(predicate::str::contains(": 0 new match(es)"));
}
