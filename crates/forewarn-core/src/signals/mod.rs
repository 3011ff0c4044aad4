//! Signals: the catalogue of everything the engine can report, and the
//! signals computed in code rather than by rules (profile, conversation,
//! observables).
//!
//! Rule-pack rules and built-in signals share one catalogue, so scoring,
//! training and output treat them alike.

mod conversation;
mod profile;

pub use conversation::{MessageStages, Stage, conversation_signals};
pub use profile::{ProfileConfig, profile_signals};

use std::sync::Arc;

use crate::rules::{Family, RuleSet, RuleStage};
use crate::verdict::Evidence;

/// A signal computed by the engine itself, documented in `docs/signals.md`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[allow(missing_docs)]
pub enum Builtin {
    ProfileNewAccount,
    ProfileFewConnections,
    ProfileNoMutual,
    ProfileThinHistory,
    ProfileInconsistentHistory,
    ProfileCountryOfConcern,
    ConversationEscalation,
    ConversationOfferThenRequest,
    ConversationColdOffer,
    ConversationEarlyChannelShift,
    ObservableWallet,
    ObservableMessenger,
    IndicatorPersona,
    IndicatorPersonaName,
    IndicatorOrganisation,
    IndicatorObservable,
    IndicatorPhoto,
}

/// The description of a built-in signal.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinInfo {
    /// Stable id.
    pub id: &'static str,
    /// What was found, in plain words.
    pub title: &'static str,
    /// Family.
    pub family: Family,
    /// Prior log-odds contribution, used when the model has not learned one.
    pub weight: f64,
    /// What to do about it.
    pub advice: Option<&'static str>,
}

impl Builtin {
    /// Every built-in signal.
    pub const ALL: [Builtin; 17] = [
        Builtin::ProfileNewAccount,
        Builtin::ProfileFewConnections,
        Builtin::ProfileNoMutual,
        Builtin::ProfileThinHistory,
        Builtin::ProfileInconsistentHistory,
        Builtin::ProfileCountryOfConcern,
        Builtin::ConversationEscalation,
        Builtin::ConversationOfferThenRequest,
        Builtin::ConversationColdOffer,
        Builtin::ConversationEarlyChannelShift,
        Builtin::ObservableWallet,
        Builtin::ObservableMessenger,
        Builtin::IndicatorPersona,
        Builtin::IndicatorPersonaName,
        Builtin::IndicatorOrganisation,
        Builtin::IndicatorObservable,
        Builtin::IndicatorPhoto,
    ];

    /// The signal's description.
    pub fn info(self) -> BuiltinInfo {
        let (id, title, family, weight, advice) = match self {
            Builtin::ProfileNewAccount => (
                "FW-PROFILE-NEW-ACCOUNT",
                "The sender's account is only a few months old",
                Family::Profile,
                0.6,
                None,
            ),
            Builtin::ProfileFewConnections => (
                "FW-PROFILE-FEW-CONNECTIONS",
                "The sender has very few connections",
                Family::Profile,
                0.4,
                None,
            ),
            Builtin::ProfileNoMutual => (
                "FW-PROFILE-NO-MUTUAL",
                "You have no connections in common with the sender",
                Family::Profile,
                0.3,
                None,
            ),
            Builtin::ProfileThinHistory => (
                "FW-PROFILE-THIN-HISTORY",
                "The sender's profile has almost no history you could check",
                Family::Profile,
                0.4,
                Some(
                    "Check the sender's organisation independently (its own website, a company register), not through links they sent.",
                ),
            ),
            Builtin::ProfileInconsistentHistory => (
                "FW-PROFILE-INCONSISTENT-HISTORY",
                "The sender's work history does not add up",
                Family::Profile,
                0.5,
                Some(
                    "Check the sender's organisation independently (its own website, a company register), not through links they sent.",
                ),
            ),
            Builtin::ProfileCountryOfConcern => (
                "FW-PROFILE-COUNTRY-OF-CONCERN",
                "The sender's organisation is in a country your security team has flagged",
                Family::Profile,
                0.5,
                None,
            ),
            Builtin::ConversationEscalation => (
                "FW-CONV-ESCALATION",
                "The conversation started harmlessly and moved step by step towards money and sensitive requests",
                Family::Conversation,
                1.2,
                Some(
                    "Stop sharing information in this conversation and show the whole exchange to your security team.",
                ),
            ),
            Builtin::ConversationOfferThenRequest => (
                "FW-CONV-OFFER-THEN-REQUEST",
                "An offer of money or travel was followed by a request for information",
                Family::Conversation,
                1.0,
                Some(
                    "Do not accept payment or travel from this sender, and do not send the information asked for.",
                ),
            ),
            Builtin::ConversationColdOffer => (
                "FW-CONV-COLD-OFFER",
                "The very first message already offers money, travel or a job",
                Family::Conversation,
                0.5,
                None,
            ),
            Builtin::ConversationEarlyChannelShift => (
                "FW-CONV-EARLY-CHANNEL-SHIFT",
                "The sender asks to move to another app or address almost at once",
                Family::Conversation,
                0.5,
                Some("Keep the conversation where it started, so that it stays on record."),
            ),
            Builtin::ObservableWallet => (
                "FW-OBS-CRYPTO-WALLET",
                "A message contains a valid cryptocurrency wallet address",
                Family::Offer,
                1.0,
                Some(
                    "Never accept cryptocurrency from a contact you do not know; keep the message for your security team.",
                ),
            ),
            Builtin::ObservableMessenger => (
                "FW-OBS-MESSENGER-HANDLE",
                "A message gives a messenger ID or link to continue elsewhere",
                Family::Channel,
                0.4,
                None,
            ),
            Builtin::IndicatorPersona => (
                "FW-IND-PERSONA",
                "The sender and their organisation are named in a security alert",
                Family::Indicator,
                4.0,
                Some(
                    "Stop all contact with this sender now and report the approach to your security team, naming the alert.",
                ),
            ),
            Builtin::IndicatorPersonaName => (
                "FW-IND-PERSONA-NAME",
                "Same name as an alerted persona: verify before you dismiss",
                Family::Indicator,
                1.5,
                Some(
                    "The sender has the same name as a persona in a security alert but a different or no organisation: check who they are with your security team before you reply.",
                ),
            ),
            Builtin::IndicatorOrganisation => (
                "FW-IND-ORGANISATION",
                "The sender's organisation is named in a security alert",
                Family::Indicator,
                4.0,
                Some(
                    "Stop all contact with this sender now and report the approach to your security team, naming the alert.",
                ),
            ),
            Builtin::IndicatorPhoto => (
                "FW-IND-PHOTO",
                "The sender's profile photo is one named in a security alert",
                Family::Indicator,
                4.0,
                Some(
                    "Stop all contact with this sender now and report the approach to your security team, naming the alert.",
                ),
            ),
            Builtin::IndicatorObservable => (
                "FW-IND-OBSERVABLE",
                "A profile link, address or handle of the sender is named in a security alert",
                Family::Indicator,
                4.0,
                Some(
                    "Stop all contact with this sender now and report the approach to your security team, naming the alert.",
                ),
            ),
        };
        BuiltinInfo {
            id,
            title,
            family,
            weight,
            advice,
        }
    }
}

