//! `cors-harness run` end to end: real browsers, real fixtures, exit codes and formats.
//!
//! Needs what the README's test command installs: Chromium and chromedriver, Firefox
//! and geckodriver, WebKitGTK's WebKitWebDriver and Xvfb, and the wasm toolchain.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use common::{cors_harness, fixtures, free_port, http_get, text, Running, TempDir};
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

/// Runs the agreement suite with `args`; the exit code and the results JSON.
fn run_agreement(dir: &TempDir, name: &str, args: &[&str]) -> (std::process::Output, Value) {
    let out = dir.path(name);
    let suite = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/agreement.json");
    let mut all = vec!["run", suite, "--origin", ORIGIN, "--format", "json", "--out", &out];
    all.extend_from_slice(args);
    let output = cors_harness(&all);
    let report = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&output)));
    (output, report)
}

/// The reason Chromium gave each blocked case, as the agreement suite records it.
fn expected_reasons() -> Vec<(String, String)> {
    let suite: Value = serde_json::from_str(include_str!("agreement.json")).unwrap();
    suite["cases"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| {
            Some((c["id"].as_str()?.to_owned(), c["expect"]["reason"].as_str()?.to_owned()))
        })
        .collect()
}

fn result<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"].as_array().unwrap().iter().find(|r| r["id"] == id).unwrap()
}

