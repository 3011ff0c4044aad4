//! The setup page: the one-time link printed at first start opens a form
//! that creates the first administrator. A static page with no script; the
//! only value it shows from the request (the token) is escaped.

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::{ConnectInfo, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

use super::session::create_first_admin;
use crate::state::AppState;

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title} - forewarn</title></head>\n<body>\n<h1>{title}</h1>\n{body}\n</body></html>\n"
    );
    (
        status,
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            // Nothing on this page loads or runs anything; the form posts
            // only here.
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'none'; form-action 'self'; frame-ancestors 'none'",
            ),
        ],
        html,
    )
        .into_response()
}

fn closed() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Setup is closed",
        "<p>An administrator exists: sign in, or ask an administrator for an account.</p>",
    )
}

#[derive(Deserialize)]
pub struct SetupQuery {
    token: Option<String>,
}

/// The form, while setup is open.
pub async fn form(
    State(state): State<Arc<AppState>>,
    query: Result<Query<SetupQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let open = state
        .setup_token
        .lock()
        .map(|t| t.is_some())
        .unwrap_or(false);
    if !open {
        return closed();
    }
    let token = query.ok().and_then(|q| q.0.token).unwrap_or_default();
    page(
        StatusCode::OK,
        "Create the first administrator",
        &format!(
            "<p>This account gets every role: member, analyst and administrator.</p>\n\
<form method=\"post\" action=\"/setup\">\n\
<input type=\"hidden\" name=\"token\" value=\"{}\">\n\
<p><label>E-mail address <input type=\"email\" name=\"email\" required autocomplete=\"username\"></label></p>\n\
<p><label>Password (at least 10 characters) <input type=\"password\" name=\"password\" required minlength=\"10\" autocomplete=\"new-password\"></label></p>\n\
<p><button type=\"submit\">Create</button></p>\n</form>",
            html_escape::encode_double_quoted_attribute(&token)
        ),
    )
}

/// Creates the administrator from the form.
pub async fn submit(
    State(state): State<Arc<AppState>>,
    ConnectInfo(addr): ConnectInfo<std::net::SocketAddr>,
    body: Bytes,
) -> Response {
    let mut token = String::new();
    let mut email = String::new();
    let mut password = String::new();
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "token" => token = value.into_owned(),
            "email" => email = value.into_owned(),
            "password" => password = value.into_owned(),
            _ => {}
        }
    }
    match create_first_admin(&state, &token, &email, password, addr.ip()).await {
        Ok(account) => page(
            StatusCode::CREATED,
            "Administrator created",
            &format!(
                "<p>{} can now sign in. Get an API token with <code>POST /api/v1/auth/token</code>.</p>",
                html_escape::encode_text(&account.email)
            ),
        ),
        Err(e) if e.status == StatusCode::FORBIDDEN => closed(),
        Err(e) => page(
            e.status,
            "Not created",
            &format!(
                "<p>{}</p><p>Go back and try again.</p>",
                html_escape::encode_text(&e.message)
            ),
        ),
    }
}