/// Where a signal in the catalogue comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A rule of the loaded rule set, by index.
    Rule(usize),
    /// A built-in signal.
    Builtin(Builtin),
}

/// One signal the engine can report.
#[derive(Debug, Clone)]
pub struct SignalInfo {
    /// Stable id (shared with every verdict that reports it).
    pub id: Arc<str>,
    /// What was found, in plain words (shared likewise).
    pub title: Arc<str>,
    /// Family.
    pub family: Family,
    /// Prior log-odds contribution.
    pub prior_weight: f64,
    /// What to do about it (shared with every verdict that gives it).
    pub advice: Option<Arc<str>>,
    /// Where it comes from.
    pub source: Source,
    /// The step of a conversation a hit marks, if any.
    pub stage: Option<Stage>,
}

/// The conversation stage a rule-pack stage stands for.
fn conversation_stage(stage: RuleStage) -> Option<Stage> {
    match stage {
        RuleStage::Rapport => Some(Stage::Rapport),
        RuleStage::Offer => Some(Stage::Offer),
        RuleStage::Request => Some(Stage::Request),
        RuleStage::Secrecy => Some(Stage::Secrecy),
        RuleStage::Shift => Some(Stage::Shift),
        RuleStage::None => None,
    }
}

/// Every signal the engine can report: the loaded rules, then the built-in
/// signals. Indices into it identify signals during analysis.
#[derive(Debug, Clone)]
pub struct Catalogue {
    signals: Vec<SignalInfo>,
    builtin_base: usize,
}

impl Catalogue {
    /// The catalogue for a rule set.
    pub fn new(rules: &RuleSet) -> Catalogue {
        let mut signals: Vec<SignalInfo> = rules
            .rules()
            .iter()
            .enumerate()
            .map(|(i, r)| SignalInfo {
                id: r.id.as_str().into(),
                title: r.title.as_str().into(),
                family: r.family,
                prior_weight: r.weight,
                advice: r.advice.as_deref().map(Arc::from),
                source: Source::Rule(i),
                stage: conversation_stage(r.stage()),
            })
            .collect();
        let builtin_base = signals.len();
        for b in Builtin::ALL {
            let info = b.info();
            signals.push(SignalInfo {
                id: info.id.into(),
                title: info.title.into(),
                family: info.family,
                prior_weight: info.weight,
                advice: info.advice.map(Arc::from),
                source: Source::Builtin(b),
                // By family, as for rules; of the built-in signals, only
                // the observables are found in a message.
                stage: conversation_stage(info.family.stage()),
            });
        }
        Catalogue {
            signals,
            builtin_base,
        }
    }

    /// All signals.
    pub fn signals(&self) -> &[SignalInfo] {
        &self.signals
    }

    /// The catalogue index of a rule.
    pub fn rule(&self, rule: usize) -> usize {
        rule
    }

    /// The catalogue index of a built-in signal.
    pub fn builtin(&self, b: Builtin) -> usize {
        let offset = Builtin::ALL.iter().position(|x| *x == b).unwrap_or(0);
        self.builtin_base + offset
    }

    /// The index of a signal by id.
    pub fn find(&self, id: &str) -> Option<usize> {
        self.signals.iter().position(|s| &*s.id == id)
    }
}

/// A signal that fired in one approach, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Fired {
    /// Catalogue index.
    pub signal: usize,
    /// Where it was found.
    pub evidence: Vec<Evidence>,
}
