//! The tables of `forewarn serve`: accounts, API tokens, reports with their
//! history, the append-only audit log, and settings.
//!
//! The SQL is portable (no SQLite functions in queries); only the schema's
//! append-only triggers are written in SQLite's dialect.

use rusqlite::{OptionalExtension, params};

use crate::{Store, StoreError, db};

/// The schema of the server's tables (migration 3).
pub(crate) const MIGRATION: &str = "
    CREATE TABLE account (
        id INTEGER PRIMARY KEY,
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        roles TEXT NOT NULL,
        created_at TEXT NOT NULL,
        disabled INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE api_token (
        id TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id),
        token_hash TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        scopes TEXT NOT NULL,
        created_at TEXT NOT NULL,
        revoked_at TEXT
    );
    CREATE TABLE session (
        id_hash TEXT PRIMARY KEY,
        account_id INTEGER NOT NULL REFERENCES account(id),
        csrf TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
    );
    CREATE TABLE evidence (
        sha256 TEXT PRIMARY KEY,
        content_type TEXT NOT NULL,
        size INTEGER NOT NULL,
        sealed BLOB NOT NULL
    );
    CREATE TABLE report (
        id TEXT PRIMARY KEY,
        submitted_by INTEGER NOT NULL REFERENCES account(id),
        submitted_at TEXT NOT NULL,
        status TEXT NOT NULL,
        risk TEXT NOT NULL,
        score REAL NOT NULL,
        priority INTEGER NOT NULL DEFAULT 0,
        sender_name TEXT NOT NULL,
        organisation TEXT,
        signals TEXT NOT NULL,
        approach BLOB NOT NULL,
        verdict BLOB NOT NULL,
        original TEXT REFERENCES evidence(sha256),
        merged_into TEXT REFERENCES report(id)
    );
    CREATE INDEX report_queue ON report(priority DESC, score DESC, submitted_at, id);
    CREATE INDEX report_by_submitter ON report(submitted_by, submitted_at);
    CREATE TABLE report_event (
        id INTEGER PRIMARY KEY,
        report_id TEXT NOT NULL REFERENCES report(id),
        at TEXT NOT NULL,
        actor INTEGER NOT NULL REFERENCES account(id),
        kind TEXT NOT NULL,
        detail TEXT NOT NULL
    );
    CREATE INDEX report_event_by_report ON report_event(report_id, id);
    CREATE TABLE audit (
        id INTEGER PRIMARY KEY,
        at TEXT NOT NULL,
        actor INTEGER,
        actor_email TEXT,
        action TEXT NOT NULL,
        target TEXT,
        remote TEXT,
        detail TEXT
    );
    CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
        BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TABLE alert_draft (
        id TEXT PRIMARY KEY,
        created_by INTEGER NOT NULL REFERENCES account(id),
        created_at TEXT NOT NULL,
        name TEXT NOT NULL,
        draft TEXT NOT NULL,
        bundle BLOB NOT NULL
    );
    CREATE TABLE alert_ack (
        alert_id TEXT NOT NULL,
        account_id INTEGER NOT NULL REFERENCES account(id),
        at TEXT NOT NULL,
        PRIMARY KEY (alert_id, account_id)
    );
    CREATE TABLE setting (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
";

/// An account of the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// The account's number.
    pub id: i64,
    /// Its e-mail address, lower-cased: the login.
    pub email: String,
    /// Its roles, comma-separated (`member`, `analyst`, `admin`).
    pub roles: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// Whether it may no longer sign in.
    pub disabled: bool,
}

/// An API token, without its secret (only its hash is stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its public id.
    pub id: String,
    /// The account it acts for.
    pub account_id: i64,
    /// What its owner named it.
    pub name: String,
    /// Its scopes, comma-separated.
    pub scopes: String,
    /// When it was made (RFC 3339).
    pub created_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// An alert an analyst is writing, not yet published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AlertDraftRow {
    /// The id of its bundle.
    pub id: String,
    /// Who wrote it.
    pub created_by: i64,
    /// When (RFC 3339).
    pub created_at: String,
    /// Its name.
    pub name: String,
    /// What the analyst wrote (JSON).
    pub draft: String,
    /// The STIX bundle built from it, unsigned.
    pub bundle: Vec<u8>,
}

/// A browser session: its cookie's hash, its account and its CSRF token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// SHA-256 of the session cookie's value.
    pub id_hash: String,
    /// The account signed in.
    pub account_id: i64,
    /// The token every state-changing request of the session must carry.
    pub csrf: String,
    /// When it began (RFC 3339).
    pub created_at: String,
    /// When it ends (RFC 3339).
    pub expires_at: String,
}

