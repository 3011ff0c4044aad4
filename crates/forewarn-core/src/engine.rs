//! The engine: judges one approach and says exactly why.

use std::ops::Range;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use time::Date;

use crate::approach::Approach;
use crate::dates::timestamp_day;
use crate::features::text_features_normalised;
use crate::indicators::{IndicatorMatch, IndicatorSet, MatchKind};
use crate::model::{Example, Model, TextTable, lowest};
use crate::normalise::Normalised;
use crate::observables::{self, ExtractOptions, ObservableKind};
use crate::quotation::{is_quoted, quoted_passages};
use crate::rules::{Field, Hit, RuleSet};
use crate::signals::{
    Builtin, Catalogue, Fired, MessageStages, ProfileConfig, Stage, conversation_signals,
    profile_signals,
};
use crate::verdict::{Evidence, Risk, SignalHit, Verdict};

/// The rules' hits in the text of each message of one approach, in message
/// order, with the normalised text (see [`Engine::scan_messages`]).
#[derive(Debug, Default)]
struct ScannedMessages {
    texts: Vec<(Normalised, Vec<Hit>)>,
}

/// The field a message's text is read as: the sender's messages, or the
/// recipient's replies.
fn message_field(message: &crate::approach::Message) -> Field {
    if message.from == crate::approach::Author::Sender {
        Field::Messages
    } else {
        Field::Replies
    }
}

/// Most evidence items kept per signal.
const MAX_EVIDENCE: usize = 5;

/// Most rule advice lines in a verdict, after the band's own advice.
const MAX_RULE_ADVICE: usize = 3;

/// Settings of the engine that are not rules or model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Profile thresholds and countries of concern.
    pub profile: ProfileConfig,
    /// ISO 3166 region for phone numbers written without a country code.
    pub phone_region: Option<String>,
    /// Who to report to, named in the advice.
    pub report_to: String,
    /// The date approaches are judged on when their messages carry none
    /// (`YYYY-MM-DD`); `None` leaves date-based profile signals out for them.
    #[serde(skip)]
    pub today: Option<Date>,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            profile: ProfileConfig::default(),
            phone_region: Some("GB".to_owned()),
            report_to: "your organisation's security team".to_owned(),
            today: None,
        }
    }
}

/// What the engine found in one approach, before scoring.
#[derive(Debug, Clone, Default)]
pub struct Analysis {
    /// The signals that fired, in order of first appearance.
    pub fired: Vec<Fired>,
    /// Hashed text features of the sender's messages, each once, in no
    /// particular order.
    pub text: Vec<u64>,
    /// What the loaded alerts matched.
    pub alerts: Vec<IndicatorMatch>,
}

/// The detection engine: a rule set, a model and settings.
#[derive(Debug, Clone)]
pub struct Engine {
    rules: RuleSet,
    catalogue: Catalogue,
    model: Model,
    table: TextTable,
    /// Effective weight of each catalogue signal: learned, or the prior.
    weights: Vec<f64>,
    /// Whether each catalogue signal is pooled by the model: of the pooled
    /// signals that fire, only the one of lowest weight counts.
    pooled: Vec<bool>,
    config: EngineConfig,
    extract: ExtractOptions,
    indicators: Arc<IndicatorSet>,
    /// What to do, by band (see [`BANDS`]), made once for every verdict.
    band_advice: [Arc<str>; 3],
}

impl Engine {
    /// Builds an engine.
    pub fn new(rules: RuleSet, model: Model, config: EngineConfig) -> Engine {
        let catalogue = Catalogue::new(&rules);
        let weights = catalogue
            .signals()
            .iter()
            .map(|s| model.signals.get(&*s.id).copied().unwrap_or(s.prior_weight))
            .collect();
        let pooled = catalogue
            .signals()
            .iter()
            .map(|s| model.pools(&s.id))
            .collect();
        let table = model.text_table();
        let extract = ExtractOptions {
            default_region: config.phone_region.clone(),
        };
        observables::prepare_metadata();
        let band_advice = BANDS.map(|r| band_advice(r, &config.report_to).into());
        Engine {
            rules,
            catalogue,
            model,
            table,
            weights,
            pooled,
            config,
            extract,
            indicators: Arc::new(IndicatorSet::new()),
            band_advice,
        }
    }

