//! Reports: submitted by members, judged on arrival, triaged by analysts.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use forewarn_core::Approach;
use forewarn_ingest::scan::{Member, ScanItem, ScanLimits};
use forewarn_ingest::{ApproachReader, Format, Limits};
use forewarn_store::{AuditEntry, Evidence, Report, ReportFilter};
use serde::Deserialize;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::audit;
use crate::auth::{Caller, Role};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

/// The statuses a report moves through.
pub const STATUSES: [&str; 5] = [
    "new",
    "triaged",
    "escalated",
    "closed-benign",
    "closed-hostile",
];

/// Most reports in one page of a list.
const MAX_PAGE: usize = 500;

/// A report as the API shows it; `full` adds the approach, the verdict and
/// the history (the evidence).
/// What a full report adds to its summary: the opened evidence, the
/// history and who submitted it.
struct Full<'a> {
    approach: Value,
    verdict: Value,
    history: &'a [forewarn_store::ReportEvent],
    submitter: &'a str,
}

fn report_json(report: &Report, full: Option<Full<'_>>) -> Value {
    let mut value = json!({
        "id": report.id,
        "submitted_at": report.submitted_at,
        "status": report.status,
        "risk": report.risk,
        "score": report.score,
        "priority": report.priority,
        "sender_name": report.sender_name,
        "organisation": report.organisation,
        "signals": report.signals.split_whitespace().collect::<Vec<_>>(),
        "merged_into": report.merged_into,
    });
    if let (Some(full), Some(object)) = (full, value.as_object_mut()) {
        object.insert("submitted_by".into(), json!(full.submitter));
        object.insert("original".into(), json!(report.original.is_some()));
        object.insert("approach".into(), full.approach);
        object.insert("verdict".into(), full.verdict);
        object.insert(
            "history".into(),
            full.history
                .iter()
                .map(
                    |e| json!({ "at": e.at, "actor": e.actor, "kind": e.kind, "detail": e.detail }),
                )
                .collect(),
        );
    }
    value
}

/// Reads the approach of a submission: approach JSON v1, or an e-mail
/// (`Content-Type: message/rfc822`).
fn read_submission(headers: &HeaderMap, body: &[u8]) -> ApiResult<(Approach, &'static str)> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if content_type.starts_with("message/rfc822") {
        let items = forewarn_ingest::mail::read_email(
            body,
            "report.eml",
            &Member::default(),
            &ScanLimits::default(),
        );
        let reason = items.iter().find_map(|i| match i {
            ScanItem::Skipped(s) => Some(s.reason.clone()),
            ScanItem::Approach(_) => None,
        });
        return items
            .into_iter()
            .find_map(ScanItem::into_approach)
            .map(|s| (s.approach, "message/rfc822"))
            .ok_or_else(|| {
                ApiError::invalid(format!(
                    "the e-mail holds no approach: {}",
                    reason.unwrap_or_default()
                ))
            });
    }
    if content_type.starts_with("application/x-www-form-urlencoded") {
        return approach_from_form(body).map(|a| (a, "application/x-www-form-urlencoded"));
    }
    if !content_type.starts_with("application/json") {
        return Err(ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "send approach JSON (application/json), an e-mail (message/rfc822) or form fields (application/x-www-form-urlencoded)",
        ));
    }
    parse_approach(body).map(|a| (a, "application/json"))
}

