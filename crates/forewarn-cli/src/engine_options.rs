//! Options shared by the commands that build an engine: rules, model and
//! configuration file.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use forewarn_core::rules::RulePack;
use forewarn_core::{Engine, EngineConfig, Model, RuleSet};

/// Where rules, model and settings come from.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineOptions {
    /// Add a rule pack to the default one (a rule with the same id replaces it). Repeatable.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Use only these rule packs, not the default one. Repeatable.
    #[arg(long = "rules-only", value_name = "FILE", conflicts_with = "rules")]
    pub rules_only: Vec<PathBuf>,
    /// Use this model file instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub model: Option<PathBuf>,
    /// Settings file (TOML): report_to, phone_region, [profile] thresholds and countries_of_concern.
    #[arg(long, value_name = "FILE", env = "FOREWARN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Who to report to, named in the advice [default: your organisation's security team].
    #[arg(long, value_name = "WHO")]
    pub report_to: Option<String>,
    /// Judge approaches whose messages carry no date as of this day (YYYY-MM-DD) [default: today].
    #[arg(long, value_name = "DATE")]
    pub as_of: Option<String>,
}

impl EngineOptions {
    /// Loads the rule set.
    pub fn rule_set(&self) -> Result<RuleSet> {
        let mut pack = if self.rules_only.is_empty() {
            RulePack::parse(forewarn_core::rules::DEFAULT_PACK, "default rule pack")?
        } else {
            let mut packs = self.rules_only.iter().map(|p| load_pack(p));
            let mut first = packs.next().context("no rule pack given")??;
            for pack in packs {
                first.extend(pack?);
            }
            first
        };
        for path in &self.rules {
            pack.extend(load_pack(path)?);
        }
        Ok(RuleSet::compile(pack)?)
    }

    /// Loads the model.
    pub fn model(&self) -> Result<Model> {
        match &self.model {
            None => Ok(Model::shipped()?),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the model `{}`", path.display()))?;
                Ok(Model::parse(&text, &path.display().to_string())?)
            }
        }
    }

    /// Loads the settings.
    pub fn config(&self) -> Result<EngineConfig> {
        let mut config = match &self.config {
            None => EngineConfig::default(),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .with_context(|| format!("cannot read the settings `{}`", path.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("invalid settings in `{}`", path.display()))?
            }
        };
        if let Some(who) = &self.report_to {
            config.report_to = who.clone();
        }
        config.today = Some(match &self.as_of {
            Some(day) => forewarn_core::dates::parse_day(day)
                .with_context(|| format!("--as-of `{day}` is not a YYYY-MM-DD date"))?,
            None => time::OffsetDateTime::now_utc().date(),
        });
        Ok(config)
    }

    /// Builds the engine.
    pub fn engine(&self) -> Result<Engine> {
        // Loading the phone metadata takes a few milliseconds: given a
        // second core, it overlaps compiling the rules. Should no thread
        // start, the engine loads the metadata itself.
        let metadata = std::thread::Builder::new()
            .name("phone-metadata".into())
            .spawn(forewarn_core::observables::prepare_metadata);
        let (rules, model, config) = (self.rule_set()?, self.model()?, self.config()?);
        if let Ok(loading) = metadata {
            // Were the loading to panic, `Engine::new`'s own call to load
            // the metadata would meet the same panic: nothing is lost.
            let _ = loading.join();
        }
        Ok(Engine::new(rules, model, config))
    }
}

/// Reads and parses a rule pack file.
pub fn load_pack(path: &Path) -> Result<RulePack> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the rule pack `{}`", path.display()))?;
    Ok(RulePack::parse(&text, &path.display().to_string())?)
}
