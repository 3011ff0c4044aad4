//! Who is calling: passwords (Argon2id), API tokens (random, stored as
//! SHA-256 hashes, scoped, revocable) and the roles that decide what a
//! caller may do.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use base64::Engine as _;
use forewarn_store::Account;
use sha2::{Digest, Sha256};

use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// A role of an account.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Reports approaches and reads alerts; sees only their own reports.
    Member,
    /// Sees every report, triages them and publishes alerts.
    Analyst,
    /// Manages accounts and settings; reads evidence only if also analyst.
    Admin,
}

impl Role {
    /// The role's name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Analyst => "analyst",
            Role::Admin => "admin",
        }
    }

    /// The role named `name`.
    pub fn parse(name: &str) -> Option<Role> {
        match name.trim() {
            "member" => Some(Role::Member),
            "analyst" => Some(Role::Analyst),
            "admin" => Some(Role::Admin),
            _ => None,
        }
    }
}

/// A set of roles, written comma-separated in the store.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Roles {
    /// Holds [`Role::Member`].
    pub member: bool,
    /// Holds [`Role::Analyst`].
    pub analyst: bool,
    /// Holds [`Role::Admin`].
    pub admin: bool,
}

impl Roles {
    /// The roles written in `text`; unknown names are ignored.
    pub fn parse(text: &str) -> Roles {
        let mut roles = Roles::default();
        for role in text.split(',').filter_map(Role::parse) {
            roles.insert(role);
        }
        roles
    }

    /// Adds a role.
    pub fn insert(&mut self, role: Role) {
        match role {
            Role::Member => self.member = true,
            Role::Analyst => self.analyst = true,
            Role::Admin => self.admin = true,
        }
    }

    /// Whether the set holds `role`.
    pub fn has(self, role: Role) -> bool {
        match role {
            Role::Member => self.member,
            Role::Analyst => self.analyst,
            Role::Admin => self.admin,
        }
    }

    /// The roles' names.
    pub fn names(self) -> Vec<&'static str> {
        [Role::Member, Role::Analyst, Role::Admin]
            .into_iter()
            .filter(|r| self.has(*r))
            .map(Role::as_str)
            .collect()
    }

    /// The set as the store writes it.
    pub fn to_text(self) -> String {
        self.names().join(",")
    }
}

/// What an API token may be used for.
pub const SCOPES: [&str; 4] = ["reports:write", "reports:read", "alerts:read", "admin"];

/// Hashes a password with Argon2id and a random salt.
pub fn hash_password(password: &str) -> ApiResult<String> {
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).map_err(ApiError::internal)?;
    let salt = SaltString::encode_b64(&salt).map_err(ApiError::internal)?;
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(ApiError::internal)
}

/// [`hash_password`] on a blocking thread: Argon2id takes tens of
/// milliseconds, which must not stall the server's other requests.
pub async fn hash_password_off_thread(password: String) -> ApiResult<String> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(ApiError::internal)?
}

/// Whether `password` matches `hash`.
pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        argon2::Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A hash that no password matches, checked when an account does not
/// exist, so that answering takes as long as for one that does.
pub fn dummy_hash() -> &'static str {
    "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$2bB0wqfzOwDdS7wS1Ff3D1T7E8m0t5F+Bh1c8jXK3fE"
}

/// A new random secret: 32 bytes, base64url, with a prefix that says what
/// it is.
pub fn new_secret(prefix: &str) -> ApiResult<String> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(ApiError::internal)?;
    Ok(format!(
        "{prefix}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    ))
}

/// The hash a token is stored and looked up by.
pub fn token_hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The caller of a request, authenticated by a Bearer token.
#[derive(Debug, Clone)]
pub struct Caller {
    /// The account.
    pub account: Account,
    /// Its roles.
    pub roles: Roles,
    /// The token's scopes.
    pub scopes: Vec<String>,
    /// Where the request came from.
    pub remote: IpAddr,
    /// The hash of the browser session, when the caller came with one
    /// rather than a token.
    pub session: Option<String>,
}

impl Caller {
    /// Fails with 403 unless the caller has `role`.
    pub fn require(&self, role: Role) -> ApiResult<()> {
        if self.roles.has(role) {
            Ok(())
        } else {
            Err(ApiError::forbidden(role.as_str()))
        }
    }

    /// Fails with 403 unless the caller is an administrator with the
    /// `admin` scope.
    pub fn require_admin(&self) -> ApiResult<()> {
        self.require(Role::Admin)?;
        self.require_scope("admin")
    }

    /// Fails with 403 unless the caller is an analyst with the
    /// `reports:read` scope: who triages reports and writes alerts.
    pub fn require_analyst(&self) -> ApiResult<()> {
        self.require(Role::Analyst)?;
        self.require_scope("reports:read")
    }

    /// Fails with 403 unless the caller's token has `scope`.
    pub fn require_scope(&self, scope: &str) -> ApiResult<()> {
        if self.scopes.iter().any(|s| s == scope) {
            Ok(())
        } else {
            Err(ApiError::new(
                axum::http::StatusCode::FORBIDDEN,
                format!("this token lacks the {scope} scope"),
            ))
        }
    }
}

/// Where a request came from.
pub fn remote(parts: &Parts) -> IpAddr {
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::from([0, 0, 0, 0]), |c| c.0.ip())
}

