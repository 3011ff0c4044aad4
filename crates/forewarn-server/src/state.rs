//! What every request shares: the database, the engine, the login limiter,
//! the metrics and the one-time setup token.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use forewarn_core::Engine;
use forewarn_store::{Store, StoreError};

use crate::error::{ApiError, ApiResult};
use crate::metrics::Metrics;

/// Connections to the store: one writer (SQLite takes one writer at a
/// time) and a few readers, which WAL mode lets read alongside it. Every
/// use runs on tokio's blocking pool, never on the async workers.
pub struct Db {
    writer: Mutex<Store>,
    readers: Vec<Mutex<Store>>,
    next: AtomicUsize,
}

impl Db {
    /// Opens the store in `dir` (migrating it), with `readers` read
    /// connections; writes are durable when they return.
    pub fn open(dir: &Path, readers: usize) -> Result<Db, StoreError> {
        let writer = Store::open(dir)?;
        writer.make_durable()?;
        let readers = (0..readers.max(1))
            .map(|_| Store::open(dir).map(Mutex::new))
            .collect::<Result<_, _>>()?;
        Ok(Db {
            writer: Mutex::new(writer),
            readers,
            next: AtomicUsize::new(0),
        })
    }

    /// Runs `f` with the writer.
    pub async fn write<T, F>(self: &Arc<Self>, f: F) -> ApiResult<T>
    where
        F: FnOnce(&Store) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let store = db
                .writer
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            f(&store)
        })
        .await
        .map_err(ApiError::internal)?
    }

    /// Runs `f` with a reader.
    pub async fn read<T, F>(self: &Arc<Self>, f: F) -> ApiResult<T>
    where
        F: FnOnce(&Store) -> ApiResult<T> + Send + 'static,
        T: Send + 'static,
    {
        let db = Arc::clone(self);
        tokio::task::spawn_blocking(move || {
            let n = db.next.fetch_add(1, Ordering::Relaxed) % db.readers.len();
            let Some(reader) = db.readers.get(n) else {
                return Err(ApiError::internal("no reader"));
            };
            let store = reader
                .lock()
                .map_err(|_| ApiError::internal("store lock poisoned"))?;
            f(&store)
        })
        .await
        .map_err(ApiError::internal)?
    }
}

/// Failed logins per e-mail address and client, to slow down guessing.
#[derive(Default)]
pub struct LoginLimiter {
    failures: Mutex<HashMap<(String, IpAddr), (u32, Instant)>>,
}

impl LoginLimiter {
    /// Failed attempts allowed in a window before logins are refused.
    pub const ATTEMPTS: u32 = 5;
    /// The window.
    pub const WINDOW: Duration = Duration::from_secs(60);

    /// Whether a login for `email` from `ip` may be tried now.
    pub fn allows(&self, email: &str, ip: IpAddr) -> bool {
        let Ok(failures) = self.failures.lock() else {
            return false;
        };
        match failures.get(&(email.to_owned(), ip)) {
            Some((count, since)) => *count < Self::ATTEMPTS || since.elapsed() > Self::WINDOW,
            None => true,
        }
    }

    /// Records a failed login.
    pub fn failed(&self, email: &str, ip: IpAddr) {
        if let Ok(mut failures) = self.failures.lock() {
            // Keep the map bounded: forget windows that have passed.
            if failures.len() > 10_000 {
                failures.retain(|_, (_, since)| since.elapsed() <= Self::WINDOW);
            }
            let entry = failures
                .entry((email.to_owned(), ip))
                .or_insert((0, Instant::now()));
            if entry.1.elapsed() > Self::WINDOW {
                *entry = (0, Instant::now());
            }
            entry.0 += 1;
        }
    }

    /// Forgets the failures of a successful login.
    pub fn succeeded(&self, email: &str, ip: IpAddr) {
        if let Ok(mut failures) = self.failures.lock() {
            failures.remove(&(email.to_owned(), ip));
        }
    }
}

/// Builds an engine with the alerts of a store; the message says why not.
pub type RebuildEngine = dyn Fn(&Store) -> Result<Engine, String> + Send + Sync;

/// The state shared by every request.
pub struct AppState {
    /// The store.
    pub db: Arc<Db>,
    /// The detection engine, with the alerts of the store; replaced when
    /// an alert is published or imported.
    pub engine: std::sync::RwLock<Arc<Engine>>,
    /// Builds an engine with the alerts of a store.
    pub rebuild: Arc<RebuildEngine>,
    /// The key the server signs its alerts with.
    pub signing: forewarn_stix::SecretKey,
    /// The organisation the server's alerts come from.
    pub issuer: String,
    /// The keys that seal evidence at rest.
    pub keys: Arc<crate::evidence::EvidenceKeys>,
    /// Failed logins.
    pub logins: LoginLimiter,
    /// Prometheus metrics.
    pub metrics: Metrics,
    /// The one-time token that creates the first administrator, while there
    /// is none.
    pub setup_token: Mutex<Option<String>>,
    /// Largest request body, in bytes.
    pub max_body_bytes: usize,
}

impl AppState {
    /// The engine now.
    pub fn engine(&self) -> Arc<Engine> {
        match self.engine.read() {
            Ok(engine) => Arc::clone(&engine),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Replaces the engine.
    pub fn set_engine(&self, engine: Arc<Engine>) {
        match self.engine.write() {
            Ok(mut slot) => *slot = engine,
            Err(poisoned) => *poisoned.into_inner() = engine,
        }
    }
}