    /// The engine with the indicators of these alerts.
    pub fn with_indicators(mut self, indicators: IndicatorSet) -> Engine {
        self.indicators = Arc::new(indicators);
        self
    }

    /// The loaded alert indicators.
    pub fn indicators(&self) -> &IndicatorSet {
        &self.indicators
    }

    /// The rule set.
    pub fn rules(&self) -> &RuleSet {
        &self.rules
    }

    /// Every signal the engine can report.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The model.
    pub fn model(&self) -> &Model {
        &self.model
    }

    /// The settings.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Judges one approach.
    pub fn evaluate(&self, approach: &Approach) -> Verdict {
        self.into_verdict(approach, self.analyse(approach))
    }

    /// Finds the signals and text features of an approach.
    pub fn analyse(&self, approach: &Approach) -> Analysis {
        let scanned = self.scan_messages(&[approach]).pop().unwrap_or_default();
        self.analyse_scanned(approach, scanned)
    }

    /// Like [`Engine::analyse`] on each approach, in order, only faster on
    /// a run of many: the rules read the messages of all of them first,
    /// while the rules' automata and regexes stay in the processor's
    /// caches, and the rest of each analysis follows. Memory grows with
    /// the batch: give it tens of approaches, not a whole file.
    pub fn analyse_batch(&self, approaches: &[&Approach]) -> Vec<Analysis> {
        let scanned = self.scan_messages(approaches);
        approaches
            .iter()
            .zip(scanned)
            .map(|(approach, scanned)| self.analyse_scanned(approach, scanned))
            .collect()
    }

    /// The first step of an analysis: the rules' hits in the text of each
    /// message of each approach.
    fn scan_messages(&self, approaches: &[&Approach]) -> Vec<ScannedMessages> {
        let normalised: Vec<(Normalised, Field)> = approaches
            .iter()
            .flat_map(|a| &a.messages)
            .map(|message| {
                let field = message_field(message);
                // The sender's text also gives the model its features; a
                // reply is read only when some rule reads replies.
                let normalised = if field == Field::Messages || self.rules.reads(field) {
                    Normalised::new(&message.text)
                } else {
                    Normalised::default()
                };
                (normalised, field)
            })
            .collect();
        let texts: Vec<(&Normalised, Field)> = normalised.iter().map(|(n, f)| (n, *f)).collect();
        let mut hits: Vec<Vec<Hit>> = vec![Vec::new(); texts.len()];
        self.rules.scan_many(&texts, &mut hits);
        let mut scanned = normalised.into_iter().map(|(n, _)| n).zip(hits);
        approaches
            .iter()
            .map(|a| ScannedMessages {
                texts: scanned.by_ref().take(a.messages.len()).collect(),
            })
            .collect()
    }

