//! The OpenAPI 3.1 document of the server's API.
//!
//! It is written by hand in `crates/forewarn-server/openapi.json`, from what
//! the handlers do, and served as it is at `GET /api/openapi.json`, without
//! credentials. The tests below keep it in step with the router; the
//! integration test `crates/forewarn-cli/tests/openapi.rs` checks it against
//! the real server's answers with schemathesis.

use axum::http::header;
use axum::response::IntoResponse;

/// The document, as served.
pub const DOCUMENT: &str = include_str!("../openapi.json");

/// `GET /api/openapi.json`: the document.
pub async fn document() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], DOCUMENT)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use serde_json::Value;

    use super::DOCUMENT;

    /// The router's source, read as text.
    const ROUTES: &str = include_str!("routes/mod.rs");

    const METHODS: [&str; 8] = [
        "get", "put", "post", "delete", "options", "head", "patch", "trace",
    ];

    fn document() -> Value {
        serde_json::from_str(DOCUMENT).expect("openapi.json is not valid JSON")
    }

    /// `(path, method)` of every `.route("PATH", ...)` of the router: the
    /// path is the string after `.route(`, the methods are the method
    /// routers (`get(`, `.post(`, `routing::patch(` ...) before the next
    /// `.route(` or `.fallback(`.
    fn routed() -> BTreeSet<(String, String)> {
        let mut found = BTreeSet::new();
        for chunk in ROUTES.split(".route(").skip(1) {
            let chunk = chunk.split(".fallback(").next().unwrap_or_default();
            let rest = chunk.trim_start();
            let rest = rest
                .strip_prefix('"')
                .unwrap_or_else(|| panic!("a route whose path is not a literal: {chunk}"));
            let (path, methods) = rest.split_once('"').expect("an unterminated path");
            let mut any = false;
            for method in METHODS {
                let call = format!("{method}(");
                let calls = methods.match_indices(&call).filter(|(at, _)| {
                    // `get(` but not `target(`.
                    methods[..*at]
                        .chars()
                        .next_back()
                        .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
                });
                if calls.count() > 0 {
                    found.insert((path.to_owned(), method.to_owned()));
                    any = true;
                }
            }
            assert!(any, "no method found for the route {path}");
        }
        found
    }

    /// `(path, method)` of every operation of the document.
    fn documented(doc: &Value) -> BTreeSet<(String, String)> {
        let mut found = BTreeSet::new();
        for (path, item) in doc["paths"].as_object().expect("paths") {
            for key in item.as_object().expect("a path item").keys() {
                if METHODS.contains(&key.as_str()) {
                    found.insert((path.clone(), key.clone()));
                }
            }
        }
        found
    }

    #[test]
    fn the_document_is_openapi_3_1() {
        let doc = document();
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["info"]["title"].is_string());
        assert!(doc["info"]["version"].is_string());
        assert_eq!(
            doc["components"]["securitySchemes"]["bearerAuth"]["scheme"],
            "bearer"
        );
    }

    #[test]
    fn every_route_is_documented_and_nothing_else() {
        let doc = document();
        let routed = routed();
        assert!(routed.len() >= 19, "too few routes found: {routed:?}");
        let paths: BTreeSet<&str> = doc["paths"]
            .as_object()
            .expect("paths")
            .keys()
            .map(String::as_str)
            .collect();
        for (path, _) in &routed {
            assert!(paths.contains(path.as_str()), "{path} is not in `paths`");
        }
        let documented = documented(&doc);
        let missing: Vec<_> = routed.difference(&documented).collect();
        assert!(
            missing.is_empty(),
            "routes without an operation: {missing:?}"
        );
        let extra: Vec<_> = documented.difference(&routed).collect();
        assert!(extra.is_empty(), "operations without a route: {extra:?}");
    }

    #[test]
    fn only_the_logins_and_setup_go_without_credentials() {
        let doc = document();
        assert_eq!(
            doc["security"],
            serde_json::json!([{ "bearerAuth": [] }, { "sessionCookie": [] }])
        );
        let public = ["/api/v1/setup", "/api/v1/auth/token", "/api/v1/auth/login"];
        for (path, method) in documented(&doc) {
            let operation = &doc["paths"][&path][&method];
            let open = operation["security"] == serde_json::json!([]);
            let needs_token = path.starts_with("/api/v1/") && !public.contains(&path.as_str());
            assert_eq!(open, !needs_token, "{method} {path}: security");
            let responses = operation["responses"].as_object().expect("responses");
            assert_eq!(
                responses.contains_key("401"),
                needs_token || path.starts_with("/api/v1/auth/"),
                "{method} {path}: 401"
            );
            // A session's change needs its CSRF token, or it is refused.
            if needs_token && method != "get" {
                let csrf = serde_json::json!({ "$ref": "#/components/parameters/CsrfToken" });
                let parameters = operation["parameters"].as_array();
                assert!(
                    parameters.is_some_and(|p| p.contains(&csrf)),
                    "{method} {path}: X-CSRF-Token"
                );
                assert!(responses.contains_key("403"), "{method} {path}: 403");
            }
            // The API's bodies (not the setup page's form).
            if operation.get("requestBody").is_some() && path.starts_with("/api/") {
                for status in ["413", "415", "422"] {
                    assert!(responses.contains_key(status), "{method} {path}: {status}");
                }
            }
        }
    }

    #[test]
    fn operation_ids_are_unique_and_every_reference_resolves() {
        let doc = document();
        let mut ids = BTreeSet::new();
        for (path, method) in documented(&doc) {
            let id = doc["paths"][&path][&method]["operationId"]
                .as_str()
                .unwrap_or_else(|| panic!("{method} {path} has no operationId"));
            assert!(ids.insert(id.to_owned()), "operationId {id} twice");
        }
        let mut refs = Vec::new();
        collect_refs(&doc, &mut refs);
        assert!(refs.len() > 50);
        for reference in refs {
            let pointer = reference
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("a reference outside the document: {reference}"));
            assert!(
                doc.pointer(pointer).is_some(),
                "{reference} does not resolve"
            );
        }
    }

    fn collect_refs(value: &Value, refs: &mut Vec<String>) {
        match value {
            Value::Object(map) => {
                for (key, value) in map {
                    match (key.as_str(), value) {
                        ("$ref", Value::String(reference)) => refs.push(reference.clone()),
                        _ => collect_refs(value, refs),
                    }
                }
            }
            Value::Array(items) => items.iter().for_each(|v| collect_refs(v, refs)),
            _ => {}
        }
    }
}