/// One fixture set, the agreement suite run five ways: Chromium with its own reasons,
/// the harness alone (probe endpoint), Firefox with its console reasons, and the harness
/// alone without the probe endpoint (differential retries).
#[test]
fn chromium_agrees_with_itself_on_every_fixture_route() {
    let _fixtures = start_fixtures(BASE, ORIGIN);
    let dir = TempDir::new("agreement");
    let reasons = expected_reasons();
    assert!(reasons.len() >= 30, "the suite covers the reasons");

    // 1. Chromium: its own reasons win; the harness's agree with every one.
    let (output, report) = run_agreement(&dir, "chromium.json", &["--browser", "chromium"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert_eq!(report["origin"], ORIGIN);
    assert!(report["browser"].as_str().unwrap().starts_with("Chromium "), "{}", report["browser"]);
    let results = report["results"].as_array().unwrap();
    assert_eq!(results.len(), 68);
    let cookie = result(&report, "gateway-cookie");
    assert_eq!(cookie["reason"], "WildcardOriginNotAllowed");
    assert_eq!(cookie["reason_source"], "browser");
    assert_eq!(cookie["firefox_reason"], "CORSNotSupportingCredentials");
    assert!(cookie["diagnosis"]["fix"]["summary"]
        .as_str()
        .unwrap()
        .contains("Access-Control-Allow-Credentials: true"));
    assert_eq!(result(&report, "exact-delete")["failed_parameter"], "DELETE");
    for r in results {
        assert_eq!(r["disagreement"], Value::Null, "{}", r);
        if r["outcome"] == "blocked" {
            assert_eq!(r["harness_reason"], r["browser_reason"], "{}", r["id"]);
            // Replays carry no cookies: exact only without credentials.
            let credentialed = r["diagnosis"]["note"]
                .as_str()
                .unwrap_or("")
                .contains("without the page's cookies");
            let confidence = if credentialed { "likely" } else { "exact" };
            assert_eq!(r["diagnosis"]["confidence"], confidence, "{}", r["id"]);
        }
    }
    let token = result(&report, "gateway-token");
    let warnings: Vec<&str> =
        token["warnings"].as_array().unwrap().iter().filter_map(|w| w["code"].as_str()).collect();
    assert_eq!(warnings, ["wildcard-origin", "authorization-via-wildcard"]);
    assert!(
        String::from_utf8_lossy(&output.stdout).contains("68 passed, 0 failed"),
        "{}",
        text(&output)
    );

    // 2. The harness alone, with the probe endpoint: every reason is Chromium's own.
    let (output, report) = run_agreement(
        &dir,
        "harness.json",
        &["--browser", "chromium", "--reason-source", "harness"],
    );
    assert_eq!(output.status.code(), Some(0), "every expected reason held: {}", text(&output));
    for (id, reason) in &reasons {
        let r = result(&report, id);
        assert_eq!(
            (r["reason"].as_str(), r["reason_source"].as_str()),
            (Some(reason.as_str()), Some("harness")),
            "{id}"
        );
        assert_eq!(r["browser_reason"], Value::Null, "{id}: no browser log read");
    }
    let steps =
        result(&report, "gateway-cookie-token")["exchange"]["steps"].as_array().unwrap().len();
    assert_eq!(steps, 1, "the failed preflight is the whole exchange");
    assert_eq!(
        result(&report, "redirect-dead")["outcome"],
        "unreachable",
        "the exchange corrects the in-page probe"
    );

    // 3. Firefox: its console's keys, and the harness's Firefox keys agree with them.
    let (output, report) = run_agreement(&dir, "firefox.json", &["--browser", "firefox"]);
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let mut logged = 0;
    for (id, reason) in &reasons {
        let r = result(&report, id);
        assert_eq!(r["reason"].as_str(), Some(reason.as_str()), "{id}: the same reason in Firefox");
        assert_eq!(r["disagreement"], Value::Null, "{id}: {}", r);
        if let Some(key) = r["browser_reason"].as_str() {
            logged += 1;
            assert_eq!(r["firefox_reason"], key, "{id}");
            assert_eq!(r["diagnosis"]["firefox_reason"], key, "{id}: the evaluator's Firefox key");
        }
    }
    // Firefox says nothing specific for a redirect to user:pw@ (only the generic key).
    assert!(logged >= reasons.len() - 1, "Firefox logged {logged} of {} reasons", reasons.len());

    // 4. No probe endpoint: differential retries. A reason, when named, is Chromium's;
    //    otherwise the family is right (a redirect chain is reported as such).
    let (_, report) = run_agreement(
        &dir,
        "differential.json",
        &[
            "--browser",
            "chromium",
            "--reason-source",
            "harness",
            "--exchange",
            "replay",
            "--no-probe-endpoint",
        ],
    );
    let mut named = 0;
    for (id, reason) in &reasons {
        let r = result(&report, id);
        assert_eq!(r["outcome"], "blocked", "{id}");
        assert_eq!(r["diagnosis"]["method"], "differential", "{id}");
        assert_eq!(r["exchange"], Value::Null, "{id}");
        if let Some(ours) = r["reason"].as_str() {
            named += 1;
            assert_eq!(ours, reason, "{id}: a named reason must be Chromium's");
        }
        let error = cors_harness::cors::CorsError::from_name(reason).unwrap();
        let expected = serde_json::to_value(error.family()).unwrap();
        let redirect = result(&report, id)["url"].as_str().unwrap().contains("/redirect");
        let got = &r["diagnosis"]["family"];
        // "The preflight failed" is the parent of every failure found on the preflight.
        let parent = got == "preflight" && error.is_preflight();
        assert!(
            *got == expected || parent || (redirect && got == "redirect"),
            "{id}: {} vs {expected}",
            r["diagnosis"]
        );
    }
    assert!(named >= 4, "the method and header cases are named ({named})");
}

/// The messages of a report's exchanges that reached the fixtures' HTTP servers (A and B
/// on `base` and `base + 1`) for cache-busted case URLs.
fn answered_steps_at(report: &Value, base: u16) -> usize {
    let servers = [format!("127.0.0.1:{base}/"), format!("127.0.0.1:{}/", base + 1)];
    let steps = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|r| r["exchange"]["steps"].as_array().cloned().unwrap_or_default());
    steps
        .filter(|s| !s["response"].is_null())
        .filter(|s| {
            let url = s["request"]["url"].as_str().unwrap();
            url.contains("__cors_harness=") && servers.iter().any(|server| url.contains(server))
        })
        .count()
}

/// The exchange read from the browser's own events repeats nothing: the fixtures see
/// exactly the messages of the reported exchanges, where the replay sends each one again.
/// The verdicts and the harness's reasons are the same either way.
#[test]
fn the_browsers_own_exchange_repeats_no_request() {
    const OBSERVED_BASE: u16 = 9470;
    // Its own page origin: the other tests' runs serve theirs at the same time.
    const OBSERVED_ORIGIN: &str = "http://127.0.0.1:47091";
    let _fixtures = start_fixtures(OBSERVED_BASE, OBSERVED_ORIGIN);
    let dir = TempDir::new("observed");
    let mut suite =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/agreement.json"))
            .unwrap();
    for offset in 0..5 {
        let port = |base: u16| format!("127.0.0.1:{}", base + offset);
        suite = suite.replace(&port(BASE), &port(OBSERVED_BASE));
    }
    let path = dir.path("agreement.json");
    std::fs::write(&path, suite).unwrap();
    let count = || {
        let log = http_get(OBSERVED_BASE, "/__log?contains=__cors_harness%3D");
        serde_json::from_str::<Value>(&log).unwrap().as_array().unwrap().len()
    };
    for browser in ["chromium", "firefox"] {
        let mut reports = Vec::new();
        let mut sent = Vec::new();
        for exchange in ["browser", "replay"] {
            let before = count();
            let out = dir.path(&format!("{browser}-{exchange}.json"));
            let output = cors_harness(&[
                "run",
                &path,
                "--origin",
                OBSERVED_ORIGIN,
                "--browser",
                browser,
                "--reason-source",
                "harness",
                "--exchange",
                exchange,
                "--format",
                "json",
                "--out",
                &out,
            ]);
            assert_eq!(output.status.code(), Some(0), "{browser} {exchange}: {}", text(&output));
            sent.push(count() - before);
            let report: Value =
                serde_json::from_str(&std::fs::read_to_string(out).unwrap()).unwrap();
            reports.push(report);
        }
        let (observed, replayed) = (&reports[0], &reports[1]);
        let on_the_wire = answered_steps_at(observed, OBSERVED_BASE);
        println!(
            "{browser}: requests at the fixtures: {} with the browser's exchange, {} with the replay ({:.2}x)",
            sent[0],
            sent[1],
            sent[1] as f64 / sent[0] as f64
        );
        assert_eq!(
            sent[0], on_the_wire,
            "{browser}: only the browser's own messages reach the server"
        );
        assert!(sent[1] > sent[0], "{browser}: the replay repeats requests ({sent:?})");
        for r in observed["results"].as_array().unwrap() {
            let id = r["id"].as_str().unwrap();
            let other = result(replayed, id);
            assert_eq!(r["outcome"], other["outcome"], "{browser} {id}");
            assert_eq!(r["reason"], other["reason"], "{browser} {id}");
            if r["outcome"] == "blocked" && !r["exchange"].is_null() {
                assert_eq!(r["diagnosis"]["method"], "observed", "{browser} {id}");
                assert_eq!(r["diagnosis"]["confidence"], "exact", "{browser} {id}");
            }
        }
    }
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
            "browsers refuse to load anything from port 1",
        ),
        (
            vec!["run".into(), good.clone(), "--origin".into(), "ftp://127.0.0.1:2121".into()],
            "scheme ftp: is not http: or https:",
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
