//! The first administrator, API tokens, and who the caller is.

use std::sync::Arc;

use axum::Json;
use axum::extract::{ConnectInfo, Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use forewarn_store::ApiToken;
use serde::Deserialize;
use serde_json::json;

use crate::audit;
use crate::auth::{self, Caller, Roles};
use crate::error::{ApiError, ApiResult};
use crate::json::ApiJson;
use crate::state::{AppState, LoginLimiter};

/// Shortest password accepted.
pub const MIN_PASSWORD: usize = 10;
/// Longest password accepted (hashing is costly).
pub const MAX_PASSWORD: usize = 1024;

/// An e-mail address as accounts are keyed: trimmed, lower-cased, checked.
pub fn normal_email(email: &str) -> ApiResult<String> {
    let email = email.trim().to_lowercase();
    let valid = email.len() <= 254
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.starts_with('.')
        })
        && !email.chars().any(|c| c.is_whitespace() || c.is_control());
    if valid {
        Ok(email)
    } else {
        Err(ApiError::invalid("email: not an e-mail address"))
    }
}

/// Checks a new password's length.
pub fn check_password(password: &str) -> ApiResult<()> {
    let n = password.chars().count();
    if n < MIN_PASSWORD {
        return Err(ApiError::invalid(format!(
            "password: at least {MIN_PASSWORD} characters"
        )));
    }
    if password.len() > MAX_PASSWORD {
        return Err(ApiError::invalid(format!(
            "password: at most {MAX_PASSWORD} bytes"
        )));
    }
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    setup_token: String,
    email: String,
    password: String,
}

/// The roles of the first administrator: all of them.
const FIRST_ADMIN: Roles = Roles {
    member: true,
    analyst: true,
    admin: true,
};

/// Creates the first administrator, if `setup_token` is the one-time token
/// printed at first start and there is no account yet.
pub async fn create_first_admin(
    state: &Arc<AppState>,
    setup_token: &str,
    email: &str,
    password: String,
    ip: std::net::IpAddr,
) -> ApiResult<forewarn_store::Account> {
    let expected = state
        .setup_token
        .lock()
        .map_err(|_| ApiError::internal("setup lock poisoned"))?
        .clone();
    let valid = expected
        .as_deref()
        .is_some_and(|t| auth::constant_time_eq(t.as_bytes(), setup_token.as_bytes()));
    if !valid {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "setup is closed, or the setup token is wrong",
        ));
    }
    let email = normal_email(email)?;
    check_password(&password)?;
    let hash = auth::hash_password_off_thread(password).await?;
    let created = state
        .db
        .write(move |store| {
            // Only while there is no account at all.
            if store.account_count()? > 0 {
                return Ok(None);
            }
            Ok(store.create_account(&email, &hash, &FIRST_ADMIN.to_text(), &crate::now())?)
        })
        .await?;
    let Some(account) = created else {
        return Err(ApiError::new(StatusCode::FORBIDDEN, "setup is closed"));
    };
    if let Ok(mut token) = state.setup_token.lock() {
        *token = None;
    }
    audit::record(
        state,
        None,
        ip,
        "account.setup",
        Some(account.email.clone()),
        None,
    )
    .await?;
    Ok(account)
}

