//! From a submitted approach to a stored report: the engine's verdict,
//! what the queue sorts and filters by, and the evidence, sealed.

use forewarn_core::{Approach, Engine, Verdict};
use forewarn_store::Report;

use crate::evidence::{EvidenceError, EvidenceKeys};

/// Why a report cannot be made.
#[derive(Debug, thiserror::Error)]
pub enum JudgeError {
    /// The approach or verdict cannot be written as JSON.
    #[error("cannot write JSON: {0}")]
    Json(#[from] serde_json::Error),
    /// The evidence cannot be sealed.
    #[error(transparent)]
    Seal(#[from] EvidenceError),
}

/// The label a report's approach is sealed under.
pub fn approach_label(id: &str) -> String {
    format!("report:{id}:approach")
}

/// The label a report's verdict is sealed under.
pub fn verdict_label(id: &str) -> String {
    format!("report:{id}:verdict")
}

/// The label an original is sealed under.
pub fn original_label(sha256: &str) -> String {
    format!("evidence:{sha256}")
}

/// Judges `approach` with `engine` and makes the report to store, new, with
/// a fresh id, its approach and verdict sealed under `keys`.
pub fn report(
    engine: &Engine,
    keys: &EvidenceKeys,
    approach: &Approach,
    submitted_by: i64,
    submitted_at: String,
) -> Result<(Report, Verdict), JudgeError> {
    let verdict = engine.evaluate(approach);
    let signals: Vec<&str> = verdict.signals.iter().map(|s| &*s.id).collect();
    let id = uuid::Uuid::new_v4().to_string();
    let report = Report {
        approach: keys.seal(&approach_label(&id), &serde_json::to_vec(approach)?)?,
        verdict: keys.seal(&verdict_label(&id), &serde_json::to_vec(&verdict)?)?,
        id,
        submitted_by,
        submitted_at,
        status: "new".to_owned(),
        risk: verdict.risk.as_str().to_owned(),
        score: verdict.score,
        priority: 0,
        sender_name: approach.sender.name.clone(),
        organisation: approach.sender.organisation.clone(),
        signals: signals.join(" "),
        original: None,
        merged_into: None,
    };
    Ok((report, verdict))
}
