//! STIX 2.1 for forewarn's alerts.
//!
//! An alert is a STIX `report` in a bundle (see `docs/alerts.md`). This
//! crate reads and writes bundles without losing anything: every object
//! keeps all its properties, known or not, in the order they were written,
//! and objects of types forewarn does not use are carried along untouched.
//! It validates bundles against the parts of the specification an alert
//! relies on, and parses the STIX patterning language, telling apart
//! patterns that are invalid from valid ones forewarn cannot match.

pub mod alert;
pub mod build;
pub mod bundle;
pub mod object;
pub mod pattern;
pub mod signing;
pub mod tlp;
pub mod validate;

pub use alert::{AlertSummary, FOREWARN_EXTENSION, UnsupportedIndicator, load_alerts};
pub use build::{
    AlertDraft, BuildError, BuildErrorKind, Issuer, ObservableDraft, ObservableKind, PersonaDraft,
    build_alert, build_alert_with,
};
pub use bundle::{Bundle, BundleError};
pub use object::{Category, StixObject};
pub use signing::{DetachedSignature, PublicKey, SecretKey, SigningError};
pub use tlp::Tlp;
pub use validate::{Problem, Severity, validate};