    /// The rest of an analysis, given what [`Engine::scan_messages`] found
    /// in the same approach.
    fn analyse_scanned(&self, approach: &Approach, scanned: ScannedMessages) -> Analysis {
        let mut found: Vec<(usize, Evidence)> = Vec::with_capacity(32);
        let mut hits: Vec<Hit> = Vec::new();
        let mut stages: Vec<MessageStages> = Vec::new();
        let mut normalised_texts: Vec<Normalised> = Vec::with_capacity(approach.messages.len());
        // Hits kept per rule, and the signalled observables, of one message
        // at a time.
        let mut per_rule: Vec<(usize, usize)> = Vec::new();
        let mut observed: Vec<(Builtin, Evidence)> = Vec::new();

        let mut scanned = scanned.texts.into_iter();
        for (index, message) in approach.messages.iter().enumerate() {
            let field = message_field(message);
            let from_sender = field == Field::Messages;
            let first = found.len();
            if let Some(subject) = &message.subject {
                hits.clear();
                self.rules.scan(subject, field, &mut hits);
                for h in &hits {
                    found.push((
                        h.rule,
                        Evidence::Field {
                            field: format!("messages.{index}.subject"),
                            text: subject.get(h.span.clone()).unwrap_or_default().to_owned(),
                        },
                    ));
                }
            }
            let scanned_text = scanned.next();
            // Only a text the scan normalised may spare extraction work.
            let normalised_here = scanned_text.is_some();
            let (normalised, text_hits) = scanned_text.unwrap_or_default();
            normalised_texts.push(normalised);
            let passages = if from_sender {
                self.framed_passages(&message.text, &text_hits)
            } else {
                Vec::new()
            };
            per_rule.clear();
            for h in text_hits.iter().filter(|h| !is_quoted(&passages, &h.span)) {
                // Only the first few hits of a rule in a message are kept.
                match per_rule.iter_mut().find(|(r, _)| *r == h.rule) {
                    Some((_, n)) if *n >= MAX_EVIDENCE => continue,
                    Some((_, n)) => *n += 1,
                    None => per_rule.push((h.rule, 1)),
                }
                found.push((
                    h.rule,
                    message_evidence(index, &message.text, h.span.clone()),
                ));
            }
            if !from_sender {
                continue;
            }
            observed.clear();
            let signalled = |kind: &ObservableKind| {
                matches!(
                    kind,
                    ObservableKind::Wallet { .. } | ObservableKind::Messenger { .. }
                )
            };
            for o in observables::extract_kinds_normalised(
                &message.text,
                normalised_texts.last().filter(|_| normalised_here),
                &self.extract,
                signalled,
            ) {
                if is_quoted(&passages, &(o.start..o.end)) {
                    continue;
                }
                let signal = match o.kind {
                    ObservableKind::Wallet { .. } => Builtin::ObservableWallet,
                    ObservableKind::Messenger { .. } => Builtin::ObservableMessenger,
                    _ => continue,
                };
                let evidence = message_evidence(index, &message.text, o.start..o.end);
                observed.push((signal, evidence.clone()));
                found.push((self.catalogue.builtin(signal), evidence));
            }
            // The stages this message reached, with the first evidence of each.
            let mut message_stages: Vec<(Stage, Evidence)> = Vec::new();
            let mut add_stage = |stage: Stage, evidence: &Evidence| {
                if !message_stages.iter().any(|(s, _)| *s == stage) {
                    message_stages.push((stage, evidence.clone()));
                }
            };
            for (signal, evidence) in &found[first..] {
                if let Some(stage) = self.catalogue.signals()[*signal].stage {
                    add_stage(stage, evidence);
                }
            }
            for (signal, evidence) in &observed {
                if *signal == Builtin::ObservableWallet {
                    add_stage(Stage::Shift, evidence);
                }
            }
            stages.push(MessageStages {
                message: index,
                stages: message_stages,
            });
        }

        let s = &approach.sender;
        let mut scan_field =
            |text: &str, field: Field, name: &str, found: &mut Vec<(usize, Evidence)>| {
                hits.clear();
                self.rules.scan(text, field, &mut hits);
                for h in &hits {
                    found.push((
                        h.rule,
                        Evidence::Field {
                            field: name.to_owned(),
                            text: text.to_owned(),
                        },
                    ));
                }
            };
        if let Some(headline) = &s.headline {
            scan_field(headline, Field::Headline, "sender.headline", &mut found);
        }
        if let Some(about) = &s.about {
            scan_field(about, Field::About, "sender.about", &mut found);
        }
        if let Some(org) = &s.organisation {
            scan_field(org, Field::Organisation, "sender.organisation", &mut found);
        }
        for (i, e) in s.experience.iter().enumerate() {
            if let Some(org) = &e.organisation {
                scan_field(
                    org,
                    Field::Organisation,
                    &format!("sender.experience.{i}.organisation"),
                    &mut found,
                );
            }
        }

        let alerts = self.indicators.matches(approach, &self.extract);
        for m in &alerts {
            let signal = match m.kind {
                MatchKind::Persona => Builtin::IndicatorPersona,
                MatchKind::PersonaName => Builtin::IndicatorPersonaName,
                MatchKind::Organisation => Builtin::IndicatorOrganisation,
                MatchKind::Observable => Builtin::IndicatorObservable,
                MatchKind::Photo => Builtin::IndicatorPhoto,
            };
            found.push((self.catalogue.builtin(signal), m.evidence.clone()));
        }

        let mut builtins = Vec::new();
        let first_contact = approach
            .messages
            .iter()
            .find_map(|m| m.sent_at.as_deref().and_then(timestamp_day))
            .or(self.config.today);
        profile_signals(approach, first_contact, &self.config.profile, &mut builtins);
        conversation_signals(approach, &stages, &mut builtins);
        for (b, evidence) in builtins {
            let index = self.catalogue.builtin(b);
            for e in evidence {
                found.push((index, e));
            }
            if !found.iter().any(|(i, _)| *i == index) {
                // Keep a signal even when it has no evidence to quote.
                found.push((
                    index,
                    Evidence::Field {
                        field: "sender".to_owned(),
                        text: String::new(),
                    },
                ));
            }
        }

        let mut fired: Vec<Fired> = Vec::new();
        for (signal, evidence) in found {
            match fired.iter_mut().find(|f| f.signal == signal) {
                Some(f) => {
                    if f.evidence.len() < MAX_EVIDENCE && !f.evidence.contains(&evidence) {
                        f.evidence.push(evidence);
                    }
                }
                None => fired.push(Fired {
                    signal,
                    evidence: vec![evidence],
                }),
            }
        }
        Analysis {
            fired,
            text: text_features_normalised(approach, &normalised_texts, self.model.settings.seed),
            alerts,
        }
    }

