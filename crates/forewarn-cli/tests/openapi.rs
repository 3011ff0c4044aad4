//! The OpenAPI document of `forewarn serve` against the real server.
//!
//! schemathesis reads the document from `GET /api/openapi.json`, generates
//! requests for every operation (valid and invalid ones), sends them to the
//! real binary and checks each answer against the document: no server
//! error, a documented status, a documented content type, the documented
//! headers, a body that fits the schema. Once as an analyst and once as an
//! administrator, who get different answers from the same operations; each
//! against its own server. Deterministic (schemathesis' deterministic
//! generation) and bounded (at most 20 cases an operation and phase).
//!
//! The test is skipped, saying so, when schemathesis is not installed
//! (`pip install schemathesis`; `.ci/run` installs it).

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Server, agent};
use serde_json::{Value, json};

/// The checks run on every answer.
const CHECKS: &str = "not_a_server_error,status_code_conformance,content_type_conformance,\
                      response_headers_conformance,response_schema_conformance";

/// The longest a run may take before the test gives up on it.
const RUN_LIMIT: Duration = Duration::from_secs(300);

/// schemathesis hooks (loaded through `SCHEMATHESIS_HOOKS`).
///
/// 1. E-mail submissions: `message/rfc822` bodies are sent as the generated
///    text, as schemathesis does for `text/plain` (it has no serializer of
///    its own for that type).
/// 2. Test data: the document's example report id (the `ReportId` path
///    parameter, and the `into` of the merge example), which schemathesis
///    uses as the base of many cases, stands for real reports, so that the
///    answers for reports that exist (`200` with the whole report, `204`)
///    are checked too, not only `404`. Other generated ids still get `404`.
const HOOKS: &str = r#"import os

import schemathesis

schemathesis.serializer.alias("message/rfc822", "text/plain")

EXAMPLE_REPORT = "0b6c1f6e-3f0a-4d7e-9d55-2f5d0c7a9e41"


@schemathesis.hook
def map_case(ctx, case):
    if case.path.startswith("/api/v1/reports/{id}") and case.path_parameters.get("id") == EXAMPLE_REPORT:
        case.path_parameters["id"] = os.environ["FOREWARN_REPORT"]
    if (
        case.path == "/api/v1/reports/{id}/merge"
        and isinstance(case.body, dict)
        and case.body.get("into") == EXAMPLE_REPORT
    ):
        case.body["into"] = os.environ["FOREWARN_OTHER_REPORT"]
    return case

"#;

fn schemathesis_installed() -> bool {
    Command::new("schemathesis")
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn login(server: &Server, email: &str) -> String {
    let response = agent()
        .post(format!("{}/api/v1/auth/token", server.base))
        .send_json(json!({ "email": email, "password": "demo-password" }))
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.into_body().read_json().unwrap();
    body["token"].as_str().unwrap().to_owned()
}

/// Submits a report as `token`; returns its id.
fn submit(server: &Server, token: &str, content_type: &str, body: &str) -> String {
    let response = agent()
        .post(format!("{}/api/v1/reports", server.base))
        .header("Authorization", format!("Bearer {token}"))
        .header("Content-Type", content_type)
        .send(body.as_bytes())
        .unwrap();
    assert_eq!(response.status().as_u16(), 201);
    let body: Value = response.into_body().read_json().unwrap();
    body["id"].as_str().unwrap().to_owned()
}

/// The document as the server serves it: without credentials, as JSON,
/// byte for byte the file in the repository.
fn served_document(server: &Server) -> Value {
    let response = agent()
        .get(format!("{}/api/openapi.json", server.base))
        .call()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response.headers().get("content-type").unwrap(),
        "application/json"
    );
    let text = response.into_body().read_to_string().unwrap();
    let file = common::repo().join("crates/forewarn-server/openapi.json");
    assert_eq!(text, std::fs::read_to_string(file).unwrap());
    let document: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(document["openapi"], "3.1.0");
    document
}

