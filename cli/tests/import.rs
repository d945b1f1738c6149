//! `import` and `check` end to end: DevTools samples imported, run in headless Chromium
//! against the fixtures, and the verdicts compared with what happened in the recording.
//! Ports: fixtures on 9410-9414, the page on 9409 (this worktree's range).
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cors_harness, fixtures, text, TempDir};
use serde_json::Value;

const BASE: u16 = 9410;
const PAGE: &str = "http://127.0.0.1:9409";

/// A sample with its recorded ports moved to this test's.
fn sample(name: &str) -> String {
    let path = format!("{}/../tests/import/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e}"))
        .replace("127.0.0.1:9181", &format!("127.0.0.1:{BASE}"))
        .replace("127.0.0.1:9182", &format!("127.0.0.1:{}", BASE + 1))
        .replace("127.0.0.1:9180", "127.0.0.1:9409")
}

/// What each sample's request did: allowed, or blocked (by the preflight, or for no CORS headers).
fn expected(id: &str) -> &'static str {
    match id {
        "GET /cors/permissive/notes" | "PUT /cors/reflect-credentials/notes/1" => "allowed",
        "GET /redirect/302/wildcard" => "allowed",
        "PUT /cors/exact/notes/1" | "GET /cors/none/notes" => "blocked",
        other => panic!("unexpected case {other}"),
    }
}

fn run_suite(dir: &TempDir, name: &str, suite: &str) -> Vec<(String, String)> {
    let results = dir.path(&format!("{name}.results.json"));
    let out =
        cors_harness(&["run", suite, "--origin", PAGE, "--format", "json", "--out", &results]);
    assert!(out.status.code() == Some(0) || out.status.code() == Some(1), "{}", text(&out));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&results).expect("results"))
        .expect("results JSON");
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap_or_default().to_owned(),
                r["outcome"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[test]
fn imported_samples_run_and_give_the_recorded_verdicts() {
    let _fixtures = fixtures(BASE, PAGE);
    let dir = TempDir::new("import-roundtrip");
    for name in [
        "chromium-fetch.js",
        "firefox-fetch.js",
        "chromium-curl-bash.sh",
        "chromium-curl-cmd.txt",
        "firefox-curl.sh",
        "chromium.har",
        "firefox.har",
    ] {
        let input = dir.file(name, &sample(name));
        let suite_path = dir.path(&format!("{name}.suite.json"));
        let out = cors_harness(&["import", &input, "--out", &suite_path]);
        assert_eq!(out.status.code(), Some(0), "{name}: {}", text(&out));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains("forbidden request headers"), "{name}: {stderr}");
        let suite: Value =
            serde_json::from_str(&std::fs::read_to_string(&suite_path).expect("suite"))
                .expect("JSON");
        assert_eq!(suite["origin"], PAGE, "{name}");
        let results = run_suite(&dir, name, &suite_path);
        let recorded_failures: Vec<&str> = suite["cases"]
            .as_array()
            .expect("cases")
            .iter()
            .filter(|c| c["description"].as_str().is_some_and(|d| d.contains("it failed")))
            .filter_map(|c| c["id"].as_str())
            .collect();
        assert!(results.len() >= 4, "{name}: {results:?}");
        for (id, outcome) in &results {
            assert_eq!(outcome, expected(id), "{name}: {id}");
            if name.ends_with(".har") && name.starts_with("chromium") {
                // Chromium's recording: failed there exactly when blocked here.
                assert_eq!(
                    recorded_failures.contains(&id.as_str()),
                    outcome == "blocked",
                    "{name}: {id}"
                );
            }
        }
    }
}

#[test]
fn check_answers_one_question_with_exit_codes() {
    let _fixtures = fixtures(BASE + 5, "http://127.0.0.1:9408");
    let api = format!("http://127.0.0.1:{}", BASE + 5);
    let origin = "http://127.0.0.1:9408";
    let out = cors_harness(&[
        "check",
        &format!("{api}/cors/exact/notes/1"),
        "-X",
        "PUT",
        "-H",
        "Content-Type: application/json",
        "-d",
        "{}",
        "--origin",
        origin,
    ]);
    let all = text(&out);
    assert_eq!(out.status.code(), Some(1), "{all}");
    assert!(all.contains(&format!("blocked: PUT {api}/cors/exact/notes/1 from {origin}")), "{all}");
    assert!(all.contains("reason: "), "{all}");
    assert!(all.contains("fix: "), "{all}");
    let command = format!(
        "curl '{api}/cors/reflect-credentials/notes' \\\n  -H 'Authorization: Bearer x' \\\n  -H 'Origin: {origin}' \\\n  -b 'sid=1'"
    );
    let out = cors_harness(&["check", "--curl", &command, "--origin", origin, "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    let reports: Value = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    assert_eq!(reports[0]["results"][0]["outcome"], "allowed");
    let out = cors_harness(&[
        "check",
        &format!("{api}/cors/none/x"),
        "--origin",
        origin,
        "--expect",
        "blocked",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out));
    assert_eq!(cors_harness(&["check"]).status.code(), Some(2));
    let out = cors_harness(&["check", "http://a.test/", "-H", "no colon"]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out));
}

#[test]
fn import_refuses_bad_input_naming_the_place() {
    let dir = TempDir::new("import-bad");
    let har = dir.file("v13.har", r#"{"log": {"version": "1.3", "entries": []}}"#);
    let out = cors_harness(&["import", &har]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("log.version is 1.3"), "{}", text(&out));
    let curl = dir.file("bad.sh", "curl 'http://a.test/' \\\n  -H 'x: 1\n");
    let out = cors_harness(&["import", &curl, "--from", "curl"]);
    assert!(text(&out).contains("line 2: unbalanced single quote"), "{}", text(&out));
    // A 200 MB file is refused before it is read.
    let big = dir.path("big.har");
    std::fs::File::create(&big).and_then(|f| f.set_len(200 * 1024 * 1024)).expect("sparse file");
    let out = cors_harness(&["import", &big]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out).contains("at most 64 MB"), "{}", text(&out));
}
