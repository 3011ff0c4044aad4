//! The server's configuration: a TOML file, overridden by environment
//! variables and flags (the `forewarn serve` command applies those).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// Settings of `forewarn serve`. Every field has a default that works.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// Where the database lives; the user's data directory when absent.
    pub data_dir: Option<PathBuf>,
    /// Write logs as JSON lines instead of text.
    pub log_json: bool,
    /// Largest request body, in bytes; larger ones get 413.
    pub max_body_bytes: usize,
    /// Read connections to the database.
    pub read_connections: usize,
    /// The address users reach the server at, for the setup link.
    pub public_url: Option<String>,
    /// Who members report to, named in the advice of verdicts.
    pub report_to: Option<String>,
    /// The organisation the server's alerts come from [default: "forewarn server"].
    pub organisation: Option<String>,
    /// Keys that seal evidence at rest, `ID:BASE64`, the current one first;
    /// when absent, a key file in the data directory (made on first start).
    pub evidence_keys: Vec<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            data_dir: None,
            log_json: false,
            max_body_bytes: 16 << 20,
            read_connections: 4,
            public_url: None,
            report_to: None,
            organisation: None,
            evidence_keys: Vec::new(),
        }
    }
}

/// A configuration file that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// It cannot be read.
    #[error("cannot read `{}`: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// It is not valid.
    #[error("`{}`: {message}", path.display())]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
}

impl ServerConfig {
    /// Reads a configuration file; missing fields take their defaults.
    pub fn from_file(path: &Path) -> Result<ServerConfig, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.into(),
            source,
        })?;
        toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.into(),
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_overrides_only_what_it_names_and_rejects_unknown_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("server.toml");
        std::fs::write(&path, "listen = \"0.0.0.0:9000\"\nlog_json = true\n").unwrap();
        let config = ServerConfig::from_file(&path).unwrap();
        assert_eq!(config.listen, SocketAddr::from(([0, 0, 0, 0], 9000)));
        assert!(config.log_json);
        assert_eq!(
            config.max_body_bytes,
            ServerConfig::default().max_body_bytes
        );
        std::fs::write(&path, "lisen = \"0.0.0.0:9000\"\n").unwrap();
        let err = ServerConfig::from_file(&path).unwrap_err();
        assert!(err.to_string().contains("unknown field"), "{err}");
    }
}
