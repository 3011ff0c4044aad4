//! The rule-pack format: what a rule pack file says, before compilation.
//!
//! A rule pack is TOML (documented in `docs/rules.md`). Parsing checks the
//! shape; [`super::RuleSet::compile`] checks the patterns.

use serde::{Deserialize, Serialize};

use super::RuleError;

/// The rule-pack format version this build reads.
pub const FORMAT_VERSION: u32 = 1;

/// A parsed rule pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RulePack {
    /// Format version; must be [`FORMAT_VERSION`].
    pub format: u32,
    /// Name of the pack.
    pub name: String,
    /// Version of the pack's content.
    #[serde(default)]
    pub version: String,
    /// Negation cues: a hit of a negatable rule preceded by one of these in
    /// the same sentence is ignored ("we do *not* need internal documents").
    #[serde(default)]
    pub negations: Vec<String>,
    /// Description cues: a hit of a negatable rule that follows one of
    /// these in the same sentence, with no first-person word of the sender
    /// between them, describes what others do rather than what the sender
    /// offers or asks, and is ignored ("be wary of messages that offer an
    /// all-expenses-paid trip").
    #[serde(default)]
    pub descriptions: Vec<String>,
    /// Report cues: a description of an offer made to the writer or to
    /// someone else, never to the reader ("offered me", "several
    /// offered"). They open a description like `descriptions` do, whoever
    /// speaks before them, and the description ends where the sender turns
    /// to the reader ("you", "your"): the writer reports an offer that
    /// concerns them, a sender relaying a principal's offer makes it to
    /// the reader ("my client offered me a budget to fly you out").
    #[serde(default)]
    pub reports: Vec<String>,
    /// The rules.
    #[serde(default, rename = "rule")]
    pub rules: Vec<Rule>,
}

/// The family of a rule, which also gives its stage in a conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    /// Something of value offered: money, trips, gifts, vague jobs.
    Offer,
    /// Something asked for: non-public information, documents, access.
    Request,
    /// A move to another channel, or secrecy.
    Channel,
    /// Flattery, urgency, exclusivity.
    Persuasion,
    /// The sender's profile.
    Profile,
    /// How the conversation developed.
    Conversation,
    /// Context that makes an approach more ordinary: a named role and
    /// salary, compliance rules, ethics approval, on-the-record journalism.
    Context,
    /// An alert names the persona, organisation or an observable.
    Indicator,
    /// The same approach reached many people.
    Campaign,
}

impl Family {
    /// The step of a conversation a signal of this family marks, unless a
    /// rule names another: persuasion is rapport, offers and requests are
    /// themselves, a channel is a shift; the other families mark none.
    pub fn stage(self) -> RuleStage {
        match self {
            Family::Persuasion => RuleStage::Rapport,
            Family::Offer => RuleStage::Offer,
            Family::Request => RuleStage::Request,
            Family::Channel => RuleStage::Shift,
            _ => RuleStage::None,
        }
    }

    /// The family's name as written in rule packs.
    pub fn as_str(self) -> &'static str {
        match self {
            Family::Offer => "offer",
            Family::Request => "request",
            Family::Channel => "channel",
            Family::Persuasion => "persuasion",
            Family::Profile => "profile",
            Family::Conversation => "conversation",
            Family::Context => "context",
            Family::Indicator => "indicator",
            Family::Campaign => "campaign",
        }
    }
}

/// Where in an approach a rule looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Field {
    /// The text and subject of the sender's messages (the default).
    #[serde(rename = "messages")]
    Messages,
    /// The text and subject of the recipient's messages.
    #[serde(rename = "replies")]
    Replies,
    /// The sender's headline.
    #[serde(rename = "sender.headline")]
    Headline,
    /// The sender's "about" text.
    #[serde(rename = "sender.about")]
    About,
    /// The sender's claimed organisation and those in their history.
    #[serde(rename = "sender.organisation")]
    Organisation,
}

