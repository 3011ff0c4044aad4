//! Alerts to members: analysts write one, preview it as STIX, and publish
//! it signed with the server's key (or import one signed by a trusted
//! issuer); every stored report is then checked against it, and the ones it
//! matches go to the top of the queue. Members list the alerts, unread
//! first, and acknowledge them; analysts see who has.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use forewarn_stix::Bundle;
use forewarn_stix::build::{AlertDraft, Issuer, build_alert};
use forewarn_store::{AlertDraftRow, StoredAlert};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::audit;
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

/// Whether the caller may see an alert of this TLP level: TLP:RED is for
/// named recipients, so only analysts see it in the server.
fn may_see(caller: &Caller, tlp: Option<&str>) -> bool {
    caller.roles.has(Role::Analyst) || tlp != Some("TLP:RED")
}

fn reader(caller: &Caller) -> ApiResult<()> {
    if !(caller.roles.has(Role::Member) || caller.roles.has(Role::Analyst)) {
        return Err(ApiError::forbidden("member or analyst"));
    }
    caller.require_scope("alerts:read")
}

/// Writes an alert draft: built into STIX at once, so that mistakes show
/// now, not at publishing.
pub async fn create(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: Result<ApiJson<AlertDraft>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_analyst()?;
    let ApiJson(draft) = body?;
    // The organisation an administrator set, else the configured one.
    let stored = state
        .db
        .read(|store| Ok(store.setting(crate::settings::ORGANISATION)?))
        .await?;
    let issuer = Issuer {
        name: stored.unwrap_or_else(|| state.issuer.clone()),
    };
    let bundle = build_alert(&draft, &issuer, time::OffsetDateTime::now_utc())
        .map_err(|e| ApiError::invalid(e.to_string()))?;
    let id = Bundle::parse(&bundle)
        .ok()
        .and_then(|b| b.id().map(str::to_owned))
        .ok_or_else(|| ApiError::internal("a built alert has no id"))?;
    let row = AlertDraftRow {
        id: id.clone(),
        created_by: caller.account.id,
        created_at: crate::now(),
        name: draft.name.clone(),
        draft: serde_json::to_string(&draft).map_err(ApiError::internal)?,
        bundle,
    };
    state
        .db
        .write(move |store| Ok(store.put_alert_draft(&row)?))
        .await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "alert.draft",
        Some(id.clone()),
        Some(draft.name.clone()),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/alerts/{id}/stix"))],
        Json(json!({ "id": id, "name": draft.name, "status": "draft" })),
    ))
}

/// The alerts: published ones for members (unread first), and drafts too
/// for analysts.
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    reader(&caller)?;
    let account = caller.account.id;
    let is_analyst = caller.roles.has(Role::Analyst);
    let (alerts, acks, drafts) = state
        .db
        .read(move |store| {
            let drafts = if is_analyst {
                store.alert_drafts()?
            } else {
                Vec::new()
            };
            Ok((store.alerts()?, store.acknowledged_by(account)?, drafts))
        })
        .await?;
    let mut published: Vec<Value> = alerts
        .iter()
        .filter(|a| may_see(&caller, a.tlp.as_deref()))
        .map(|a| {
            let read_at = acks
                .iter()
                .find(|(id, _)| *id == a.id)
                .map(|(_, at)| at.clone());
            json!({
                "id": a.id, "name": a.name, "issuer": a.issuer, "tlp": a.tlp,
                "published_at": a.imported_at, "signed": a.signed_by.is_some(),
                "acknowledged_at": read_at,
            })
        })
        .collect();
    // Unread first, then newest first.
    published.sort_by(|a, b| {
        let unread = |v: &Value| v["acknowledged_at"].is_null();
        unread(b)
            .cmp(&unread(a))
            .then_with(|| b["published_at"].as_str().cmp(&a["published_at"].as_str()))
    });
    let drafts: Vec<Value> = drafts
        .iter()
        .map(|d| json!({ "id": d.id, "name": d.name, "created_at": d.created_at, "created_by": d.created_by }))
        .collect();
    let mut body = json!({ "alerts": published });
    if is_analyst && let Some(object) = body.as_object_mut() {
        object.insert("drafts".into(), Value::Array(drafts));
    }
    Ok(Json(body))
}

/// An alert as STIX: a draft's bundle (analysts) or a published one.
pub async fn stix(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    reader(&caller)?;
    let is_analyst = caller.roles.has(Role::Analyst);
    let lookup = id.clone();
    let found = state
        .db
        .read(move |store| {
            if is_analyst && let Some(draft) = store.alert_draft(&lookup)? {
                return Ok(Some((draft.bundle, None)));
            }
            Ok(store.alert(&lookup)?.map(|a| (a.bundle, a.tlp)))
        })
        .await?;
    match found {
        Some((bundle, tlp)) if may_see(&caller, tlp.as_deref()) => {
            Ok(([(header::CONTENT_TYPE, "application/json")], bundle).into_response())
        }
        _ => Err(ApiError::not_found("alert")),
    }
}

