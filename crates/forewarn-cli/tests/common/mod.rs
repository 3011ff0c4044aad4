//! Helpers shared by the integration tests of the `forewarn` binary.

use std::path::PathBuf;

use assert_cmd::Command;

/// The repository's root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `forewarn` binary, run from the repository's root, without colour or
/// a settings file from the environment.
pub fn forewarn() -> Command {
    let mut cmd = Command::cargo_bin("forewarn").unwrap();
    cmd.current_dir(repo())
        .env_remove("FOREWARN_CONFIG")
        .env("NO_COLOR", "1");
    cmd
}
