//! `forewarn hunt`: re-check every kept approach against the current
//! alerts and list each match that is new since it was last checked.

use std::collections::BTreeSet;
use std::io::Write as _;

use anyhow::{Context, Result};
use forewarn_core::{Analysis, Approach, Engine};
use forewarn_store::{KeptApproach, Store};
use sha2::{Digest, Sha256};

use crate::data_dir::DataDir;
use crate::engine_options::EngineOptions;
use crate::{EXIT_FLAGGED, EXIT_LOW};

/// Arguments of `forewarn hunt`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    data: DataDir,
    #[command(flatten)]
    engine: EngineOptions,
}

/// One line per alert match of an analysis: alert id, what matched, and
/// the alert's detail, separated by tabs.
pub fn match_keys(engine: &Engine, analysis: &Analysis) -> BTreeSet<String> {
    analysis
        .alerts
        .iter()
        .map(|m| match_key(engine, m))
        .collect()
}

/// The line of one alert match (see [`match_keys`]).
fn match_key(engine: &Engine, m: &forewarn_core::indicators::IndicatorMatch) -> String {
    let alert = engine
        .indicators()
        .alerts()
        .get(m.alert)
        .map_or("", |a| a.id.as_str());
    format!("{alert}\t{:?}\t{}", m.kind, m.detail)
}

/// Keeps an approach in the store, with the matches it has now.
pub fn keep(
    store: &Store,
    engine: &Engine,
    approach: &Approach,
    source: &str,
    analysis: &Analysis,
    risk: &str,
) -> Result<()> {
    let json = serde_json::to_string(approach).context("cannot serialise the approach")?;
    let key: String = Sha256::digest(json.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let matches: Vec<String> = match_keys(engine, analysis).into_iter().collect();
    store.keep_approach(&KeptApproach {
        key,
        approach: json,
        source: source.to_owned(),
        checked_at: crate::now_rfc3339(),
        risk: risk.to_owned(),
        matches: matches.join("\n"),
    })?;
    Ok(())
}

/// Runs `forewarn hunt`.
pub fn run(args: Args) -> Result<u8> {
    let Some(store) = args.data.open_existing()? else {
        eprintln!(
            "forewarn: nothing kept yet; check approaches with `forewarn check --keep` first"
        );
        return Ok(EXIT_LOW);
    };
    let indicators = crate::alerts::load_stored(&store)?;
    let alerts = indicators.alerts().len();
    let engine = args.engine.engine()?.with_indicators(indicators);
    let stdout = anstream::stdout();
    let mut out = stdout.lock();
    let kept = store.kept_approaches()?;
    let mut new_matches = 0usize;
    for item in &kept {
        let approach: Approach = serde_json::from_str(&item.approach)
            .with_context(|| format!("a kept approach from {} is damaged", item.source))?;
        let analysis = engine.analyse(&approach);
        let now = match_keys(&engine, &analysis);
        let before: BTreeSet<String> = item
            .matches
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect();
        let fresh: Vec<&String> = now.difference(&before).collect();
        if fresh.is_empty() {
            continue;
        }
        let verdict = engine.verdict(&approach, &analysis);
        let who = approach
            .id
            .clone()
            .unwrap_or_else(|| format!("from {}", approach.sender.name));
        for m in &analysis.alerts {
            let key = match_key(&engine, m);
            if !fresh.contains(&&key) {
                continue;
            }
            let alert = engine
                .indicators()
                .alerts()
                .get(m.alert)
                .map(ToString::to_string)
                .unwrap_or_default();
            // Names from approaches and alerts are outside input.
            let line = format!(
                "{} ({who}, checked {}): now {} RISK: matches {} in the alert {alert}",
                item.source,
                item.checked_at,
                verdict.risk.as_str().to_uppercase(),
                m.detail
            );
            writeln!(out, "{}", crate::render::one_line(&line))?;
            new_matches += 1;
        }
        let all: Vec<String> = before.union(&now).cloned().collect();
        store.set_matches(&item.key, &all.join("\n"))?;
    }
    eprintln!(
        "forewarn: re-checked {} kept approach(es) against {alerts} alert(s): {new_matches} new match(es)",
        kept.len()
    );
    Ok(if new_matches > 0 {
        EXIT_FLAGGED
    } else {
        EXIT_LOW
    })
}
