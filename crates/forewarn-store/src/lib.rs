//! forewarn's store: imported alerts, the issuer keys trusted to sign them,
//! the approaches kept for retro-hunts, and the server's accounts, reports
//! and audit log, in one SQLite database in the data directory.
//!
//! The database is opened in WAL mode and migrated forward when opened; an
//! alert is kept as the exact bytes it was imported from, with its
//! signature, so that it can be exported and verified again unchanged.

use std::path::{Path, PathBuf};

mod server;

pub use server::{
    Account, AlertDraftRow, ApiToken, AuditEntry, Evidence, Report, ReportEvent, ReportFilter,
    Session,
};

use rusqlite::{Connection, OptionalExtension, params};

/// The database file inside the data directory.
pub const DATABASE_FILE: &str = "forewarn.db";

/// Schema migrations, applied in order; the index of the last one applied
/// is kept in `PRAGMA user_version`.
const MIGRATIONS: &[&str] = &[
    // 1: trusted issuer keys and imported alerts.
    "CREATE TABLE trusted_key (
        fingerprint TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        public_key TEXT NOT NULL,
        added_at TEXT NOT NULL
    );
    CREATE TABLE alert (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        issuer TEXT,
        signed_by TEXT REFERENCES trusted_key(fingerprint),
        tlp TEXT,
        imported_at TEXT NOT NULL,
        bundle BLOB NOT NULL,
        signature TEXT
    );",
    // 2: approaches kept for retro-hunts.
    "CREATE TABLE kept_approach (
        key TEXT PRIMARY KEY,
        approach TEXT NOT NULL,
        source TEXT NOT NULL,
        checked_at TEXT NOT NULL,
        risk TEXT NOT NULL,
        matches TEXT NOT NULL
    );",
    // 3: the server's accounts, tokens, reports, audit log and settings.
    server::MIGRATION,
];

/// Errors of the store, with what was being done.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The data directory cannot be created.
    #[error("cannot create the data directory `{path}`: {source}")]
    Directory {
        /// The directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The database failed.
    #[error("{doing}: {source}")]
    Database {
        /// What was being done.
        doing: String,
        /// The cause.
        source: rusqlite::Error,
    },
    /// A sealed value could not be re-sealed.
    #[error("cannot re-seal {label}: {message}")]
    Reseal {
        /// Which value.
        label: String,
        /// Why.
        message: String,
    },
    /// The database is newer than this build of forewarn.
    #[error(
        "the store `{path}` was written by a newer forewarn (schema {found}, this build knows {known})"
    )]
    TooNew {
        /// The database file.
        path: PathBuf,
        /// Its schema version.
        found: i64,
        /// The newest this build knows.
        known: usize,
    },
}

fn db(doing: impl Into<String>) -> impl FnOnce(rusqlite::Error) -> StoreError {
    let doing = doing.into();
    move |source| StoreError::Database { doing, source }
}

/// An issuer key trusted to sign alerts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    /// The key's fingerprint.
    pub fingerprint: String,
    /// Who the key belongs to, as the user named it.
    pub name: String,
    /// The public key, as one line of text.
    pub public_key: String,
    /// When it was trusted (RFC 3339).
    pub added_at: String,
}

/// An imported alert bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAlert {
    /// The bundle's id.
    pub id: String,
    /// The alert's name (its report's, or the bundle id).
    pub name: String,
    /// The issuer named in the bundle.
    pub issuer: Option<String>,
    /// Fingerprint of the trusted key that signed it; `None` when it was
    /// imported unsigned.
    pub signed_by: Option<String>,
    /// TLP level, as in "TLP:AMBER".
    pub tlp: Option<String>,
    /// When it was imported (RFC 3339).
    pub imported_at: String,
    /// The bundle, byte for byte as imported.
    pub bundle: Vec<u8>,
    /// The detached signature, as one line of text.
    pub signature: Option<String>,
}

/// An approach kept for retro-hunts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptApproach {
    /// SHA-256 of the approach's JSON: the same approach is kept once.
    pub key: String,
    /// The approach (approach JSON v1).
    pub approach: String,
    /// Where it was read from (`file:line`).
    pub source: String,
    /// When it was last checked (RFC 3339).
    pub checked_at: String,
    /// Its risk band then.
    pub risk: String,
    /// The alert matches already reported for it, one key per line.
    pub matches: String,
}

/// The local store.
#[derive(Debug)]
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

