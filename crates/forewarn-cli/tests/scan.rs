//! `forewarn scan` through the real binary: generated LinkedIn exports and
//! mboxes, the JSON and HTML outputs, privacy, the local store, and hostile
//! archives and files.

// Test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

mod common;

use std::collections::HashMap;
use std::io::Write;
use std::path::{Path, PathBuf};

use common::forewarn;
use serde_json::Value;

/// Generates a LinkedIn export with `forewarn testdata`; returns its path
/// and labels (conversation id → label).
fn export(dir: &Path, name: &str, zip: bool) -> (PathBuf, HashMap<String, String>) {
    let out = dir.join(name);
    let mut cmd = forewarn();
    cmd.args(["testdata", "linkedin"])
        .arg(&out)
        .args([
            "--conversations",
            "1500",
            "--messages",
            "6000",
            "--connections",
            "800",
        ])
        .args(["--hostile", "40", "--benign", "40", "--seed", "7"]);
    if zip {
        cmd.arg("--zip");
    }
    cmd.assert().success();
    let labels = labels(
        &PathBuf::from(format!("{}.labels.jsonl", out.display())),
        "conversation_id",
    );
    (out, labels)
}

fn labels(path: &Path, key: &str) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (
                v[key].as_str().unwrap().to_owned(),
                v["label"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn verdicts(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Bands per label, and the ids of the labelled conversations never judged.
fn score(
    verdicts: &[Value],
    labels: &HashMap<String, String>,
    key: &str,
) -> (HashMap<(String, String), usize>, usize) {
    let mut bands: HashMap<(String, String), usize> = HashMap::new();
    let mut seen = std::collections::HashSet::new();
    for v in verdicts {
        let Some(id) = v["source"][key].as_str() else {
            continue;
        };
        if let Some(label) = labels.get(id) {
            seen.insert(id.to_owned());
            *bands
                .entry((label.clone(), v["risk"].as_str().unwrap().to_owned()))
                .or_default() += 1;
        }
    }
    (bands, labels.len() - seen.len())
}

/// The number written right after `marker` in `text`.
fn number_after(text: &str, marker: &str) -> usize {
    text.split(marker)
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number after {marker:?} in {text}"))
}

fn count(bands: &HashMap<(String, String), usize>, label: &str, risk: &str) -> usize {
    bands
        .get(&(label.to_owned(), risk.to_owned()))
        .copied()
        .unwrap_or(0)
}

#[test]
fn a_linkedin_export_zip_and_folder_find_the_planted_approaches() {
    let dir = tempfile::tempdir().unwrap();
    for zip in [false, true] {
        let (path, labels) = export(dir.path(), if zip { "export.zip" } else { "export" }, zip);
        let out = forewarn()
            .arg("scan")
            .arg(&path)
            .arg("--json")
            .assert()
            .code(1)
            .get_output()
            .clone();
        let verdicts = verdicts(&out.stdout);
        let (bands, unjudged) = score(&verdicts, &labels, "conversation_id");
        assert_eq!(unjudged, 0, "every conversation is judged");
        let hostile_flagged = count(&bands, "hostile", "high") + count(&bands, "hostile", "medium");
        assert!(hostile_flagged * 10 >= 40 * 9, "{bands:?}");
        let innocent = 1500 - 40;
        let innocent_high = count(&bands, "benign", "high") + count(&bands, "ordinary", "high");
        assert!(innocent_high * 50 <= innocent, "{bands:?}");
        // Every verdict follows the contract and points to its source.
        for v in &verdicts {
            assert!(v["risk"].is_string() && v["score"].is_number() && v["signals"].is_array());
            assert_eq!(v["source"]["file"], "messages.csv", "{v}");
            assert!(v["source"]["conversation_id"].is_string());
        }
    }
}

#[test]
fn the_terminal_summary_counts_bands_and_shows_sources_without_styles() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = export(dir.path(), "export", false);
    let out = forewarn()
        .arg("scan")
        .arg(&path)
        .args(["--top", "1"])
        .assert()
        .code(1)
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains("approach(es) checked on this machine"),
        "{text}"
    );
    assert!(text.contains("high risk: "), "{text}");
    assert!(text.contains("HIGH RISK"), "{text}");
    assert!(text.contains("(messages.csv, from "), "{text}");
    assert!(
        !text.contains('\u{1b}'),
        "no styles or progress bar on a pipe"
    );
    assert!(String::from_utf8(out.stderr).unwrap().is_empty());
}

#[test]
fn scan_opens_no_network_connection() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = export(dir.path(), "export.zip", true);
    let normal = forewarn()
        .arg("scan")
        .arg(&path)
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    // The same binary in a network namespace with no interface at all.
    let bin = assert_cmd::cargo::cargo_bin("forewarn");
    let isolated = std::process::Command::new("unshare")
        .args(["--net", "--map-root-user"])
        .arg(&bin)
        .arg("scan")
        .arg(&path)
        .arg("--json")
        .env("FOREWARN_DATA_DIR", dir.path().join("no-store"))
        .env("NO_COLOR", "1")
        .output();
    match isolated {
        Ok(out) if out.status.code() == Some(1) => assert_eq!(out.stdout, normal),
        Ok(out) => println!(
            "skipped: `unshare --net` is not allowed here: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ),
        Err(e) => println!("skipped: unshare cannot run: {e}"),
    }
}

#[test]
fn keep_stores_flagged_findings_and_keep_all_stores_everything() {
    let dir = tempfile::tempdir().unwrap();
    let (path, _) = export(dir.path(), "export", false);
    let store = dir.path().join("store");
    let flagged = forewarn()
        .arg("scan")
        .arg(&path)
        .arg("--keep")
        .arg("--data-dir")
        .arg(&store)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let text = String::from_utf8(flagged).unwrap();
    let high = number_after(&text, "high risk: ");
    let medium = number_after(&text, "medium risk: ");
    let hunt = forewarn()
        .arg("hunt")
        .arg("--data-dir")
        .arg(&store)
        .assert()
        .code(0)
        .get_output()
        .stderr
        .clone();
    assert!(String::from_utf8_lossy(&hunt).contains(&format!("re-checked {} kept", high + medium)));
    let all = forewarn()
        .arg("scan")
        .arg(&path)
        .arg("--keep-all")
        .arg("--data-dir")
        .arg(&store)
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let all = String::from_utf8(all).unwrap();
    let judged = number_after(&all, "): ");
    assert!(judged >= 1500, "{all}");
    let hunt = forewarn()
        .arg("hunt")
        .arg("--data-dir")
        .arg(&store)
        .assert()
        .code(0)
        .get_output()
        .stderr
        .clone();
    assert!(
        String::from_utf8_lossy(&hunt).contains(&format!("re-checked {judged} kept")),
        "{}",
        String::from_utf8_lossy(&hunt)
    );
}

/// A small export written by hand: the member, one hostile conversation
/// whose content tries to inject markup, and the given extra rows.
fn hand_export(dir: &Path, extra: &[u8]) -> PathBuf {
    let root = dir.join("hand");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(
        root.join("Profile.csv"),
        "First Name,Last Name,Headline\nAlex,Morgan,MP\n",
    )
    .unwrap();
    let mut messages = b"\xef\xbb\xbfCONVERSATION ID,CONVERSATION TITLE,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,SUBJECT,CONTENT,FOLDER\r\n".to_vec();
    messages.extend_from_slice(
        "2-abc,,Mallory <script>document.title='pwned'</script>,https://www.linkedin.com/in/mallory-x,Alex Morgan,https://www.linkedin.com/in/alex,2025-01-02 10:00:00 UTC,,\"Our client pays $5,000 in bitcoin for non-public insights.\r\nAdd me on WeChat, keep this between us. <img src=x onerror=\"\"document.title='pwned'\"\"><script>document.title='pwned'</script>\",INBOX\r\n".as_bytes(),
    );
    messages.extend_from_slice(extra);
    std::fs::write(root.join("messages.csv"), messages).unwrap();
    root
}

#[test]
fn the_html_report_escapes_everything_and_needs_nothing_outside() {
    let dir = tempfile::tempdir().unwrap();
    let root = hand_export(dir.path(), b"");
    let html = dir.path().join("report.html");
    forewarn()
        .arg("scan")
        .arg(&root)
        .arg("--html")
        .arg(&html)
        .assert()
        .code(1);
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("Content-Security-Policy"));
    assert!(!page.contains("<script"), "no script of any kind");
    assert!(!page.contains("<img"), "no element from content");
    assert!(page.contains("&lt;script&gt;document.title='pwned'&lt;/script&gt;"));
    assert!(page.contains("2-abc"));
    for element in ["<img", "<link", "<iframe", "<object", "<embed", "url("] {
        assert!(!page.contains(element), "no external resource: {element}");
    }
    // In a real browser, nothing from the content runs.
    let Some(chromium) = ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|b| {
            std::process::Command::new(b)
                .arg("--version")
                .output()
                .is_ok_and(|o| o.status.success())
        })
    else {
        println!("skipped the browser check: no chromium installed (apt-get install chromium)");
        return;
    };
    let profile = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--virtual-time-budget=2000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(format!("file://{}", html.display()))
        .output()
        .unwrap();
    let dom = String::from_utf8_lossy(&out.stdout);
    assert!(dom.contains("<title>forewarn scan report</title>"), "{dom}");
    assert!(
        !dom.contains("pwned</title>"),
        "a script from the content ran"
    );
    assert!(!dom.contains("<script"), "{dom}");
    assert!(
        dom.contains("HIGH RISK") || dom.contains("high risk"),
        "{dom}"
    );
}

