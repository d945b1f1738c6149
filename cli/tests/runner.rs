//! `cors-harness run` end to end: real browsers, real fixtures, exit codes and formats.
//!
//! Needs what the README's test command installs: Chromium and chromedriver, Firefox
//! and geckodriver, WebKitGTK's WebKitWebDriver and Xvfb, and the wasm toolchain.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cors_harness, fixtures, free_port, text, Running, TempDir};
use serde_json::Value;

/// The agreement suite's fixtures: ports 9281-9285, page origin 47081 (as in agreement.json).
const BASE: u16 = 9281;
const ORIGIN: &str = "http://127.0.0.1:47081";

/// Each test has its own fixture ports, so the tests can run in parallel.
fn start_fixtures(base: u16, origin: &str) -> Running {
    fixtures(base, origin)
}

/// Five cases, one per outcome, against fixtures on `base`.
fn small_suite(base: u16) -> String {
    SMALL_SUITE
        .replace("9281", &base.to_string())
        .replace("9284", &(base + 3).to_string())
        .replace("9285", &(base + 4).to_string())
}

const SMALL_SUITE: &str = r#"{
  "name": "small",
  "cases": [
    { "id": "allowed", "url": "http://127.0.0.1:9281/cors/permissive/notes", "expect": { "status": 200, "readable_headers": ["x-total-count"] } },
    { "id": "cookie", "url": "http://127.0.0.1:9281/serverless/gateway/notes", "credentials": "include", "expect": "blocked" },
    { "id": "dead", "url": "http://127.0.0.1:9285/", "expect": "unreachable" },
    { "id": "hangs", "url": "http://127.0.0.1:9284/", "timeout_ms": 500, "expect": "timeout" },
    { "id": "relative", "url": "notes", "expect": "invalid" }
  ]
}"#;

#[test]
fn chromium_agrees_with_itself_on_every_fixture_route() {
    let _fixtures = start_fixtures(BASE, ORIGIN);
    let dir = TempDir::new("agreement");
    let out = dir.path("results.json");
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/agreement.json");
    let output = cors_harness(&[
        "run",
        suite,
        "--browser",
        "chromium",
        "--origin",
        ORIGIN,
        "--format",
        "json",
        "--out",
        &out,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["origin"], ORIGIN);
    assert!(report["browser"].as_str().unwrap().starts_with("Chromium "), "{}", report["browser"]);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 68);
    let cookie = results.iter().find(|r| r["id"] == "gateway-cookie").unwrap();
    assert_eq!(cookie["reason"], "WildcardOriginNotAllowed");
    assert_eq!(cookie["reason_source"], "browser");
    let method = results.iter().find(|r| r["id"] == "exact-delete").unwrap();
    assert_eq!(method["failed_parameter"], "DELETE");
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("68 passed, 0 failed"),
        "{}",
        text(&output)
    );
}

