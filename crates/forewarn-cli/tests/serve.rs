//! `forewarn serve` through the real binary and real HTTP: the permission
//! matrix of docs/security.md, role by role; reports; the audit log;
//! hostile content; errors; the first administrator; `forewarn report`;
//! and durability across SIGKILL.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use common::{Server, agent};
use serde_json::{Value, json};

/// Calls the API; returns the status and the JSON body (null if none).
fn call(
    server: &Server,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&Value>,
) -> (u16, Value) {
    let url = format!("{}{path}", server.base);
    let agent = agent();
    let auth = token.map(|t| format!("Bearer {t}"));
    let response = match (method, body) {
        ("GET", _) => {
            let mut r = agent.get(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()
        }
        ("DELETE", _) => {
            let mut r = agent.delete(&url);
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.call()
        }
        (m, b) => {
            let mut r = match m {
                "POST" => agent.post(&url),
                "PATCH" => agent.patch(&url),
                other => panic!("{other}"),
            };
            if let Some(a) = &auth {
                r = r.header("Authorization", a);
            }
            r.send_json(b.cloned().unwrap_or(Value::Null))
        }
    }
    .unwrap();
    let status = response.status().as_u16();
    let text = response.into_body().read_to_string().unwrap_or_default();
    (status, serde_json::from_str(&text).unwrap_or(Value::Null))
}

fn login(server: &Server, email: &str) -> String {
    let (status, body) = call(
        server,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(&json!({ "email": email, "password": "demo-password" })),
    );
    assert_eq!(status, 201, "{body}");
    body["token"].as_str().unwrap().to_owned()
}

fn approach(name: &str, text: &str) -> Value {
    json!({
        "channel": "linkedin",
        "sender": { "name": name, "organisation": "Brightyear Executive Search" },
        "messages": [ { "text": text } ]
    })
}

const HOSTILE: &str = "My client pays £3,000 for a short report with non-public insights on upcoming decisions. Add me on WeChat, keep this between us.";

#[test]
fn every_endpoint_follows_the_permission_matrix() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    let analyst = login(&server, "analyst@demo.invalid");
    let admin = login(&server, "admin@demo.invalid");
    // A report of member@demo.invalid, and one of another member.
    let (status, own) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&member),
        Some(&approach("A", HOSTILE)),
    );
    assert_eq!(status, 201, "{own}");
    let own = own["id"].as_str().unwrap().to_owned();
    let other = login(&server, "member-05@demo.invalid");
    let (_, theirs) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&other),
        Some(&approach("B", HOSTILE)),
    );
    let theirs = theirs["id"].as_str().unwrap().to_owned();
    let (_, accounts) = call(&server, "GET", "/api/v1/accounts", Some(&admin), None);
    let member_id = accounts["accounts"][0]["id"].as_i64().unwrap();

    let report = approach("C", HOSTILE);
    let status_change = json!({ "status": "triaged", "note": "looked at" });
    let merge = json!({ "into": own });
    let new_account =
        json!({ "email": "new@demo.invalid", "password": "a long password", "roles": ["member"] });
    let role_change = json!({ "roles": ["member", "analyst"] });
    let own_path = format!("/api/v1/reports/{own}");
    let theirs_path = format!("/api/v1/reports/{theirs}");
    let merge_path = format!("/api/v1/reports/{theirs}/merge");
    let original_path = format!("/api/v1/reports/{own}/original");
    let account_path = format!("/api/v1/accounts/{member_id}");
    let settings = json!({ "organisation": "Parliamentary Security Department" });
    let example = "bundle--6d8b2736-7607-4dda-926f-9630bfb43ffc";
    let draft_body = json!({ "name": "A persona", "personas": [ { "name": "Lena Zhou" } ] });
    let (_, draft) = call(
        &server,
        "POST",
        "/api/v1/alerts",
        Some(&analyst),
        Some(&draft_body),
    );
    let draft = draft["id"].as_str().unwrap().to_owned();
    let alerts_root = common::repo().join("examples/alerts");
    let import = json!({
        "bundle": std::fs::read_to_string(alerts_root.join("parliament-2025-11.json")).unwrap(),
        "signature": std::fs::read_to_string(alerts_root.join("parliament-2025-11.json.sig")).unwrap(),
    });
    let stix_path = format!("/api/v1/alerts/{example}/stix");
    let ack_path = format!("/api/v1/alerts/{example}/ack");
    let acks_path = format!("/api/v1/alerts/{example}/acks");
    let publish_path = format!("/api/v1/alerts/{draft}/publish");
    // (method, path, body, [anonymous, member, analyst, admin])
    let matrix: Vec<(&str, &str, Option<&Value>, [u16; 4])> = vec![
        ("GET", "/healthz", None, [200, 200, 200, 200]),
        ("GET", "/readyz", None, [200, 200, 200, 200]),
        ("GET", "/metrics", None, [200, 200, 200, 200]),
        ("GET", "/api/v1/me", None, [401, 200, 200, 200]),
        ("GET", "/api/v1/tokens", None, [401, 200, 200, 200]),
        (
            "POST",
            "/api/v1/reports",
            Some(&report),
            [401, 201, 201, 403],
        ),
        ("GET", "/api/v1/reports", None, [401, 200, 200, 403]),
        ("GET", &own_path, None, [401, 200, 200, 403]),
        ("GET", &theirs_path, None, [401, 404, 200, 403]),
        (
            "GET",
            "/api/v1/reports/no-such-report",
            None,
            [401, 404, 404, 404],
        ),
        (
            "PATCH",
            &own_path,
            Some(&status_change),
            [401, 403, 204, 403],
        ),
        ("POST", &merge_path, Some(&merge), [401, 403, 204, 403]),
        ("GET", &original_path, None, [401, 403, 200, 403]),
        ("GET", "/api/v1/accounts", None, [401, 403, 403, 200]),
        (
            "POST",
            "/api/v1/accounts",
            Some(&new_account),
            [401, 403, 403, 201],
        ),
        ("GET", "/api/v1/audit", None, [401, 403, 403, 200]),
        ("GET", "/api/v1/settings", None, [401, 403, 403, 200]),
        (
            "PATCH",
            "/api/v1/settings",
            Some(&settings),
            [401, 403, 403, 200],
        ),
        ("GET", "/api/v1/alerts", None, [401, 200, 200, 403]),
        (
            "POST",
            "/api/v1/alerts",
            Some(&draft_body),
            [401, 403, 201, 403],
        ),
        ("GET", "/api/v1/alerts/key", None, [401, 200, 200, 403]),
        ("GET", &stix_path, None, [401, 200, 200, 403]),
        ("POST", &ack_path, None, [401, 204, 204, 403]),
        ("GET", &acks_path, None, [401, 403, 200, 403]),
        ("POST", &publish_path, None, [401, 403, 200, 403]),
        (
            "POST",
            "/api/v1/alerts/import",
            Some(&import),
            [401, 403, 201, 403],
        ),
        (
            "DELETE",
            "/api/v1/tokens/tok-unknown",
            None,
            [401, 404, 404, 404],
        ),
        ("GET", "/api/v1/no-such-route", None, [404, 404, 404, 404]),
        // Last: it makes the member an analyst too.
        (
            "PATCH",
            &account_path,
            Some(&role_change),
            [401, 403, 403, 200],
        ),
    ];
    let callers = [
        None,
        Some(member.as_str()),
        Some(analyst.as_str()),
        Some(admin.as_str()),
    ];
    let names = ["anonymous", "member", "analyst", "admin"];
    for (method, path, body, expected) in &matrix {
        for ((caller, name), want) in callers.iter().zip(names).zip(expected) {
            let (status, answer) = call(&server, method, path, *caller, *body);
            assert_eq!(status, *want, "{method} {path} as {name}: {answer}");
            if status >= 400 && *path != "/metrics" {
                assert!(
                    answer["error"].is_string(),
                    "{method} {path} as {name}: errors are JSON: {answer}"
                );
            }
        }
    }
    // Members see only their own reports in lists.
    let (_, list) = call(
        &server,
        "GET",
        "/api/v1/reports?limit=500",
        Some(&member),
        None,
    );
    assert!(
        list["reports"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["id"] != theirs.as_str())
    );
    let (_, list) = call(
        &server,
        "GET",
        "/api/v1/reports?limit=500&include_merged=true",
        Some(&analyst),
        None,
    );
    assert!(list["reports"].as_array().unwrap().len() >= 53);
}

