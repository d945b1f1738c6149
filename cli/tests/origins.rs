//! The page served as the user's origin: an https app origin calling same-site and
//! cross-site https APIs (names mapped with --resolve, certificates from a CA this test
//! makes), a plain-http API (mixed content) and the loopback exemptions, an untrusted
//! certificate, a dead port, the `null` origin, an http origin, and Local Network Access,
//! in Chromium, Firefox and WebKit. Fixtures on ports 9860-9867 and 9890-9897.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::{Command, Stdio};

use common::{cors_harness, text, wait_for_port, Running, TempDir, BIN};
use serde_json::Value;

const BASE: u16 = 9860;
/// The second test's fixtures (tests run in parallel).
const BASE_2: u16 = 9890;
const APP: &str = "https://app.example.test";

fn https_fixtures(dir: &TempDir, base: u16) -> Running {
    let child = Command::new(BIN)
        .args(["fixtures", "--base-port", &base.to_string()])
        .args(["--page-origin", APP, "--page-origin", "null"])
        .args(["--tls-dir", &dir.path("fixtures"), "--tls-name", "api.example.test"])
        .args(["--tls-name", "api.other.test"])
        .stdout(Stdio::null())
        .spawn()
        .expect("the fixtures start");
    let running = Running(child);
    wait_for_port(base + 7);
    running
}

/// `--resolve` for every fixture port under both API names.
fn resolves() -> Vec<String> {
    let mut args = Vec::new();
    for port in (BASE..BASE + 8).chain(BASE_2..BASE_2 + 8) {
        for host in ["api.example.test", "api.other.test"] {
            args.push("--resolve".to_owned());
            args.push(format!("{host}:{port}:127.0.0.1"));
        }
    }
    args
}

fn url(host: &str, offset: u16, path: &str) -> String {
    url_at(BASE, host, offset, path)
}

fn url_at(base: u16, host: &str, offset: u16, path: &str) -> String {
    let scheme = if (5..8).contains(&offset) { "https" } else { "http" };
    format!("{scheme}://{host}:{}{path}", base + offset)
}

fn matrix_suite() -> String {
    let same = |p: &str| url("api.example.test", 5, p);
    let cross = |p: &str| url("api.other.test", 6, p);
    serde_json::json!({
        "name": "https app origin",
        "defaults": { "timeout_ms": 4000 },
        "replay_unsafe": true,
        "cases": [
            { "id": "same-site exact", "url": same("/cors/exact/notes"), "expect": "allowed" },
            { "id": "cross-site permissive", "url": cross("/cors/permissive/notes") },
            { "id": "cross-site wildcard with credentials", "url": cross("/serverless/gateway/notes"), "credentials": "include" },
            { "id": "preflight PUT not allowed", "url": same("/cors/exact/notes"), "method": "PUT", "body": "{}" },
            { "id": "http API: mixed content", "url": url("api.example.test", 0, "/cors/permissive/notes") },
            { "id": "http 127.0.0.1", "url": url("127.0.0.1", 0, "/cors/permissive/notes") },
            { "id": "http localhost", "url": url("localhost", 0, "/cors/permissive/notes") },
            { "id": "untrusted certificate", "url": url("api.example.test", 7, "/cors/permissive/notes") },
            { "id": "nothing listens", "url": format!("https://api.example.test:{}/x", BASE + 4) }
        ]
    })
    .to_string()
}

fn run(dir: &TempDir, name: &str, suite: &str, args: &[&str]) -> (std::process::Output, Value) {
    let suite_file = dir.file(&format!("{name}.suite.json"), suite);
    let out = dir.path(&format!("{name}.json"));
    let ca = dir.path("fixtures/ca.pem");
    let mut all: Vec<String> = vec!["run".into(), suite_file, "--ca-cert".into(), ca];
    all.extend(resolves());
    all.extend(args.iter().map(|a| (*a).to_owned()));
    all.extend(["--format".into(), "json".into(), "--out".into(), out.clone()]);
    let refs: Vec<&str> = all.iter().map(String::as_str).collect();
    let output = cors_harness(&refs);
    let report = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
        .unwrap_or(Value::Null);
    (output, report)
}