/// Creates the first administrator with the one-time token printed at
/// first start.
pub async fn setup(
    State(state): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    ApiJson(request): ApiJson<SetupRequest>,
) -> ApiResult<impl IntoResponse> {
    let account = create_first_admin(
        &state,
        &request.setup_token,
        &request.email,
        request.password,
        addr.ip(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "id": account.id, "email": account.email, "roles": FIRST_ADMIN.names() })),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenRequest {
    email: String,
    password: String,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// Checks requested scopes against what the roles allow.
fn scopes_for(requested: Option<Vec<String>>, roles: Roles) -> ApiResult<Vec<String>> {
    let allowed = auth::allowed_scopes(roles);
    let Some(requested) = requested else {
        return Ok(allowed);
    };
    if requested.is_empty() {
        return Err(ApiError::invalid(
            "scopes: give at least one, or leave scopes out for all your roles allow",
        ));
    }
    for scope in &requested {
        if !allowed.contains(scope) {
            return Err(ApiError::invalid(format!(
                "scopes: `{scope}` is not one of {}",
                allowed.join(", ")
            )));
        }
    }
    Ok(requested)
}

/// Checks an e-mail address and password, with the login limiter and the
/// audit log; the account when they match.
async fn authenticate(
    state: &Arc<AppState>,
    email: &str,
    password: String,
    ip: std::net::IpAddr,
) -> ApiResult<forewarn_store::Account> {
    let email = email.trim().to_lowercase();
    if !state.logins.allows(&email, ip) {
        state.metrics.login_failures.inc();
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            format!(
                "too many failed logins: try again in {} seconds",
                LoginLimiter::WINDOW.as_secs()
            ),
        ));
    }
    let lookup = email.clone();
    let found = state
        .db
        .read(move |store| Ok(store.account_by_email(&lookup)?))
        .await?;
    let (account, hash) = match found {
        Some((account, hash)) if !account.disabled => (Some(account), hash),
        _ => (None, auth::dummy_hash().to_owned()),
    };
    let matches = tokio::task::spawn_blocking(move || auth::verify_password(&password, &hash))
        .await
        .map_err(ApiError::internal)?;
    let Some(account) = account.filter(|_| matches) else {
        state.logins.failed(&email, ip);
        state.metrics.login_failures.inc();
        audit::record(state, None, ip, "auth.failed", Some(email), None).await?;
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "wrong e-mail address or password",
        ));
    };
    state.logins.succeeded(&email, ip);
    Ok(account)
}

/// How long a browser session lasts.
pub const SESSION_HOURS: i64 = 12;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: String,
    password: String,
}

/// Signs in a browser: a session cookie (Secure, HttpOnly, SameSite=Strict)
/// and the CSRF token that every state-changing request must carry in
/// `X-CSRF-Token`.
pub async fn login(
    State(state): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    ApiJson(request): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let ip = addr.ip();
    let account = authenticate(&state, &request.email, request.password, ip).await?;
    let secret = auth::new_secret("")?;
    let csrf = auth::new_secret("")?;
    let now = time::OffsetDateTime::now_utc();
    let format = |t: time::OffsetDateTime| {
        t.replace_nanosecond(0)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    };
    let session = forewarn_store::Session {
        id_hash: auth::token_hash(&secret),
        account_id: account.id,
        csrf: csrf.clone(),
        created_at: format(now),
        expires_at: format(now + time::Duration::hours(SESSION_HOURS)),
    };
    let expires_at = session.expires_at.clone();
    let at = session.created_at.clone();
    state
        .db
        .write(move |store| Ok(store.create_session(&session, &at)?))
        .await?;
    let roles = Roles::parse(&account.roles);
    let caller = Caller {
        scopes: auth::allowed_scopes(roles),
        roles,
        account,
        remote: ip,
        session: None,
    };
    audit::record(&state, Some(&caller), ip, "session.create", None, None).await?;
    let cookie = format!(
        "{}={secret}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age={}",
        auth::SESSION_COOKIE,
        SESSION_HOURS * 3600
    );
    Ok((
        StatusCode::CREATED,
        [(axum::http::header::SET_COOKIE, cookie)],
        Json(
            json!({ "csrf_token": csrf, "expires_at": expires_at, "email": caller.account.email, "roles": roles.names() }),
        ),
    ))
}

/// Signs a browser out: the session ends and its cookie is cleared.
pub async fn logout(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let Some(hash) = caller.session.clone() else {
        return Err(ApiError::invalid(
            "not a browser session: revoke a token with DELETE /api/v1/tokens/{id}",
        ));
    };
    state
        .db
        .write(move |store| Ok(store.delete_session(&hash)?))
        .await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "session.end",
        None,
        None,
    )
    .await?;
    let cookie = format!(
        "{}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0",
        auth::SESSION_COOKIE
    );
    Ok((
        StatusCode::NO_CONTENT,
        [(axum::http::header::SET_COOKIE, cookie)],
    ))
}