impl Store {
    /// Opens (creating if needed) the store in `dir`.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(dir).map_err(|source| StoreError::Directory {
            path: dir.to_path_buf(),
            source,
        })?;
        let path = dir.join(DATABASE_FILE);
        let connection =
            Connection::open(&path).map_err(db(format!("cannot open `{}`", path.display())))?;
        connection
            .pragma_update(None, "journal_mode", "WAL")
            .map_err(db("cannot switch to WAL mode"))?;
        connection
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(db("cannot enable foreign keys"))?;
        connection
            .busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db("cannot set the busy timeout"))?;
        let mut store = Store { connection, path };
        store.migrate()?;
        Ok(store)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let version: i64 = self
            .connection
            .pragma_query_value(None, "user_version", |row| row.get(0))
            .map_err(db("cannot read the schema version"))?;
        let applied = usize::try_from(version).unwrap_or(usize::MAX);
        if applied > MIGRATIONS.len() {
            return Err(StoreError::TooNew {
                path: self.path.clone(),
                found: version,
                known: MIGRATIONS.len(),
            });
        }
        for (index, migration) in MIGRATIONS.iter().enumerate().skip(applied) {
            let tx = self
                .connection
                .transaction()
                .map_err(db("cannot start a migration"))?;
            tx.execute_batch(migration)
                .map_err(db(format!("migration {} failed", index + 1)))?;
            tx.pragma_update(None, "user_version", index as i64 + 1)
                .map_err(db("cannot record the schema version"))?;
            tx.commit().map_err(db("cannot commit a migration"))?;
        }
        Ok(())
    }

    /// Trusts a key (replacing the name of a key already trusted).
    pub fn trust_key(&self, key: &TrustedKey) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO trusted_key (fingerprint, name, public_key, added_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (fingerprint) DO UPDATE SET name = excluded.name",
                params![key.fingerprint, key.name, key.public_key, key.added_at],
            )
            .map_err(db("cannot store the key"))?;
        Ok(())
    }

    /// Every trusted key, by name.
    pub fn trusted_keys(&self) -> Result<Vec<TrustedKey>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT fingerprint, name, public_key, added_at FROM trusted_key ORDER BY name, fingerprint",
            )
            .map_err(db("cannot list the keys"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(TrustedKey {
                    fingerprint: row.get(0)?,
                    name: row.get(1)?,
                    public_key: row.get(2)?,
                    added_at: row.get(3)?,
                })
            })
            .map_err(db("cannot list the keys"))?;
        rows.collect::<Result<_, _>>()
            .map_err(db("cannot list the keys"))
    }

    /// Stores an alert, replacing one with the same id. Returns whether one
    /// was replaced.
    pub fn put_alert(&self, alert: &StoredAlert) -> Result<bool, StoreError> {
        let replaced = self.alert(&alert.id)?.is_some();
        self.connection
            .execute(
                "INSERT OR REPLACE INTO alert
                 (id, name, issuer, signed_by, tlp, imported_at, bundle, signature)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                params![
                    alert.id,
                    alert.name,
                    alert.issuer,
                    alert.signed_by,
                    alert.tlp,
                    alert.imported_at,
                    alert.bundle,
                    alert.signature
                ],
            )
            .map_err(db("cannot store the alert"))?;
        Ok(replaced)
    }

    /// Every stored alert, newest first.
    pub fn alerts(&self) -> Result<Vec<StoredAlert>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT id, name, issuer, signed_by, tlp, imported_at, bundle, signature
                 FROM alert ORDER BY imported_at DESC, id",
            )
            .map_err(db("cannot list the alerts"))?;
        let rows = statement
            .query_map([], row_to_alert)
            .map_err(db("cannot list the alerts"))?;
        rows.collect::<Result<_, _>>()
            .map_err(db("cannot list the alerts"))
    }

    /// The alert with this id.
    pub fn alert(&self, id: &str) -> Result<Option<StoredAlert>, StoreError> {
        self.connection
            .query_row(
                "SELECT id, name, issuer, signed_by, tlp, imported_at, bundle, signature
                 FROM alert WHERE id = ?1",
                params![id],
                row_to_alert,
            )
            .optional()
            .map_err(db("cannot read the alert"))
    }

    /// Keeps an approach, or refreshes one kept before (its source, date and
    /// risk; the matches already reported are kept and extended).
    pub fn keep_approach(&self, kept: &KeptApproach) -> Result<(), StoreError> {
        self.connection
            .execute(
                "INSERT INTO kept_approach (key, approach, source, checked_at, risk, matches)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)
                 ON CONFLICT (key) DO UPDATE SET source = excluded.source,
                     checked_at = excluded.checked_at, risk = excluded.risk,
                     matches = CASE WHEN excluded.matches = '' THEN matches
                                    WHEN matches = '' THEN excluded.matches
                                    ELSE matches || char(10) || excluded.matches END",
                params![
                    kept.key,
                    kept.approach,
                    kept.source,
                    kept.checked_at,
                    kept.risk,
                    kept.matches
                ],
            )
            .map_err(db("cannot keep the approach"))?;
        Ok(())
    }

    /// Every kept approach, oldest check first.
    pub fn kept_approaches(&self) -> Result<Vec<KeptApproach>, StoreError> {
        let mut statement = self
            .connection
            .prepare(
                "SELECT key, approach, source, checked_at, risk, matches
                 FROM kept_approach ORDER BY checked_at, key",
            )
            .map_err(db("cannot list the kept approaches"))?;
        let rows = statement
            .query_map([], |row| {
                Ok(KeptApproach {
                    key: row.get(0)?,
                    approach: row.get(1)?,
                    source: row.get(2)?,
                    checked_at: row.get(3)?,
                    risk: row.get(4)?,
                    matches: row.get(5)?,
                })
            })
            .map_err(db("cannot list the kept approaches"))?;
        rows.collect::<Result<_, _>>()
            .map_err(db("cannot list the kept approaches"))
    }

    /// Records the alert matches reported for a kept approach.
    pub fn set_matches(&self, key: &str, matches: &str) -> Result<(), StoreError> {
        self.connection
            .execute(
                "UPDATE kept_approach SET matches = ?2 WHERE key = ?1",
                params![key, matches],
            )
            .map_err(db("cannot record the matches"))?;
        Ok(())
    }

    /// Removes an alert; returns whether there was one.
    pub fn remove_alert(&self, id: &str) -> Result<bool, StoreError> {
        let n = self
            .connection
            .execute("DELETE FROM alert WHERE id = ?1", params![id])
            .map_err(db("cannot remove the alert"))?;
        Ok(n > 0)
    }
}

