//! Options shared by the commands that work on a server's store: its
//! settings file, its data directory and the keys that seal its evidence.

use std::path::PathBuf;

use anyhow::{Context, Result};
use forewarn_server::ServerConfig;
use forewarn_server::evidence::EvidenceKeys;

/// The key file made in the data directory when no key is configured.
pub const KEY_FILE: &str = "evidence.key";

/// Where a server's settings, store and keys are.
#[derive(Debug, Clone, clap::Args)]
pub struct ServerOptions {
    /// Server settings file (TOML).
    #[arg(long, value_name = "FILE", env = "FOREWARN_SERVER_CONFIG")]
    pub server_config: Option<PathBuf>,
    /// Keys that seal evidence at rest, ID:BASE64, the current one first, comma-separated [default: the settings file's evidence_keys, else the key file evidence.key in the data directory, made on first start].
    #[arg(
        long,
        value_name = "KEYS",
        env = "FOREWARN_EVIDENCE_KEYS",
        value_delimiter = ',',
        hide_env_values = true
    )]
    pub evidence_keys: Vec<String>,
    #[command(flatten)]
    pub data: crate::data_dir::DataDir,
}

impl ServerOptions {
    /// The settings: the file's, or the defaults.
    pub fn config(&self) -> Result<ServerConfig> {
        Ok(match &self.server_config {
            Some(path) => ServerConfig::from_file(path)?,
            None => ServerConfig::default(),
        })
    }

    /// The data directory: the flag or environment, the settings file, or
    /// the user's data directory.
    pub fn data_dir(&self, config: &ServerConfig) -> Result<PathBuf> {
        match (self.data.given(), &config.data_dir) {
            (Some(dir), _) => Ok(dir),
            (None, Some(dir)) => Ok(dir.clone()),
            (None, None) => self.data.path(),
        }
    }

    /// The evidence keys, and where they came from.
    pub fn keys(
        &self,
        config: &ServerConfig,
        data_dir: &std::path::Path,
    ) -> Result<(EvidenceKeys, String)> {
        if !self.evidence_keys.is_empty() {
            return Ok((
                EvidenceKeys::parse(&self.evidence_keys)?,
                "FOREWARN_EVIDENCE_KEYS".to_owned(),
            ));
        }
        if !config.evidence_keys.is_empty() {
            return Ok((
                EvidenceKeys::parse(&config.evidence_keys)?,
                "the settings file".to_owned(),
            ));
        }
        std::fs::create_dir_all(data_dir)
            .with_context(|| format!("cannot create `{}`", data_dir.display()))?;
        let path = data_dir.join(KEY_FILE);
        Ok((
            EvidenceKeys::from_file_or_new(&path)?,
            format!(
                "{} (beside the database: configure evidence_keys to keep the key elsewhere)",
                path.display()
            ),
        ))
    }
}