fn zip_with(entries: &[(&str, &[u8])], method: zip::CompressionMethod) -> Vec<u8> {
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let options = zip::write::SimpleFileOptions::default().compression_method(method);
        for (name, bytes) in entries {
            z.start_file(*name, options).unwrap();
            z.write_all(bytes).unwrap();
        }
        z.finish().unwrap();
    }
    buf.into_inner()
}

const MESSAGES: &[u8] = b"CONVERSATION ID,FROM,SENDER PROFILE URL,TO,DATE,CONTENT\n2-a,Sam Lee,https://www.linkedin.com/in/sam-lee,Alex Morgan,2025-01-02 10:00:00 UTC,Hello\n";

fn scan_bytes(dir: &Path, name: &str, bytes: &[u8]) -> std::process::Output {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    forewarn().arg("scan").arg(&path).output().unwrap()
}

#[test]
fn a_zip_bomb_ends_in_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let zeros = vec![b'0'; 16 << 20];
    let bomb = zip_with(
        &[("messages.csv", &zeros)],
        zip::CompressionMethod::Deflated,
    );
    assert!(bomb.len() < 200_000);
    let out = scan_bytes(dir.path(), "bomb.zip", &bomb);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("zip bomb"), "{err}");
}

#[test]
fn unsafe_zip_entries_are_skipped_and_counted() {
    let dir = tempfile::tempdir().unwrap();
    let archive = zip_with(
        &[
            ("messages.csv", MESSAGES),
            ("../evil.csv", b"x"),
            // Written with a placeholder, made absolute below: zip writers
            // refuse absolute names.
            ("Xetc/passwd", b"x"),
            ("sub/../../escape.csv", b"x"),
        ],
        zip::CompressionMethod::Stored,
    );
    let mut archive = archive;
    while let Some(pos) = archive.windows(11).position(|w| w == b"Xetc/passwd") {
        archive[pos] = b'/';
    }
    let out = scan_bytes(dir.path(), "paths.zip", &archive);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("skipped: 3 item(s)"), "{text}");
    assert!(text.contains("outside the archive"), "{text}");
    assert!(text.contains("1 approach(es) checked"), "{text}");
}

