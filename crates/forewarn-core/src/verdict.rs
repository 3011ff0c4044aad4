//! The verdict: what `forewarn check --json` prints for one approach.
//!
//! The shape is a public contract (`docs/verdict.md`), tested with golden
//! files: change it only as a versioned decision.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// The risk band of an approach.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Risk {
    /// Nothing, or little, that points to a hostile approach.
    Low,
    /// Worth a second look and a word with the security team.
    Medium,
    /// Very likely a hostile approach: report it.
    High,
}

impl Risk {
    /// The band's name, as in the verdict.
    pub fn as_str(self) -> &'static str {
        match self {
            Risk::Low => "low",
            Risk::Medium => "medium",
            Risk::High => "high",
        }
    }
}

/// The judgement of one approach.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Verdict {
    /// The approach's id, when it has one.
    pub id: Option<String>,
    /// The risk band.
    pub risk: Risk,
    /// Calibrated probability that the approach is hostile, 0 to 1, rounded
    /// to four decimals.
    pub score: f64,
    /// The signals that fired, strongest first.
    pub signals: Vec<SignalHit>,
    /// What to do, most important first. The lines are shared with the
    /// engine, which gives the same advice to many verdicts.
    pub advice: Vec<Arc<str>>,
}

/// One signal that fired, with its evidence.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SignalHit {
    /// Stable signal id, such as `FW-OFFER-TRIP`.
    pub id: Arc<str>,
    /// What was found, in plain words.
    pub title: Arc<str>,
    /// Contribution to the score's log-odds.
    pub weight: f64,
    /// Where it was found.
    pub evidence: Vec<Evidence>,
}

/// Where a signal was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Evidence {
    /// A span of a message's text: byte offsets into the original text.
    Message {
        /// 0-based index into the approach's `messages`.
        message: usize,
        /// Start byte offset in the message's `text`.
        start: usize,
        /// End byte offset (exclusive).
        end: usize,
        /// The text at that span, exactly as written.
        text: String,
    },
    /// A profile field or message subject, named by its path.
    Field {
        /// The field, such as `sender.account_created` or `messages.2.subject`.
        field: String,
        /// The field's value, or the part of it that matters.
        text: String,
    },
}
