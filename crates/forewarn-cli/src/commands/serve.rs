//! `forewarn serve`: run the security team's server.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use anyhow::{Context, Result};
use forewarn_server::{AppState, Db};

use crate::EXIT_LOW;
use crate::engine_options::EngineOptions;
use crate::server_options::ServerOptions;

pub const AFTER_HELP: &str = "\
Configuration, lowest precedence first: defaults that work, a TOML file
(--server-config or FOREWARN_SERVER_CONFIG: listen, data_dir, log_json,
max_body_bytes, read_connections, public_url, report_to, evidence_keys),
environment variables (FOREWARN_LISTEN, FOREWARN_DATA_DIR, FOREWARN_LOG_JSON,
FOREWARN_EVIDENCE_KEYS), flags.

Evidence (approaches, verdicts, originals) is sealed at rest with
XChaCha20-Poly1305 under the first evidence key; without one configured, a
key file evidence.key is made in the data directory. To rotate: put a new
key (forewarn evidence new-key) first and keep the old ones, restart, run
forewarn evidence rotate, then drop the old keys.

On first start, with no account yet, the server prints a one-time link
(/setup?token=...) to a page that creates the first administrator, and the
API request that does the same.

--demo seeds plainly-marked demo data into an empty store (by default a
demo folder of its own in the data directory): the example alert, about 50
reports from about 30 members, including one campaign. Its
accounts member@demo.invalid, analyst@demo.invalid and admin@demo.invalid
share the password demo-password.

The API is under /api/v1 (see docs/api.md); /healthz, /readyz and /metrics
(Prometheus) are open. SIGINT or SIGTERM stops the server after the
requests in flight.";

/// Arguments of `forewarn serve`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Address and port to listen on [default: 127.0.0.1:8080].
    #[arg(long, value_name = "ADDR:PORT", env = "FOREWARN_LISTEN")]
    listen: Option<SocketAddr>,
    /// Write logs as JSON lines.
    #[arg(long, env = "FOREWARN_LOG_JSON")]
    log_json: bool,
    /// Seed plainly-marked demo data into an empty store (accounts share the password demo-password).
    #[arg(long)]
    demo: bool,
    #[command(flatten)]
    server: ServerOptions,
    #[command(flatten)]
    engine: EngineOptions,
}

/// Runs `forewarn serve`.
pub fn run(args: Args) -> Result<u8> {
    let mut config = args.server.config()?;
    if let Some(listen) = args.listen {
        config.listen = listen;
    }
    config.log_json |= args.log_json;
    let mut data_dir = args.server.data_dir(&config)?;
    // Demo data never mixes with real data: without a directory given, the
    // demo has its own.
    if args.demo && args.server.data.given().is_none() && config.data_dir.is_none() {
        data_dir = data_dir.join("demo");
    }
    init_logs(config.log_json);
    let mut engine_options = args.engine.clone();
    if engine_options.report_to.is_none() {
        engine_options.report_to = config.report_to.clone();
    }
    let db = Db::open(&data_dir, config.read_connections)
        .with_context(|| format!("cannot open the store in `{}`", data_dir.display()))?;
    let (keys, key_source) = args.server.keys(&config, &data_dir)?;
    let store = forewarn_store::Store::open(&data_dir)?;
    if args.demo {
        crate::demo::seed(&store, &engine_options, &keys)?;
    }
    // The server signs its own alerts, and trusts its own key.
    let signing = forewarn_server::signing::load_or_create(
        &data_dir.join(forewarn_server::signing::KEY_FILE),
    )?;
    let public = signing.public();
    if !store
        .trusted_keys()?
        .iter()
        .any(|k| k.fingerprint == public.fingerprint())
    {
        store.trust_key(&forewarn_store::TrustedKey {
            fingerprint: public.fingerprint(),
            name: "this server".to_owned(),
            public_key: public.to_text(),
            added_at: crate::now_rfc3339(),
        })?;
    }
    // The engine: the stored alerts, and who to report to as an
    // administrator set it (PATCH /api/v1/settings), else as configured.
    let rebuild_options = engine_options.clone();
    let rebuild = move |store: &forewarn_store::Store| -> Result<forewarn_core::Engine, String> {
        let indicators = crate::alerts::load_stored(store).map_err(|e| format!("{e:#}"))?;
        let mut options = rebuild_options.clone();
        if let Some(report_to) = store
            .setting(forewarn_server::settings::REPORT_TO)
            .map_err(|e| e.to_string())?
        {
            options.report_to = Some(report_to);
        }
        Ok(options
            .engine()
            .map_err(|e| format!("{e:#}"))?
            .with_indicators(indicators))
    };
    let engine = rebuild(&store).map_err(|e| anyhow::anyhow!(e))?;
    let setup_token = if store.account_count()? == 0 {
        Some(
            forewarn_server::auth::new_secret("setup_")
                .map_err(|e| anyhow::anyhow!("{}", e.message))?,
        )
    } else {
        None
    };
    drop(store);
    let state = Arc::new(AppState {
        db: Arc::new(db),
        engine: std::sync::RwLock::new(Arc::new(engine)),
        rebuild: Arc::new(rebuild),
        signing,
        issuer: config
            .organisation
            .clone()
            .unwrap_or_else(|| "forewarn server".to_owned()),
        keys: Arc::new(keys),
        logins: Default::default(),
        metrics: Default::default(),
        setup_token: Mutex::new(setup_token.clone()),
        max_body_bytes: config.max_body_bytes,
    });
    let current = state.keys.current_id().to_owned();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(config.listen)
            .await
            .with_context(|| format!("cannot listen on {}", config.listen))?;
        let address = listener.local_addr()?;
        let base = config
            .public_url
            .clone()
            .unwrap_or_else(|| format!("http://{address}"));
        eprintln!("forewarn: evidence is sealed at rest with key {current} from {key_source}");
        if let Some(token) = &setup_token {
            eprintln!(
                "forewarn: first start: no administrator yet. Open this one-time link to create the first one:\n  {base}/setup?token={token}\n  or: curl -X POST {base}/api/v1/setup -H 'content-type: application/json' \\\n    -d '{{\"setup_token\": \"{token}\", \"email\": \"you@example.org\", \"password\": \"at least 10 characters\"}}'"
            );
        }
        if args.demo {
            eprintln!(
                "forewarn: DEMO DATA: sign in as member@demo.invalid, analyst@demo.invalid or admin@demo.invalid with the password demo-password:\n  curl -X POST {base}/api/v1/auth/token -H 'content-type: application/json' -d '{{\"email\": \"analyst@demo.invalid\", \"password\": \"demo-password\"}}'"
            );
        }
        // Last, once everything above is said: scripts wait for this line.
        eprintln!("forewarn: listening on http://{address} (data in {})", data_dir.display());
        forewarn_server::serve(listener, state).await?;
        anyhow::Ok(())
    })?;
    Ok(EXIT_LOW)
}

fn init_logs(json: bool) {
    let builder = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_ansi(false);
    // A second initialisation (never in the binary) is harmless.
    let _ = if json {
        builder.json().try_init()
    } else {
        builder.try_init()
    };
}
