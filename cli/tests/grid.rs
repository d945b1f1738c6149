//! The runner through a real Selenium Grid 4 in distributed mode (scripts/grid.sh), and
//! the parallel matrix: the agreement suite through the Grid in Chromium and Firefox
//! agrees with local runs, the browsers' own reasons still arrive, a session whose
//! driver is killed mid-run is retried, and a session that cannot start is reported as
//! an infrastructure error with the other results kept.
//!
//! Ports (all 127.0.0.1): the Grid 9600-9631, fixtures 9681-9685, page origin 9680, and
//! 9691-9695 with page origin 9690 for the infrastructure-error test.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use common::{cors_harness, fixtures, text, TempDir};
use serde_json::Value;

const GRID_BASE: u16 = 9600;
const FIXTURES: u16 = 9681;
const ORIGIN: &str = "http://127.0.0.1:9680";

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/.."))
}

/// A Grid started by our script; stopped (every process by its PID) when dropped,
/// failed assertions included.
struct Grid {
    url: String,
}

impl Grid {
    fn start() -> Grid {
        let output = Command::new("bash")
            .arg(repo().join("scripts/grid.sh"))
            .args(["start", "--base-port", &GRID_BASE.to_string()])
            .output()
            .expect("scripts/grid.sh runs");
        let grid = Grid { url: format!("http://127.0.0.1:{GRID_BASE}") };
        assert!(output.status.success(), "the Grid did not start:\n{}", text(&output));
        assert_eq!(String::from_utf8_lossy(&output.stdout).trim(), grid.url);
        grid
    }

    /// The PID of a component, from the script's state directory.
    fn pid(&self, component: &str) -> u32 {
        let file = repo().join(format!("target/grid/{GRID_BASE}/{component}.pid"));
        std::fs::read_to_string(&file).unwrap().trim().parse().unwrap()
    }
}

impl Drop for Grid {
    fn drop(&mut self) {
        let _ = Command::new("bash")
            .arg(repo().join("scripts/grid.sh"))
            .args(["stop", "--base-port", &GRID_BASE.to_string()])
            .output();
    }
}

/// The agreement suite moved to this file's ports.
fn agreement_suite(fixtures_base: u16, origin: &str) -> String {
    let suite = include_str!("agreement.json");
    let mut moved = suite.replace("127.0.0.1:47081", origin.trim_start_matches("http://"));
    for offset in 0..5 {
        moved = moved.replace(
            &format!("127.0.0.1:{}", 9281 + offset),
            &format!("127.0.0.1:{}", fixtures_base + offset),
        );
    }
    assert!(!moved.contains(":928") && !moved.contains(":47081"), "every URL moved");
    moved
}

fn run_json(dir: &TempDir, name: &str, args: &[&str]) -> (std::process::Output, Value) {
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--origin", ORIGIN]);
    run_json_as(dir, name, &all)
}

/// [`run_json`] from the origins `args` name.
fn run_json_as(dir: &TempDir, name: &str, args: &[&str]) -> (std::process::Output, Value) {
    let out = dir.path(name);
    let mut all: Vec<&str> = args.to_vec();
    all.extend_from_slice(&["--format", "json", "--out", &out]);
    let output = cors_harness(&all);
    let report = serde_json::from_str(&std::fs::read_to_string(&out).unwrap_or_default())
        .unwrap_or_else(|e| panic!("{e}\n{}", text(&output)));
    (output, report)
}

/// What must be the same through the Grid as locally: per case, the outcome, reason,
/// status, readable header names and verdict.
fn comparable(report: &Value) -> BTreeMap<String, Value> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let headers: Vec<&String> =
                r["headers"].as_object().map(|h| h.keys().collect()).unwrap_or_default();
            let id = r["id"].as_str().unwrap().to_owned();
            let seen = serde_json::json!([
                r["outcome"],
                r["reason"],
                r["firefox_reason"],
                r["status"],
                headers,
                r["pass"]
            ]);
            (id, seen)
        })
        .collect()
}

/// The reasons that came from the browser itself.
fn browser_reasons(report: &Value) -> usize {
    report["results"].as_array().unwrap().iter().filter(|r| !r["browser_reason"].is_null()).count()
}

fn blocked(report: &Value) -> usize {
    report["results"].as_array().unwrap().iter().filter(|r| r["outcome"] == "blocked").count()
}