/// An approach from form fields: `sender_name` and `message` (required),
/// `organisation`, `headline`, `profile_url`, `email`, `channel`, `sent_at`.
fn approach_from_form(body: &[u8]) -> ApiResult<Approach> {
    let mut fields: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (key, value) in url::form_urlencoded::parse(body) {
        if fields.insert(key.to_string(), value.to_string()).is_some() {
            return Err(ApiError::invalid(format!("{key}: given twice")));
        }
    }
    let known = [
        "sender_name",
        "message",
        "organisation",
        "headline",
        "profile_url",
        "email",
        "channel",
        "sent_at",
    ];
    if let Some(unknown) = fields.keys().find(|k| !known.contains(&k.as_str())) {
        return Err(ApiError::invalid(format!(
            "{unknown}: not a field of a report (fields: {})",
            known.join(", ")
        )));
    }
    let non_empty = |name: &str| {
        fields
            .get(name)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
            .map(str::to_owned)
    };
    let mut approach = serde_json::json!({
        "channel": non_empty("channel").unwrap_or_else(|| "other".to_owned()),
        "sender": {
            "name": non_empty("sender_name").ok_or_else(|| ApiError::invalid("sender_name: missing"))?,
        },
        "messages": [ { "text": non_empty("message").ok_or_else(|| ApiError::invalid("message: missing"))? } ],
    });
    for (field, key) in [
        ("organisation", "organisation"),
        ("headline", "headline"),
        ("profile_url", "profile_url"),
    ] {
        if let Some(v) = non_empty(field) {
            approach["sender"][key] = Value::String(v);
        }
    }
    if let Some(v) = non_empty("email") {
        approach["sender"]["emails"] = serde_json::json!([v]);
    }
    if let Some(v) = non_empty("sent_at") {
        approach["messages"][0]["sent_at"] = Value::String(v);
    }
    let bytes = serde_json::to_vec(&approach).map_err(ApiError::internal)?;
    parse_approach(&bytes)
}

/// Reads one approach JSON v1 document, with the reader's limits.
fn parse_approach(bytes: &[u8]) -> ApiResult<Approach> {
    let mut reader =
        ApproachReader::<_, Approach>::new(bytes, "report", Format::Single, Limits::default());
    match reader.next() {
        Some(Ok(read)) => Ok(read.approach),
        // The body is one document: its error needs no line.
        Some(Err(e)) => Err(ApiError::invalid(format!("report: {}", e.kind))),
        None => Err(ApiError::invalid("report: empty")),
    }
}

/// Submits a report: judged by the engine, stored with its verdict, and
/// acknowledged only once it is on disk.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<impl IntoResponse> {
    caller.require(Role::Member)?;
    caller.require_scope("reports:write")?;
    let body = body.map_err(|r| {
        let status = if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            StatusCode::PAYLOAD_TOO_LARGE
        } else {
            StatusCode::BAD_REQUEST
        };
        ApiError::new(status, r.body_text())
    })?;
    let (approach, content_type) = read_submission(&headers, &body)?;
    let engine = state.engine();
    let keys = Arc::clone(&state.keys);
    let submitter = caller.account.id;
    let (report, verdict, original) = tokio::task::spawn_blocking(move || {
        let (mut report, verdict) =
            crate::judge::report(&engine, &keys, &approach, submitter, crate::now())
                .map_err(ApiError::internal)?;
        // The original, as sent, kept once per content.
        let sha256: String = Sha256::digest(&body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let original = Evidence {
            sealed: keys
                .seal(&crate::judge::original_label(&sha256), &body)
                .map_err(ApiError::internal)?,
            sha256: sha256.clone(),
            content_type: content_type.to_owned(),
            size: i64::try_from(body.len()).unwrap_or(i64::MAX),
        };
        report.original = Some(sha256);
        Ok::<_, ApiError>((report, verdict, original))
    })
    .await
    .map_err(ApiError::internal)??;
    let entry = AuditEntry {
        id: 0,
        at: report.submitted_at.clone(),
        actor: Some(caller.account.id),
        actor_email: Some(caller.account.email.clone()),
        action: "report.create".to_owned(),
        target: Some(report.id.clone()),
        remote: Some(caller.remote.to_string()),
        detail: None,
    };
    let stored = report.clone();
    // The report, its original and its audit entry commit together.
    state
        .db
        .write(move |store| Ok(store.insert_report(&stored, Some(&original), Some(&entry))?))
        .await?;
    state
        .metrics
        .reports
        .get_or_create(&vec![("risk".to_owned(), report.risk.clone())])
        .inc();
    let mut body = report_json(&report, None);
    if let Some(object) = body.as_object_mut() {
        object.insert(
            "verdict".into(),
            serde_json::to_value(&verdict).map_err(ApiError::internal)?,
        );
    }
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/reports/{}", report.id))],
        Json(body),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    risk: Option<String>,
    status: Option<String>,
    signal: Option<String>,
    organisation: Option<String>,
    q: Option<String>,
    since: Option<String>,
    until: Option<String>,
    #[serde(default)]
    include_merged: bool,
    limit: Option<usize>,
    offset: Option<usize>,
}

