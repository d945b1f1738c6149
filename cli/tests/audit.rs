//! `cors-harness audit` against the fixtures' `/audit/*` routes over https, in Chromium,
//! Firefox and WebKit: every misconfiguration found with its kinds, nothing on the correct
//! configurations. One audit per engine covers every route (one session per origin).
//!
//! Ports 9500-9529 (fixtures on base..base+7 per engine) and 9330-9337.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeSet;
use std::process::{Command, Stdio};
use std::sync::Mutex;

use common::{text, wait_for_child_port, Running, TempDir, BIN};
use serde_json::Value;

/// One audit at a time: each already runs two browser sessions at once.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const LEGITIMATE: &str = "https://app.example.test";

/// Each route and the exact set of exploitable kinds the browser must show.
const EXPECTED: [(&str, &[&str]); 9] = [
    (
        "reflect",
        &[
            "arbitrary-origin",
            "null-origin",
            "prefix-match",
            "suffix-match",
            "subdomain",
            "insecure-scheme",
        ],
    ),
    ("null", &["null-origin"]),
    // endsWith("example.test"): other sites ending so, every subdomain, and the http twin.
    ("suffix", &["suffix-match", "subdomain", "insecure-scheme"]),
    ("prefix", &["prefix-match"]),
    ("http-twin", &["insecure-scheme"]),
    ("subdomain", &["subdomain"]),
    ("exact", &[]),
    ("public", &[]),
    ("wildcard-credentials", &[]),
];

/// The fixtures on `base..base+7` over https as `api.example.test` (CA in `dir/tls/ca.pem`).
fn https_fixtures(dir: &TempDir, base: u16) -> Running {
    let child = Command::new(BIN)
        .args(["fixtures", "--base-port", &base.to_string(), "--page-origin", LEGITIMATE])
        .args(["--tls-dir", &dir.path("tls"), "--tls-name", "api.example.test"])
        .stdout(Stdio::null())
        .spawn()
        .expect("the fixtures start");
    let mut fixtures = Running(child);
    wait_for_child_port(&mut fixtures, base + 5);
    fixtures
}

fn audit_in(browser: &str, base: u16) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new(&format!("audit-{browser}"));
    let tls = dir.path("tls");
    let fixtures = https_fixtures(&dir, base);
    let https = base + 5;
    let urls: Vec<String> = EXPECTED
        .iter()
        .map(|(route, _)| format!("https://api.example.test:{https}/audit/{route}/me"))
        .collect();
    let out = dir.path("audit.json");
    let resolve = format!("api.example.test:{https}:127.0.0.1");
    let mut args = vec!["audit"];
    args.extend(urls.iter().map(String::as_str));
    args.extend(["--origin", LEGITIMATE, "--resolve", &resolve, "--ca-cert"]);
    let ca = format!("{tls}/ca.pem");
    args.extend([ca.as_str(), "--browser", browser, "--format", "json", "--out", &out]);
    args.extend(["--cookie", "session=abc; SameSite=None; Secure"]);
    let output = Command::new(BIN).args(&args).output().expect("the binary runs");
    drop(fixtures);
    assert_eq!(output.status.code(), Some(1), "exploitable findings exit 1\n{}", text(&output));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).expect("the JSON"))
        .expect("valid JSON");
    let reports = json.as_array().expect("one report per target");
    assert_eq!(reports.len(), EXPECTED.len());
    for ((route, expected), report) in EXPECTED.iter().zip(reports) {
        let context = format!("{browser} /audit/{route}\n{}", text(&output));
        assert!(report["target"]
            .as_str()
            .unwrap_or_default()
            .contains(&format!("/audit/{route}/")));
        assert_eq!(report["origins"][0], LEGITIMATE);
        let findings = report["findings"].as_array().expect("findings");
        let not_run: Vec<&str> = report["information"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i["kind"] == "not-run")
            .filter_map(|i| i["origin"].as_str())
            .collect();
        // Every derived origin runs in every engine, `null` (a sandboxed page) included.
        assert_eq!(not_run, Vec::<&str>::new(), "{context}");
        assert_eq!(findings.len(), 10, "every origin ran: {context}");
        let kinds: BTreeSet<&str> = findings
            .iter()
            .filter(|f| f["exploitable"] == true)
            .filter_map(|f| f["kind"].as_str())
            .collect();
        let expected: BTreeSet<&str> = expected.iter().copied().collect();
        assert_eq!(kinds, expected, "{context}");
        for f in findings {
            let exploitable = f["exploitable"] == true;
            assert_eq!(
                f["fix"].is_object(),
                exploitable,
                "a fix with each exploitable finding: {f}"
            );
            assert_eq!(f["readable"].is_object(), exploitable, "{f}");
            if exploitable {
                assert_eq!(f["readable"]["status"], 200, "{f}");
                assert!(f["readable"]["body_length"].as_u64().unwrap_or(0) > 0, "{f}");
                let fix = f["fix"]["summary"].as_str().unwrap_or_default();
                assert!(fix.contains("Vary: Origin") && fix.contains(LEGITIMATE), "{fix}");
                assert_eq!(f["fix"]["snippets"].as_array().map(Vec::len), Some(4));
            }
        }
        let info: Vec<&str> = report["information"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|i| i["kind"].as_str())
            .collect();
        let public = info.contains(&"public");
        assert_eq!(
            public,
            matches!(*route, "reflect" | "public" | "wildcard-credentials"),
            "{info:?}: {context}"
        );
        let refused = info.contains(&"wildcard-with-credentials");
        assert_eq!(refused, *route == "wildcard-credentials", "{info:?}: {context}");
        assert!(info.contains(&"legitimate-origin"), "{context}");
    }
}

