//! `cors-harness audit` against the fixtures' `/audit/*` routes over https, in Chromium,
//! Firefox and WebKit: every misconfiguration found with its kinds, nothing on the correct
//! configurations. One audit per engine covers every route (one session per origin).
//!
//! Ports 9500-9529 (fixtures on base..base+7 per engine).
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

fn audit_in(browser: &str, base: u16) {
    let _one = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
    let dir = TempDir::new(&format!("audit-{browser}"));
    let tls = dir.path("tls");
    let child = Command::new(BIN)
        .args(["fixtures", "--base-port", &base.to_string(), "--page-origin", LEGITIMATE])
        .args(["--tls-dir", &tls, "--tls-name", "api.example.test"])
        .stdout(Stdio::null())
        .spawn()
        .expect("the fixtures start");
    let mut fixtures = Running(child);
    let https = base + 5;
    wait_for_child_port(&mut fixtures, https);
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
        // WebKitGTK never starts the harness page as a sandboxed document (README, Audit):
        // its `null` probe is reported as not run; every other origin runs.
        let unrunnable: &[&str] = if browser == "webkit" { &["null"] } else { &[] };
        assert_eq!(not_run, unrunnable, "{context}");
        assert_eq!(findings.len(), 10 - unrunnable.len(), "the other origins ran: {context}");
        let kinds: BTreeSet<&str> = findings
            .iter()
            .filter(|f| f["exploitable"] == true)
            .filter_map(|f| f["kind"].as_str())
            .collect();
        let expected: BTreeSet<&str> = expected
            .iter()
            .copied()
            .filter(|k| !(unrunnable.contains(&"null") && *k == "null-origin"))
            .collect();
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
