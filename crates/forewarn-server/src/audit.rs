//! Writing the audit log: who did what, to what, when and from where.

use std::net::IpAddr;
use std::sync::Arc;

use forewarn_store::AuditEntry;

use crate::auth::Caller;
use crate::error::ApiResult;
use crate::state::AppState;

/// Appends an entry for an action of `caller` (or of nobody signed in,
/// from `remote`).
pub async fn record(
    state: &Arc<AppState>,
    caller: Option<&Caller>,
    remote: IpAddr,
    action: &str,
    target: Option<String>,
    detail: Option<String>,
) -> ApiResult<()> {
    let entry = AuditEntry {
        id: 0,
        at: crate::now(),
        actor: caller.map(|c| c.account.id),
        actor_email: caller.map(|c| c.account.email.clone()),
        action: action.to_owned(),
        target,
        remote: Some(remote.to_string()),
        detail,
    };
    state.db.write(move |store| Ok(store.audit(&entry)?)).await
}