/// Exchanges an e-mail address and password for an API token.
pub async fn token(
    State(state): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    ApiJson(request): ApiJson<TokenRequest>,
) -> ApiResult<impl IntoResponse> {
    let ip = addr.ip();
    let account = authenticate(&state, &request.email, request.password, ip).await?;
    let roles = Roles::parse(&account.roles);
    let scopes = scopes_for(request.scopes, roles)?;
    let name = request.name.unwrap_or_else(|| "login".to_owned());
    let (id, secret) = issue(&state, account.id, &name, &scopes).await?;
    let caller = Caller {
        account,
        roles,
        scopes: scopes.clone(),
        remote: ip,
        session: None,
    };
    audit::record(
        &state,
        Some(&caller),
        ip,
        "token.create",
        Some(id.clone()),
        Some(name),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": secret, "id": id, "scopes": scopes })),
    ))
}

/// Makes and stores a token; returns its id and secret.
async fn issue(
    state: &Arc<AppState>,
    account_id: i64,
    name: &str,
    scopes: &[String],
) -> ApiResult<(String, String)> {
    if name.chars().count() > 100 {
        return Err(ApiError::invalid("name: at most 100 characters"));
    }
    let secret = auth::new_secret("fw_")?;
    let id = format!("tok-{}", uuid::Uuid::new_v4().simple());
    let token = ApiToken {
        id: id.clone(),
        account_id,
        name: name.to_owned(),
        scopes: scopes.join(","),
        created_at: crate::now(),
        revoked_at: None,
    };
    let hash = auth::token_hash(&secret);
    state
        .db
        .write(move |store| Ok(store.create_token(&token, &hash)?))
        .await?;
    Ok((id, secret))
}

/// Who the caller is.
pub async fn me(caller: Caller) -> Json<serde_json::Value> {
    Json(json!({
        "id": caller.account.id,
        "email": caller.account.email,
        "roles": caller.roles.names(),
        "scopes": caller.scopes,
    }))
}

/// The caller's tokens (never their secrets).
pub async fn tokens(
    State(state): State<Arc<AppState>>,
    caller: Caller,
) -> ApiResult<impl IntoResponse> {
    let id = caller.account.id;
    let tokens = state.db.read(move |store| Ok(store.tokens(id)?)).await?;
    let list: Vec<_> = tokens
        .into_iter()
        .map(|t| {
            json!({
                "id": t.id, "name": t.name, "scopes": t.scopes.split(',').collect::<Vec<_>>(),
                "created_at": t.created_at, "revoked_at": t.revoked_at,
            })
        })
        .collect();
    Ok(Json(json!({ "tokens": list })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewTokenRequest {
    name: String,
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// Makes a new token for the caller, such as one for `forewarn report`
/// that may only submit reports.
pub async fn new_token(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    ApiJson(request): ApiJson<NewTokenRequest>,
) -> ApiResult<impl IntoResponse> {
    let scopes = scopes_for(request.scopes, caller.roles)?;
    let (id, secret) = issue(&state, caller.account.id, &request.name, &scopes).await?;
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "token.create",
        Some(id.clone()),
        Some(request.name),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({ "token": secret, "id": id, "scopes": scopes })),
    ))
}

/// Revokes one of the caller's tokens.
pub async fn revoke_token(
    State(state): State<Arc<AppState>>,
    caller: Caller,
    Path(id): Path<String>,
) -> ApiResult<impl IntoResponse> {
    let account = caller.account.id;
    let target = id.clone();
    let revoked = state
        .db
        .write(move |store| Ok(store.revoke_token(account, &target, &crate::now())?))
        .await?;
    if !revoked {
        return Err(ApiError::not_found("token"));
    }
    audit::record(
        &state,
        Some(&caller),
        caller.remote,
        "token.revoke",
        Some(id),
        None,
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(
            normal_email(" Member@Example.ORG ").unwrap(),
            "member@example.org"
        );
        for bad in [
            "",
            "no-at",
            "@example.org",
            "a@localhost",
            "a b@example.org",
            "a@.org",
        ] {
            assert!(normal_email(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn scopes_stay_within_the_roles() {
        let member = Roles::parse("member");
        assert!(!auth::allowed_scopes(member).contains(&"admin".to_owned()));
        assert!(scopes_for(Some(vec!["admin".into()]), member).is_err());
        assert_eq!(
            scopes_for(Some(vec!["reports:write".into()]), member).unwrap(),
            ["reports:write"]
        );
    }
}