/// The name of the session cookie.
pub const SESSION_COOKIE: &str = "forewarn_session";
/// The header that carries a session's CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The value of cookie `name` in the request's `Cookie` headers.
pub fn cookie(parts: &Parts, name: &str) -> Option<String> {
    parts
        .headers
        .get_all(axum::http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value.trim().to_owned())
}

/// Whether a request may change state (anything but GET, HEAD, OPTIONS).
fn changes_state(parts: &Parts) -> bool {
    !matches!(
        parts.method,
        axum::http::Method::GET | axum::http::Method::HEAD | axum::http::Method::OPTIONS
    )
}

/// Whether `a` and `b` are equal, in time that does not depend on where
/// they differ.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl FromRequestParts<Arc<AppState>> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Arc<AppState>,
    ) -> Result<Caller, ApiError> {
        let remote = remote(parts);
        if let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) {
            let token = header
                .to_str()
                .ok()
                .and_then(|h| h.strip_prefix("Bearer "))
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .ok_or_else(ApiError::unauthorized)?;
            let hash = token_hash(token);
            let found = state
                .db
                .read(move |store| Ok(store.token_by_hash(&hash)?))
                .await?;
            let Some((token, account)) = found.filter(|(_, a)| !a.disabled) else {
                return Err(ApiError::unauthorized());
            };
            return Ok(Caller {
                roles: Roles::parse(&account.roles),
                scopes: token.scopes.split(',').map(str::to_owned).collect(),
                account,
                remote,
                session: None,
            });
        }
        // A browser session: its cookie, and for any change its CSRF token.
        let Some(secret) = cookie(parts, SESSION_COOKIE) else {
            return Err(ApiError::unauthorized());
        };
        let hash = token_hash(&secret);
        let lookup = hash.clone();
        let found = state
            .db
            .read(move |store| Ok(store.session(&lookup, &crate::now())?))
            .await?;
        let Some((session, account)) = found.filter(|(_, a)| !a.disabled) else {
            return Err(ApiError::unauthorized());
        };
        if changes_state(parts) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !constant_time_eq(sent.as_bytes(), session.csrf.as_bytes()) {
                return Err(ApiError::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "the CSRF token is missing or wrong: send the session's token in X-CSRF-Token",
                ));
            }
        }
        let roles = Roles::parse(&account.roles);
        Ok(Caller {
            scopes: allowed_scopes(roles),
            roles,
            account,
            remote,
            session: Some(hash),
        })
    }
}

/// The scopes an account's roles allow: every scope, `admin` only to
/// administrators.
pub fn allowed_scopes(roles: Roles) -> Vec<String> {
    SCOPES
        .iter()
        .filter(|s| **s != "admin" || roles.has(Role::Admin))
        .map(|s| (*s).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_verify_only_against_their_hash() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("correct horse", &hash));
        assert!(!verify_password("wrong", &hash));
        assert!(!verify_password("anything", dummy_hash()));
        assert!(!verify_password("anything", "not a hash"));
    }

    #[test]
    fn roles_round_trip_and_ignore_unknown_names() {
        let roles = Roles::parse("analyst,admin,root");
        assert!(roles.has(Role::Analyst) && roles.has(Role::Admin) && !roles.has(Role::Member));
        assert_eq!(roles.to_text(), "analyst,admin");
    }

    #[test]
    fn secrets_are_random_and_hashed_for_storage() {
        let a = new_secret("fw_").unwrap();
        let b = new_secret("fw_").unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with("fw_") && a.len() > 40);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), token_hash(&b));
    }
}