#[test]
fn an_encrypted_messages_file_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = zip_with(
        &[("messages.csv", MESSAGES)],
        zip::CompressionMethod::Stored,
    );
    // Mark the entry encrypted: bit 0 of the flags, in the local and the
    // central header.
    for (sig, at) in [(b"PK\x03\x04", 6), (b"PK\x01\x02", 8)] {
        let pos = archive.windows(4).position(|w| w == sig).unwrap();
        archive[pos + at] |= 1;
    }
    let out = scan_bytes(dir.path(), "locked.zip", &archive);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("encrypted"), "{err}");
}

#[test]
fn a_symlinked_messages_file_is_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("export");
    std::fs::create_dir_all(&root).unwrap();
    std::fs::write(dir.path().join("outside.csv"), MESSAGES).unwrap();
    std::os::unix::fs::symlink(dir.path().join("outside.csv"), root.join("messages.csv")).unwrap();
    std::fs::write(
        root.join("Connections.csv"),
        "First Name,Last Name,Connected On\n",
    )
    .unwrap();
    let out = forewarn().arg("scan").arg(&root).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("symbolic link"), "{err}");
}

#[test]
fn broken_csv_is_read_around_with_counts() {
    let dir = tempfile::tempdir().unwrap();
    let mut extra = Vec::new();
    // Windows-1252, not UTF-8.
    extra.extend_from_slice(b"2-w,,Ren\xe9e Dubois,https://www.linkedin.com/in/renee-d,Alex Morgan,,2025-01-03 10:00:00 UTC,,Caf\xe9 next week?,INBOX\r\n");
    // A field over the 1 MiB limit.
    extra.extend_from_slice(b"2-h,,Huge Field,https://www.linkedin.com/in/huge,Alex Morgan,,2025-01-03 10:00:00 UTC,,\"");
    extra.extend(std::iter::repeat_n(b'y', 2 << 20));
    extra.extend_from_slice(b"\",INBOX\r\n");
    extra.extend_from_slice(b"2-z,,Zed Last,https://www.linkedin.com/in/zed,Alex Morgan,,2025-01-04 10:00:00 UTC,,See you soon,INBOX\r\n");
    // Broken quoting swallows the rest of the file into one field.
    extra.extend_from_slice(
        b"2-q,,Quote Broken,,Alex Morgan,,2025-01-05 10:00:00 UTC,,\"never closed,INBOX\r\n",
    );
    let root = hand_export(dir.path(), &extra);
    let out = forewarn()
        .arg("scan")
        .arg(&root)
        .arg("--json")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let verdicts = verdicts(&out.stdout);
    let ids: Vec<&str> = verdicts.iter().filter_map(|v| v["id"].as_str()).collect();
    assert!(
        ids.contains(&"2-w") && ids.contains(&"2-z") && ids.contains(&"2-abc"),
        "{ids:?}"
    );
    assert!(!ids.contains(&"2-h"));
    let text = forewarn().arg("scan").arg(&root).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("skipped: 1 item(s)"), "{text}");
    assert!(text.contains("over the limit"), "{text}");
}

