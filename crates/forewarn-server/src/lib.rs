//! `forewarn serve`: the security team's server.
//!
//! Members report approaches in one step; every report is judged by the
//! engine on arrival and stored with its verdict; analysts see every report
//! in a queue ordered by risk, triage them and merge duplicates; admins
//! manage accounts and read the append-only audit log, which records every
//! read of a report's evidence and every change. Everything is a JSON API
//! under `/api/v1`, on the embedded SQLite store.
//!
//! The crate is a library: [`router`] builds the application for any
//! listener (tests bind one to a free port), and [`serve`] runs it until a
//! shutdown signal.

mod audit;
pub mod auth;
pub mod config;
pub mod error;
pub mod evidence;
pub mod hunt;
mod json;
pub mod judge;
pub mod metrics;
pub mod openapi;
mod routes;
pub mod settings;
pub mod signing;
pub mod state;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};

pub use config::ServerConfig;
pub use routes::alerts::stored_alert;
pub use state::{AppState, Db};

/// Builds the application: routes, body limit, security headers, request
/// logs and metrics.
pub fn router(state: Arc<AppState>) -> Router {
    let limit = state.max_body_bytes;
    routes::routes()
        .layer(DefaultBodyLimit::max(limit))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), observe))
        .with_state(state)
}

/// Logs each request, counts it, and sets the headers that keep a browser
/// from interpreting any answer as a page: everything served is data.
async fn observe(State(state): State<Arc<AppState>>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    // A body declared larger than the limit is refused before any of it is
    // read (bodies without a declared length are cut at the limit).
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    let too_large = declared.is_some_and(|n| n > state.max_body_bytes as u64);
    let mut response = if too_large {
        error::ApiError::new(
            axum::http::StatusCode::PAYLOAD_TOO_LARGE,
            format!(
                "the body is over the limit of {} bytes",
                state.max_body_bytes
            ),
        )
        .into_response()
    } else {
        next.run(request).await
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // A page that sets its own (stricter) policy keeps it.
    if !headers.contains_key(header::CONTENT_SECURITY_POLICY) {
        headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static("default-src 'none'; frame-ancestors 'none'"),
        );
    }
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    let elapsed = started.elapsed();
    let status = response.status().as_u16();
    state
        .metrics
        .requests
        .get_or_create(&vec![
            ("method".to_owned(), method.to_string()),
            ("status".to_owned(), status.to_string()),
        ])
        .inc();
    state.metrics.latency.observe(elapsed.as_secs_f64());
    tracing::info!(
        method = %method,
        path = %path,
        status,
        micros = elapsed.as_micros() as u64,
        "request"
    );
    response
}

/// Runs the server on `listener` until Ctrl-C or SIGTERM, then finishes
/// the requests in flight.
pub async fn serve(listener: tokio::net::TcpListener, state: Arc<AppState>) -> std::io::Result<()> {
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing the requests in flight");
}

/// The current time, RFC 3339 in UTC, to the second.
pub fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}
