//! Loading alerts for `check`: from bundle files (`--alerts`) or from the
//! local store.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use forewarn_core::indicators::IndicatorSet;
use forewarn_stix::{AlertSummary, Bundle, Severity, load_alerts, validate};
use forewarn_store::Store;

use crate::render::one_line;

/// Reads and validates a bundle file; prints its problems, refuses it when
/// it has errors.
pub fn read_valid_bundle(path: &Path) -> Result<(Vec<u8>, Bundle)> {
    let bytes = read_bounded(path, forewarn_stix::bundle::MAX_BUNDLE_BYTES)
        .with_context(|| format!("cannot read the alert bundle `{}`", path.display()))?;
    let bundle = Bundle::parse(&bytes)
        .with_context(|| format!("`{}` is not a STIX bundle", path.display()))?;
    let problems = validate(&bundle);
    let errors = problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .count();
    for problem in &problems {
        eprintln!(
            "forewarn: {}: {}",
            path.display(),
            one_line(&problem.to_string())
        );
    }
    if errors > 0 {
        bail!(
            "`{}` is not valid STIX 2.1 ({errors} error{}); it was not loaded",
            path.display(),
            if errors == 1 { "" } else { "s" }
        );
    }
    Ok((bytes, bundle))
}

/// Longest key or signature file read.
const MAX_KEY_FILE_BYTES: usize = 64 << 10;

/// Reads a file of at most `limit` bytes, without reading more of a larger
/// one.
pub fn read_bounded(path: &Path, limit: usize) -> Result<Vec<u8>> {
    use std::io::Read as _;
    let file = std::fs::File::open(path)?;
    let mut bytes = Vec::new();
    file.take(limit as u64 + 1).read_to_end(&mut bytes)?;
    if bytes.len() > limit {
        bail!("it is larger than the {limit} bytes forewarn reads");
    }
    Ok(bytes)
}

/// Reads a key or signature file as text.
pub fn read_key_file(path: &Path) -> Result<String> {
    read_bounded(path, MAX_KEY_FILE_BYTES).map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// Loads the alerts in `paths`, telling on standard error what each held.
pub fn load_files(paths: &[PathBuf]) -> Result<IndicatorSet> {
    let mut set = IndicatorSet::new();
    for path in paths {
        let (_, bundle) = read_valid_bundle(path)?;
        for alert in load_alerts(&bundle, &mut set, None) {
            describe(&alert);
        }
    }
    Ok(set)
}

/// The alerts a command matches against: those in `paths` (`--alerts`),
/// or, when none is given, every alert imported into the store of `data`.
pub fn load(paths: &[PathBuf], data: &crate::data_dir::DataDir) -> Result<IndicatorSet> {
    if !paths.is_empty() {
        return load_files(paths);
    }
    match data.open_existing()? {
        Some(store) => load_stored(&store),
        None => Ok(IndicatorSet::new()),
    }
}

/// Loads every alert of the local store.
pub fn load_stored(store: &Store) -> Result<IndicatorSet> {
    let mut set = IndicatorSet::new();
    let keys = store.trusted_keys()?;
    for stored in store.alerts()? {
        let bundle = Bundle::parse(&stored.bundle)
            .with_context(|| format!("the stored alert `{}` is damaged", stored.id))?;
        let issuer = issuer(&stored, &keys);
        load_alerts(&bundle, &mut set, Some(&issuer));
    }
    Ok(set)
}

/// Who vouches for a stored alert: the owner of the trusted key that signed
/// it, or the bundle's own claim, marked unsigned.
pub fn issuer(stored: &forewarn_store::StoredAlert, keys: &[forewarn_store::TrustedKey]) -> String {
    match &stored.signed_by {
        Some(fingerprint) => {
            let name = keys
                .iter()
                .find(|k| &k.fingerprint == fingerprint)
                .map_or(fingerprint.as_str(), |k| k.name.as_str());
            format!("{name} (signature verified)")
        }
        None => format!(
            "{} (unsigned)",
            stored.issuer.as_deref().unwrap_or("an unnamed issuer")
        ),
    }
}

/// Tells on standard error what an alert held.
pub fn describe(alert: &AlertSummary) {
    let mut held = vec![
        plural(alert.personas, "persona"),
        plural(alert.organisations, "organisation"),
        plural(alert.observables, "observable indicator"),
        plural(alert.photos, "photo"),
    ];
    if !alert.unsupported.is_empty() {
        held.push(format!("{} kept but not matched", alert.unsupported.len()));
    }
    eprintln!(
        "forewarn: alert {} ({}): {}",
        one_line(&alert.source.to_string()),
        alert
            .tlp
            .map_or_else(|| "no TLP marking".to_owned(), |t| t.to_string()),
        held.join(", ")
    );
    for u in &alert.unsupported {
        eprintln!(
            "forewarn:   {} is not matched: {}",
            one_line(&u.id),
            one_line(&u.reason)
        );
    }
}

/// "1 photo", "2 photos".
fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
