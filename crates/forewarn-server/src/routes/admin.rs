//! Administration: accounts and the audit log.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use forewarn_store::{Account, AuditEntry};
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::{check_password, normal_email};
use crate::audit;
use crate::auth::{self, Caller, Role, Roles};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::AppState;

fn account_json(account: &Account) -> Value {
    json!({
        "id": account.id,
        "email": account.email,
        "roles": Roles::parse(&account.roles).names(),
        "created_at": account.created_at,
        "disabled": account.disabled,
    })
}

/// Parses a list of role names; at least one.
fn roles(names: &[String]) -> ApiResult<Roles> {
    let mut roles = Roles::default();
    for name in names {
        let role = Role::parse(name).ok_or_else(|| {
            ApiError::invalid(format!("roles: `{name}` is not member, analyst or admin"))
        })?;
        roles.insert(role);
    }
    if roles == Roles::default() {
        return Err(ApiError::invalid("roles: give at least one"));
    }
    Ok(roles)
}

/// Every account.
pub async fn accounts(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    caller.require_admin()?;
    let accounts = state.db.read(|store| Ok(store.accounts()?)).await?;
    Ok(Json(
        json!({ "accounts": accounts.iter().map(account_json).collect::<Vec<_>>() }),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateAccount {
    email: String,
    password: String,
    roles: Vec<String>,
}

/// Creates an account.
pub async fn create_account(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    body: Result<ApiJson<CreateAccount>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_admin()?;
    // The role is checked before the body is.
    let ApiJson(request) = body?;
    let email = normal_email(&request.email)?;
    check_password(&request.password)?;
    let roles = roles(&request.roles)?;
    let password = request.password;
    let hash = auth::hash_password_off_thread(password).await?;
    let created = state
        .db
        .write(move |store| {
            Ok(store.create_account(&email, &hash, &roles.to_text(), &crate::now())?)
        })
        .await?;
    let Some(account) = created else {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "an account with this e-mail address exists",
        ));
    };
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "account.create",
        Some(account.email.clone()),
        Some(roles.to_text()),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(account_json(&account))))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateAccount {
    roles: Option<Vec<String>>,
    disabled: Option<bool>,
}

/// Changes an account's roles, or disables or enables it.
pub async fn update_account(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    id: Result<Path<i64>, axum::extract::rejection::PathRejection>,
    body: Result<ApiJson<UpdateAccount>, ApiError>,
) -> ApiResult<impl IntoResponse> {
    caller.require_admin()?;
    // Account ids are numbers: anything else names no account.
    let Path(id) = id.map_err(|_| ApiError::not_found("account"))?;
    let ApiJson(request) = body?;
    let new_roles = request.roles.as_deref().map(roles).transpose()?;
    if id == caller.account.id
        && (request.disabled == Some(true) || new_roles.is_some_and(|r| !r.has(Role::Admin)))
    {
        return Err(ApiError::invalid(
            "an administrator cannot disable or demote their own account",
        ));
    }
    let updated = state
        .db
        .write(move |store| {
            let Some(account) = store.account(id)? else {
                return Ok(None);
            };
            let roles = new_roles.map_or(account.roles.clone(), Roles::to_text);
            let disabled = request.disabled.unwrap_or(account.disabled);
            store.update_account(id, &roles, disabled)?;
            Ok(store.account(id)?)
        })
        .await?;
    let Some(account) = updated else {
        return Err(ApiError::not_found("account"));
    };
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "account.update",
        Some(account.email.clone()),
        Some(format!(
            "roles={} disabled={}",
            account.roles, account.disabled
        )),
    )
    .await?;
    Ok(Json(account_json(&account)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    after: Option<i64>,
    limit: Option<usize>,
    format: Option<String>,
}

fn entry_json(e: &AuditEntry) -> Value {
    json!({
        "id": e.id, "at": e.at, "actor": e.actor, "actor_email": e.actor_email,
        "action": e.action, "target": e.target, "remote": e.remote, "detail": e.detail,
    })
}

/// The audit log, oldest first, in pages (`after`, `limit`); with
/// `format=jsonl`, all of it after `after` as a JSON Lines download.
pub async fn audit(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    query: Result<Query<AuditQuery>, axum::extract::rejection::QueryRejection>,
) -> ApiResult<Response> {
    caller.require_admin()?;
    let Query(query) = query.map_err(|r| ApiError::invalid(r.body_text()))?;
    let after = query.after.unwrap_or(0);
    let export = match query.format.as_deref() {
        None | Some("json") => false,
        Some("jsonl") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "format: `{other}` is not json or jsonl"
            )));
        }
    };
    let limit = if export {
        1_000_000
    } else {
        query.limit.unwrap_or(100).clamp(1, 1000)
    };
    let entries = state
        .db
        .read(move |store| Ok(store.audit_log(after, limit)?))
        .await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "audit.read",
        None,
        export.then(|| "export".to_owned()),
    )
    .await?;
    if export {
        let mut body = String::new();
        for entry in &entries {
            body.push_str(&entry_json(entry).to_string());
            body.push('\n');
        }
        return Ok((
            [
                (header::CONTENT_TYPE, "application/x-ndjson"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"forewarn-audit.jsonl\"",
                ),
            ],
            body,
        )
            .into_response());
    }
    Ok(
        Json(json!({ "entries": entries.iter().map(entry_json).collect::<Vec<_>>() }))
            .into_response(),
    )
}