    /// The quoted passages of a sender's message whose hits are not the
    /// sender's: those of a message in which a hit of a rule that frames
    /// quotations (a report, a security notice) stands outside every
    /// quotation. Empty otherwise, and then without reading the text.
    fn framed_passages(&self, text: &str, hits: &[Hit]) -> Vec<Range<usize>> {
        let rules = self.rules.rules();
        let frames = |h: &&Hit| rules.get(h.rule).is_some_and(|r| r.frames_quotations);
        if !hits.iter().any(|h| frames(&h)) {
            return Vec::new();
        }
        let passages = quoted_passages(text);
        if hits
            .iter()
            .filter(frames)
            .any(|h| !is_quoted(&passages, &h.span))
        {
            passages
        } else {
            Vec::new()
        }
    }

    /// The raw log-odds of an analysis.
    pub fn raw_score(&self, analysis: &Analysis) -> f64 {
        self.model.bias
            + self.contributions(analysis).sum::<f64>()
            + self.table.contribution(&analysis.text)
    }

    /// What each fired signal adds to the raw log-odds, in the order of
    /// `analysis.fired`: its weight, except that of the pooled signals only
    /// the one of lowest weight counts (the first of them on a tie) and the
    /// others add nothing.
    fn contributions<'a>(&'a self, analysis: &'a Analysis) -> impl Iterator<Item = f64> + 'a {
        let counted_pool = lowest(
            analysis
                .fired
                .iter()
                .map(|f| f.signal)
                .filter(|&s| self.pooled[s]),
            |&s| self.weights[s],
        );
        analysis.fired.iter().map(move |f| {
            if self.pooled[f.signal] && Some(f.signal) != counted_pool {
                0.0
            } else {
                self.weights[f.signal]
            }
        })
    }

    /// The calibrated score of an analysis, rounded to four decimals.
    pub fn score(&self, analysis: &Analysis) -> f64 {
        let p = self.model.calibrate(self.raw_score(analysis));
        (p * 1e4).round() / 1e4
    }

    /// The verdict for an approach and its analysis.
    pub fn verdict(&self, approach: &Approach, analysis: &Analysis) -> Verdict {
        self.verdict_with(approach, analysis, |f| analysis.fired[f].evidence.clone())
    }

    /// Like [`Engine::verdict`], when the analysis is no longer needed: its
    /// evidence moves into the verdict instead of being copied.
    pub fn into_verdict(&self, approach: &Approach, mut analysis: Analysis) -> Verdict {
        let mut evidence: Vec<Vec<Evidence>> = analysis
            .fired
            .iter_mut()
            .map(|f| std::mem::take(&mut f.evidence))
            .collect();
        self.verdict_with(approach, &analysis, |f| std::mem::take(&mut evidence[f]))
    }

