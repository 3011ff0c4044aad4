//! From a submitted approach to a stored report: the engine's verdict and
//! what the queue sorts and filters by.

use forewarn_core::{Approach, Engine};
use forewarn_store::Report;

/// Judges `approach` with `engine` and makes the report to store, new and
/// with a fresh id.
pub fn report(
    engine: &Engine,
    approach: &Approach,
    submitted_by: i64,
    submitted_at: String,
) -> Result<Report, serde_json::Error> {
    let verdict = engine.evaluate(approach);
    let signals: Vec<&str> = verdict.signals.iter().map(|s| s.id.as_str()).collect();
    Ok(Report {
        id: uuid::Uuid::new_v4().to_string(),
        submitted_by,
        submitted_at,
        status: "new".to_owned(),
        risk: verdict.risk.as_str().to_owned(),
        score: verdict.score,
        priority: 0,
        sender_name: approach.sender.name.clone(),
        organisation: approach.sender.organisation.clone(),
        signals: signals.join(" "),
        approach: serde_json::to_string(approach)?,
        verdict: serde_json::to_string(&verdict)?,
        merged_into: None,
    })
}