#[test]
fn what_is_not_an_export_or_mailbox_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = scan_bytes(dir.path(), "notes.txt", b"just some notes\n");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a LinkedIn data export"));
    let out = forewarn()
        .arg("scan")
        .arg(dir.path().join("missing"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn help_says_scan_stays_on_this_machine() {
    let out = forewarn()
        .args(["scan", "--help"])
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    assert!(String::from_utf8_lossy(&out).contains("opens no network connection"));
}

#[test]
fn scan_json_of_the_example_export_is_stable() {
    let out = forewarn()
        .args([
            "scan",
            "examples/linkedin-export",
            "--json",
            "--as-of",
            "2026-01-01",
        ])
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    common::golden(
        "scan-example-export.jsonl",
        &String::from_utf8(out).unwrap(),
    );
}

#[test]
fn the_generator_writes_the_same_bytes_for_the_same_seed() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = export(dir.path(), "a.zip", true);
    let (b, _) = export(dir.path(), "b.zip", true);
    assert_eq!(std::fs::read(a).unwrap(), std::fs::read(b).unwrap());
    let mbox = |name: &str| {
        let path = dir.path().join(name);
        forewarn()
            .args(["testdata", "mbox"])
            .arg(&path)
            .args(["--messages", "300", "--seed", "3"])
            .assert()
            .success();
        std::fs::read(path).unwrap()
    };
    assert_eq!(mbox("a.mbox"), mbox("b.mbox"));
}

#[test]
fn a_generated_mbox_finds_the_planted_approaches_by_message_id() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mail.mbox");
    forewarn()
        .args(["testdata", "mbox"])
        .arg(&path)
        .args([
            "--messages",
            "600",
            "--hostile",
            "20",
            "--benign",
            "20",
            "--seed",
            "5",
        ])
        .assert()
        .success();
    let labels = labels(&dir.path().join("mail.mbox.labels.jsonl"), "message_id");
    let out = forewarn()
        .arg("scan")
        .arg(&path)
        .arg("--json")
        .assert()
        .code(1)
        .get_output()
        .stdout
        .clone();
    let verdicts = verdicts(&out);
    let (bands, unjudged) = score(&verdicts, &labels, "message_id");
    assert_eq!(unjudged, 0);
    assert!(
        count(&bands, "hostile", "high") + count(&bands, "hostile", "medium") >= 18,
        "{bands:?}"
    );
    assert!(
        count(&bands, "benign", "high") + count(&bands, "ordinary", "high") <= 11,
        "{bands:?}"
    );
    assert!(
        verdicts
            .iter()
            .all(|v| v["source"]["file"] == "mail.mbox" && v["source"]["offset"].is_number())
    );
}