/// Signs a draft with the server's key, publishes it to every member and
/// runs it over every stored report.
pub async fn publish(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    caller.require_analyst()?;
    let lookup = id.clone();
    let draft = state
        .db
        .read(move |store| Ok(store.alert_draft(&lookup)?))
        .await?;
    let Some(draft) = draft else {
        return Err(ApiError::not_found("alert draft"));
    };
    let bundle = Bundle::parse(&draft.bundle).map_err(ApiError::internal)?;
    let signature = state.signing.sign(&draft.bundle);
    let stored = stored_alert(
        draft.bundle.clone(),
        &bundle,
        Some(state.signing.public().fingerprint()),
        Some(signature.to_text()),
    )
    .ok_or_else(|| ApiError::internal("a built alert has no id"))?;
    let remove = id.clone();
    state
        .db
        .write(move |store| {
            store.put_alert(&stored)?;
            store.remove_alert_draft(&remove)?;
            Ok(())
        })
        .await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "alert.publish",
        Some(id.clone()),
        Some(draft.name),
    )
    .await?;
    let matched = crate::hunt::after_new_alert(&state, &bundle, caller.account.id).await?;
    Ok((
        StatusCode::OK,
        Json(json!({ "id": id, "status": "published", "matched_reports": matched })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportRequest {
    /// The bundle, exactly as signed.
    bundle: String,
    /// The detached signature, one line of text.
    signature: String,
}

/// Imports an alert signed by a trusted issuer, exactly as signed.
pub async fn import(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: Result<ApiJson<ImportRequest>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_analyst()?;
    let ApiJson(request) = body?;
    let bytes = request.bundle.into_bytes();
    let signature = forewarn_stix::DetachedSignature::from_text(&request.signature)
        .map_err(|e| ApiError::invalid(format!("signature: {e}")))?;
    let keys = state.db.read(|store| Ok(store.trusted_keys()?)).await?;
    let Some(key) = keys.iter().find(|k| k.fingerprint == signature.fingerprint) else {
        return Err(ApiError::invalid(format!(
            "signature: signed by key {}, which this server does not trust",
            signature.fingerprint
        )));
    };
    let public =
        forewarn_stix::PublicKey::from_text(&key.public_key).map_err(ApiError::internal)?;
    public.verify(&bytes, &signature).map_err(|_| {
        ApiError::invalid("signature: does not match the bundle (changed after signing?)")
    })?;
    let bundle = Bundle::parse(&bytes).map_err(|e| ApiError::invalid(format!("bundle: {e}")))?;
    let errors: Vec<String> = forewarn_stix::validate(&bundle)
        .into_iter()
        .filter(|p| p.severity == forewarn_stix::Severity::Error)
        .map(|p| p.to_string())
        .collect();
    if !errors.is_empty() {
        return Err(ApiError::invalid(format!("bundle: {}", errors.join("; "))));
    }
    let stored = stored_alert(
        bytes,
        &bundle,
        Some(key.fingerprint.clone()),
        Some(signature.to_text()),
    )
    .ok_or_else(|| ApiError::invalid("bundle: no id"))?;
    let id = stored.id.clone();
    let name = stored.name.clone();
    state
        .db
        .write(move |store| Ok(store.put_alert(&stored)?))
        .await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "alert.import",
        Some(id.clone()),
        Some(name),
    )
    .await?;
    let matched = crate::hunt::after_new_alert(&state, &bundle, caller.account.id).await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": id, "status": "published", "matched_reports": matched })),
    ))
}

/// Records that the caller has read an alert.
pub async fn acknowledge(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    reader(&caller)?;
    let account = caller.account.id;
    let lookup = id.clone();
    let found = state
        .db
        .write(move |store| {
            let Some(alert) = store.alert(&lookup)? else {
                return Ok(None);
            };
            let fresh = store.acknowledge_alert(&lookup, account, &crate::now())?;
            Ok(Some((alert.tlp, fresh)))
        })
        .await?;
    match found {
        Some((tlp, fresh)) if may_see(&caller, tlp.as_deref()) => {
            if fresh {
                audit::record(
                    &state,
                    Some(&caller),
                    caller.remote,
                    "alert.ack",
                    Some(id),
                    None,
                )
                .await?;
            }
            Ok(StatusCode::NO_CONTENT)
        }
        _ => Err(ApiError::not_found("alert")),
    }
}

/// Who has acknowledged an alert (analysts).
pub async fn acknowledgements(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    caller.require_analyst()?;
    let lookup = id.clone();
    let found = state
        .db
        .read(move |store| {
            if store.alert(&lookup)?.is_none() {
                return Ok(None);
            }
            Ok(Some(store.alert_acks(&lookup)?))
        })
        .await?;
    let Some(acks) = found else {
        return Err(ApiError::not_found("alert"));
    };
    let list: Vec<Value> = acks
        .iter()
        .map(|(email, at)| json!({ "email": email, "at": at }))
        .collect();
    Ok(Json(json!({ "id": id, "acknowledgements": list })))
}

/// The server's public signing key, to trust its alerts elsewhere.
pub async fn key(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    reader(&caller)?;
    let public = state.signing.public();
    Ok(Json(
        json!({ "public_key": public.to_text(), "fingerprint": public.fingerprint() }),
    ))
}

/// The alert to store for a bundle read from `bytes`; `None` when the
/// bundle has no id.
pub fn stored_alert(
    bytes: Vec<u8>,
    bundle: &Bundle,
    signed_by: Option<String>,
    signature: Option<String>,
) -> Option<StoredAlert> {
    let id = bundle.id()?;
    let report = bundle.of_type("report").next();
    Some(StoredAlert {
        id: id.to_owned(),
        name: report.and_then(|r| r.name()).unwrap_or(id).to_owned(),
        issuer: report
            .and_then(|r| r.str_property("created_by_ref"))
            .and_then(|i| bundle.get(i))
            .and_then(|i| i.name())
            .map(str::to_owned),
        signed_by,
        tlp: report
            .map(|r| r.str_list("object_marking_refs"))
            .unwrap_or_default()
            .into_iter()
            .find_map(forewarn_stix::Tlp::from_marking_id)
            .map(|t| t.to_string()),
        imported_at: crate::now(),
        bundle: bytes,
        signature,
    })
}
