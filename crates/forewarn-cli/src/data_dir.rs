//! Where forewarn keeps its local store.

use std::path::PathBuf;

use anyhow::{Context, Result};
use forewarn_store::{DATABASE_FILE, Store};

/// The `--data-dir` option.
#[derive(Debug, Clone, clap::Args)]
pub struct DataDir {
    /// Directory of the local store (imported alerts, trusted keys) [default: $XDG_DATA_HOME/forewarn, usually ~/.local/share/forewarn].
    #[arg(long, value_name = "DIR", env = "FOREWARN_DATA_DIR")]
    data_dir: Option<PathBuf>,
}

impl DataDir {
    /// The directory given by flag or environment, if any.
    pub fn given(&self) -> Option<PathBuf> {
        self.data_dir.clone()
    }

    /// The directory.
    pub fn path(&self) -> Result<PathBuf> {
        if let Some(dir) = &self.data_dir {
            return Ok(dir.clone());
        }
        directories::ProjectDirs::from("", "", "forewarn")
            .map(|d| d.data_dir().to_path_buf())
            .context("no home directory to keep the store in; give --data-dir")
    }

    /// Opens the store, creating it if needed.
    pub fn open(&self) -> Result<Store> {
        let dir = self.path()?;
        Store::open(&dir).with_context(|| format!("cannot open the store in `{}`", dir.display()))
    }

    /// Opens the store if it exists.
    pub fn open_existing(&self) -> Result<Option<Store>> {
        let dir = self.path()?;
        if !dir.join(DATABASE_FILE).exists() {
            return Ok(None);
        }
        self.open().map(Some)
    }
}