#[test]
fn reports_are_judged_on_arrival_and_every_evidence_read_is_audited() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    let analyst = login(&server, "analyst@demo.invalid");
    let admin = login(&server, "admin@demo.invalid");
    let (status, created) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&member),
        Some(&approach("Lena", HOSTILE)),
    );
    assert_eq!(status, 201);
    assert_eq!(created["risk"], "high");
    assert!(created["verdict"]["signals"].as_array().unwrap().len() > 2);
    let id = created["id"].as_str().unwrap();
    // The analyst's queue starts with the riskiest.
    let (_, queue) = call(
        &server,
        "GET",
        "/api/v1/reports?status=new&limit=5",
        Some(&analyst),
        None,
    );
    let scores: Vec<f64> = queue["reports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["score"].as_f64().unwrap())
        .collect();
    assert!(scores.windows(2).all(|w| w[0] >= w[1]), "{scores:?}");
    for (query, found) in [
        ("risk=high", true),
        ("signal=FW-CHANNEL-MESSENGER", true),
        ("organisation=brightyear", true),
        ("organisation=nobody-at-all", false),
    ] {
        let (status, list) = call(
            &server,
            "GET",
            &format!("/api/v1/reports?{query}&limit=500"),
            Some(&analyst),
            None,
        );
        assert_eq!(status, 200);
        let has = list["reports"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id);
        assert_eq!(has, found, "{query}");
    }
    let (status, _) = call(
        &server,
        "GET",
        "/api/v1/reports?risk=extreme",
        Some(&analyst),
        None,
    );
    assert_eq!(status, 422);
    // Two reads of the evidence, then a change of status: all in the log.
    let (status, full) = call(
        &server,
        "GET",
        &format!("/api/v1/reports/{id}"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(full["approach"]["messages"][0]["text"], HOSTILE);
    assert_eq!(full["submitted_by"], "member@demo.invalid");
    call(
        &server,
        "GET",
        &format!("/api/v1/reports/{id}"),
        Some(&member),
        None,
    );
    let (status, _) = call(
        &server,
        "PATCH",
        &format!("/api/v1/reports/{id}"),
        Some(&analyst),
        Some(&json!({ "status": "escalated" })),
    );
    assert_eq!(status, 204);
    let (_, full) = call(
        &server,
        "GET",
        &format!("/api/v1/reports/{id}"),
        Some(&analyst),
        None,
    );
    assert_eq!(full["status"], "escalated");
    assert_eq!(full["history"][0]["detail"], "escalated");
    let (status, log) = call(
        &server,
        "GET",
        "/api/v1/audit?limit=1000",
        Some(&admin),
        None,
    );
    assert_eq!(status, 200);
    let reads: Vec<&Value> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "report.read" && e["target"] == id)
        .collect();
    assert_eq!(reads.len(), 3, "every read of the evidence is in the log");
    assert_eq!(reads[0]["actor_email"], "analyst@demo.invalid");
    assert_eq!(reads[1]["actor_email"], "member@demo.invalid");
    assert_eq!(reads[0]["remote"], "127.0.0.1");
    assert!(
        log["entries"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["action"] == "report.status" && e["detail"] == "escalated")
    );
    // The export is the same log, as JSON Lines.
    let export = agent()
        .get(format!("{}/api/v1/audit?format=jsonl", server.base))
        .header("Authorization", format!("Bearer {admin}"))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(
        export
            .lines()
            .filter(|l| l.contains("\"report.read\""))
            .count()
            >= 3
    );
    assert!(server.log().contains("request"), "requests are logged");
}

#[test]
fn hostile_content_is_stored_and_returned_as_data() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    let name = "<script>alert(1)</script>\u{202E}\u{0}'; DROP TABLE report; --";
    let text = "<img src=x onerror=alert(1)> {{7*7}} ${jndi:ldap://x} \u{1b}[31m";
    let (status, created) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&member),
        Some(&approach(name, text)),
    );
    assert_eq!(status, 201, "{created}");
    let url = format!(
        "{}/api/v1/reports/{}",
        server.base,
        created["id"].as_str().unwrap()
    );
    let response = agent()
        .get(&url)
        .header("Authorization", format!("Bearer {member}"))
        .call()
        .unwrap();
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
    assert_eq!(
        response.headers().get("x-content-type-options").unwrap(),
        "nosniff"
    );
    assert!(
        response
            .headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("default-src 'none'")
    );
    let body: Value =
        serde_json::from_str(&response.into_body().read_to_string().unwrap()).unwrap();
    assert_eq!(body["approach"]["sender"]["name"], name);
    assert_eq!(body["approach"]["messages"][0]["text"], text);
    assert_eq!(body["sender_name"], name);
    let (_, list) = call(
        &server,
        "GET",
        "/api/v1/reports?limit=500",
        Some(&member),
        None,
    );
    assert!(
        !list["reports"].as_array().unwrap().is_empty(),
        "the table is still there"
    );
}

