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
#[allow(dead_code)] // Not every test binary runs a command.
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

/// A running `forewarn serve`, killed when dropped.
#[allow(dead_code)] // Only the tests of the server start one.
pub struct Server {
    /// The server's process.
    pub child: std::process::Child,
    /// Where it listens: `http://127.0.0.1:PORT`.
    pub base: String,
    stderr: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

#[allow(dead_code)] // Only the tests of the server start one.
impl Server {
    /// Starts `forewarn serve` on a free port of 127.0.0.1 with the store
    /// in `data` (with `--demo`: demo accounts and reports), and waits
    /// until it listens.
    pub fn start(data: &std::path::Path, demo: bool) -> Server {
        Server::start_with(data, demo, &[])
    }

    /// [`Server::start`] with more environment variables.
    pub fn start_with(data: &std::path::Path, demo: bool, env: &[(&str, &str)]) -> Server {
        use std::io::{BufRead, BufReader};
        use std::sync::{Arc, Mutex};

        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("forewarn"));
        cmd.args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(data)
            .env_remove("FOREWARN_CONFIG")
            .env_remove("FOREWARN_SERVER_CONFIG")
            .env_remove("FOREWARN_LISTEN")
            .env_remove("FOREWARN_EVIDENCE_KEYS")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped());
        cmd.envs(env.iter().copied());
        if demo {
            cmd.arg("--demo");
        }
        let mut child = cmd.spawn().unwrap();
        let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
        let stderr = Arc::new(Mutex::new(Vec::new()));
        let mut base = None;
        for line in lines.by_ref() {
            let line = line.unwrap();
            stderr.lock().unwrap().push(line.clone());
            if let Some(rest) = line.strip_prefix("forewarn: listening on ") {
                base = Some(rest.split_whitespace().next().unwrap().to_owned());
                break;
            }
        }
        let base = base
            .unwrap_or_else(|| panic!("the server did not start: {:?}", stderr.lock().unwrap()));
        // Keep reading, so the server never blocks on a full pipe.
        let sink = Arc::clone(&stderr);
        std::thread::spawn(move || {
            for line in lines.map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Server {
            child,
            base,
            stderr,
        }
    }

    /// What the server wrote on standard error so far.
    pub fn log(&self) -> String {
        self.stderr.lock().unwrap().join("\n")
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP client that returns error statuses as answers, not errors.
#[allow(dead_code)] // Only the tests of the server use one.
pub fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into()
}