    /// The verdict, taking the evidence of the `i`-th fired signal from
    /// `evidence(i)`.
    fn verdict_with(
        &self,
        approach: &Approach,
        analysis: &Analysis,
        mut evidence: impl FnMut(usize) -> Vec<Evidence>,
    ) -> Verdict {
        let mut score = self.score(analysis);
        // An alert match sets a floor under the score: a named persona with
        // its organisation, a named organisation or observable is high; the
        // same name alone is at least medium.
        let floor = analysis
            .alerts
            .iter()
            .map(|m| match m.kind {
                MatchKind::PersonaName => self.model.thresholds.medium,
                _ => self.model.thresholds.high,
            })
            .fold(0.0, f64::max);
        score = score.max(floor);
        let risk = self.model.thresholds.band(score);
        let slope = self.model.calibration.slope;
        // Each hit with its catalogue index, strongest first.
        let mut signals: Vec<(usize, SignalHit)> = analysis
            .fired
            .iter()
            .zip(self.contributions(analysis))
            .enumerate()
            .map(|(i, (f, contribution))| {
                let info = &self.catalogue.signals()[f.signal];
                let hit = SignalHit {
                    id: info.id.clone(),
                    title: info.title.clone(),
                    weight: (contribution * slope * 100.0).round() / 100.0,
                    evidence: evidence(i),
                };
                (f.signal, hit)
            })
            .collect();
        signals
            .sort_by(|(_, a), (_, b)| b.weight.total_cmp(&a.weight).then_with(|| a.id.cmp(&b.id)));
        let band = BANDS.iter().position(|b| *b == risk).unwrap_or(0);
        let mut advice = vec![self.band_advice[band].clone()];
        for m in &analysis.alerts {
            let Some(alert) = self.indicators.alerts().get(m.alert) else {
                continue;
            };
            let line = match m.kind {
                MatchKind::PersonaName => format!(
                    "The sender has the same name as {} in the alert {alert}, but not its organisation: verify before you dismiss.",
                    m.detail
                ),
                _ => format!("This matches {} in the alert {alert}.", m.detail),
            };
            if !advice.iter().any(|a| **a == *line) {
                advice.push(line.into());
            }
        }
        let mut seen = Vec::new();
        for (index, _) in signals.iter().filter(|(_, s)| s.weight > 0.0) {
            if let Some(a) = &self.catalogue.signals()[*index].advice
                && !seen.contains(a)
                && seen.len() < MAX_RULE_ADVICE
            {
                seen.push(a.clone());
            }
        }
        advice.extend(seen);
        Verdict {
            id: approach.id.clone(),
            risk,
            score,
            signals: signals.into_iter().map(|(_, hit)| hit).collect(),
            advice,
        }
    }

    /// A training example from an approach and its label.
    pub fn example(&self, approach: &Approach, hostile: bool) -> Example {
        let analysis = self.analyse(approach);
        Example {
            signals: analysis
                .fired
                .iter()
                .map(|f| self.catalogue.signals()[f.signal].id.to_string())
                .collect(),
            text: {
                let mut text = analysis.text;
                text.sort_unstable();
                text
            },
            hostile,
        }
    }
}

fn message_evidence(message: usize, text: &str, span: std::ops::Range<usize>) -> Evidence {
    Evidence::Message {
        message,
        start: span.start,
        end: span.end,
        text: text.get(span).unwrap_or_default().to_owned(),
    }
}

/// The bands, in the order of [`Engine`]'s advice for each.
const BANDS: [Risk; 3] = [Risk::Low, Risk::Medium, Risk::High];

/// What to do, by band, naming whom to report to.
fn band_advice(risk: Risk, to: &str) -> String {
    match risk {
        Risk::High => format!(
            "This looks like a hostile approach. Do not reply, click links, accept payment or send anything. Report it to {to} with this verdict and the original messages."
        ),
        Risk::Medium => format!(
            "Treat this approach with care: share nothing that is not public, and check with {to} before you reply."
        ),
        Risk::Low => format!(
            "Nothing here points to a hostile approach. If something still feels wrong, ask {to}."
        ),
    }
}
