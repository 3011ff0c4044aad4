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