/// A stored report: an approach as submitted, with its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// The report's id.
    pub id: String,
    /// The account that submitted it.
    pub submitted_by: i64,
    /// When it arrived (RFC 3339).
    pub submitted_at: String,
    /// `new`, `triaged`, `escalated`, `closed-benign` or `closed-hostile`.
    pub status: String,
    /// The verdict's risk band.
    pub risk: String,
    /// The verdict's score.
    pub score: f64,
    /// Raised when a published alert matches the report after it arrived,
    /// to put it at the top of the queue.
    pub priority: i64,
    /// The sender's name, for lists and search.
    pub sender_name: String,
    /// The sender's organisation, for lists and filters.
    pub organisation: Option<String>,
    /// The ids of the signals that fired, space-separated.
    pub signals: String,
    /// The approach (approach JSON v1), sealed by the server.
    pub approach: Vec<u8>,
    /// The verdict (verdict JSON), sealed by the server.
    pub verdict: Vec<u8>,
    /// SHA-256 of the original submission, kept as [`Evidence`].
    pub original: Option<String>,
    /// The report this one was merged into, as a duplicate.
    pub merged_into: Option<String>,
}

/// An original submission (approach JSON or an e-mail, attachments and
/// all), kept once per content and sealed by the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    /// SHA-256 of the original bytes, in hex: its address.
    pub sha256: String,
    /// Its declared MIME type.
    pub content_type: String,
    /// Its size in bytes, before sealing.
    pub size: i64,
    /// The sealed bytes.
    pub sealed: Vec<u8>,
}

/// One event in a report's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportEvent {
    /// When (RFC 3339).
    pub at: String,
    /// Who.
    pub actor: i64,
    /// `status`, `note`, `merge` or `alert`.
    pub kind: String,
    /// The new status, the note's text, the report merged with, or the
    /// alert that matched.
    pub detail: String,
}

/// Which reports to list.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ReportFilter {
    /// Only those submitted by this account.
    pub submitted_by: Option<i64>,
    /// Only these risk bands.
    pub risk: Option<String>,
    /// Only this status.
    pub status: Option<String>,
    /// Only those where this signal fired.
    pub signal: Option<String>,
    /// Only those whose sender's organisation contains this text.
    pub organisation: Option<String>,
    /// Only those submitted at or after this time (RFC 3339).
    pub since: Option<String>,
    /// Only those submitted before this time (RFC 3339).
    pub until: Option<String>,
    /// Only those whose sender's name or organisation contains this text,
    /// without regard to case.
    pub text: Option<String>,
    /// Leave out reports merged into others.
    pub hide_merged: bool,
}

/// One entry of the audit log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// Its number, in order of writing.
    pub id: i64,
    /// When (RFC 3339).
    pub at: String,
    /// The account that acted, if any.
    pub actor: Option<i64>,
    /// Its e-mail address then.
    pub actor_email: Option<String>,
    /// What was done: `report.read`, `report.status`, `account.create`...
    pub action: String,
    /// What it was done to: a report id, an account.
    pub target: Option<String>,
    /// Where the request came from.
    pub remote: Option<String>,
    /// More about it.
    pub detail: Option<String>,
}

const ACCOUNT_COLUMNS: &str = "id, email, roles, created_at, disabled";
const REPORT_COLUMNS: &str = "id, submitted_by, submitted_at, status, risk, score, priority, \
     sender_name, organisation, signals, approach, verdict, original, merged_into";

fn row_to_account(row: &rusqlite::Row<'_>) -> rusqlite::Result<Account> {
    row_to_account_at(row, 0)
}

