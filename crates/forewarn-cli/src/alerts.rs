//! Loading alert bundles (STIX 2.1) for `check --alerts`.

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use forewarn_core::indicators::IndicatorSet;
use forewarn_stix::{Bundle, Severity, load_alerts, validate};

/// Reads, validates and loads the alerts in `paths`. Warnings and
/// indicators that cannot be matched are listed on standard error; a bundle
/// with validation errors is refused.
pub fn load(paths: &[PathBuf]) -> Result<IndicatorSet> {
    let mut set = IndicatorSet::new();
    for path in paths {
        let bytes = std::fs::read(path)
            .with_context(|| format!("cannot read the alert bundle `{}`", path.display()))?;
        let bundle = Bundle::parse(&bytes)
            .with_context(|| format!("`{}` is not a STIX bundle", path.display()))?;
        let problems = validate(&bundle);
        let errors = problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        for problem in &problems {
            eprintln!("forewarn: {}: {problem}", path.display());
        }
        if errors > 0 {
            bail!(
                "`{}` is not valid STIX 2.1 ({errors} error{}); it was not loaded",
                path.display(),
                if errors == 1 { "" } else { "s" }
            );
        }
        for alert in load_alerts(&bundle, &mut set) {
            eprintln!(
                "forewarn: alert {} ({}): {} personas, {} organisations, {} observable indicators{}",
                alert.source,
                alert
                    .tlp
                    .map_or_else(|| "no TLP marking".to_owned(), |t| t.to_string()),
                alert.personas,
                alert.organisations,
                alert.observables,
                if alert.unsupported.is_empty() {
                    String::new()
                } else {
                    format!(", {} kept but not matched", alert.unsupported.len())
                }
            );
            for u in &alert.unsupported {
                eprintln!("forewarn:   {} is not matched: {}", u.id, u.reason);
            }
        }
    }
    Ok(set)
}
