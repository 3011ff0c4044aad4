//! Settings an administrator changes while the server runs, kept in the
//! store: they win over the configuration file.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::response::IntoResponse;
use serde::Deserialize;
use serde_json::json;

use crate::audit;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

/// Who members report to, named in the advice of verdicts; used from the
/// next time the engine is built (an alert published or imported, or a
/// restart).
pub const REPORT_TO: &str = "report_to";
/// The organisation the server's alerts come from; used from the next
/// alert drafted.
pub const ORGANISATION: &str = "organisation";

/// Longest value of a setting.
const MAX_CHARS: usize = 200;

async fn current(state: &Arc<AppState>) -> ApiResult<serde_json::Value> {
    let (report_to, organisation) = state
        .db
        .read(|store| Ok((store.setting(REPORT_TO)?, store.setting(ORGANISATION)?)))
        .await?;
    Ok(json!({ "report_to": report_to, "organisation": organisation }))
}

/// The settings (admins).
pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    caller.require_admin()?;
    Ok(Json(current(&state).await?))
}

/// A field that may be absent (unchanged), `null` (removed) or a value.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<Option<String>>, D::Error> {
    Option::<String>::deserialize(d).map(Some)
}

/// A change of settings: a field left out stays as it is.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SettingsUpdate {
    #[serde(default, deserialize_with = "present")]
    report_to: Option<Option<String>>,
    #[serde(default, deserialize_with = "present")]
    organisation: Option<Option<String>>,
}

/// Changes settings (admins): a value sets one, `null` removes it.
pub async fn update(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: Result<ApiJson<SettingsUpdate>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_admin()?;
    let ApiJson(update) = body?;
    let mut changes: Vec<(&'static str, Option<String>)> = Vec::new();
    for (key, value) in [
        (REPORT_TO, update.report_to),
        (ORGANISATION, update.organisation),
    ] {
        let Some(value) = value else {
            continue;
        };
        let value = value.map(|v| v.trim().to_owned());
        if let Some(v) = &value
            && (v.is_empty() || v.chars().count() > MAX_CHARS || v.chars().any(char::is_control))
        {
            return Err(ApiError::invalid(format!(
                "{key}: 1 to {MAX_CHARS} characters, no control characters (null removes it)"
            )));
        }
        changes.push((key, value));
    }
    let detail = changes
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_deref().unwrap_or("(removed)")))
        .collect::<Vec<_>>()
        .join("; ");
    state
        .db
        .write(move |store| {
            for (key, value) in &changes {
                match value {
                    Some(v) => store.set_setting(key, v)?,
                    None => {
                        store.remove_setting(key)?;
                    }
                }
            }
            Ok(())
        })
        .await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "settings.update",
        None,
        Some(detail),
    )
    .await?;
    Ok(Json(current(&state).await?))
}