/// Lists reports in queue order: analysts see all, members their own.
pub async fn list(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    query: Result<Query<ListQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<impl IntoResponse> {
    caller.require_scope("reports:read")?;
    let submitted_by = if caller.roles.has(Role::Analyst) {
        None
    } else if caller.roles.has(Role::Member) {
        Some(caller.account.id)
    } else {
        return Err(ApiError::forbidden("analyst or member"));
    };
    let Query(query) = query.map_err(|r| ApiError::invalid(r.body_text()))?;
    if let Some(risk) = &query.risk
        && !["low", "medium", "high"].contains(&risk.as_str())
    {
        return Err(ApiError::invalid("risk: one of low, medium, high"));
    }
    if let Some(status) = &query.status
        && !STATUSES.contains(&status.as_str())
    {
        return Err(ApiError::invalid(format!(
            "status: one of {}",
            STATUSES.join(", ")
        )));
    }
    for (name, value) in [("since", &query.since), ("until", &query.until)] {
        if let Some(v) = value
            && time::OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
                .is_err()
        {
            return Err(ApiError::invalid(format!(
                "{name}: not an RFC 3339 time such as 2026-01-31T00:00:00Z"
            )));
        }
    }
    let filter = ReportFilter {
        submitted_by,
        risk: query.risk,
        status: query.status,
        signal: query.signal,
        organisation: query.organisation,
        text: query.q,
        since: query.since,
        until: query.until,
        hide_merged: !query.include_merged,
    };
    let limit = query.limit.unwrap_or(50).clamp(1, MAX_PAGE);
    let offset = query.offset.unwrap_or(0);
    let reports = state
        .db
        .read(move |store| Ok(store.reports(&filter, limit, offset)?))
        .await?;
    let list: Vec<Value> = reports.iter().map(|r| report_json(r, None)).collect();
    Ok(Json(
        json!({ "reports": list, "limit": limit, "offset": offset }),
    ))
}

/// Whether the caller may read this report's evidence: analysts may read
/// every report, members their own. `Err` says how to refuse.
fn may_read(caller: &Caller, report: &Report) -> ApiResult<()> {
    if caller.roles.has(Role::Analyst) {
        return Ok(());
    }
    if caller.roles.has(Role::Member) && report.submitted_by == caller.account.id {
        return Ok(());
    }
    if caller.roles.has(Role::Admin) {
        // An administrator manages the server, not the evidence.
        return Err(ApiError::forbidden("analyst"));
    }
    Err(ApiError::not_found("report"))
}

/// One report with its approach, verdict and history: a read of evidence,
/// recorded in the audit log.
pub async fn show(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    caller.require_scope("reports:read")?;
    let lookup = id.clone();
    let found = state
        .db
        .read(move |store| {
            let Some(report) = store.report(&lookup)? else {
                return Ok(None);
            };
            let history = store.report_events(&lookup)?;
            let submitter = store
                .account(report.submitted_by)?
                .map(|a| a.email)
                .unwrap_or_default();
            Ok(Some((report, history, submitter)))
        })
        .await?;
    let Some((report, history, submitter)) = found else {
        return Err(ApiError::not_found("report"));
    };
    may_read(&caller, &report)?;
    let open = |label: String, sealed: &[u8]| -> ApiResult<Value> {
        let plain = state
            .keys
            .open(&label, sealed)
            .map_err(ApiError::internal)?;
        serde_json::from_slice(&plain).map_err(ApiError::internal)
    };
    let full = Full {
        approach: open(crate::judge::approach_label(&report.id), &report.approach)?,
        verdict: open(crate::judge::verdict_label(&report.id), &report.verdict)?,
        history: &history,
        submitter: &submitter,
    };
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "report.read",
        Some(id),
        None,
    )
    .await?;
    Ok(Json(report_json(&report, Some(full))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateRequest {
    status: Option<String>,
    note: Option<String>,
}

/// Changes a report's status or adds a note (analysts).
pub async fn update(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<ApiJson<UpdateRequest>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_analyst()?;
    // The role is checked before the body is.
    let ApiJson(request) = body?;
    if request.status.is_none() && request.note.is_none() {
        return Err(ApiError::invalid("give a status, a note, or both"));
    }
    if let Some(status) = &request.status
        && !STATUSES.contains(&status.as_str())
    {
        return Err(ApiError::invalid(format!(
            "status: one of {}",
            STATUSES.join(", ")
        )));
    }
    if let Some(note) = &request.note
        && (note.trim().is_empty() || note.len() > 64 * 1024)
    {
        return Err(ApiError::invalid("note: between 1 byte and 64 KiB"));
    }
    let actor = caller.account.id;
    let target = id.clone();
    let (status, note) = (request.status.clone(), request.note.clone());
    let found = state
        .db
        .write(move |store| {
            let at = crate::now();
            if store.report(&target)?.is_none() {
                return Ok(false);
            }
            if let Some(status) = &status {
                store.set_report_status(&target, status, actor, &at)?;
            }
            if let Some(note) = &note {
                store.add_report_event(&target, actor, &at, "note", note)?;
            }
            Ok(true)
        })
        .await?;
    if !found {
        return Err(ApiError::not_found("report"));
    }
    if let Some(status) = request.status {
        audit::record(
            &state,
            Some(&caller),
            caller.remote,
            "report.status",
            Some(id.clone()),
            Some(status),
        )
        .await?;
    }
    if request.note.is_some() {
        audit::record(
            &state,
            Some(&caller),
            caller.remote,
            "report.note",
            Some(id.clone()),
            None,
        )
        .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MergeRequest {
    into: String,
}

/// Marks a report a duplicate of another (analysts).
pub async fn merge(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
    body: Result<ApiJson<MergeRequest>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_analyst()?;
    let ApiJson(request) = body?;
    if request.into == id {
        return Err(ApiError::invalid(
            "into: a report cannot be merged into itself",
        ));
    }
    let actor = caller.account.id;
    let (from, into) = (id.clone(), request.into.clone());
    let merged = state
        .db
        .write(move |store| {
            if store.report(&into)?.is_none() {
                return Ok(false);
            }
            Ok(store.merge_report(&from, &into, actor, &crate::now())?)
        })
        .await?;
    if !merged {
        return Err(ApiError::not_found("report"));
    }
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "report.merge",
        Some(id),
        Some(request.into),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The original submission of a report, as sent (an e-mail with its
/// attachments, or approach JSON), for analysts only, as a download that a
/// browser never displays: a read of evidence, recorded in the audit log.
pub async fn original(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<Response> {
    caller.require_analyst()?;
    let lookup = id.clone();
    let found = state
        .db
        .read(move |store| {
            let Some(report) = store.report(&lookup)? else {
                return Ok(None);
            };
            let Some(sha256) = report.original else {
                return Ok(None);
            };
            Ok(store.evidence(&sha256)?)
        })
        .await?;
    let Some(evidence) = found else {
        return Err(ApiError::not_found("original"));
    };
    let bytes = state
        .keys
        .open(
            &crate::judge::original_label(&evidence.sha256),
            &evidence.sealed,
        )
        .map_err(ApiError::internal)?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "report.original",
        Some(id.clone()),
        None,
    )
    .await?;
    let extension = match evidence.content_type.as_str() {
        "message/rfc822" => "eml",
        "application/json" => "json",
        _ => "txt",
    };
    let disposition = format!(
        "attachment; filename=\"report-{}.{extension}\"",
        safe_name(&id)
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/octet-stream".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
            (
                header::HeaderName::from_static("x-forewarn-sha256"),
                evidence.sha256,
            ),
            (
                header::HeaderName::from_static("x-forewarn-content-type"),
                evidence.content_type,
            ),
        ],
        bytes,
    )
        .into_response())
}

/// A report id as it may appear in a file name.
fn safe_name(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .take(64)
        .collect()
}