#[test]
fn errors_have_the_right_status_and_a_json_body() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    // 422: not an approach, and an approach that breaks the contract.
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&member),
        Some(&json!({ "sender": {} })),
    );
    assert_eq!(status, 422);
    assert_eq!(body["error"], "report: sender.name: missing");
    // 413: over the body limit, refused from its declared length before it
    // is read. A raw request that waits for `100 Continue` before sending
    // its body, so that no writing of the body can race the answer.
    let answer = {
        use std::io::{Read, Write};
        let address = server.base.trim_start_matches("http://");
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        write!(
            stream,
            "POST /api/v1/reports HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {member}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n",
            17 << 20
        )
        .unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).ok();
        answer
    };
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert!(answer.contains("{\"error\":"), "{answer}");
    // 401: a wrong password, a revoked token.
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(&json!({ "email": "member@demo.invalid", "password": "wrong-password" })),
    );
    assert_eq!(status, 401);
    let (_, made) = call(
        &server,
        "POST",
        "/api/v1/tokens",
        Some(&member),
        Some(&json!({ "name": "cli", "scopes": ["reports:write"] })),
    );
    let token = made["token"].as_str().unwrap().to_owned();
    // A token limited to submitting may not read.
    let (status, _) = call(&server, "GET", "/api/v1/reports", Some(&token), None);
    assert_eq!(status, 403);
    let (status, _) = call(
        &server,
        "DELETE",
        &format!("/api/v1/tokens/{}", made["id"].as_str().unwrap()),
        Some(&member),
        None,
    );
    assert_eq!(status, 204);
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&token),
        Some(&approach("A", "hello")),
    );
    assert_eq!(status, 401);
    // 422 for a token with no scope, and for a time that is not one.
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/tokens",
        Some(&member),
        Some(&json!({ "name": "none", "scopes": [] })),
    );
    assert_eq!(status, 422);
    let analyst = login(&server, "analyst@demo.invalid");
    let (status, _) = call(
        &server,
        "GET",
        "/api/v1/reports?since=yesterday",
        Some(&analyst),
        None,
    );
    assert_eq!(status, 422);
    // The role is checked before the body: 403 whatever is sent.
    let (status, _) = call(
        &server,
        "PATCH",
        "/api/v1/accounts/1",
        Some(&member),
        Some(&json!("not an object")),
    );
    assert_eq!(status, 403);
    let admin = login(&server, "admin@demo.invalid");
    let (status, body) = call(
        &server,
        "PATCH",
        "/api/v1/accounts/abc",
        Some(&admin),
        Some(&json!({ "disabled": false })),
    );
    assert_eq!(
        (status, body["error"].as_str()),
        (404, Some("no such account"))
    );
    let (status, body) = call(&server, "DELETE", "/api/v1/reports", Some(&member), None);
    assert_eq!(status, 405);
    assert!(body["error"].is_string(), "{body}");
    // 429: login attempts are limited per address and client.
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let (status, _) = call(
            &server,
            "POST",
            "/api/v1/auth/token",
            None,
            Some(&json!({ "email": "analyst@demo.invalid", "password": "wrong-password" })),
        );
        statuses.push(status);
    }
    assert_eq!(statuses, [401, 401, 401, 401, 401, 429, 429]);
}