#[test]
fn exit_codes_and_formats() {
    let _fixtures = start_fixtures(9311, "http://127.0.0.1:47082");
    let dir = TempDir::new("formats");
    let passing = dir.file("pass.json", &small_suite(9311));
    let failing = dir.file(
        "fail.json",
        &small_suite(9311).replace(r#""expect": "blocked""#, r#""expect": "allowed""#),
    );

    let output = cors_harness(&["run", &passing, "--origin", "http://127.0.0.1:47082"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("5 passed, 0 failed"), "{}", text(&output));
    assert!(
        stdout.contains("unreachable") && stdout.contains("timeout") && stdout.contains("invalid")
    );

    let junit = dir.path("junit.xml");
    let output = cors_harness(&[
        "run",
        &failing,
        "--origin",
        "http://127.0.0.1:47082",
        "--format",
        "junit",
        "--out",
        &junit,
    ]);
    assert_eq!(output.status.code(), Some(1), "{}", text(&output));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<testcase ").count(), 5, "{xml}");
    assert_eq!(xml.matches("<failure ").count(), 1, "{xml}");
    assert!(xml.contains("expected: allowed\nactual: blocked"), "{xml}");
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains("FAIL cookie: expected allowed, got blocked"));

    // JSON on standard output when there is no --out; the table goes to standard error.
    let output = cors_harness(&["run", &passing, "--format", "json", "--concurrency", "3"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    let outcomes: Vec<&str> = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["outcome"].as_str().unwrap())
        .collect();
    assert_eq!(outcomes, ["allowed", "blocked", "unreachable", "timeout", "invalid"]);
    assert_eq!(report["summary"]["passed"], 5);
    for key in [
        "status",
        "headers",
        "body",
        "redirected",
        "final_url",
        "preflight",
        "dropped_headers",
        "reason",
        "reason_source",
        "error",
        "elapsed_ms",
        "expect",
        "pass",
        "why",
    ] {
        assert!(report["results"][0].get(key).is_some(), "result lacks {key}");
    }
    assert!(String::from_utf8_lossy(&output.stderr).contains("5 passed, 0 failed"));
}

#[test]
fn usage_and_infrastructure_errors_exit_2_with_a_message() {
    let dir = TempDir::new("errors");
    let good = dir.file("good.json", &small_suite(9321));
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["run".into(), dir.path("missing.json")], "cannot read"),
        (vec!["run".into(), dir.file("bad.json", "{ not json")], "not valid JSON"),
        (
            vec!["run".into(), dir.file("top.json", r#"{"cases": [], "extra": 1}"#)],
            "unknown field `extra`",
        ),
        (
            vec!["run".into(), good.clone(), "--origin".into(), "https://127.0.0.1:1".into()],
            "--origin must be an http:// origin",
        ),
        (
            vec!["run".into(), good.clone(), "--concurrency".into(), "0".into()],
            "--concurrency must be at least 1",
        ),
        (
            vec![
                "run".into(),
                good.clone(),
                "--chromedriver".into(),
                "/nonexistent/chromedriver".into(),
            ],
            "cannot start /nonexistent/chromedriver",
        ),
        (
            vec![
                "run".into(),
                good.clone(),
                "--webdriver".into(),
                format!("http://127.0.0.1:{}", free_port()),
            ],
            "cannot start a chromium session",
        ),
        (
            vec!["run".into(), good.clone(), "--browser".into(), "opera".into()],
            "invalid value 'opera'",
        ),
    ];
    for (args, message) in cases {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let output = cors_harness(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}\n{}", text(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(message),
            "{args:?} should say {message:?}\n{}",
            text(&output)
        );
    }
    // A busy page port.
    let busy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let origin = format!("http://127.0.0.1:{}", busy.local_addr().unwrap().port());
    let output = cors_harness(&["run", &good, "--origin", &origin]);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    assert!(String::from_utf8_lossy(&output.stderr).contains("port busy"), "{}", text(&output));
}

#[test]
fn all_three_engines_side_by_side() {
    let _fixtures = start_fixtures(9331, "http://127.0.0.1:47083");
    let dir = TempDir::new("all");
    let suite = dir.file("suite.json", &small_suite(9331));
    let out = dir.path("all.json");
    let output = cors_harness(&[
        "run",
        &suite,
        "--browser",
        "all",
        "--origin",
        "http://127.0.0.1:47083",
        "--format",
        "json",
        "--out",
        &out,
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let reports: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    let browsers: Vec<&str> =
        reports.as_array().unwrap().iter().map(|r| r["browser"].as_str().unwrap()).collect();
    assert!(
        browsers[0].starts_with("Chromium ")
            && browsers[1].starts_with("Firefox ")
            && browsers[2].starts_with("WebKitGTK "),
        "{browsers:?}"
    );
    for report in reports.as_array().unwrap() {
        assert_eq!(report["summary"]["passed"], 5, "{}", report["browser"]);
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("0 case(s) differ between browsers"), "{}", text(&output));
    assert!(stdout.contains("15 passed, 0 failed"), "{}", text(&output));
}

#[test]
fn an_existing_webdriver_endpoint() {
    let _fixtures = start_fixtures(9341, "http://127.0.0.1:47084");
    let port = free_port();
    let chromedriver = std::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let _chromedriver = Running(chromedriver);
    common::wait_for_port(port);
    let dir = TempDir::new("remote");
    let suite = dir.file("suite.json", &small_suite(9341));
    let webdriver = format!("http://127.0.0.1:{port}");
    let output = cors_harness(&[
        "run",
        &suite,
        "--webdriver",
        &webdriver,
        "--origin",
        "http://127.0.0.1:47084",
        "--format",
        "json",
    ]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        report["results"][1]["reason"], "WildcardOriginNotAllowed",
        "Chromium's reasons come through the endpoint too"
    );
}