fn reports(value: &Value) -> Vec<&Value> {
    match value {
        Value::Array(many) => many.iter().collect(),
        one => vec![one],
    }
}

fn case<'a>(report: &'a Value, id: &str) -> &'a Value {
    report["results"]
        .as_array()
        .and_then(|r| r.iter().find(|r| r["id"] == id))
        .unwrap_or_else(|| panic!("no result {id} in {report}"))
}

#[test]
fn an_https_app_origin_in_every_engine() {
    let dir = TempDir::new("origins-matrix");
    let _fixtures = https_fixtures(&dir, BASE);
    let (output, value) = run(
        &dir,
        "all",
        &matrix_suite(),
        &["--origin", APP, "--browser", "all", "--parallel", "3"],
    );
    let all = reports(&value);
    assert_eq!(all.len(), 3, "{}", text(&output));
    for report in &all {
        let browser = report["browser"].as_str().unwrap_or_default();
        let webkit = browser.starts_with("WebKit");
        assert_eq!(report["origin"], APP, "{browser}");
        assert_eq!(report["secure_context"], true, "{browser}: an https page is a secure context");
        let outcome =
            |id: &str| case(report, id)["outcome"].as_str().unwrap_or_default().to_owned();
        let expected = [
            ("same-site exact", "allowed"),
            ("cross-site permissive", "allowed"),
            ("cross-site wildcard with credentials", "blocked"),
            ("preflight PUT not allowed", "blocked"),
            ("http API: mixed content", "blocked"),
            // WebKitGTK refuses loopback http from an https page too (no exemption).
            ("http 127.0.0.1", if webkit { "blocked" } else { "allowed" }),
            ("http localhost", if webkit { "blocked" } else { "allowed" }),
            ("untrusted certificate", "unreachable"),
            ("nothing listens", "unreachable"),
        ];
        for (id, want) in expected {
            assert_eq!(outcome(id), want, "{browser}: {id}\n{}", case(report, id));
            assert_eq!(case(report, id)["origin"], APP, "{browser}: {id}");
        }
        let reason = |id: &str| case(report, id)["reason"].as_str().unwrap_or_default().to_owned();
        assert_eq!(reason("http API: mixed content"), "mixed-content", "{browser}");
        assert_eq!(
            reason("cross-site wildcard with credentials"),
            "WildcardOriginNotAllowed",
            "{browser}"
        );
        assert_eq!(
            reason("preflight PUT not allowed"),
            "MethodDisallowedByPreflightResponse",
            "{browser}"
        );
        if browser.starts_with("Chromium") {
            assert_eq!(case(report, "http API: mixed content")["reason_source"], "browser");
            assert_eq!(
                case(report, "untrusted certificate")["network_error"],
                "net::ERR_CERT_AUTHORITY_INVALID",
                "Chromium names the certificate error"
            );
        }
    }
    // The harness alone, from the https replay (as without a runner): exact reasons, mixed
    // content by the rules.
    let (output, harness) = run(
        &dir,
        "harness",
        &matrix_suite(),
        &["--origin", APP, "--reason-source", "harness", "--exchange", "replay"],
    );
    let report = reports(&harness)[0];
    for (id, reason) in [
        ("http API: mixed content", "mixed-content"),
        ("cross-site wildcard with credentials", "WildcardOriginNotAllowed"),
        ("preflight PUT not allowed", "MethodDisallowedByPreflightResponse"),
    ] {
        let r = case(report, id);
        assert_eq!(r["reason"], reason, "{id}: {}\n{}", r, text(&output));
        assert_eq!(r["reason_source"], "harness", "{id}");
        // Replayed without the page's cookies, a credentialed request's reason stays likely.
        let credentialed = id.contains("credentials");
        let confidence = if credentialed { "likely" } else { "exact" };
        assert_eq!(r["diagnosis"]["confidence"], confidence, "{id}: {}", r["diagnosis"]);
    }
    assert_eq!(case(report, "preflight PUT not allowed")["diagnosis"]["method"], "exchange");
    let fix = case(report, "http API: mixed content")["diagnosis"]["fix"]["summary"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    assert!(fix.contains(&format!("https://api.example.test:{BASE}")), "{fix}");
}

#[test]
fn null_and_http_origins_and_local_network_access() {
    let dir = TempDir::new("origins-lna");
    let _fixtures = https_fixtures(&dir, BASE_2);
    let http_app = format!("http://app.example.test:{}", BASE_2 + 9);
    let url = |host: &str, offset: u16, path: &str| url_at(BASE_2, host, offset, path);
    let suite = serde_json::json!({
        "name": "origins",
        "cases": [
            { "id": "exact list", "url": url("api.example.test", 5, "/cors/exact/notes") },
            { "id": "echo", "url": url("api.example.test", 5, "/cors/very-permissive/notes") }
        ]
    })
    .to_string();
    let (output, value) =
        run(&dir, "origins", &suite, &["--origin", "null", "--origin", &http_app, "--origin", APP]);
    let all = reports(&value);
    assert_eq!(all.len(), 3, "{}", text(&output));
    let by_origin = |origin: &str| {
        *all.iter().find(|r| r["origin"] == origin).unwrap_or_else(|| panic!("{origin}: {value}"))
    };
    assert_eq!(
        case(by_origin("null"), "exact list")["outcome"],
        "allowed",
        "the fixtures allow null"
    );
    assert_eq!(
        case(by_origin("null"), "echo")["body"].as_str().map(|b| b.contains("\"origin\":\"null\"")),
        Some(true)
    );
    let http = by_origin(&http_app);
    assert_eq!(case(http, "exact list")["outcome"], "blocked");
    // tower-http sends no Allow-Origin at all to an origin not on its list.
    assert_eq!(case(http, "exact list")["reason"], "MissingAllowOriginHeader");
    assert_eq!(http["secure_context"], false);
    assert_eq!(case(by_origin(APP), "exact list")["outcome"], "allowed");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("differ between origins"), "{}", text(&output));

    // A public website calling this machine meets Local Network Access (Chromium).
    let lna = serde_json::json!({
        "name": "lna",
        "cases": [
            { "id": "public API", "url": url("api.other.test", 6, "/cors/permissive/notes"), "expect": "allowed" },
            { "id": "loopback API", "url": url("127.0.0.1", 0, "/cors/permissive/notes"), "expect": "blocked" }
        ]
    })
    .to_string();
    let public = format!("127.0.0.1:{}=public", BASE_2 + 6);
    let (output, value) = run(
        &dir,
        "lna",
        &lna,
        &["--origin", APP, "--page-address-space", "public", "--ip-address-space", &public],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let loopback = case(reports(&value)[0], "loopback API");
    assert_eq!(loopback["reason"], "LocalNetworkAccessPermissionDenied", "{loopback}");
}

#[test]
fn bad_origin_options_are_usage_errors() {
    for (args, says) in [
        (vec!["--origin", "app.example.test"], "not a URL"),
        (vec!["--origin", "https://app.example.test/path"], "path"),
        (vec!["--resolve", "api.example.test:443"], "HOST:PORT:ADDR"),
        (vec!["--ip-address-space", "127.0.0.1=public"], "ADDR:PORT"),
        (vec!["--ca-cert", "/nonexistent/ca.pem"], "/nonexistent/ca.pem"),
    ] {
        let dir = TempDir::new("origins-usage");
        let suite = dir.file("s.json", r#"{"cases": [{"id": "a", "url": "http://127.0.0.1:1/"}]}"#);
        let mut all = vec!["run", suite.as_str()];
        all.extend(args.iter().copied());
        let output = cors_harness(&all);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {}", text(&output));
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(says),
            "{args:?}: {}",
            text(&output)
        );
    }
}
