//! `forewarn keys`: the Ed25519 keys that sign alerts and the issuer keys
//! this user trusts.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use forewarn_stix::{PublicKey, SecretKey};
use forewarn_store::TrustedKey;

use crate::EXIT_LOW;
use crate::data_dir::DataDir;

/// `forewarn keys ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Make a new signing key: KEY (secret, readable only by you) and KEY.pub.
    Generate {
        /// Where to write the secret key; the public key goes to the same path with `.pub`.
        #[arg(long, value_name = "KEY", default_value = "forewarn-signing-key")]
        out: PathBuf,
        /// Replace existing key files.
        #[arg(long)]
        force: bool,
    },
    /// Trust an issuer's public key to sign the alerts you import.
    Trust {
        /// The public key (`forewarn-ed25519-public ...`) or a file holding it.
        pubkey: String,
        /// Who the key belongs to, as verdicts will name the issuer.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// List the trusted issuer keys.
    List {
        #[command(flatten)]
        data: DataDir,
    },
}

/// Runs `forewarn keys`.
pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Generate { out, force } => generate(&out, force),
        Command::Trust { pubkey, name, data } => trust(&pubkey, &name, &data),
        Command::List { data } => list(&data),
    }
}

fn generate(out: &Path, force: bool) -> Result<u8> {
    let public_path = PathBuf::from(format!("{}.pub", out.display()));
    for path in [out, public_path.as_path()] {
        if path.exists() && !force {
            bail!(
                "`{}` exists; give --force to replace it, or another --out",
                path.display()
            );
        }
    }
    let key = SecretKey::generate()?;
    write_secret(
        out,
        &format!(
            "# forewarn alert-signing key: keep it secret\n{}\n",
            key.to_text()
        ),
    )?;
    let public = key.public();
    std::fs::write(&public_path, format!("{}\n", public.to_text()))
        .with_context(|| format!("cannot write `{}`", public_path.display()))?;
    let stdout = anstream::stdout();
    let mut out_lock = stdout.lock();
    writeln!(
        out_lock,
        "secret key: {}\npublic key: {} (fingerprint {})\n{}",
        out.display(),
        public_path.display(),
        public.fingerprint(),
        public.to_text()
    )?;
    Ok(EXIT_LOW)
}

/// Writes a secret key readable only by its owner.
fn write_secret(path: &Path, text: &str) -> Result<()> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options
        .open(path)
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    file.write_all(text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(())
}

fn trust(pubkey: &str, name: &str, data: &DataDir) -> Result<u8> {
    let text = if pubkey.trim_start().starts_with("forewarn-ed25519-public") {
        pubkey.to_owned()
    } else {
        crate::alerts::read_key_file(Path::new(pubkey))
            .with_context(|| format!("`{pubkey}` is neither a public key nor a readable file"))?
    };
    let key = PublicKey::from_text(&text)?;
    let store = data.open()?;
    store.trust_key(&TrustedKey {
        fingerprint: key.fingerprint(),
        name: name.to_owned(),
        public_key: key.to_text(),
        added_at: crate::now_rfc3339(),
    })?;
    eprintln!("forewarn: trusted key {} as {name}", key.fingerprint());
    Ok(EXIT_LOW)
}

fn list(data: &DataDir) -> Result<u8> {
    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    let keys = match data.open_existing()? {
        Some(store) => store.trusted_keys()?,
        None => Vec::new(),
    };
    if keys.is_empty() {
        eprintln!(
            "forewarn: no trusted keys; add one with `forewarn keys trust PUBKEY --name NAME`"
        );
    }
    for key in keys {
        writeln!(
            out,
            "{}  {}  (trusted {})",
            key.fingerprint,
            crate::render::one_line(&key.name),
            key.added_at
        )?;
    }
    Ok(EXIT_LOW)
}
