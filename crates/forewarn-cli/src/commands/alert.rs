//! `forewarn alert`: sign, import, list, show, export and remove alerts.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use forewarn_core::indicators::IndicatorSet;
use forewarn_stix::{DetachedSignature, PublicKey, SecretKey, load_alerts};
use forewarn_store::StoredAlert;

use crate::EXIT_LOW;
use crate::alerts::{describe, issuer, read_valid_bundle};
use crate::data_dir::DataDir;
use crate::render::one_line;

/// `forewarn alert ...`
#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Sign a bundle: write a detached signature over its exact bytes.
    Sign {
        /// The STIX bundle.
        bundle: PathBuf,
        /// The secret key (from `forewarn keys generate`).
        #[arg(long, value_name = "KEY")]
        key: PathBuf,
        /// Where to write the signature [default: BUNDLE.sig].
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify and import an alert bundle into the local store.
    Import {
        /// The STIX bundle.
        file: PathBuf,
        /// Its detached signature [default: FILE.sig].
        #[arg(long, value_name = "SIG")]
        signature: Option<PathBuf>,
        /// Import even without a valid signature from a trusted key.
        #[arg(long)]
        allow_unsigned: bool,
        #[command(flatten)]
        data: DataDir,
    },
    /// List imported alerts.
    List {
        #[command(flatten)]
        data: DataDir,
    },
    /// Show what an imported alert holds.
    Show {
        /// The bundle id (as `alert list` shows it).
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
    /// Write an imported alert's bundle, byte for byte as imported.
    Export {
        /// The bundle id.
        id: String,
        /// Where to write it [default: standard output]; its signature goes to FILE.sig.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        #[command(flatten)]
        data: DataDir,
    },
    /// Remove an imported alert.
    Remove {
        /// The bundle id.
        id: String,
        #[command(flatten)]
        data: DataDir,
    },
}

/// Runs `forewarn alert`.
pub fn run(command: Command) -> Result<u8> {
    match command {
        Command::Sign { bundle, key, out } => sign(&bundle, &key, out),
        Command::Import {
            file,
            signature,
            allow_unsigned,
            data,
        } => import(&file, signature, allow_unsigned, &data),
        Command::List { data } => list(&data),
        Command::Show { id, data } => show(&id, &data),
        Command::Export { id, out, data } => export(&id, out.as_deref(), &data),
        Command::Remove { id, data } => remove(&id, &data),
    }
}

fn sig_path(bundle: &Path) -> PathBuf {
    PathBuf::from(format!("{}.sig", bundle.display()))
}

fn sign(bundle: &Path, key: &Path, out: Option<PathBuf>) -> Result<u8> {
    let key_text = crate::alerts::read_key_file(key)
        .with_context(|| format!("cannot read the key `{}`", key.display()))?;
    let key = SecretKey::from_text(&key_text)
        .with_context(|| format!("`{}` is not a forewarn secret key", key.display()))?;
    // Only valid bundles are worth signing.
    let (bytes, _) = read_valid_bundle(bundle)?;
    let out = out.unwrap_or_else(|| sig_path(bundle));
    let signature = key.sign(&bytes);
    std::fs::write(&out, format!("{}\n", signature.to_text()))
        .with_context(|| format!("cannot write `{}`", out.display()))?;
    eprintln!(
        "forewarn: signed `{}` with key {}; signature in `{}`",
        bundle.display(),
        signature.fingerprint,
        out.display()
    );
    Ok(EXIT_LOW)
}

fn import(
    file: &Path,
    signature: Option<PathBuf>,
    allow_unsigned: bool,
    data: &DataDir,
) -> Result<u8> {
    let (bytes, bundle) = read_valid_bundle(file)?;
    let store = data.open()?;
    let sig_file = signature.unwrap_or_else(|| sig_path(file));
    let verdict = verify(&bytes, &sig_file, &store);
    let (signed_by, signature_text) = match verdict {
        Ok((fingerprint, text)) => (Some(fingerprint), Some(text)),
        Err(reason) if allow_unsigned => {
            eprintln!("forewarn: warning: {reason}; imported as unsigned (--allow-unsigned)");
            (None, None)
        }
        Err(reason) => bail!(
            "{reason}; `{}` was not imported (give --allow-unsigned to import it anyway)",
            file.display()
        ),
    };
    let Some(stored) = forewarn_server::stored_alert(bytes, &bundle, signed_by, signature_text)
    else {
        bail!("`{}` has no bundle id", file.display());
    };
    let id = stored.id.clone();
    let keys = store.trusted_keys()?;
    let replaced = store.put_alert(&stored)?;
    let mut set = IndicatorSet::new();
    for alert in load_alerts(&bundle, &mut set, Some(&issuer(&stored, &keys))) {
        describe(&alert);
    }
    eprintln!(
        "forewarn: {} `{id}` into `{}`",
        if replaced { "replaced" } else { "imported" },
        store.path().display()
    );
    Ok(EXIT_LOW)
}

/// Checks the signature in `sig_file` against the trusted keys; returns the
/// signing key's fingerprint and the signature's text, or why not.
fn verify(
    bytes: &[u8],
    sig_file: &Path,
    store: &forewarn_store::Store,
) -> std::result::Result<(String, String), String> {
    if !sig_file.exists() {
        return Err(format!(
            "the bundle is not signed (no signature at `{}`)",
            sig_file.display()
        ));
    }
    let text = crate::alerts::read_key_file(sig_file)
        .map_err(|e| format!("cannot read the signature `{}`: {e}", sig_file.display()))?;
    let signature = DetachedSignature::from_text(&text)
        .map_err(|e| format!("`{}`: {e}", sig_file.display()))?;
    let keys = store.trusted_keys().map_err(|e| e.to_string())?;
    let Some(key) = keys.iter().find(|k| k.fingerprint == signature.fingerprint) else {
        return Err(format!(
            "the bundle is signed by key {}, which you do not trust (see `forewarn keys trust`)",
            signature.fingerprint
        ));
    };
    let public = PublicKey::from_text(&key.public_key).map_err(|e| e.to_string())?;
    public.verify(bytes, &signature).map_err(|_| {
        format!(
            "the signature by {} ({}) does not match: the bundle was changed after it was signed",
            key.name, key.fingerprint
        )
    })?;
    let text = signature.to_text();
    Ok((signature.fingerprint, text))
}

fn list(data: &DataDir) -> Result<u8> {
    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    let Some(store) = data.open_existing()? else {
        eprintln!("forewarn: no alerts imported; import one with `forewarn alert import FILE`");
        return Ok(EXIT_LOW);
    };
    let keys = store.trusted_keys()?;
    for alert in store.alerts()? {
        writeln!(
            out,
            "{}  {}  {}  {}  imported {}",
            one_line(&alert.id),
            alert.tlp.as_deref().unwrap_or("no TLP"),
            one_line(&issuer(&alert, &keys)),
            one_line(&alert.name),
            alert.imported_at
        )?;
    }
    Ok(EXIT_LOW)
}

fn stored(id: &str, data: &DataDir) -> Result<(forewarn_store::Store, StoredAlert)> {
    let store = data.open()?;
    let Some(alert) = store.alert(id)? else {
        bail!("no imported alert `{id}` (see `forewarn alert list`)");
    };
    Ok((store, alert))
}

fn show(id: &str, data: &DataDir) -> Result<u8> {
    let (store, alert) = stored(id, data)?;
    let keys = store.trusted_keys()?;
    let bundle = forewarn_stix::Bundle::parse(&alert.bundle)?;
    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    writeln!(out, "{}", one_line(&alert.id))?;
    writeln!(out, "  name:      {}", one_line(&alert.name))?;
    writeln!(out, "  issuer:    {}", one_line(&issuer(&alert, &keys)))?;
    writeln!(
        out,
        "  TLP:       {}",
        alert.tlp.as_deref().unwrap_or("none")
    )?;
    writeln!(out, "  imported:  {}", alert.imported_at)?;
    writeln!(out, "  objects:   {}", bundle.objects().len())?;
    let mut set = IndicatorSet::new();
    for summary in load_alerts(&bundle, &mut set, None) {
        writeln!(
            out,
            "  alert {}: {} personas, {} organisations, {} observable indicators",
            one_line(&summary.source.to_string()),
            summary.personas,
            summary.organisations,
            summary.observables
        )?;
        for u in &summary.unsupported {
            writeln!(
                out,
                "    not matched: {} ({})",
                one_line(&u.id),
                one_line(&u.reason)
            )?;
        }
    }
    for persona in bundle
        .objects()
        .iter()
        .filter(|o| matches!(o.object_type(), Some("threat-actor" | "intrusion-set")))
    {
        let aliases = persona.aliases();
        writeln!(
            out,
            "  persona:   {}{}",
            one_line(persona.name().unwrap_or("(unnamed)")),
            if aliases.is_empty() {
                String::new()
            } else {
                format!(" (also {})", one_line(&aliases.join(", ")))
            }
        )?;
    }
    for org in bundle.of_type("identity").filter(|o| {
        o.str_property("identity_class") == Some("organization")
            && bundle.of_type("report").any(|r| {
                r.str_list("object_refs")
                    .contains(&o.id().unwrap_or_default())
            })
    }) {
        writeln!(
            out,
            "  organisation: {}",
            one_line(org.name().unwrap_or("(unnamed)"))
        )?;
    }
    Ok(EXIT_LOW)
}

fn export(id: &str, out: Option<&Path>, data: &DataDir) -> Result<u8> {
    let (_, alert) = stored(id, data)?;
    match out {
        None => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            lock.write_all(&alert.bundle)?;
        }
        Some(path) => {
            std::fs::write(path, &alert.bundle)
                .with_context(|| format!("cannot write `{}`", path.display()))?;
            if let Some(signature) = &alert.signature {
                let sig = sig_path(path);
                std::fs::write(&sig, format!("{signature}\n"))
                    .with_context(|| format!("cannot write `{}`", sig.display()))?;
            }
            eprintln!("forewarn: wrote `{}`", path.display());
        }
    }
    Ok(EXIT_LOW)
}

fn remove(id: &str, data: &DataDir) -> Result<u8> {
    let store = data.open()?;
    if !store.remove_alert(id)? {
        bail!("no imported alert `{id}` (see `forewarn alert list`)");
    }
    eprintln!("forewarn: removed `{id}`");
    Ok(EXIT_LOW)
}