#[test]
fn first_start_prints_a_setup_link_that_creates_one_administrator() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), false);
    let log = server.log();
    let link = log
        .split_whitespace()
        .find(|w| w.contains("/setup?token="))
        .unwrap_or_else(|| panic!("no setup link in {log}"))
        .to_owned();
    let token = link.split("token=").nth(1).unwrap().to_owned();
    // The page: a form with the token, and nothing that runs.
    let page = agent().get(&link).call().unwrap();
    assert_eq!(page.status().as_u16(), 200);
    assert!(
        page.headers()
            .get("content-security-policy")
            .unwrap()
            .to_str()
            .unwrap()
            .contains("form-action 'self'")
    );
    let html = page.into_body().read_to_string().unwrap();
    assert!(html.contains(&format!("value=\"{token}\"")), "{html}");
    assert!(!html.contains("<script"));
    // A token from the link is escaped in the page.
    let hostile = agent()
        .get(format!(
            "{}/setup?token=%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
            server.base
        ))
        .call()
        .unwrap()
        .into_body()
        .read_to_string()
        .unwrap();
    assert!(!hostile.contains("<script>"), "{hostile}");
    let post = |token: &str, email: &str| {
        agent()
            .post(format!("{}/setup", server.base))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .send(format!(
                "token={token}&email={email}&password=a+long+password"
            ))
            .unwrap()
            .status()
            .as_u16()
    };
    assert_eq!(
        post("setup_wrong", "first%40example.org"),
        404,
        "a wrong token finds setup closed"
    );
    assert_eq!(post(&token, "first%40example.org"), 201);
    assert_eq!(
        post(&token, "second%40example.org"),
        404,
        "the link works once"
    );
    assert_eq!(agent().get(&link).call().unwrap().status().as_u16(), 404);
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/setup",
        None,
        Some(
            &json!({ "setup_token": token, "email": "third@example.org", "password": "a long password" }),
        ),
    );
    assert_eq!(status, 403);
    let (status, body) = call(
        &server,
        "POST",
        "/api/v1/auth/token",
        None,
        Some(&json!({ "email": "FIRST@example.org", "password": "a long password" })),
    );
    assert_eq!(status, 201);
    let (_, me) = call(&server, "GET", "/api/v1/me", body["token"].as_str(), None);
    assert_eq!(me["roles"], json!(["member", "analyst", "admin"]));
}