impl Field {
    /// The field's name as written in rule packs and evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Messages => "messages",
            Field::Replies => "replies",
            Field::Headline => "sender.headline",
            Field::About => "sender.about",
            Field::Organisation => "sender.organisation",
        }
    }
}

/// One rule as written in a pack.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier, `FW-` followed by upper-case words and hyphens.
    pub id: String,
    /// What the rule found, in plain words, for the person approached.
    pub title: String,
    /// The signal family.
    pub family: Family,
    /// Contribution to the score's log-odds when the model has not learned
    /// one for this rule (rules added with `--rules`). Negative for context
    /// that makes an approach more ordinary.
    pub weight: f64,
    /// What to do about it, in plain words.
    #[serde(default)]
    pub advice: Option<String>,
    /// Where to look; defaults to the sender's messages.
    #[serde(default = "default_fields")]
    pub fields: Vec<Field>,
    /// Literal phrases, matched on whole words after normalisation.
    #[serde(default)]
    pub phrases: Vec<String>,
    /// Regular expressions (Rust `regex` syntax), matched against the
    /// normalised, lower-cased text.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Whether a negation just before a hit cancels it. Defaults to true for
    /// offers, requests, channel and persuasion rules.
    #[serde(default)]
    pub negatable: Option<bool>,
    /// The step of a conversation a hit marks, for the conversation
    /// signals; defaults to the family's ([`Rule::stage`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<RuleStage>,
    /// Whether a hit says that the sender passes on a message they
    /// received, or warns about such messages: in a message where one
    /// stands outside every quotation, the hits inside the quoted passages
    /// are not the sender's ([`crate::quotation`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub frames_quotations: bool,
    /// Example sentences that must and must not fire this rule.
    #[serde(default)]
    pub examples: Examples,
}

/// The step of a conversation that a rule's hit marks: the conversation
/// signals follow an approach from harmless contact through rapport, an
/// offer and a request to secrecy or a move off the record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStage {
    /// Flattery, urgency, personal questions.
    Rapport,
    /// Money, travel, gifts, a job.
    Offer,
    /// Non-public material, documents, colleagues, access.
    Request,
    /// Keeping the contact secret, or its sponsor unnamed.
    Secrecy,
    /// A move to another app or address, or off the record.
    Shift,
    /// No step: context and profile rules.
    None,
}

/// A rule's own test cases.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    /// Sentences the rule must fire on.
    #[serde(default, rename = "match")]
    pub matching: Vec<String>,
    /// Sentences the rule must not fire on.
    #[serde(default)]
    pub no_match: Vec<String>,
}

fn default_fields() -> Vec<Field> {
    vec![Field::Messages]
}

impl Rule {
    /// The step of a conversation a hit of this rule marks: as set, or the
    /// family's ([`Family::stage`]).
    pub fn stage(&self) -> RuleStage {
        self.stage.unwrap_or(self.family.stage())
    }

    /// Whether a preceding negation cancels this rule's hits.
    pub fn is_negatable(&self) -> bool {
        self.negatable.unwrap_or(matches!(
            self.family,
            Family::Offer | Family::Request | Family::Channel | Family::Persuasion
        ))
    }
}

impl RulePack {
    /// Parses a rule pack from TOML. `origin` names the source in errors.
    pub fn parse(source: &str, origin: &str) -> Result<RulePack, RuleError> {
        let pack: RulePack = toml::from_str(source).map_err(|e| RuleError::Syntax {
            origin: origin.to_owned(),
            message: e.to_string(),
        })?;
        if pack.format != FORMAT_VERSION {
            return Err(RuleError::Format {
                origin: origin.to_owned(),
                found: pack.format,
            });
        }
        let mut seen = std::collections::HashSet::new();
        for rule in &pack.rules {
            if !valid_id(&rule.id) {
                return Err(RuleError::Id {
                    origin: origin.to_owned(),
                    id: rule.id.clone(),
                });
            }
            if !seen.insert(rule.id.as_str()) {
                return Err(RuleError::Duplicate {
                    origin: origin.to_owned(),
                    id: rule.id.clone(),
                });
            }
            if rule.phrases.is_empty() && rule.regexes.is_empty() {
                return Err(RuleError::NoPattern {
                    origin: origin.to_owned(),
                    id: rule.id.clone(),
                });
            }
            if !rule.weight.is_finite() {
                return Err(RuleError::Weight {
                    origin: origin.to_owned(),
                    id: rule.id.clone(),
                });
            }
        }
        Ok(pack)
    }

