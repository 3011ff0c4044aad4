//! The routes of the server, one module per resource.

mod admin;
pub mod alerts;
mod reports;
mod session;
mod setup_page;
mod system;

use std::sync::Arc;

use axum::Router;
use axum::routing::{delete, get, post};

use crate::error::ApiError;
use crate::state::AppState;

/// Every route.
pub fn routes() -> Router<Arc<AppState>> {
    Router::new()
        .route("/healthz", get(system::healthz))
        .route("/readyz", get(system::readyz))
        .route("/metrics", get(system::metrics))
        .route("/api/openapi.json", get(crate::openapi::document))
        .route("/setup", get(setup_page::form).post(setup_page::submit))
        .route("/api/v1/setup", post(session::setup))
        .route("/api/v1/auth/token", post(session::token))
        .route("/api/v1/auth/login", post(session::login))
        .route("/api/v1/auth/logout", post(session::logout))
        .route("/api/v1/me", get(session::me))
        .route(
            "/api/v1/tokens",
            get(session::tokens).post(session::new_token),
        )
        .route("/api/v1/tokens/{id}", delete(session::revoke_token))
        .route("/api/v1/reports", get(reports::list).post(reports::submit))
        .route(
            "/api/v1/reports/{id}",
            get(reports::show).patch(reports::update),
        )
        .route("/api/v1/reports/{id}/merge", post(reports::merge))
        .route("/api/v1/reports/{id}/original", get(reports::original))
        .route(
            "/api/v1/accounts",
            get(admin::accounts).post(admin::create_account),
        )
        .route(
            "/api/v1/accounts/{id}",
            axum::routing::patch(admin::update_account),
        )
        .route("/api/v1/audit", get(admin::audit))
        .route(
            "/api/v1/settings",
            get(crate::settings::show).patch(crate::settings::update),
        )
        .route("/api/v1/alerts", get(alerts::list).post(alerts::create))
        .route("/api/v1/alerts/import", post(alerts::import))
        .route("/api/v1/alerts/key", get(alerts::key))
        .route("/api/v1/alerts/{id}/stix", get(alerts::stix))
        .route("/api/v1/alerts/{id}/publish", post(alerts::publish))
        .route("/api/v1/alerts/{id}/ack", post(alerts::acknowledge))
        .route("/api/v1/alerts/{id}/acks", get(alerts::acknowledgements))
        .fallback(|| async { ApiError::not_found("route") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "this method is not allowed here",
            )
        })
}