#[test]
fn forewarn_report_submits_a_finding_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    let (_, made) = call(
        &server,
        "POST",
        "/api/v1/tokens",
        Some(&member),
        Some(&json!({ "name": "cli", "scopes": ["reports:write"] })),
    );
    let token = made["token"].as_str().unwrap();
    let out = common::forewarn()
        .args([
            "report",
            "examples/approaches.jsonl",
            "--server",
            &server.base,
            "--token",
            token,
        ])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert_eq!(err.matches("forewarn: reported ").count(), 2, "{err}");
    assert!(err.contains("(high risk)"), "{err}");
    let out = common::forewarn()
        .args([
            "report",
            "examples/approaches.jsonl",
            "--server",
            &server.base,
            "--token",
            "fw_wrong",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("token was refused"));
}

#[test]
fn every_acknowledged_report_survives_sigkill() {
    let dir = tempfile::tempdir().unwrap();
    let acked: Arc<Mutex<Vec<String>>> = Arc::default();
    {
        let server = Server::start(dir.path(), true);
        let token = login(&server, "member@demo.invalid");
        let stop = Arc::new(AtomicBool::new(false));
        let url = format!("{}/api/v1/reports", server.base);
        let workers: Vec<_> = (0..4)
            .map(|w| {
                let (acked, stop, url, token) = (
                    Arc::clone(&acked),
                    Arc::clone(&stop),
                    url.clone(),
                    token.clone(),
                );
                std::thread::spawn(move || {
                    let agent = agent();
                    let mut n = 0;
                    while !stop.load(Ordering::Relaxed) {
                        n += 1;
                        let body = approach(&format!("Sender {w}-{n}"), HOSTILE);
                        let Ok(response) = agent
                            .post(&url)
                            .header("Authorization", format!("Bearer {token}"))
                            .send_json(&body)
                        else {
                            break;
                        };
                        if response.status().as_u16() == 201 {
                            let value: Value = response.into_body().read_json().unwrap();
                            acked
                                .lock()
                                .unwrap()
                                .push(value["id"].as_str().unwrap().to_owned());
                        }
                    }
                })
            })
            .collect();
        while acked.lock().unwrap().len() < 150 {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        // SIGKILL, mid-stream: no shutdown, no flush.
        let mut server = server;
        server.child.kill().unwrap();
        server.child.wait().unwrap();
        stop.store(true, Ordering::Relaxed);
        for w in workers {
            w.join().unwrap();
        }
    }
    let acked = acked.lock().unwrap().clone();
    assert!(acked.len() >= 150);
    let store = forewarn_store::Store::open(dir.path()).unwrap();
    assert_eq!(store.check_integrity().unwrap(), Ok(()));
    for id in &acked {
        assert!(
            store.report(id).unwrap().is_some(),
            "acknowledged report {id} was lost"
        );
    }
    drop(store);
    // And the server starts again on it.
    let server = Server::start(dir.path(), false);
    let analyst = login(&server, "analyst@demo.invalid");
    let (status, _) = call(
        &server,
        "GET",
        &format!("/api/v1/reports/{}", acked[0]),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200);
}

const K1: &str = "k1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const K2: &str = "k2:Hx4dHBsaGRgXFhUUExIREA8ODQwLCgkIBwYFBAMCAQA=";

/// Whether any file of the store holds `needle`.
fn store_holds(dir: &Path, needle: &[u8]) -> bool {
    std::fs::read_dir(dir).unwrap().flatten().any(|f| {
        std::fs::read(f.path()).is_ok_and(|bytes| bytes.windows(needle.len()).any(|w| w == needle))
    })
}

#[test]
fn evidence_is_sealed_at_rest_served_only_as_a_download_and_survives_rotation() {
    let dir = tempfile::tempdir().unwrap();
    let marker = "unmistakable-marker-7f3a";
    let text = format!("{HOSTILE} {marker}");
    let id;
    {
        let server = Server::start_with(dir.path(), true, &[("FOREWARN_EVIDENCE_KEYS", K1)]);
        assert!(
            server.log().contains("sealed at rest with key k1"),
            "{}",
            server.log()
        );
        let member = login(&server, "member@demo.invalid");
        let analyst = login(&server, "analyst@demo.invalid");
        let (status, created) = call(
            &server,
            "POST",
            "/api/v1/reports",
            Some(&member),
            Some(&approach("Lena", &text)),
        );
        assert_eq!(status, 201);
        id = created["id"].as_str().unwrap().to_owned();
        // An e-mail, kept as sent, attachment and all.
        let eml = format!(
            "From: Lena <lena@example.com>\r\nSubject: Offer\r\nMessage-ID: <m1@example.com>\r\n\r\n{text}\r\n"
        );
        let response = agent()
            .post(format!("{}/api/v1/reports", server.base))
            .header("Authorization", format!("Bearer {member}"))
            .header("Content-Type", "message/rfc822")
            .send(eml.as_bytes())
            .unwrap();
        assert_eq!(response.status().as_u16(), 201);
        let eml_id = response.into_body().read_json::<Value>().unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let response = agent()
            .get(format!("{}/api/v1/reports/{eml_id}/original", server.base))
            .header("Authorization", format!("Bearer {analyst}"))
            .call()
            .unwrap();
        assert_eq!(response.status().as_u16(), 200);
        assert_eq!(
            response.headers().get("content-type").unwrap(),
            "application/octet-stream"
        );
        assert!(
            response
                .headers()
                .get("content-disposition")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("attachment;")
        );
        assert_eq!(response.into_body().read_to_string().unwrap(), eml);
        let (status, full) = call(
            &server,
            "GET",
            &format!("/api/v1/reports/{id}"),
            Some(&analyst),
            None,
        );
        assert_eq!(status, 200);
        assert_eq!(full["approach"]["messages"][0]["text"], text.as_str());
        let (_, log) = call(
            &server,
            "GET",
            "/api/v1/audit?limit=1000",
            Some(&login(&server, "admin@demo.invalid")),
            None,
        );
        assert!(
            log["entries"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "report.original")
        );
    }
    assert!(
        !store_holds(dir.path(), marker.as_bytes()),
        "the text is not on disk in the clear"
    );
    // Rotation: the new key first, the old one after it; then the new alone.
    let rotated = common::forewarn()
        .args(["evidence", "rotate", "--data-dir"])
        .arg(dir.path())
        .env("FOREWARN_EVIDENCE_KEYS", format!("{K2},{K1}"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&rotated.stderr);
    assert_eq!(rotated.status.code(), Some(0), "{err}");
    assert!(err.contains("moved to key k2"), "{err}");
    let server = Server::start_with(dir.path(), false, &[("FOREWARN_EVIDENCE_KEYS", K2)]);
    let analyst = login(&server, "analyst@demo.invalid");
    let (status, full) = call(
        &server,
        "GET",
        &format!("/api/v1/reports/{id}"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200, "{full}");
    assert_eq!(full["approach"]["messages"][0]["text"], text.as_str());
    let (status, _) = call(
        &server,
        "GET",
        &format!("/api/v1/reports/{id}/original"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200);
}

#[test]
fn browser_sessions_use_a_strict_cookie_and_need_the_csrf_token_to_change_anything() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let response = agent()
        .post(format!("{}/api/v1/auth/login", server.base))
        .send_json(json!({ "email": "member@demo.invalid", "password": "demo-password" }))
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let set_cookie = response
        .headers()
        .get("set-cookie")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned();
    for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    let csrf = response.into_body().read_json::<Value>().unwrap()["csrf_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let with_cookie = |method: &str, path: &str, csrf: Option<&str>, body: Option<Value>| {
        let url = format!("{}{path}", server.base);
        let agent = agent();
        let response = if method == "GET" {
            agent.get(&url).header("Cookie", &cookie).call()
        } else {
            let mut r = agent.post(&url).header("Cookie", &cookie);
            if let Some(token) = csrf {
                r = r.header("X-CSRF-Token", token);
            }
            r.send_json(body.unwrap_or(Value::Null))
        }
        .unwrap();
        response.status().as_u16()
    };
    assert_eq!(with_cookie("GET", "/api/v1/me", None, None), 200);
    let report = approach("A", HOSTILE);
    assert_eq!(
        with_cookie("POST", "/api/v1/reports", None, Some(report.clone())),
        403,
        "no CSRF token"
    );
    assert_eq!(
        with_cookie(
            "POST",
            "/api/v1/reports",
            Some("wrong"),
            Some(report.clone())
        ),
        403
    );
    assert_eq!(
        with_cookie("POST", "/api/v1/reports", Some(&csrf), Some(report)),
        201
    );
    assert_eq!(
        with_cookie("POST", "/api/v1/auth/logout", Some(&csrf), None),
        204
    );
    assert_eq!(
        with_cookie("GET", "/api/v1/me", None, None),
        401,
        "the session has ended"
    );
}

#[test]
fn a_report_can_be_made_of_form_fields_and_found_by_text() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    let analyst = login(&server, "analyst@demo.invalid");
    let form = "sender_name=Zed+Quill&organisation=Quillfeather+Partners&message=We+pay+in+bitcoin+for+internal+documents.+Keep+this+between+us.";
    let response = agent()
        .post(format!("{}/api/v1/reports", server.base))
        .header("Authorization", format!("Bearer {member}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send(form)
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let created: Value = response.into_body().read_json().unwrap();
    assert_eq!(created["sender_name"], "Zed Quill");
    assert_ne!(created["risk"], "low");
    let (_, found) = call(
        &server,
        "GET",
        "/api/v1/reports?q=QUILLFEATHER",
        Some(&analyst),
        None,
    );
    let ids: Vec<&str> = found["reports"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["id"].as_str())
        .collect();
    assert_eq!(ids, [created["id"].as_str().unwrap()]);
    let response = agent()
        .post(format!("{}/api/v1/reports", server.base))
        .header("Authorization", format!("Bearer {member}"))
        .header("Content-Type", "application/x-www-form-urlencoded")
        .send("sender_name=A&message=hi&extra=1")
        .unwrap();
    assert_eq!(response.status().as_u16(), 422);
}

#[test]
fn an_alert_is_drafted_published_signed_acknowledged_and_raises_matching_reports() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let member = login(&server, "member@demo.invalid");
    let analyst = login(&server, "analyst@demo.invalid");
    let draft = json!({
        "name": "Lena Zhou persona: paid reports for insider insights",
        "description": "A persona writing to members about paid consultancy.",
        "personas": [ { "name": "Lena Zhou", "aliases": ["L. Zhou"] } ],
        "organisations": [ "Brightyear Executive Search" ],
        "observables": [ { "kind": "domain", "value": "brightyear-search.example" } ],
        "tradecraft": [ "paid consultancy for non-public insights" ],
        "advice": [ "Do not reply; report the approach." ],
        "tlp": "TLP:GREEN"
    });
    let (status, _) = call(
        &server,
        "POST",
        "/api/v1/alerts",
        Some(&member),
        Some(&draft),
    );
    assert_eq!(status, 403, "members do not write alerts");
    let (status, created) = call(
        &server,
        "POST",
        "/api/v1/alerts",
        Some(&analyst),
        Some(&draft),
    );
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    // The preview is STIX; members see no draft.
    let (status, stix) = call(
        &server,
        "GET",
        &format!("/api/v1/alerts/{id}/stix"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(stix["type"], "bundle");
    let (_, list) = call(&server, "GET", "/api/v1/alerts", Some(&member), None);
    assert!(
        list["alerts"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["id"] != id.as_str())
    );
    assert!(list.get("drafts").is_none());
    let (status, _) = call(
        &server,
        "GET",
        &format!("/api/v1/alerts/{id}/stix"),
        Some(&member),
        None,
    );
    assert_eq!(status, 404);
    // Publishing signs it and runs it over the stored reports: the demo
    // campaign of eight goes to the top of the queue.
    let (status, published) = call(
        &server,
        "POST",
        &format!("/api/v1/alerts/{id}/publish"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200, "{published}");
    assert!(
        published["matched_reports"].as_u64().unwrap() >= 8,
        "{published}"
    );
    let (_, queue) = call(
        &server,
        "GET",
        "/api/v1/reports?limit=8",
        Some(&analyst),
        None,
    );
    for report in queue["reports"].as_array().unwrap() {
        assert_eq!(report["priority"], 1, "{report}");
        assert_eq!(report["sender_name"], "Lena Zhou");
    }
    // A new report from the persona is matched on arrival.
    let (_, fresh) = call(
        &server,
        "POST",
        "/api/v1/reports",
        Some(&member),
        Some(&approach(
            "Lena Zhou",
            "Hello, a quick question about your work.",
        )),
    );
    assert!(
        fresh["verdict"]["signals"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["id"].as_str().unwrap().starts_with("FW-IND-")),
        "{fresh}"
    );
    // Members see it, unread first, and acknowledge it; analysts see who did.
    let (_, list) = call(&server, "GET", "/api/v1/alerts", Some(&member), None);
    let alerts = list["alerts"].as_array().unwrap();
    let ours = alerts.iter().position(|a| a["id"] == id.as_str()).unwrap();
    assert!(alerts[ours]["acknowledged_at"].is_null());
    assert_eq!(alerts[ours]["signed"], true);
    assert!(
        alerts[..ours]
            .iter()
            .all(|a| a["acknowledged_at"].is_null()),
        "unread first"
    );
    let (status, _) = call(
        &server,
        "POST",
        &format!("/api/v1/alerts/{id}/ack"),
        Some(&member),
        None,
    );
    assert_eq!(status, 204);
    let (_, list) = call(&server, "GET", "/api/v1/alerts", Some(&member), None);
    let mine = list["alerts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == id.as_str())
        .unwrap()
        .clone();
    assert!(mine["acknowledged_at"].is_string());
    let (status, acks) = call(
        &server,
        "GET",
        &format!("/api/v1/alerts/{id}/acks"),
        Some(&analyst),
        None,
    );
    assert_eq!(status, 200);
    assert_eq!(acks["acknowledgements"][0]["email"], "member@demo.invalid");
    let (status, _) = call(
        &server,
        "GET",
        &format!("/api/v1/alerts/{id}/acks"),
        Some(&member),
        None,
    );
    assert_eq!(status, 403);
    // The signature verifies with the server's published key.
    let (_, key) = call(&server, "GET", "/api/v1/alerts/key", Some(&member), None);
    let public = forewarn_stix::PublicKey::from_text(key["public_key"].as_str().unwrap()).unwrap();
    let store = forewarn_store::Store::open(dir.path()).unwrap();
    let stored = store.alert(&id).unwrap().unwrap();
    let signature =
        forewarn_stix::DetachedSignature::from_text(stored.signature.as_deref().unwrap()).unwrap();
    public.verify(&stored.bundle, &signature).unwrap();
    // The audit log has the draft, the publication and the matches.
    let admin = login(&server, "admin@demo.invalid");
    let (_, log) = call(
        &server,
        "GET",
        "/api/v1/audit?limit=1000",
        Some(&admin),
        None,
    );
    let actions: Vec<&str> = log["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["action"].as_str())
        .collect();
    for action in [
        "alert.draft",
        "alert.publish",
        "report.alert-match",
        "alert.ack",
    ] {
        assert!(actions.contains(&action), "{action} in {actions:?}");
    }
}

#[test]
fn a_signed_external_alert_is_imported_only_with_a_trusted_valid_signature() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let analyst = login(&server, "analyst@demo.invalid");
    let root = common::repo().join("examples/alerts");
    let bundle = std::fs::read_to_string(root.join("parliament-2025-11.json")).unwrap();
    let signature = std::fs::read_to_string(root.join("parliament-2025-11.json.sig")).unwrap();
    let (status, answer) = call(
        &server,
        "POST",
        "/api/v1/alerts/import",
        Some(&analyst),
        Some(&json!({ "bundle": bundle, "signature": signature })),
    );
    assert_eq!(status, 201, "{answer}");
    let tampered = bundle.replacen("Amanda", "Amandb", 1);
    let (status, answer) = call(
        &server,
        "POST",
        "/api/v1/alerts/import",
        Some(&analyst),
        Some(&json!({ "bundle": tampered, "signature": signature })),
    );
    assert_eq!(status, 422, "{answer}");
    assert!(answer["error"].as_str().unwrap().contains("does not match"));
}

#[test]
fn settings_set_by_an_admin_name_the_issuer_of_new_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(dir.path(), true);
    let admin = login(&server, "admin@demo.invalid");
    let analyst = login(&server, "analyst@demo.invalid");
    let (status, settings) = call(
        &server,
        "PATCH",
        "/api/v1/settings",
        Some(&admin),
        Some(
            &json!({ "organisation": "Parliamentary Security Department", "report_to": "PSD, psd@example.org" }),
        ),
    );
    assert_eq!(status, 200, "{settings}");
    assert_eq!(
        settings["organisation"],
        "Parliamentary Security Department"
    );
    let (status, _) = call(
        &server,
        "PATCH",
        "/api/v1/settings",
        Some(&admin),
        Some(&json!({ "organisation": "bad\u{1b}[31m" })),
    );
    assert_eq!(status, 422);
    let (_, created) = call(
        &server,
        "POST",
        "/api/v1/alerts",
        Some(&analyst),
        Some(&json!({ "name": "A persona", "personas": [ { "name": "Lena Zhou" } ] })),
    );
    let (_, stix) = call(
        &server,
        "GET",
        &format!("/api/v1/alerts/{}/stix", created["id"].as_str().unwrap()),
        Some(&analyst),
        None,
    );
    let issuer = stix["objects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["type"] == "identity" && o["name"] == "Parliamentary Security Department");
    assert!(issuer.is_some(), "{stix}");
    // null removes a setting.
    let (_, settings) = call(
        &server,
        "PATCH",
        "/api/v1/settings",
        Some(&admin),
        Some(&json!({ "organisation": null })),
    );
    assert!(settings["organisation"].is_null());
    assert_eq!(settings["report_to"], "PSD, psd@example.org");
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut server = Server::start(dir.path(), true);
    let (status, _) = call(&server, "GET", "/readyz", None, None);
    assert_eq!(status, 200);
    let pid = server.child.id().to_string();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(killed.success());
    let exit = server.child.wait().unwrap();
    assert!(exit.success(), "{exit:?}\n{}", server.log());
}