    /// Merges `other` into this pack: rules with the same id are replaced,
    /// new ones appended, negation, description and report cues added.
    pub fn extend(&mut self, other: RulePack) {
        for rule in other.rules {
            match self.rules.iter_mut().find(|r| r.id == rule.id) {
                Some(existing) => *existing = rule,
                None => self.rules.push(rule),
            }
        }
        for (cues, others) in [
            (&mut self.negations, other.negations),
            (&mut self.descriptions, other.descriptions),
            (&mut self.reports, other.reports),
        ] {
            for cue in others {
                if !cues.contains(&cue) {
                    cues.push(cue);
                }
            }
        }
    }
}

/// `FW-` followed by upper-case ASCII letters, digits and single hyphens.
pub fn valid_id(id: &str) -> bool {
    let Some(rest) = id.strip_prefix("FW-") else {
        return false;
    };
    !rest.is_empty()
        && !rest.starts_with('-')
        && !rest.ends_with('-')
        && !rest.contains("--")
        && rest
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_checked() {
        assert!(valid_id("FW-OFFER-TRIP"));
        assert!(valid_id("FW-X2"));
        assert!(!valid_id("FW-"));
        assert!(!valid_id("fw-offer"));
        assert!(!valid_id("FW-OFFER--TRIP"));
        assert!(!valid_id("OFFER-TRIP"));
    }

    #[test]
    fn parse_reports_unknown_keys_and_duplicates() {
        let err = RulePack::parse("format = 1\nname = \"x\"\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"offer\"\nweight = 1.0\nphrase = [\"x\"]\n", "t.toml").unwrap_err();
        assert!(err.to_string().contains("t.toml"), "{err}");
        assert!(err.to_string().contains("phrase"), "{err}");
        let dup = "format = 1\nname = \"x\"\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"offer\"\nweight = 1.0\nphrases = [\"x\"]\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"offer\"\nweight = 1.0\nphrases = [\"y\"]\n";
        let err = RulePack::parse(dup, "t.toml").unwrap_err();
        assert!(matches!(err, RuleError::Duplicate { .. }), "{err}");
    }

    #[test]
    fn a_rule_marks_its_familys_stage_unless_it_names_one() {
        let rule = |family: &str, stage: &str| {
            let source = format!(
                "format = 1\nname = \"x\"\n[[rule]]\nid = \"FW-A\"\ntitle = \"a\"\nfamily = \"{family}\"\n{stage}weight = 1.0\nphrases = [\"x\"]\n"
            );
            RulePack::parse(&source, "t.toml").map(|p| p.rules[0].stage())
        };
        assert_eq!(rule("channel", "").ok(), Some(RuleStage::Shift));
        assert_eq!(rule("persuasion", "").ok(), Some(RuleStage::Rapport));
        assert_eq!(rule("context", "").ok(), Some(RuleStage::None));
        assert_eq!(
            rule("channel", "stage = \"secrecy\"\n").ok(),
            Some(RuleStage::Secrecy)
        );
        assert_eq!(
            rule("offer", "stage = \"none\"\n").ok(),
            Some(RuleStage::None)
        );
        let err = rule("channel", "stage = \"later\"\n").unwrap_err();
        assert!(err.to_string().contains("later"), "{err}");
    }

    #[test]
    fn wrong_format_version_is_refused() {
        let err = RulePack::parse("format = 2\nname = \"x\"\n", "t.toml").unwrap_err();
        assert!(matches!(err, RuleError::Format { found: 2, .. }));
    }
}