/// An account from the columns of [`ACCOUNT_COLUMNS`] starting at `at`.
fn row_to_account_at(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<Account> {
    Ok(Account {
        id: row.get(at)?,
        email: row.get(at + 1)?,
        roles: row.get(at + 2)?,
        created_at: row.get(at + 3)?,
        disabled: row.get::<_, i64>(at + 4)? != 0,
    })
}

fn row_to_draft(row: &rusqlite::Row<'_>) -> rusqlite::Result<AlertDraftRow> {
    Ok(AlertDraftRow {
        id: row.get(0)?,
        created_by: row.get(1)?,
        created_at: row.get(2)?,
        name: row.get(3)?,
        draft: row.get(4)?,
        bundle: row.get(5)?,
    })
}

/// A token from its columns starting at `at`: id, account_id, name,
/// scopes, created_at, revoked_at.
fn row_to_token(row: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<ApiToken> {
    Ok(ApiToken {
        id: row.get(at)?,
        account_id: row.get(at + 1)?,
        name: row.get(at + 2)?,
        scopes: row.get(at + 3)?,
        created_at: row.get(at + 4)?,
        revoked_at: row.get(at + 5)?,
    })
}

fn row_to_report(row: &rusqlite::Row<'_>) -> rusqlite::Result<Report> {
    Ok(Report {
        id: row.get(0)?,
        submitted_by: row.get(1)?,
        submitted_at: row.get(2)?,
        status: row.get(3)?,
        risk: row.get(4)?,
        score: row.get(5)?,
        priority: row.get(6)?,
        sender_name: row.get(7)?,
        organisation: row.get(8)?,
        signals: row.get(9)?,
        approach: row.get(10)?,
        verdict: row.get(11)?,
        original: row.get(12)?,
        merged_into: row.get(13)?,
    })
}

impl Store {
    /// Runs a query and maps every row; `doing` names it in errors.
    fn query_all<T>(
        &self,
        sql: &str,
        params: &[&dyn rusqlite::ToSql],
        map: impl FnMut(&rusqlite::Row<'_>) -> rusqlite::Result<T>,
        doing: &str,
    ) -> Result<Vec<T>, StoreError> {
        let mut stmt = self.connection.prepare(sql).map_err(db(doing))?;
        let rows = stmt.query_map(params, map).map_err(db(doing))?;
        rows.collect::<Result<_, _>>().map_err(db(doing))
    }

    /// Makes every committed write survive a power loss, not only a crash:
    /// what the server acknowledges is on disk.
    pub fn make_durable(&self) -> Result<(), StoreError> {
        self.connection
            .pragma_update(None, "synchronous", "FULL")
            .map_err(db("cannot make writes durable"))
    }

    /// Creates an account; `None` when the e-mail address is taken.
    pub fn create_account(
        &self,
        email: &str,
        password_hash: &str,
        roles: &str,
        created_at: &str,
    ) -> Result<Option<Account>, StoreError> {
        let n = self
            .connection
            .execute(
                "INSERT INTO account (email, password_hash, roles, created_at) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (email) DO NOTHING",
                params![email, password_hash, roles, created_at],
            )
            .map_err(db("cannot create the account"))?;
        if n == 0 {
            return Ok(None);
        }
        self.account(self.connection.last_insert_rowid())
    }

    /// The account with this number.
    pub fn account(&self, id: i64) -> Result<Option<Account>, StoreError> {
        self.connection
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS} FROM account WHERE id = ?1"),
                params![id],
                row_to_account,
            )
            .optional()
            .map_err(db("cannot read the account"))
    }

    /// The account with this e-mail address, with its password hash.
    pub fn account_by_email(&self, email: &str) -> Result<Option<(Account, String)>, StoreError> {
        self.connection
            .query_row(
                &format!("SELECT {ACCOUNT_COLUMNS}, password_hash FROM account WHERE email = ?1"),
                params![email],
                |row| Ok((row_to_account(row)?, row.get(5)?)),
            )
            .optional()
            .map_err(db("cannot read the account"))
    }

    /// Every account, oldest first.
    pub fn accounts(&self) -> Result<Vec<Account>, StoreError> {
        self.query_all(
            &format!("SELECT {ACCOUNT_COLUMNS} FROM account ORDER BY id"),
            &[],
            row_to_account,
            "cannot list accounts",
        )
    }

    /// How many accounts there are.
    pub fn account_count(&self) -> Result<i64, StoreError> {
        self.connection
            .query_row("SELECT COUNT(*) FROM account", [], |row| row.get(0))
            .map_err(db("cannot count accounts"))
    }

    /// Changes an account's roles and whether it is disabled; `false` when
    /// there is no such account.
    pub fn update_account(&self, id: i64, roles: &str, disabled: bool) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute(
                "UPDATE account SET roles = ?2, disabled = ?3 WHERE id = ?1",
                params![id, roles, i64::from(disabled)],
            )
            .map_err(db("cannot change the account"))?;
        Ok(n > 0)
    }

    /// Records a new API token (its hash, never the token).
    pub fn create_token(&self, token: &ApiToken, token_hash: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO api_token (id, account_id, token_hash, name, scopes, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![
                    token.id,
                    token.account_id,
                    token_hash,
                    token.name,
                    token.scopes,
                    token.created_at
                ],
            )
            .map_err(db("cannot record the token"))?;
        Ok(())
    }

    /// The live token with this hash, and its account.
    pub fn token_by_hash(
        &self,
        token_hash: &str,
    ) -> Result<Option<(ApiToken, Account)>, StoreError> {
        self.connection
            .query_row(
                "SELECT t.id, t.account_id, t.name, t.scopes, t.created_at, t.revoked_at,
                        a.id, a.email, a.roles, a.created_at, a.disabled
                 FROM api_token t JOIN account a ON a.id = t.account_id
                 WHERE t.token_hash = ?1 AND t.revoked_at IS NULL",
                params![token_hash],
                |row| Ok((row_to_token(row, 0)?, row_to_account_at(row, 6)?)),
            )
            .optional()
            .map_err(db("cannot read the token"))
    }

    /// The tokens of an account, newest first.
    pub fn tokens(&self, account_id: i64) -> Result<Vec<ApiToken>, StoreError> {
        self.query_all(
            "SELECT id, account_id, name, scopes, created_at, revoked_at FROM api_token
             WHERE account_id = ?1 ORDER BY created_at DESC, id",
            &[&account_id],
            |row| row_to_token(row, 0),
            "cannot list tokens",
        )
    }

    /// Revokes a token of an account; `false` when it has no such live token.
    pub fn revoke_token(&self, account_id: i64, id: &str, at: &str) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute(
                "UPDATE api_token SET revoked_at = ?3
                 WHERE id = ?1 AND account_id = ?2 AND revoked_at IS NULL",
                params![id, account_id, at],
            )
            .map_err(db("cannot revoke the token"))?;
        Ok(n > 0)
    }

    /// Stores an alert draft (replacing one with the same id).
    pub fn put_alert_draft(&self, draft: &AlertDraftRow) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO alert_draft (id, created_by, created_at, name, draft, bundle)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (id) DO UPDATE SET name = excluded.name, draft = excluded.draft,
                     bundle = excluded.bundle",
                params![
                    draft.id,
                    draft.created_by,
                    draft.created_at,
                    draft.name,
                    draft.draft,
                    draft.bundle
                ],
            )
            .map_err(db("cannot store the alert draft"))?;
        Ok(())
    }

    /// The alert draft with this id.
    pub fn alert_draft(&self, id: &str) -> Result<Option<AlertDraftRow>, StoreError> {
        self.connection
            .query_row(
                "SELECT id, created_by, created_at, name, draft, bundle FROM alert_draft WHERE id = ?1",
                params![id],
                row_to_draft,
            )
            .optional()
            .map_err(db("cannot read the alert draft"))
    }

    /// Every alert draft, newest first.
    pub fn alert_drafts(&self) -> Result<Vec<AlertDraftRow>, StoreError> {
        self.query_all(
            "SELECT id, created_by, created_at, name, draft, bundle FROM alert_draft
             ORDER BY created_at DESC, id",
            &[],
            row_to_draft,
            "cannot list alert drafts",
        )
    }

    /// Removes an alert draft (once published); `false` when there was none.
    pub fn remove_alert_draft(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute("DELETE FROM alert_draft WHERE id = ?1", params![id])
            .map_err(db("cannot remove the alert draft"))?;
        Ok(n > 0)
    }

    /// Records that an account has read an alert; `false` when it already
    /// had.
    pub fn acknowledge_alert(
        &self,
        alert_id: &str,
        account_id: i64,
        at: &str,
    ) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute(
                "INSERT INTO alert_ack (alert_id, account_id, at) VALUES (?1, ?2, ?3)
                 ON CONFLICT (alert_id, account_id) DO NOTHING",
                params![alert_id, account_id, at],
            )
            .map_err(db("cannot record the acknowledgement"))?;
        Ok(n > 0)
    }

    /// Who has acknowledged an alert, and when, in order.
    pub fn alert_acks(&self, alert_id: &str) -> Result<Vec<(String, String)>, StoreError> {
        self.query_all(
            "SELECT a.email, k.at FROM alert_ack k JOIN account a ON a.id = k.account_id
             WHERE k.alert_id = ?1 ORDER BY k.at, a.email",
            &[&alert_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
            "cannot list acknowledgements",
        )
    }

    /// The alerts an account has acknowledged, with when.
    pub fn acknowledged_by(&self, account_id: i64) -> Result<Vec<(String, String)>, StoreError> {
        self.query_all(
            "SELECT alert_id, at FROM alert_ack WHERE account_id = ?1",
            &[&account_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
            "cannot list acknowledgements",
        )
    }

    /// Every report's id, in batches after `after` (for retro-hunts).
    pub fn report_ids_after(&self, after: &str, limit: usize) -> Result<Vec<String>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query_all(
            "SELECT id FROM report WHERE id > ?1 ORDER BY id LIMIT ?2",
            &[&after, &limit],
            |row| row.get(0),
            "cannot list reports",
        )
    }

    /// Records a new session, and forgets the sessions that have ended
    /// by `now`.
    pub fn create_session(&self, session: &Session, now: &str) -> Result<(), StoreError> {
        self.connection
            .execute("DELETE FROM session WHERE expires_at <= ?1", params![now])
            .map_err(db("cannot forget ended sessions"))?;
        self.connection
            .execute(
                "INSERT INTO session (id_hash, account_id, csrf, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    session.id_hash,
                    session.account_id,
                    session.csrf,
                    session.created_at,
                    session.expires_at
                ],
            )
            .map_err(db("cannot record the session"))?;
        Ok(())
    }

    /// The session with this hash that has not ended by `now`, and its
    /// account.
    pub fn session(
        &self,
        id_hash: &str,
        now: &str,
    ) -> Result<Option<(Session, Account)>, StoreError> {
        self.connection
            .query_row(
                "SELECT s.id_hash, s.account_id, s.csrf, s.created_at, s.expires_at,
                        a.id, a.email, a.roles, a.created_at, a.disabled
                 FROM session s JOIN account a ON a.id = s.account_id
                 WHERE s.id_hash = ?1 AND s.expires_at > ?2",
                params![id_hash, now],
                |row| {
                    Ok((
                        Session {
                            id_hash: row.get(0)?,
                            account_id: row.get(1)?,
                            csrf: row.get(2)?,
                            created_at: row.get(3)?,
                            expires_at: row.get(4)?,
                        },
                        row_to_account_at(row, 5)?,
                    ))
                },
            )
            .optional()
            .map_err(db("cannot read the session"))
    }

    /// Ends a session; `false` when there was none.
    pub fn delete_session(&self, id_hash: &str) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute("DELETE FROM session WHERE id_hash = ?1", params![id_hash])
            .map_err(db("cannot end the session"))?;
        Ok(n > 0)
    }

    /// Stores a new report, its original (once per content) and its audit
    /// entry, in one transaction committed before this returns.
    pub fn insert_report(
        &self,
        report: &Report,
        original: Option<&Evidence>,
        audit: Option<&AuditEntry>,
    ) -> Result<(), StoreError> {
        let tx = self
            .connection
            .unchecked_transaction()
            .map_err(db("cannot store the report"))?;
        if let Some(e) = original {
            tx.execute(
                "INSERT INTO evidence (sha256, content_type, size, sealed) VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (sha256) DO NOTHING",
                params![e.sha256, e.content_type, e.size, e.sealed],
            )
            .map_err(db("cannot store the original"))?;
        }
        tx.execute(
            &format!(
                "INSERT INTO report ({REPORT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"
            ),
            params![
                report.id,
                report.submitted_by,
                report.submitted_at,
                report.status,
                report.risk,
                report.score,
                report.priority,
                report.sender_name,
                report.organisation,
                report.signals,
                report.approach,
                report.verdict,
                report.original,
                report.merged_into
            ],
        )
        .map_err(db("cannot store the report"))?;
        if let Some(entry) = audit {
            insert_audit(&tx, entry)?;
        }
        tx.commit().map_err(db("cannot store the report"))
    }

    /// The original with this SHA-256.
    pub fn evidence(&self, sha256: &str) -> Result<Option<Evidence>, StoreError> {
        self.connection
            .query_row(
                "SELECT sha256, content_type, size, sealed FROM evidence WHERE sha256 = ?1",
                params![sha256],
                |row| {
                    Ok(Evidence {
                        sha256: row.get(0)?,
                        content_type: row.get(1)?,
                        size: row.get(2)?,
                        sealed: row.get(3)?,
                    })
                },
            )
            .optional()
            .map_err(db("cannot read the original"))
    }

    /// Passes every sealed value (reports' approaches and verdicts, and
    /// originals) to `reseal` with its label (`report:ID:approach`,
    /// `report:ID:verdict`, `evidence:SHA256`), and stores what it returns
    /// in its place (`None`: unchanged), in transactions of a few hundred
    /// rows; returns how many values were replaced. Rows are read in
    /// batches, so memory stays small whatever the size of the store.
    pub fn reseal_all(
        &self,
        mut reseal: impl FnMut(&str, &[u8]) -> Result<Option<Vec<u8>>, String>,
    ) -> Result<usize, StoreError> {
        const BATCH: i64 = 500;
        let mut replaced = 0;
        for (table, key, columns) in [
            ("report", "id", &["approach", "verdict"][..]),
            ("evidence", "sha256", &["sealed"][..]),
        ] {
            let mut after = String::new();
            loop {
                let select = format!(
                    "SELECT {key}, {} FROM {table} WHERE {key} > ?1 ORDER BY {key} LIMIT ?2",
                    columns.join(", ")
                );
                let rows = self.query_all(
                    &select,
                    &[&after, &BATCH],
                    |row| {
                        let id: String = row.get(0)?;
                        let values = (0..columns.len())
                            .map(|i| row.get::<_, Vec<u8>>(i + 1))
                            .collect::<rusqlite::Result<Vec<_>>>()?;
                        Ok((id, values))
                    },
                    "cannot read sealed values",
                )?;
                let Some((last, _)) = rows.last() else {
                    break;
                };
                after = last.clone();
                let tx = self
                    .connection
                    .unchecked_transaction()
                    .map_err(db("cannot reseal"))?;
                for (id, values) in &rows {
                    for (column, value) in columns.iter().zip(values) {
                        let label = if table == "report" {
                            format!("report:{id}:{column}")
                        } else {
                            format!("evidence:{id}")
                        };
                        let fresh =
                            reseal(&label, value).map_err(|message| StoreError::Reseal {
                                label: label.clone(),
                                message,
                            })?;
                        if let Some(fresh) = fresh {
                            tx.execute(
                                &format!("UPDATE {table} SET {column} = ?2 WHERE {key} = ?1"),
                                params![id, fresh],
                            )
                            .map_err(db("cannot reseal"))?;
                            replaced += 1;
                        }
                    }
                }
                tx.commit().map_err(db("cannot reseal"))?;
            }
        }
        Ok(replaced)
    }

    /// The report with this id.
    pub fn report(&self, id: &str) -> Result<Option<Report>, StoreError> {
        self.connection
            .query_row(
                &format!("SELECT {REPORT_COLUMNS} FROM report WHERE id = ?1"),
                params![id],
                row_to_report,
            )
            .optional()
            .map_err(db("cannot read the report"))
    }

    /// Reports matching `filter`, in queue order: priority, then score, then
    /// arrival; at most `limit` after skipping `offset`.
    pub fn reports(
        &self,
        filter: &ReportFilter,
        limit: usize,
        offset: usize,
    ) -> Result<Vec<Report>, StoreError> {
        let mut sql = format!("SELECT {REPORT_COLUMNS} FROM report WHERE 1 = 1");
        let mut values: Vec<Box<dyn rusqlite::ToSql>> = Vec::new();
        let mut add = |clause: &str, value: Box<dyn rusqlite::ToSql>| {
            values.push(value);
            sql.push_str(&clause.replace('?', &format!("?{}", values.len())));
        };
        if let Some(v) = filter.submitted_by {
            add(" AND submitted_by = ?", Box::new(v));
        }
        if let Some(v) = &filter.risk {
            add(" AND risk = ?", Box::new(v.clone()));
        }
        if let Some(v) = &filter.status {
            add(" AND status = ?", Box::new(v.clone()));
        }
        if let Some(v) = &filter.signal {
            add(
                " AND (' ' || signals || ' ') LIKE ? ESCAPE '\\'",
                Box::new(format!("% {} %", like_escape(v))),
            );
        }
        if let Some(v) = &filter.organisation {
            add(
                " AND LOWER(organisation) LIKE ? ESCAPE '\\'",
                Box::new(format!("%{}%", like_escape(&v.to_lowercase()))),
            );
        }
        if let Some(v) = &filter.text {
            add(
                " AND (LOWER(sender_name) LIKE ? ESCAPE '\\' OR LOWER(organisation) LIKE ? ESCAPE '\\')",
                Box::new(format!("%{}%", like_escape(&v.to_lowercase()))),
            );
        }
        if let Some(v) = &filter.since {
            add(" AND submitted_at >= ?", Box::new(v.clone()));
        }
        if let Some(v) = &filter.until {
            add(" AND submitted_at < ?", Box::new(v.clone()));
        }
        if filter.hide_merged {
            sql.push_str(" AND merged_into IS NULL");
        }
        sql.push_str(" ORDER BY priority DESC, score DESC, submitted_at, id");
        values.push(Box::new(i64::try_from(limit).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" LIMIT ?{}", values.len()));
        values.push(Box::new(i64::try_from(offset).unwrap_or(i64::MAX)));
        sql.push_str(&format!(" OFFSET ?{}", values.len()));
        let params: Vec<&dyn rusqlite::ToSql> = values.iter().map(AsRef::as_ref).collect();
        self.query_all(&sql, &params, row_to_report, "cannot list reports")
    }

    /// Changes a report's status, and records who did it in its history.
    pub fn set_report_status(
        &self,
        id: &str,
        status: &str,
        actor: i64,
        at: &str,
    ) -> Result<bool, StoreError> {
        self.report_change(
            id,
            actor,
            at,
            "status",
            status,
            "UPDATE report SET status = ?2 WHERE id = ?1",
            status,
        )
    }

    /// Marks a report a duplicate of another, and records it in the
    /// history of both.
    pub fn merge_report(
        &self,
        id: &str,
        into: &str,
        actor: i64,
        at: &str,
    ) -> Result<bool, StoreError> {
        let merged = self.report_change(
            id,
            actor,
            at,
            "merge",
            into,
            "UPDATE report SET merged_into = ?2 WHERE id = ?1",
            into,
        )?;
        if merged {
            self.add_report_event(into, actor, at, "merge", id)?;
        }
        Ok(merged)
    }

    /// Raises a report in the queue (a published alert matched it).
    pub fn raise_report(&self, id: &str, priority: i64) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute(
                "UPDATE report SET priority = ?2 WHERE id = ?1",
                params![id, priority],
            )
            .map_err(db("cannot raise the report"))?;
        Ok(n > 0)
    }

    #[allow(clippy::too_many_arguments)]
    fn report_change(
        &self,
        id: &str,
        actor: i64,
        at: &str,
        kind: &str,
        detail: &str,
        update: &str,
        value: &str,
    ) -> Result<bool, StoreError> {
        let tx = self
            .connection
            .unchecked_transaction()
            .map_err(db("cannot change the report"))?;
        let n = tx
            .execute(update, params![id, value])
            .map_err(db("cannot change the report"))?;
        if n > 0 {
            tx.execute(
                "INSERT INTO report_event (report_id, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, at, actor, kind, detail],
            )
            .map_err(db("cannot record the change"))?;
        }
        tx.commit().map_err(db("cannot change the report"))?;
        Ok(n > 0)
    }

    /// Adds an event (a note) to a report's history.
    pub fn add_report_event(
        &self,
        id: &str,
        actor: i64,
        at: &str,
        kind: &str,
        detail: &str,
    ) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO report_event (report_id, at, actor, kind, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, at, actor, kind, detail],
            )
            .map_err(db("cannot record the event"))?;
        Ok(())
    }

    /// A report's history, oldest first.
    pub fn report_events(&self, id: &str) -> Result<Vec<ReportEvent>, StoreError> {
        self.query_all(
            "SELECT at, actor, kind, detail FROM report_event WHERE report_id = ?1 ORDER BY id",
            &[&id],
            |row| {
                Ok(ReportEvent {
                    at: row.get(0)?,
                    actor: row.get(1)?,
                    kind: row.get(2)?,
                    detail: row.get(3)?,
                })
            },
            "cannot read the history",
        )
    }

    /// Appends an entry to the audit log; its `id` is ignored.
    pub fn audit(&self, entry: &AuditEntry) -> Result<(), StoreError> {
        insert_audit(&self.connection, entry)
    }

    /// Audit entries after `after_id`, oldest first, at most `limit`.
    pub fn audit_log(&self, after_id: i64, limit: usize) -> Result<Vec<AuditEntry>, StoreError> {
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.query_all(
            "SELECT id, at, actor, actor_email, action, target, remote, detail FROM audit
             WHERE id > ?1 ORDER BY id LIMIT ?2",
            &[&after_id, &limit],
            |row| {
                Ok(AuditEntry {
                    id: row.get(0)?,
                    at: row.get(1)?,
                    actor: row.get(2)?,
                    actor_email: row.get(3)?,
                    action: row.get(4)?,
                    target: row.get(5)?,
                    remote: row.get(6)?,
                    detail: row.get(7)?,
                })
            },
            "cannot read the audit log",
        )
    }

    /// A setting's value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.connection
            .query_row(
                "SELECT value FROM setting WHERE key = ?1",
                params![key],
                |row| row.get(0),
            )
            .optional()
            .map_err(db("cannot read the setting"))
    }

    /// Sets a setting.
    pub fn set_setting(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO setting (key, value) VALUES (?1, ?2)
                 ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                params![key, value],
            )
            .map_err(db("cannot write the setting"))?;
        Ok(())
    }

    /// Removes a setting; `false` when it was not set.
    pub fn remove_setting(&self, key: &str) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute("DELETE FROM setting WHERE key = ?1", params![key])
            .map_err(db("cannot remove the setting"))?;
        Ok(n > 0)
    }

    /// Checks the database's integrity: `Ok(())` or the first problem.
    pub fn check_integrity(&self) -> Result<Result<(), String>, StoreError> {
        let result: String = self
            .connection
            .query_row("PRAGMA integrity_check", [], |row| row.get(0))
            .map_err(db("cannot check integrity"))?;
        Ok(if result == "ok" { Ok(()) } else { Err(result) })
    }
}