#[test]
fn the_agreement_suite_through_a_distributed_grid() {
    let grid = Grid::start();
    let _fixtures = fixtures(FIXTURES, ORIGIN);
    let dir = TempDir::new("grid");
    let suite = dir.file("agreement.json", &agreement_suite(FIXTURES, ORIGIN));

    // Locally, one browser after the other.
    let (output, local) = run_json(
        &dir,
        "local.json",
        &["run", &suite, "--browser", "chromium,firefox", "--parallel", "1"],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));

    // Through the Grid, both browsers at once.
    let (output, remote) = run_json(
        &dir,
        "grid.json",
        &[
            "run",
            &suite,
            "--browser",
            "chromium,firefox",
            "--webdriver",
            &grid.url,
            "--parallel",
            "2",
        ],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("warning"), "no reasons lost through the Grid:\n{stderr}");
    for (i, browser) in ["Chromium ", "Firefox "].iter().enumerate() {
        let (local, remote) = (&local[i], &remote[i]);
        assert!(remote["browser"].as_str().unwrap().starts_with(browser), "{}", remote["browser"]);
        assert_eq!(remote["summary"]["passed"], 68, "{browser}");
        assert_eq!(comparable(remote), comparable(local), "{browser}through the Grid as locally");
        // The browser's own reasons arrive through the Grid (Chromium: the performance log
        // through se/log; Firefox: its console through the BiDi socket the Grid rewrites).
        let blocked = blocked(remote);
        assert!(blocked >= 30, "{browser}: {blocked} blocked");
        let minimum = if i == 0 { blocked } else { blocked - 1 }; // Firefox: one generic message
        assert!(
            browser_reasons(remote) >= minimum,
            "{browser}: {} of {blocked}",
            browser_reasons(remote)
        );
        assert_eq!(browser_reasons(remote), browser_reasons(local), "{browser}");
    }
    let chromium_sources: Vec<&Value> = remote[0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "blocked")
        .map(|r| &r["reason_source"])
        .collect();
    assert!(chromium_sources.iter().all(|s| *s == "browser"), "{chromium_sources:?}");

    // The Grid also rewrites Chromium's DevTools socket (se:cdp) to go through the router.
    cdp_through_the_router(&grid.url);

    // WebKitGTK through the relay node in front of WebKitWebDriver.
    let (output, webkit) = run_json(
        &dir,
        "webkit.json",
        &["run", &suite, "--browser", "webkit", "--webdriver", &grid.url],
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    assert!(webkit["browser"].as_str().unwrap().starts_with("WebKitGTK "), "{}", webkit["browser"]);
    assert_eq!(webkit["summary"]["passed"], 68);

    // The origin features through the Grid: the page served as an https origin, names
    // mapped, the run's certificate trusted, all carried in the session's capabilities.
    let page = "https://app.example.test";
    let mapped = format!("api.example.test:{FIXTURES}:127.0.0.1");
    let origin_suite = dir.file(
        "origin.json",
        &serde_json::json!({ "name": "origin", "cases": [
            { "id": "permissive", "url": format!("http://127.0.0.1:{FIXTURES}/cors/permissive/notes"), "expect": "allowed" },
            { "id": "exact", "url": format!("http://127.0.0.1:{FIXTURES}/cors/exact/notes"), "expect": "blocked" },
            { "id": "mixed content", "url": format!("http://api.example.test:{FIXTURES}/cors/permissive/notes"),
              "expect": { "outcome": "blocked", "reason": "mixed-content" } }
        ]})
        .to_string(),
    );
    let origin_args = ["--browser", "chromium,firefox", "--origin", page, "--resolve", &mapped];
    let (output, local) = run_json_as(
        &dir,
        "origin-local.json",
        &[&["run", &origin_suite][..], &origin_args].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    let (output, remote) = run_json_as(
        &dir,
        "origin-grid.json",
        &[&["run", &origin_suite, "--webdriver", &grid.url][..], &origin_args].concat(),
    );
    assert_eq!(output.status.code(), Some(0), "{}", text(&output));
    for i in 0..2 {
        assert_eq!(remote[i]["origin"], page);
        assert_eq!(remote[i]["secure_context"], true);
        assert_eq!(comparable(&remote[i]), comparable(&local[i]), "the origin through the Grid");
    }

    // A driver killed mid-run: its session is retried once in a new session, and passes.
    let slow = agreement_suite(FIXTURES, ORIGIN).replacen(
        "\"cases\": [",
        &format!(
            "\"cases\": [ {{ \"id\": \"slow-start\", \"url\": \"http://127.0.0.1:{}/\", \"timeout_ms\": 6000, \"expect\": \"timeout\" }},",
            FIXTURES + 3
        ),
        1,
    );
    let slow = dir.file("slow.json", &slow);
    let out = dir.path("retried.json");
    let child = Command::new(common::BIN)
        .args(["run", &slow, "--webdriver", &grid.url, "--origin", ORIGIN])
        .args(["--format", "json", "--out", &out])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let nodes = [grid.pid("node-1"), grid.pid("node-2")];
    let deadline = Instant::now() + Duration::from_secs(120);
    let killed = loop {
        assert!(Instant::now() < deadline, "no chromedriver appeared under the nodes");
        if let Some(pid) = nodes.iter().find_map(|&node| child_named(node, "chromedriver")) {
            // Let the page start its first (slow) case, then kill the driver by its PID.
            std::thread::sleep(Duration::from_secs(3));
            assert!(Command::new("kill")
                .args(["-KILL", &pid.to_string()])
                .status()
                .unwrap()
                .success());
            break pid;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(0), "killed chromedriver {killed}\n{}", text(&output));
    assert!(stderr.contains("retrying once in a new session"), "{stderr}");
    let report: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert_eq!(report["summary"]["passed"], 69);
}

/// A Chromium session's `se:cdp` points at the router, and a DevTools command answers.
fn cdp_through_the_router(grid: &str) {
    use futures_util::{SinkExt, StreamExt};
    use tokio_tungstenite::tungstenite::Message;
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let caps = serde_json::json!({ "browserName": "chrome", "goog:chromeOptions": {
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu"] } });
        let client = fantoccini::ClientBuilder::new(
            hyper_util::client::legacy::connect::HttpConnector::new(),
        )
        .capabilities(caps.as_object().unwrap().clone())
        .connect(grid)
        .await
        .expect("a Chromium session through the Grid");
        let cdp = client.capabilities().unwrap()["se:cdp"].as_str().unwrap().to_owned();
        assert!(cdp.starts_with(&format!("{}/session/", grid.replace("http:", "ws:"))), "{cdp}");
        let (mut socket, _) =
            tokio_tungstenite::connect_async(&cdp).await.expect("se:cdp connects");
        let command = serde_json::json!({ "id": 1, "method": "Browser.getVersion" });
        socket.send(Message::Text(command.to_string().into())).await.unwrap();
        let answer = loop {
            let Some(Ok(Message::Text(text))) = socket.next().await else {
                panic!("se:cdp closed")
            };
            let answer: Value = serde_json::from_str(&text).unwrap();
            if answer["id"] == 1 {
                break answer;
            }
        };
        assert!(answer["result"]["product"].as_str().unwrap().contains("Chrome"), "{answer}");
        client.close().await.unwrap();
    });
}

/// A child of `parent` whose command name is `name`.
fn child_named(parent: u32, name: &str) -> Option<u32> {
    std::fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(entry.path().join("stat")).ok()?;
        // pid (comm) state ppid ...
        let (comm, rest) = stat.split_once(" (")?.1.rsplit_once(") ")?;
        let ppid: u32 = rest.split_whitespace().nth(1)?.parse().ok()?;
        (ppid == parent && comm == name).then_some(pid)
    })
}

/// A session that cannot start fails twice and its cases are an infrastructure error
/// (exit 2), while the other browser's results are kept in every format.
#[test]
fn a_session_that_fails_twice_leaves_the_others_results() {
    let origin = "http://127.0.0.1:9690";
    let _fixtures = fixtures(9691, origin);
    let dir = TempDir::new("grid-infra");
    let suite = dir.file(
        "small.json",
        r#"{ "name": "small", "cases": [
            { "id": "allowed", "url": "http://127.0.0.1:9691/cors/permissive/notes", "expect": "allowed" },
            { "id": "cookie", "url": "http://127.0.0.1:9691/serverless/gateway/notes", "credentials": "include", "expect": "blocked" } ] }"#,
    );
    let out = dir.path("out.json");
    // WebKit's driver cannot start: its session fails, Chromium's runs.
    let run = |format: &str, out: &str| {
        cors_harness(&[
            "run",
            &suite,
            "--browser",
            "chromium,webkit",
            "--webkitdriver",
            "/nonexistent/WebKitWebDriver",
            "--origin",
            origin,
            "--format",
            format,
            "--out",
            out,
        ])
    };
    let output = run("json", &out);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("retrying once"), "{stderr}");
    assert!(stderr.contains("webkit at http://127.0.0.1:9690, suite \"small\": the session failed twice, 2 case(s) have no result"), "{stderr}");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("INFRASTRUCTURE ERROR: webkit"), "{stdout}");
    let reports: Value = serde_json::from_str(&std::fs::read_to_string(&out).unwrap()).unwrap();
    assert!(reports[0]["browser"].as_str().unwrap().starts_with("Chromium "));
    assert_eq!(reports[0]["summary"]["passed"], 2, "Chromium's results are kept");
    assert_eq!(reports[1]["browser"], "webkit");
    assert_eq!(reports[1]["not_run"], serde_json::json!(["allowed", "cookie"]));
    // "WebKit needs a display" without Xvfb, else "cannot start /nonexistent/...".
    let error = reports[1]["infrastructure_error"].as_str().unwrap();
    assert!(error.contains("WebKit") || error.contains("/nonexistent/"), "{error}");

    let junit = dir.path("out.xml");
    let output = run("junit", &junit);
    assert_eq!(output.status.code(), Some(2), "{}", text(&output));
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert_eq!(xml.matches("<error type=\"infrastructure\"").count(), 2, "{xml}");
    assert_eq!(xml.matches("<testcase ").count(), 4, "{xml}");
}
