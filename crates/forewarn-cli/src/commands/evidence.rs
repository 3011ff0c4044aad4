//! `forewarn evidence`: the keys that seal a server's evidence at rest.

use anyhow::Result;
use forewarn_server::evidence::EvidenceKeys;

use crate::EXIT_LOW;
use crate::server_options::ServerOptions;

/// What to do with evidence keys.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Print a new random key (ID:BASE64), to put first in evidence_keys.
    NewKey,
    /// Seal every stored approach, verdict and original again under the current (first) key.
    #[command(after_help = "\
Rotation: 1. put a new key (forewarn evidence new-key) first in
evidence_keys or FOREWARN_EVIDENCE_KEYS, keeping the old ones after it, and
restart the server; 2. run forewarn evidence rotate with the same keys;
3. drop the old keys and restart. The rotation can run while the server
does; a value it cannot open stops it with its label.")]
    Rotate {
        #[command(flatten)]
        server: ServerOptions,
    },
}

/// Runs `forewarn evidence`.
pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::NewKey => {
            let line = EvidenceKeys::new_key_line()?;
            #[allow(clippy::print_stdout)] // The key is the output.
            {
                println!("{line}");
            }
        }
        Command::Rotate { server } => {
            let config = server.config()?;
            let data_dir = server.data_dir(&config)?;
            let (keys, source) = server.keys(&config, &data_dir)?;
            let store = forewarn_store::Store::open(&data_dir)?;
            let replaced = store.reseal_all(|label, sealed| {
                keys.reseal(label, sealed).map_err(|e| e.to_string())
            })?;
            eprintln!(
                "forewarn: {replaced} sealed value(s) moved to key {} (from {source}); values already under it were left as they were",
                keys.current_id()
            );
        }
    }
    Ok(EXIT_LOW)
}
