//! `forewarn testdata`: write synthetic LinkedIn exports and mboxes, with
//! planted hostile and benign conversations and a labels file, for tests,
//! benchmarks and trying `forewarn scan` without real data.

use std::path::{Path, PathBuf};

use anyhow::Result;

use crate::EXIT_LOW;
use crate::testdata;

/// What to write.
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// A LinkedIn data export (folder, or .zip with --zip) in the real layout.
    Linkedin {
        /// The folder (or .zip file) to write.
        #[arg(value_name = "OUT")]
        out: PathBuf,
        /// Write a .zip, as LinkedIn delivers it, instead of a folder.
        #[arg(long)]
        zip: bool,
        /// Seed of the generator: the same seed writes the same bytes.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Conversations, planted ones included.
        #[arg(long, default_value_t = 20_000)]
        conversations: usize,
        /// Messages in all, about.
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Connections, at least.
        #[arg(long, default_value_t = 10_000)]
        connections: usize,
        /// Planted hostile conversations.
        #[arg(long, default_value_t = 50)]
        hostile: usize,
        /// Planted benign hard negatives (risky words, honest purpose).
        #[arg(long, default_value_t = 50)]
        benign: usize,
        /// Where to write the labels (JSON Lines: conversation_id, label, kind) [default: OUT.labels.jsonl].
        #[arg(long, value_name = "FILE")]
        labels: Option<PathBuf>,
    },
    /// An mbox file.
    Mbox {
        /// The mbox file to write.
        #[arg(value_name = "OUT")]
        out: PathBuf,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Messages, planted ones included.
        #[arg(long, default_value_t = 10_000)]
        messages: usize,
        /// Planted hostile approaches.
        #[arg(long, default_value_t = 20)]
        hostile: usize,
        /// Planted benign hard negatives.
        #[arg(long, default_value_t = 20)]
        benign: usize,
        /// Pad ordinary mail with attachments until the file is about this many bytes.
        #[arg(long, value_name = "BYTES")]
        size: Option<u64>,
        /// Where to write the labels (JSON Lines: message_id, label, kind) [default: OUT.labels.jsonl].
        #[arg(long, value_name = "FILE")]
        labels: Option<PathBuf>,
    },
    /// Reports in a server's store, from the demo members (for load benchmarks of `forewarn serve`).
    Reports {
        /// How many reports to add.
        #[arg(long, default_value_t = 100_000)]
        count: usize,
        /// Seed of the generator.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[command(flatten)]
        server: crate::server_options::ServerOptions,
        #[command(flatten)]
        engine: crate::engine_options::EngineOptions,
    },
}

fn labels_path(out: &Path, given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let mut name = out.as_os_str().to_owned();
        name.push(".labels.jsonl");
        PathBuf::from(name)
    })
}

/// Runs `forewarn testdata`.
pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Linkedin {
            out,
            zip,
            seed,
            conversations,
            messages,
            connections,
            hostile,
            benign,
            labels,
        } => {
            let options = testdata::linkedin::Options {
                seed,
                conversations,
                messages,
                connections,
                hostile,
                benign,
                zip,
            };
            let generated = testdata::linkedin::write(&out, &options)?;
            let labels = labels_path(&out, labels);
            testdata::write_labels(&labels, &testdata::linkedin::label_lines(&generated))?;
            eprintln!(
                "forewarn: wrote a LinkedIn export to {}: {} conversations ({hostile} hostile and {benign} benign planted), {} messages, {} connections, {} invitations, {:.1} MB; labels in {}",
                out.display(),
                generated.conversations,
                generated.messages,
                generated.connections,
                generated.invitations,
                generated.bytes as f64 / 1e6,
                labels.display()
            );
        }
        Command::Mbox {
            out,
            seed,
            messages,
            hostile,
            benign,
            size,
            labels,
        } => {
            let options = testdata::mbox::Options {
                seed,
                messages,
                hostile,
                benign,
                size,
            };
            let generated = testdata::mbox::write(&out, &options)?;
            let labels = labels_path(&out, labels);
            testdata::write_labels(&labels, &testdata::mbox::label_lines(&generated))?;
            eprintln!(
                "forewarn: wrote an mbox to {}: {} messages ({hostile} hostile and {benign} benign planted), {:.1} MB; labels in {}",
                out.display(),
                generated.messages,
                generated.bytes as f64 / 1e6,
                labels.display()
            );
        }
        Command::Reports {
            count,
            seed,
            server,
            engine,
        } => {
            let config = server.config()?;
            let data_dir = server.data_dir(&config)?;
            let (keys, _) = server.keys(&config, &data_dir)?;
            let store = forewarn_store::Store::open(&data_dir)?;
            let started = std::time::Instant::now();
            let added = crate::demo::bulk_reports(&store, &engine, &keys, count, seed)?;
            eprintln!(
                "forewarn: added {added} reports to `{}` in {:.1} s",
                store.path().display(),
                started.elapsed().as_secs_f64()
            );
        }
    }
    Ok(EXIT_LOW)
}