#[test]
fn chromium_finds_every_misconfiguration_and_nothing_else() {
    audit_in("chromium", 9500);
}

#[test]
fn firefox_finds_every_misconfiguration_and_nothing_else() {
    audit_in("firefox", 9510);
}

#[test]
fn webkit_finds_every_misconfiguration_and_nothing_else() {
    audit_in("webkit", 9520);
}

/// The `null` attacker is a sandboxed harness page: every engine must start it and send
/// `Origin: null` from it (the fixture echoes the request's `Origin`), and the route that
/// allows `null` with credentials must let it read.
#[test]
fn every_engine_sends_origin_null_from_the_sandboxed_page() {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let base = 9330;
    let dir = TempDir::new("audit-null");
    let fixtures = https_fixtures(&dir, base);
    let https = base + 5;
    let suite = serde_json::json!({
        "name": "null origin",
        "cases": [{
            "id": "allows null",
            "url": format!("https://api.example.test:{https}/audit/null/me"),
            "credentials": "include"
        }]
    });
    let suite = dir.file("null.suite.json", &suite.to_string());
    let out = dir.path("null.json");
    let resolve = format!("api.example.test:{https}:127.0.0.1");
    let ca = dir.path("tls/ca.pem");
    let output = Command::new(BIN)
        .args(["run", &suite, "--origin", "null", "--browser", "all", "--resolve", &resolve])
        .args(["--ca-cert", &ca, "--format", "json", "--out", &out])
        .output()
        .expect("the binary runs");
    drop(fixtures);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
        .unwrap_or(Value::Null);
    let reports = json.as_array().cloned().unwrap_or_default();
    let browsers: Vec<&str> = reports.iter().filter_map(|r| r["browser"].as_str()).collect();
    assert_eq!(reports.len(), 3, "one report per engine: {browsers:?}\n{}", text(&output));
    for engine in ["Chromium", "Firefox", "WebKit"] {
        let report = reports
            .iter()
            .find(|r| r["browser"].as_str().is_some_and(|b| b.starts_with(engine)))
            .unwrap_or_else(|| panic!("no {engine} report in {browsers:?}\n{}", text(&output)));
        assert_eq!(report["origin"], "null", "{engine}: {report}");
        let result = &report["results"][0];
        assert_eq!(result["outcome"], "allowed", "{engine}: {result}");
        let body: Value =
            serde_json::from_str(result["body"].as_str().unwrap_or_default()).unwrap_or_default();
        assert_eq!(body["origin"], "null", "{engine} sent Origin: null: {result}");
    }
}
