//! Tests of the `forewarn` binary through its real interface.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use common::{forewarn, golden, repo};
use predicates::prelude::*;

/// The shipped model's calibration slope: verdicts show declared rule
/// weights on the calibrated scale.
fn engine_slope() -> f64 {
    let model: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("crates/forewarn-core/model/default.json")).unwrap(),
    )
    .unwrap();
    model["calibration"]["slope"].as_f64().unwrap()
}

#[test]
fn check_json_follows_the_verdict_contract() {
    let out = forewarn()
        .args([
            "check",
            "--json",
            "--as-of",
            "2025-10-01",
            "examples/approaches.jsonl",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    golden("check-examples.jsonl", &text);
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    let ids: Vec<&str> = lines.iter().map(|v| v["id"].as_str().unwrap()).collect();
    assert_eq!(
        ids,
        ["example-headhunter", "example-conference"],
        "input order"
    );
    for (line, v) in text.lines().zip(&lines) {
        let mut keys: Vec<&str> = v.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(keys, ["advice", "id", "risk", "score", "signals"]);
        // The contract's key order.
        assert!(line.starts_with("{\"id\":"), "{line}");
        let at = |k: &str| line.find(&format!("\"{k}\":")).unwrap();
        assert!(at("risk") < at("score") && at("score") < at("signals"));
        assert!(line.rfind("\"advice\":").unwrap() > at("signals"));
        assert!(["low", "medium", "high"].contains(&v["risk"].as_str().unwrap()));
        let score = v["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        for s in v["signals"].as_array().unwrap() {
            assert!(s["id"].as_str().unwrap().starts_with("FW-"));
            assert!(s["title"].is_string() && s["weight"].is_number());
            for e in s["evidence"].as_array().unwrap() {
                assert!(
                    e.get("field").is_some() || e.get("message").is_some(),
                    "{e}"
                );
            }
        }
    }
}

#[test]
fn evidence_offsets_point_into_the_original_text() {
    let approach: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/linkedin-headhunter.json")).unwrap(),
    )
    .unwrap();
    let out = forewarn()
        .args(["check", "--json", "examples/linkedin-headhunter.json"])
        .assert()
        .get_output()
        .stdout
        .clone();
    let verdict: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let mut spans = 0;
    for s in verdict["signals"].as_array().unwrap() {
        for e in s["evidence"].as_array().unwrap() {
            if let Some(m) = e["message"].as_u64() {
                let text = approach["messages"][m as usize]["text"].as_str().unwrap();
                let (start, end) = (
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                );
                assert_eq!(
                    &text.as_bytes()[start..end],
                    e["text"].as_str().unwrap().as_bytes()
                );
                spans += 1;
            }
        }
    }
    assert!(spans >= 3, "only {spans} spans");
}

#[test]
fn terminal_view_speaks_plainly_and_is_uncoloured_when_piped() {
    forewarn()
        .args([
            "check",
            "--as-of",
            "2025-10-01",
            "--report-to",
            "Parliamentary Security Department",
            "examples/linkedin-headhunter.json",
        ])
        .env_remove("NO_COLOR")
        .assert()
        .code(1)
        .stdout(predicate::str::contains("RISK"))
        .stdout(predicate::str::contains("Why:"))
        .stdout(predicate::str::contains("What to do now:"))
        .stdout(predicate::str::contains(
            "Parliamentary Security Department",
        ))
        .stdout(predicate::str::contains("\u{1b}[").not());
}

#[test]
fn low_risk_exits_zero() {
    forewarn()
        .args(["check", "examples/conference-invitation.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("LOW RISK"));
}

/// A member of staff forwarding an approach to the security team quotes it
/// whole: the report is not the approach. Without the reporter's own
/// words around it, the quoted text alone is high.
#[test]
fn a_forwarded_report_is_low_and_the_approach_it_quotes_is_not() {
    forewarn()
        .args(["check", "examples/forwarded-report.json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("LOW RISK"))
        .stdout(predicate::str::contains("reports an approach"));
    let mut report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo().join("examples/forwarded-report.json")).unwrap(),
    )
    .unwrap();
    let text = report["messages"][0]["text"].as_str().unwrap().to_owned();
    let quoted: String = text
        .lines()
        .filter_map(|l| l.strip_prefix("> "))
        .collect::<Vec<_>>()
        .join(" ");
    report["messages"][0]["text"] = quoted.into();
    forewarn()
        .args(["check", "--json", "-"])
        .write_stdin(report.to_string())
        .assert()
        .code(1)
        .stdout(predicate::str::contains("\"risk\":\"high\""));
}

#[test]
fn stdin_is_read_with_a_dash() {
    let input = std::fs::read_to_string(repo().join("examples/approaches.jsonl")).unwrap();
    forewarn()
        .args(["check", "--json", "-"])
        .write_stdin(input)
        .assert()
        .code(1)
        .stdout(predicate::str::contains("example-conference"));
    // A single pretty-printed approach on stdin works too.
    let single =
        std::fs::read_to_string(repo().join("examples/conference-invitation.json")).unwrap();
    forewarn()
        .args(["check", "--json", "-"])
        .write_stdin(single)
        .assert()
        .code(0);
}

/// WeChat spaced out in Chinese is read as WeChat, and the evidence quotes
/// the message as it was written, at its own byte offsets.
#[test]
fn spaced_out_chinese_is_read_and_quoted_as_written() {
    let text = "您好，方便的话请加我 微 信 详谈。";
    let approach = serde_json::json!({
        "id": "spaced-cjk",
        "sender": {"name": "Li Wei"},
        "messages": [{"text": text}],
    });
    let out = forewarn()
        .args(["check", "--json", "-"])
        .write_stdin(approach.to_string())
        .output()
        .unwrap();
    let verdict: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let messenger = verdict["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "FW-CHANNEL-MESSENGER")
        .unwrap_or_else(|| panic!("no messenger signal: {verdict}"));
    let evidence = &messenger["evidence"][0];
    let (start, end) = (
        evidence["start"].as_u64().unwrap() as usize,
        evidence["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&text[start..end], evidence["text"].as_str().unwrap());
    assert!(
        evidence["text"].as_str().unwrap().contains("微 信"),
        "{evidence}"
    );
}

#[test]
fn bad_input_exits_two_with_a_located_message() {
    let assert = forewarn()
        .args([
            "check",
            "--json",
            "crates/forewarn-cli/tests/data/bad.jsonl",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "crates/forewarn-cli/tests/data/bad.jsonl:2: sender.name: missing",
        ));
    // Only the line before the bad one was judged.
    let stdout = String::from_utf8(assert.get_output().stdout.clone()).unwrap();
    assert_eq!(stdout.lines().count(), 1);
}

#[test]
fn keep_going_judges_valid_lines_and_reports_bad_ones() {
    let assert = forewarn()
        .args([
            "check",
            "--json",
            "--keep-going",
            "crates/forewarn-cli/tests/data/bad.jsonl",
        ])
        .assert()
        .code(2);
    let out = assert.get_output();
    let stdout = String::from_utf8(out.stdout.clone()).unwrap();
    let ids: Vec<String> = stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["ok-1", "ok-2"]);
    golden(
        "bad-input.stderr",
        &String::from_utf8(out.stderr.clone()).unwrap(),
    );
}

#[test]
fn missing_file_is_an_error() {
    forewarn()
        .args(["check", "no/such/file.json"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("no/such/file.json"));
}

#[test]
fn oversized_message_is_refused_with_its_field() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.json");
    let text = "a".repeat((1 << 20) + 1);
    std::fs::write(
        &path,
        format!(r#"{{"sender":{{"name":"X"}},"messages":[{{"text":"{text}"}}]}}"#),
    )
    .unwrap();
    forewarn()
        .args(["check", path.to_str().unwrap()])
        .assert()
        .code(2)
        .stderr(predicate::str::contains(
            "messages.0.text is 1048577 bytes, over the limit of 1048576 bytes",
        ));
}

#[test]
fn help_documents_exit_codes() {
    forewarn()
        .args(["check", "--help"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("Exit codes"))
        .stdout(predicate::str::contains(
            "1  at least one approach is medium or high risk",
        ));
}

#[test]
fn default_rule_pack_passes_its_examples() {
    forewarn()
        .args(["rules", "test"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("all pass"));
}

#[test]
fn failing_rule_examples_exit_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("pack.toml");
    std::fs::write(
        &path,
        r#"format = 1
name = "t"
[[rule]]
id = "FW-TEST-GIFT"
title = "Offers a gift"
family = "offer"
weight = 1.0
phrases = ["gift card"]
[rule.examples]
match = ["Here is a gift card.", "Here is a present."]
"#,
    )
    .unwrap();
    forewarn()
        .args(["rules", "test", path.to_str().unwrap()])
        .assert()
        .code(1)
        .stdout(predicate::str::contains(
            "FW-TEST-GIFT: should fire on: \"Here is a present.\"",
        ));
}

#[test]
fn added_rules_fire_with_their_declared_weight() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(
        &pack,
        "format = 1\nname = \"t\"\n[[rule]]\nid = \"FW-TEST-PINEAPPLE\"\ntitle = \"Mentions pineapples\"\nfamily = \"offer\"\nweight = 1.25\nphrases = [\"pineapple\"]\n",
    )
    .unwrap();
    let approach = dir.path().join("a.json");
    std::fs::write(
        &approach,
        r#"{"sender":{"name":"X"},"messages":[{"text":"I bring a pineapple."}]}"#,
    )
    .unwrap();
    let out = forewarn()
        .args([
            "check",
            "--json",
            "--rules",
            pack.to_str().unwrap(),
            approach.to_str().unwrap(),
        ])
        .assert()
        .get_output()
        .stdout
        .clone();
    let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let s = v["signals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "FW-TEST-PINEAPPLE")
        .expect("the added rule fired");
    let expected = (1.25 * engine_slope() * 100.0).round() / 100.0;
    assert_eq!(s["weight"].as_f64().unwrap(), expected);
    assert_eq!(s["evidence"][0]["text"], "pineapple");
    forewarn()
        .args(["rules", "list", "--rules", pack.to_str().unwrap()])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("FW-TEST-PINEAPPLE"))
        .stdout(predicate::str::contains("FW-OFFER-CRYPTO"));
}

#[test]
fn rules_list_marks_the_pooled_context_signals() {
    let out = forewarn()
        .args(["rules", "list"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let line = |id: &str| text.lines().find(|l| l.starts_with(id)).unwrap().to_owned();
    assert!(line("FW-CONTEXT-COMPLIANCE").contains('*'), "{text}");
    assert!(!line("FW-OFFER-CRYPTO").contains('*'), "{text}");
    assert!(text.contains("* pooled: "), "{text}");
    let out = forewarn()
        .args(["rules", "list", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let list: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let pooled = |id: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == id)
            .unwrap()["pooled"]
            .as_bool()
    };
    assert_eq!(pooled("FW-CONTEXT-PUBLIC-EVENT"), Some(true));
    assert_eq!(pooled("FW-REQUEST-NONPUBLIC"), Some(false));
}

#[test]
fn invalid_rule_pack_names_file_and_problem() {
    let dir = tempfile::tempdir().unwrap();
    let pack = dir.path().join("pack.toml");
    std::fs::write(&pack, "format = 1\nname = \"t\"\n[[rule]]\nid = \"FW-X\"\ntitle = \"x\"\nfamily = \"offer\"\nweight = 1.0\nregexes = ['(unclosed']\n").unwrap();
    forewarn()
        .args([
            "check",
            "--rules",
            pack.to_str().unwrap(),
            "examples/conference-invitation.json",
        ])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("rule `FW-X`: regex `(unclosed`"));
}

#[test]
fn training_is_deterministic() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.json"), dir.path().join("b.json"));
    for out in [&a, &b] {
        forewarn()
            .args([
                "train",
                "corpus",
                "--seed",
                "11",
                "--out",
                out.to_str().unwrap(),
            ])
            .assert()
            .code(0);
    }
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());
}

#[test]
fn training_reads_no_earlier_model() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.json");
    forewarn()
        .args(["train", "corpus", "--model", "old.json", "--out"])
        .arg(&out)
        .assert()
        .code(2)
        .stderr(predicate::str::contains("train reads no model"));
    assert!(!out.exists());
}

#[test]
fn the_shipped_model_is_what_training_produces() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("model.json");
    forewarn()
        .args(["train", "corpus", "--out", out.to_str().unwrap()])
        .assert()
        .code(0);
    let shipped =
        std::fs::read_to_string(repo().join("crates/forewarn-core/model/default.json")).unwrap();
    assert!(
        std::fs::read_to_string(&out).unwrap() == shipped,
        "crates/forewarn-core/model/default.json is stale: run `forewarn train corpus --out crates/forewarn-core/model/default.json`"
    );
}

/// The dev split's hostile approaches, each changed by `edit`, as JSONL.
fn dev_hostile_edited(edit: impl Fn(&mut serde_json::Value)) -> String {
    let mut edited = String::new();
    for entry in std::fs::read_dir(repo().join("corpus/dev")).unwrap() {
        let text = std::fs::read_to_string(entry.unwrap().path()).unwrap();
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let mut a: serde_json::Value = serde_json::from_str(line).unwrap();
            if a["label"] != "hostile" {
                continue;
            }
            edit(&mut a);
            edited.push_str(&a.to_string());
            edited.push('\n');
        }
    }
    edited
}

/// The share of `approaches` (JSONL, at least 200) that `forewarn check`
/// calls medium or high.
fn share_flagged(approaches: String) -> f64 {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("edited.jsonl");
    std::fs::write(&path, approaches).unwrap();
    let out = forewarn()
        .args(["check", "--json", path.to_str().unwrap()])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let risks: Vec<serde_json::Value> = String::from_utf8(out)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["risk"].clone())
        .collect();
    assert!(risks.len() >= 200, "{}", risks.len());
    risks.iter().filter(|r| *r != "low").count() as f64 / risks.len() as f64
}

/// Every sender message of the dev split's hostile approaches wrapped in a
/// warning that quotes it ("Be wary of messages like this one: \"...\""):
/// a quotation does not carry a description over the sentences it holds,
/// so a sender who has read the open rule pack cannot hide a whole
/// approach that way. (Letting it do so once took 93.7% of the hostile
/// approaches of dev and holdout, medium or high, to 51.5%.)
#[test]
fn an_approach_wrapped_in_a_quoted_warning_stays_flagged() {
    let wrapped = dev_hostile_edited(|a| {
        for m in a["messages"].as_array_mut().unwrap() {
            if m.get("from").is_none_or(|f| f == "sender") {
                let text = m["text"].as_str().unwrap().replace('"', "'");
                m["text"] = format!("Be wary of messages like this one: \"{text}\"").into();
            }
        }
    });
    let flagged = share_flagged(wrapped);
    assert!(flagged >= 0.85, "{flagged}");
}

/// Reassurance pasted into every hostile approach of the dev split, the
/// way a sender who has read the open rule pack might (the "all" padding of
/// `bench/evasion.py`): context does not add up, so most stay medium or
/// high. When every context weight counted, 42% did.
#[test]
fn pasted_reassurance_leaves_hostile_dev_approaches_flagged() {
    let pad = " The agenda, the other speakers and the registration link are on our website, \
               and the event will be livestreamed. Under our compliance rules you must not \
               share anything confidential or non-public, and we run a conflict check first. \
               The role is Head of Policy, salary GBP 95,000 to 110,000; you can apply \
               through our careers page. Any fee would be declared in the register of \
               interests, and our funders are published on our website. This study has \
               ethics approval and you may withdraw at any time.";
    let padded = dev_hostile_edited(|a| {
        let messages = a["messages"].as_array_mut().unwrap();
        let first = messages
            .iter_mut()
            .find(|m| m.get("from").is_none_or(|f| f == "sender"))
            .unwrap();
        let text = format!("{}{pad}", first["text"].as_str().unwrap());
        first["text"] = text.into();
    });
    let flagged = share_flagged(padded);
    assert!(flagged >= 0.85, "{flagged}");
}

#[test]
fn eval_reports_the_figures_and_meets_the_bar_on_dev() {
    let out = forewarn()
        .args(["eval", "corpus", "--json"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let r: serde_json::Value = serde_json::from_slice(&out).unwrap();
    assert!(r["approaches"].as_u64().unwrap() >= 120);
    let auc = r["roc_auc"].as_f64().unwrap();
    assert!(auc >= 0.95, "ROC AUC {auc}");
    let bands = r["bands"].as_array().unwrap();
    let medium = bands
        .iter()
        .find(|b| b["bands"] == "medium or high")
        .unwrap();
    let high = bands.iter().find(|b| b["bands"] == "high").unwrap();
    assert!(medium["recall"].as_f64().unwrap() >= 0.9, "{medium}");
    assert!(
        medium["false_positive_rate"].as_f64().unwrap() <= 0.10,
        "{medium}"
    );
    assert!(
        high["false_positive_rate"].as_f64().unwrap() <= 0.03,
        "{high}"
    );
    assert!(r["confusion"]["hostile"]["high"].is_u64());
    assert!(r["signals"].as_object().unwrap().len() > 10);
    // Labels from a separate file.
    let dir = tempfile::tempdir().unwrap();
    let labels = dir.path().join("labels.csv");
    std::fs::write(
        &labels,
        "id,label\nexample-headhunter,hostile\nexample-conference,benign\n",
    )
    .unwrap();
    forewarn()
        .args([
            "eval",
            "examples/approaches.jsonl",
            "--labels",
            labels.to_str().unwrap(),
        ])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("ROC AUC: 1.0000"));
}

#[test]
fn bench_times_check_on_generated_approaches() {
    let dir = tempfile::tempdir().unwrap();
    let out = forewarn()
        .args(["bench", "--count", "60", "--repeat", "3", "--dir"])
        .arg(dir.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(out).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    assert!(lines[0].starts_with("forewarn bench: check --json on one thread"));
    // A tenth of the size, then the full size, each timed three times.
    for (line, count) in lines[1..].iter().zip(["6 approaches", "60 approaches"]) {
        assert!(line.trim_start().starts_with(count), "{line}");
        assert!(
            line.contains("approaches/s") && line.contains("peak memory"),
            "{line}"
        );
        assert!(line.contains("fastest of 3 runs; median"), "{line}");
    }
    // The generated files are removed afterwards.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    forewarn()
        .args(["bench", "--repeat", "0"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--repeat"));
}

#[test]
fn bench_generates_the_same_valid_approaches_for_a_seed() {
    let dir = tempfile::tempdir().unwrap();
    let [a, b, c] = ["a.jsonl", "b.jsonl", "c.jsonl"].map(|f| dir.path().join(f));
    for (path, seed) in [(&a, "3"), (&b, "3"), (&c, "4")] {
        forewarn()
            .args(["bench", "--count", "40", "--seed", seed, "--generate"])
            .arg(path)
            .assert()
            .success()
            .stderr(predicate::str::contains("wrote 40 approaches"));
    }
    let read = |p: &std::path::Path| std::fs::read_to_string(p).unwrap();
    assert_eq!(read(&a), read(&b), "same seed, same bytes");
    assert_ne!(read(&a), read(&c));
    assert_eq!(read(&a).lines().count(), 40);
    // Every generated line is an approach `check` accepts.
    let out = forewarn()
        .args(["check", "--json"])
        .arg(&a)
        .assert()
        .get_output()
        .clone();
    assert!(matches!(out.status.code(), Some(0 | 1)), "{out:?}");
    assert_eq!(String::from_utf8(out.stdout).unwrap().lines().count(), 40);
}

#[test]
fn bench_generates_approaches_of_at_most_the_messages_asked_for() {
    let dir = tempfile::tempdir().unwrap();
    // The message count of each approach generated with these options.
    let messages = |options: &[&str]| -> Vec<usize> {
        let path = dir.path().join(format!("{}.jsonl", options.join("_")));
        forewarn()
            .args(["bench", "--count", "60"])
            .args(options)
            .arg("--generate")
            .arg(&path)
            .assert()
            .success();
        std::fs::read_to_string(&path)
            .unwrap()
            .lines()
            .map(|l| {
                let v: serde_json::Value = serde_json::from_str(l).unwrap();
                v["messages"].as_array().unwrap().len()
            })
            .collect()
    };
    assert!(messages(&["--max-messages", "2"]).iter().all(|&n| n == 2));
    let up_to_six = messages(&["--max-messages", "6"]);
    assert!(up_to_six.iter().all(|n| (2..=6).contains(n)));
    assert!(up_to_six.iter().any(|&n| n > 4), "{up_to_six:?}");
    // The default is two to four.
    assert!(messages(&[]).iter().all(|n| (2..=4).contains(n)));
    forewarn()
        .args(["bench", "--max-messages", "1"])
        .assert()
        .code(2)
        .stderr(predicate::str::contains("--max-messages"));
}
