//! Helpers shared by the integration tests of the `forewarn` binary.

use std::path::PathBuf;

use assert_cmd::Command;

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `forewarn` binary, run from the repository's root, without colour, a
/// settings file from the environment or the user's own store (the data
/// directory it is given does not exist; tests that need a store give
/// `--data-dir`).
pub fn forewarn() -> Command {
    let mut cmd = Command::cargo_bin("forewarn").unwrap();
    cmd.current_dir(repo())
        .env_remove("FOREWARN_CONFIG")
        .env(
            "FOREWARN_DATA_DIR",
            std::env::temp_dir().join("forewarn-tests-without-a-store"),
        )
        .env("NO_COLOR", "1");
    cmd
}

/// Compares `actual` with a golden file in `tests/golden`;
/// `UPDATE_GOLDENFILES=1` rewrites it.
#[allow(dead_code)] // Not every test binary compares golden files.
pub fn golden(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDENFILES").is_some() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "missing golden file {}; run with UPDATE_GOLDENFILES=1",
            path.display()
        )
    });
    assert_eq!(actual, expected, "output differs from {}", path.display());
}