fn row_to_alert(row: &rusqlite::Row<'_>) -> rusqlite::Result<StoredAlert> {
    Ok(StoredAlert {
        id: row.get(0)?,
        name: row.get(1)?,
        issuer: row.get(2)?,
        signed_by: row.get(3)?,
        tlp: row.get(4)?,
        imported_at: row.get(5)?,
        bundle: row.get(6)?,
        signature: row.get(7)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(id: &str) -> StoredAlert {
        StoredAlert {
            id: id.to_owned(),
            name: "An alert".to_owned(),
            issuer: Some("Issuer".to_owned()),
            signed_by: None,
            tlp: Some("TLP:GREEN".to_owned()),
            imported_at: "2026-01-01T00:00:00Z".to_owned(),
            bundle: b"{ \"type\": \"bundle\" }\n".to_vec(),
            signature: None,
        }
    }

    #[test]
    fn alerts_keep_their_exact_bytes_across_reopening() {
        let dir = tempfile::tempdir().unwrap();
        {
            let store = Store::open(dir.path()).unwrap();
            assert!(!store.put_alert(&alert("bundle--1")).unwrap());
            assert!(store.put_alert(&alert("bundle--1")).unwrap());
        }
        let store = Store::open(dir.path()).unwrap();
        assert_eq!(store.alert("bundle--1").unwrap(), Some(alert("bundle--1")));
        assert_eq!(store.alerts().unwrap().len(), 1);
        assert!(store.remove_alert("bundle--1").unwrap());
        assert!(!store.remove_alert("bundle--1").unwrap());
        assert_eq!(store.alert("bundle--1").unwrap(), None);
    }

    #[test]
    fn keys_and_signed_alerts() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let key = TrustedKey {
            fingerprint: "0123456789abcdef".to_owned(),
            name: "Security team".to_owned(),
            public_key: "forewarn-ed25519-public AAAA".to_owned(),
            added_at: "2026-01-01T00:00:00Z".to_owned(),
        };
        store.trust_key(&key).unwrap();
        store
            .trust_key(&TrustedKey {
                name: "Renamed".to_owned(),
                ..key.clone()
            })
            .unwrap();
        let keys = store.trusted_keys().unwrap();
        assert_eq!(keys.len(), 1);
        assert_eq!(keys[0].name, "Renamed");
        let mut signed = alert("bundle--2");
        signed.signed_by = Some(key.fingerprint.clone());
        store.put_alert(&signed).unwrap();
        // A signature by a key that is not trusted cannot be recorded.
        signed.signed_by = Some("ffffffffffffffff".to_owned());
        assert!(store.put_alert(&signed).is_err());
    }

    #[test]
    fn kept_approaches_accumulate_their_matches() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let kept = KeptApproach {
            key: "k".to_owned(),
            approach: "{}".to_owned(),
            source: "a.jsonl:1".to_owned(),
            checked_at: "2026-01-01T00:00:00Z".to_owned(),
            risk: "low".to_owned(),
            matches: String::new(),
        };
        store.keep_approach(&kept).unwrap();
        store
            .keep_approach(&KeptApproach {
                matches: "alert-1".to_owned(),
                source: "b.jsonl:3".to_owned(),
                ..kept.clone()
            })
            .unwrap();
        let all = store.kept_approaches().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].matches, "alert-1");
        assert_eq!(all[0].source, "b.jsonl:3");
        store.set_matches("k", "alert-1\nalert-2").unwrap();
        assert_eq!(
            store.kept_approaches().unwrap()[0].matches,
            "alert-1\nalert-2"
        );
    }

    #[test]
    fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        drop(Store::open(dir.path()).unwrap());
        let connection = Connection::open(dir.path().join(DATABASE_FILE)).unwrap();
        connection.pragma_update(None, "user_version", 99).unwrap();
        drop(connection);
        let err = Store::open(dir.path()).unwrap_err();
        assert!(err.to_string().contains("newer forewarn"), "{err}");
    }
}
