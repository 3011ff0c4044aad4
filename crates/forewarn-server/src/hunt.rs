//! Retro-hunts: when an alert is published or imported, every stored report
//! is checked against it, and those it matches go to the top of the queue.

use std::collections::HashSet;
use std::sync::Arc;

use forewarn_core::Approach;
use forewarn_stix::Bundle;
use forewarn_store::AuditEntry;

use crate::error::{ApiError, ApiResult};
use crate::judge::approach_label;
use crate::state::AppState;

/// Reports read per batch.
const BATCH: usize = 500;

/// The queue priority of a report that a new alert matches.
pub const ALERT_MATCH_PRIORITY: i64 = 1;

/// Rebuilds the engine with every stored alert, then checks every report
/// against the alert of `bundle`; raises and notes each one it matches.
/// Returns how many it matched.
pub async fn after_new_alert(
    state: &Arc<AppState>,
    bundle: &Bundle,
    actor: i64,
) -> ApiResult<usize> {
    let rebuild = Arc::clone(&state.rebuild);
    let engine = state
        .db
        .read(move |store| rebuild(store).map_err(ApiError::internal))
        .await?;
    let engine = Arc::new(engine);
    state.set_engine(Arc::clone(&engine));
    let reports: HashSet<String> = bundle
        .of_type("report")
        .filter_map(|r| r.id().map(str::to_owned))
        .collect();
    let alert_id = bundle.id().unwrap_or_default().to_owned();
    let keys = Arc::clone(&state.keys);
    let matched = state
        .db
        .read(move |store| {
            let mut matched = Vec::new();
            let mut after = String::new();
            loop {
                let ids = store.report_ids_after(&after, BATCH)?;
                let Some(last) = ids.last() else {
                    break;
                };
                after = last.clone();
                for id in ids {
                    let Some(report) = store.report(&id)? else {
                        continue;
                    };
                    let approach: Approach = match keys
                        .open(&approach_label(&id), &report.approach)
                        .map_err(|e| e.to_string())
                        .and_then(|plain| serde_json::from_slice(&plain).map_err(|e| e.to_string()))
                    {
                        Ok(approach) => approach,
                        Err(e) => {
                            tracing::warn!(report = %id, error = %e, "retro-hunt cannot read a report");
                            continue;
                        }
                    };
                    let analysis = engine.analyse(&approach);
                    let hit = analysis.alerts.iter().any(|m| {
                        engine
                            .indicators()
                            .alerts()
                            .get(m.alert)
                            .is_some_and(|a| reports.contains(&a.id))
                    });
                    if hit {
                        matched.push(id);
                    }
                }
            }
            Ok(matched)
        })
        .await?;
    let count = matched.len();
    if count > 0 {
        state
            .db
            .write(move |store| {
                let at = crate::now();
                for id in &matched {
                    store.raise_report(id, ALERT_MATCH_PRIORITY)?;
                    store.add_report_event(id, actor, &at, "alert", &alert_id)?;
                    store.audit(&AuditEntry {
                        id: 0,
                        at: at.clone(),
                        actor: Some(actor),
                        actor_email: None,
                        action: "report.alert-match".to_owned(),
                        target: Some(id.clone()),
                        remote: None,
                        detail: Some(alert_id.clone()),
                    })?;
                }
                Ok(())
            })
            .await?;
    }
    tracing::info!(matched = count, "retro-hunt done");
    Ok(count)
}