/// `METHOD /path` of every operation of the document.
fn operations(document: &Value) -> Vec<String> {
    let methods = ["get", "put", "post", "delete", "patch", "head", "options"];
    let mut found = Vec::new();
    for (path, item) in document["paths"].as_object().unwrap() {
        for method in methods {
            if item.get(method).is_some() {
                found.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    found
}

/// Runs `command` to its end, or kills it after [`RUN_LIMIT`]; returns
/// whether it succeeded and what it printed.
fn run(mut command: Command, work: &Path) -> (bool, String) {
    let out = work.join("schemathesis.out");
    let file = std::fs::File::create(&out).unwrap();
    let mut child = command
        .stdout(file.try_clone().unwrap())
        .stderr(file)
        .stdin(Stdio::null())
        .spawn()
        .unwrap();
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > RUN_LIMIT {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "schemathesis ran for more than {RUN_LIMIT:?}:\n{}",
                std::fs::read_to_string(&out).unwrap_or_default()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    (
        status.success(),
        std::fs::read_to_string(&out).unwrap_or_default(),
    )
}

/// Starts a demo server, signs in as `email` and checks every operation's
/// answers against the document with schemathesis.
fn conforms_as(email: &str) {
    if !schemathesis_installed() {
        eprintln!("skipped: schemathesis not installed (pip install schemathesis)");
        return;
    }
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("data"), true);
    let document = served_document(&server);
    // Two reports of the demo analyst (also a member), one of them an
    // e-mail: what the hooks put in place of the example report id.
    let analyst = login(&server, "analyst@demo.invalid");
    let report = submit(
        &server,
        &analyst,
        "application/json",
        r#"{"channel": "linkedin", "sender": {"name": "Lena Zhou", "organisation": "Brightyear Executive Search"}, "messages": [{"text": "My client pays for a short report with non-public insights on upcoming decisions. Add me on WeChat."}]}"#,
    );
    let other = submit(
        &server,
        &analyst,
        "message/rfc822",
        "From: Lena Zhou <lena@brightyear.example>\r\nSubject: A paid report\r\nMessage-ID: <1@brightyear.example>\r\n\r\nMy client pays for a short report with insider insights. Keep this between us.\r\n",
    );
    let token = if email == "analyst@demo.invalid" {
        analyst
    } else {
        login(&server, email)
    };
    let hooks = dir.path().join("forewarn_hooks.py");
    std::fs::write(&hooks, HOOKS).unwrap();
    let junit = dir.path().join("junit.xml");
    let mut command = Command::new("schemathesis");
    command
        .current_dir(dir.path())
        .env("SCHEMATHESIS_HOOKS", &hooks)
        .env("FOREWARN_REPORT", &report)
        .env("FOREWARN_OTHER_REPORT", &other)
        .arg("run")
        .arg(format!("{}/api/openapi.json", server.base))
        .arg("--header")
        .arg(format!("Authorization: Bearer {token}"))
        .args(["--checks", CHECKS])
        .args(["--max-examples", "20"])
        .arg("--generation-deterministic")
        .args(["--workers", "1"])
        .args(["--request-timeout", "30"])
        .arg("--no-color")
        .args(["--report", "junit", "--report-junit-path"])
        .arg(&junit);
    let (passed, output) = run(command, dir.path());
    assert!(
        passed,
        "the answers as {email} do not match the document:\n{output}\n\nserver log:\n{}",
        server.log()
    );
    // Every operation of the document was tried, but the one that serves
    // it, which schemathesis leaves out on purpose (`served_document`
    // checks it).
    let report = std::fs::read_to_string(&junit).unwrap();
    for operation in operations(&document)
        .into_iter()
        .filter(|o| o != "GET /api/openapi.json")
    {
        assert!(
            report.contains(&format!("<testcase name=\"{operation}\"")),
            "{operation} was not tested as {email}:\n{output}"
        );
    }
    let summary = output
        .lines()
        .rev()
        .find(|l| l.contains("generated"))
        .unwrap_or_default()
        .trim();
    eprintln!(
        "as {email}: {summary}; {:.1} s in all",
        started.elapsed().as_secs_f64()
    );
}

#[test]
fn the_answers_to_an_analyst_match_the_openapi_document() {
    conforms_as("analyst@demo.invalid");
}

#[test]
fn the_answers_to_an_administrator_match_the_openapi_document() {
    conforms_as("admin@demo.invalid");
}
