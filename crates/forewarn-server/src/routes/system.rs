//! Liveness, readiness and metrics.

use std::sync::Arc;

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde_json::json;

use crate::error::ApiResult;
use crate::state::AppState;

/// The process is up.
pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({ "status": "ok" }))
}

/// The process can serve: the database answers.
pub async fn readyz(State(state): State<Arc<AppState>>) -> ApiResult<impl IntoResponse> {
    let ready = state
        .db
        .read(|store| Ok(store.account_count().is_ok()))
        .await?;
    Ok(if ready {
        (StatusCode::OK, Json(json!({ "status": "ready" })))
    } else {
        (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({ "status": "the database does not answer" })),
        )
    })
}

/// Prometheus metrics.
pub async fn metrics(State(state): State<Arc<AppState>>) -> impl IntoResponse {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.render(),
    )
}