fn insert_audit(connection: &rusqlite::Connection, entry: &AuditEntry) -> Result<(), StoreError> {
    connection
        .execute(
            "INSERT INTO audit (at, actor, actor_email, action, target, remote, detail)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                entry.at,
                entry.actor,
                entry.actor_email,
                entry.action,
                entry.target,
                entry.remote,
                entry.detail
            ],
        )
        .map_err(db("cannot write the audit log"))?;
    Ok(())
}

/// Escapes `%` and `_` for a LIKE pattern with `ESCAPE '\'`.
fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: &str, by: i64, score: f64, signals: &str, org: Option<&str>) -> Report {
        Report {
            id: id.to_owned(),
            submitted_by: by,
            submitted_at: format!("2026-01-0{}T00:00:00Z", id.len() % 9 + 1),
            status: "new".to_owned(),
            risk: if score > 0.7 { "high" } else { "low" }.to_owned(),
            score,
            priority: 0,
            sender_name: "X".to_owned(),
            organisation: org.map(str::to_owned),
            signals: signals.to_owned(),
            approach: b"{}".to_vec(),
            verdict: b"{}".to_vec(),
            original: None,
            merged_into: None,
        }
    }

    #[test]
    fn accounts_are_unique_by_email_and_tokens_revocable() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store
            .create_account("a@example.org", "h", "member", "t")
            .unwrap()
            .unwrap();
        assert!(
            store
                .create_account("a@example.org", "h2", "admin", "t")
                .unwrap()
                .is_none()
        );
        assert_eq!(
            store.account_by_email("a@example.org").unwrap().unwrap().1,
            "h"
        );
        let token = ApiToken {
            id: "tok1".into(),
            account_id: a.id,
            name: "cli".into(),
            scopes: "reports:write".into(),
            created_at: "t".into(),
            revoked_at: None,
        };
        store.create_token(&token, "hash1").unwrap();
        assert_eq!(
            store.token_by_hash("hash1").unwrap().unwrap().1.email,
            "a@example.org"
        );
        assert!(
            !store.revoke_token(a.id + 1, "tok1", "t2").unwrap(),
            "only its owner revokes it"
        );
        assert!(store.revoke_token(a.id, "tok1", "t2").unwrap());
        assert!(store.token_by_hash("hash1").unwrap().is_none());
        assert_eq!(
            store.tokens(a.id).unwrap()[0].revoked_at.as_deref(),
            Some("t2")
        );
    }

    #[test]
    fn reports_list_in_queue_order_with_filters() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store
            .create_account("a@example.org", "h", "member", "t")
            .unwrap()
            .unwrap();
        let b = store
            .create_account("b@example.org", "h", "member", "t")
            .unwrap()
            .unwrap();
        store
            .insert_report(
                &report("r1", a.id, 0.2, "FW-A", Some("Acme 100%_Search")),
                None,
                None,
            )
            .unwrap();
        store
            .insert_report(&report("r22", a.id, 0.9, "FW-A FW-B", None), None, None)
            .unwrap();
        store
            .insert_report(
                &report("r333", b.id, 0.5, "FW-BB", Some("Other")),
                None,
                None,
            )
            .unwrap();
        let ids = |f: &ReportFilter| -> Vec<String> {
            store
                .reports(f, 10, 0)
                .unwrap()
                .into_iter()
                .map(|r| r.id)
                .collect()
        };
        assert_eq!(ids(&ReportFilter::default()), ["r22", "r333", "r1"]);
        assert_eq!(
            ids(&ReportFilter {
                submitted_by: Some(a.id),
                ..Default::default()
            }),
            ["r22", "r1"]
        );
        assert_eq!(
            ids(&ReportFilter {
                signal: Some("FW-B".into()),
                ..Default::default()
            }),
            ["r22"]
        );
        assert_eq!(
            ids(&ReportFilter {
                organisation: Some("100%_s".into()),
                ..Default::default()
            }),
            ["r1"]
        );
        assert_eq!(
            ids(&ReportFilter {
                organisation: Some("%".into()),
                ..Default::default()
            }),
            ["r1"]
        );
        assert_eq!(
            ids(&ReportFilter {
                text: Some("OTHER".into()),
                ..Default::default()
            }),
            ["r333"]
        );
        assert_eq!(
            ids(&ReportFilter {
                risk: Some("high".into()),
                ..Default::default()
            }),
            ["r22"]
        );
        assert!(store.raise_report("r1", 1).unwrap());
        assert_eq!(
            store.reports(&ReportFilter::default(), 1, 0).unwrap()[0].id,
            "r1"
        );
        assert_eq!(
            store.reports(&ReportFilter::default(), 1, 1).unwrap()[0].id,
            "r22"
        );
        assert!(store.set_report_status("r1", "triaged", b.id, "t").unwrap());
        assert!(
            !store
                .set_report_status("nope", "triaged", b.id, "t")
                .unwrap()
        );
        assert!(store.merge_report("r333", "r22", b.id, "t").unwrap());
        assert_eq!(
            ids(&ReportFilter {
                hide_merged: true,
                ..Default::default()
            }),
            ["r1", "r22"]
        );
        let events = store.report_events("r22").unwrap();
        assert_eq!(events[0].kind, "merge");
        assert_eq!(events[0].detail, "r333");
    }

    #[test]
    fn originals_are_kept_once_and_every_sealed_value_can_be_resealed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let a = store
            .create_account("a@example.org", "h", "member", "t")
            .unwrap()
            .unwrap();
        let original = Evidence {
            sha256: "ab".repeat(32),
            content_type: "message/rfc822".into(),
            size: 3,
            sealed: b"old".to_vec(),
        };
        for id in ["r1", "r2"] {
            let mut r = report(id, a.id, 0.5, "", None);
            r.original = Some(original.sha256.clone());
            store.insert_report(&r, Some(&original), None).unwrap();
        }
        assert_eq!(
            store.evidence(&original.sha256).unwrap().unwrap().sealed,
            b"old"
        );
        let mut labels = Vec::new();
        let replaced = store
            .reseal_all(|label, value| {
                labels.push(label.to_owned());
                Ok((value != b"{}" || label.ends_with("verdict")).then(|| b"new".to_vec()))
            })
            .unwrap();
        assert_eq!(replaced, 3, "{labels:?}");
        assert_eq!(labels.len(), 5, "two reports with two values, one original");
        assert_eq!(
            store.evidence(&original.sha256).unwrap().unwrap().sealed,
            b"new"
        );
        assert_eq!(store.report("r1").unwrap().unwrap().verdict, b"new");
        assert_eq!(store.report("r1").unwrap().unwrap().approach, b"{}");
        let failed = store
            .reseal_all(|_, _| Err("wrong key".into()))
            .unwrap_err();
        assert!(
            failed.to_string().contains("report:r1:approach"),
            "{failed}"
        );
    }

    #[test]
    fn the_audit_log_is_append_only() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let entry = AuditEntry {
            id: 0,
            at: "t".into(),
            actor: None,
            actor_email: None,
            action: "report.read".into(),
            target: Some("r1".into()),
            remote: Some("127.0.0.1".into()),
            detail: None,
        };
        store.audit(&entry).unwrap();
        store.audit(&entry).unwrap();
        assert_eq!(store.audit_log(0, 10).unwrap().len(), 2);
        assert_eq!(store.audit_log(1, 10).unwrap().len(), 1);
        assert!(
            store
                .connection
                .execute("UPDATE audit SET action = 'x'", [])
                .is_err()
        );
        assert!(store.connection.execute("DELETE FROM audit", []).is_err());
        assert_eq!(store.audit_log(0, 10).unwrap().len(), 2);
        assert_eq!(store.check_integrity().unwrap(), Ok(()));
    }

    #[test]
    fn settings_are_set_replaced_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.setting("k").unwrap(), None);
        store.set_setting("k", "1").unwrap();
        store.set_setting("k", "2").unwrap();
        assert_eq!(store.setting("k").unwrap().as_deref(), Some("2"));
        assert!(store.remove_setting("k").unwrap());
        assert!(!store.remove_setting("k").unwrap());
    }
}
