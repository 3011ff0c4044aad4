//! forewarn's domain model and detection engine.
//!
//! `forewarn-core` judges one approach (a contact attempt: the sender's
//! profile and the messages so far) and says exactly why: the signals that
//! fired, with evidence as byte spans of the original text, a calibrated
//! score, a risk band and advice. It is pure: no files, network, clock or
//! terminal, so every other part of forewarn (the CLI, scans, the server)
//! can reuse it.
//!
//! ```
//! use forewarn_core::{Approach, Engine, EngineConfig, Model, RuleSet};
//!
//! let engine = Engine::new(
//!     RuleSet::default_pack()?,
//!     Model::shipped()?,
//!     EngineConfig::default(),
//! );
//! let approach: Approach = serde_json::from_str(r#"{
//!     "sender": { "name": "A. Recruiter" },
//!     "messages": [ { "text": "We pay USDT for a short report on non-public policy discussions. Add me on WeChat." } ]
//! }"#)?;
//! let verdict = engine.evaluate(&approach);
//! assert!(!verdict.signals.is_empty());
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

pub mod approach;
pub mod dates;
mod engine;
pub mod features;
pub mod indicators;
pub mod model;
pub mod normalise;
pub mod observables;
pub mod padding;
pub mod quotation;
pub mod rules;
pub mod signals;
mod swar;
pub mod verdict;

pub use approach::{Approach, Author, Message, Recipient, Sender};
pub use engine::{Analysis, Engine, EngineConfig};
pub use model::{Model, ModelError};
pub use rules::{RuleError, RuleSet};
pub use verdict::{Evidence, Risk, SignalHit, Verdict};
