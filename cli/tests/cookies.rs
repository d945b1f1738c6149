//! Cookies in Chromium, Firefox and WebKit on the https fixtures: an app at
//! `https://app.example.test` calling a same-site API (`api.example.test`) and a cross-site
//! one (`api.other.test`) with preset cookies and `Set-Cookie` responses. Every engine's
//! cookie report is checked against what actually arrived (the `/cookies/echo` route's
//! exposed `X-Received-Cookie`), and Chromium's reasons against what it reported itself.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::process::{Command, Stdio};

use common::{text, wait_for_child_port, Running, TempDir, BIN};
use serde_json::{json, Value};

const PAGE: &str = "https://app.example.test";

/// The https fixtures on `base+5` (same-site API) and `base+6` (cross-site API).
fn https_fixtures(base: u16, dir: &TempDir) -> Running {
    let child = Command::new(BIN)
        .args(["fixtures", "--base-port", &base.to_string(), "--page-origin", PAGE])
        .args([
            "--tls-dir",
            &dir.path("tls"),
            "--tls-name",
            "api.example.test",
            "--tls-name",
            "api.other.test",
        ])
        .stdout(Stdio::null())
        .spawn()
        .expect("the fixtures start");
    let mut running = Running(child);
    wait_for_child_port(&mut running, base + 6);
    running
}

fn suite(base: u16, cross_site_first: bool) -> Value {
    let same = format!("https://api.example.test:{}", base + 5);
    let other = format!("https://api.other.test:{}", base + 6);
    let same_site_cases = vec![
        json!({ "id": "same-echo", "url": format!("{same}/cookies/echo"),
                "expect": { "cookies_sent": ["s_lax", "s_strict", "s_none"] } }),
        json!({ "id": "same-set-lax", "url": format!("{same}/cookies/set/lax") }),
        json!({ "id": "same-echo-after", "url": format!("{same}/cookies/echo") }),
        json!({ "id": "same-omit", "url": format!("{same}/cookies/echo"), "credentials": "omit" }),
    ];
    let cross_site_cases = vec![
        json!({ "id": "cross-echo", "url": format!("{other}/cookies/echo") }),
        json!({ "id": "cross-set-plain", "url": format!("{other}/cookies/set/plain") }),
        json!({ "id": "cross-set-none", "url": format!("{other}/cookies/set/none-secure") }),
        json!({ "id": "cross-set-chips", "url": format!("{other}/cookies/set/partitioned") }),
        json!({ "id": "cross-echo-after", "url": format!("{other}/cookies/echo") }),
        json!({ "id": "cross-wants-session", "url": format!("{other}/cookies/echo"),
                "expect": { "cookies_sent": ["x_none"] } }),
    ];
    let cases: Vec<Value> = if cross_site_first {
        cross_site_cases.into_iter().chain(same_site_cases).collect()
    } else {
        same_site_cases.into_iter().chain(cross_site_cases).collect()
    };
    let cookie = |host: &str, name: &str, same_site: &str| json!({ "url": format!("https://{host}/"), "name": name, "value": "1", "same_site": same_site, "secure": true });
    json!({
        "name": "cookies",
        "defaults": { "credentials": "include" },
        "cookies": [
            cookie("api.example.test", "s_lax", "Lax"),
            cookie("api.example.test", "s_strict", "Strict"),
            cookie("api.example.test", "s_none", "None"),
            cookie("api.other.test", "x_lax", "Lax"),
            { "url": "https://api.other.test/", "name": "x_none", "value": "1", "same_site": "None", "secure": true, "http_only": true },
            { "url": "https://api.other.test/", "name": "x_chips", "value": "1", "same_site": "None", "secure": true, "partitioned": true }
        ],
        "cases": cases
    })
}

/// Runs the suite in `browser` as graders do; the report's results by id.
fn run(browser: &str, base: u16, cross_site_first: bool) -> Vec<Value> {
    let dir = TempDir::new(&format!("cookies-{browser}"));
    let _fixtures = https_fixtures(base, &dir);
    let suite = dir.file("suite.json", &suite(base, cross_site_first).to_string());
    let out = dir.path("out.json");
    let (same, other) = (
        format!("api.example.test:{}:127.0.0.1", base + 5),
        format!("api.other.test:{}:127.0.0.1", base + 6),
    );
    let ca = dir.path("tls/ca.pem");
    let output = common::cors_harness(&[
        "run",
        &suite,
        "--browser",
        browser,
        "--origin",
        PAGE,
        "--resolve",
        &same,
        "--resolve",
        &other,
        "--ca-cert",
        &ca,
        "--format",
        "json",
        "--out",
        &out,
    ]);
    let report: Value = std::fs::read_to_string(&out)
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_else(|| panic!("no report\n{}", text(&output)));
    report["results"].as_array().cloned().unwrap_or_default()
}

fn by_id<'a>(results: &'a [Value], id: &str) -> &'a Value {
    results.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no result {id}"))
}

fn sorted(names: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut names: Vec<String> = names.into_iter().collect();
    names.sort();
    names
}

/// The cookie names that arrived at the server, from the echo.
fn arrived(result: &Value) -> Vec<String> {
    let header = result["headers"]["x-received-cookie"].as_str().unwrap_or_else(|| {
        panic!("{} has no readable X-Received-Cookie: {result:#}", result["id"])
    });
    sorted(header.split(';').filter_map(|p| p.split_once('=')).map(|(n, _)| n.trim().to_owned()))
}

fn reported_sent(result: &Value) -> Vec<String> {
    let sent = result["cookies"]["sent"]
        .as_array()
        .unwrap_or_else(|| panic!("{} has no cookie report: {result:#}", result["id"]));
    sorted(sent.iter().filter_map(|n| n.as_str().map(str::to_owned)))
}

/// Every echo case: the report's `sent` is exactly what arrived.
fn check_sent_against_the_wire(browser: &str, results: &[Value]) {
    for result in
        results.iter().filter(|r| r["url"].as_str().is_some_and(|u| u.contains("/cookies/")))
    {
        assert_eq!(result["outcome"], "allowed", "{browser}: {result:#}");
        assert_eq!(
            reported_sent(result),
            arrived(result),
            "{browser} {}: {result:#}",
            result["id"]
        );
    }
}

fn reasons(cookies: &Value, list: &str, name: &str) -> Vec<String> {
    let cookie = cookies[list]
        .as_array()
        .and_then(|l| l.iter().find(|c| c["name"] == name))
        .unwrap_or_else(|| panic!("{name} not in {list}: {cookies:#}"));
    match cookie["reasons"].as_array() {
        Some(all) => all.iter().filter_map(|r| r.as_str().map(str::to_owned)).collect(),
        None => vec![cookie["reason"].as_str().unwrap_or_default().to_owned()],
    }
}

#[test]
fn chromium_reports_cookies_as_they_arrived_with_its_reasons() {
    let results = run("chromium", 9420, false);
    check_sent_against_the_wire("chromium", &results);
    for result in &results {
        let cookies = &result["cookies"];
        assert_eq!(cookies["source"], "browser", "{result:#}");
        assert!(cookies.get("disagreement").is_none(), "the harness's jar agrees: {result:#}");
    }
    let same = by_id(&results, "same-echo");
    assert_eq!(reported_sent(same), ["s_lax", "s_none", "s_strict"]);
    assert_eq!(same["pass"], true, "{same:#}");
    assert_eq!(
        reported_sent(by_id(&results, "same-echo-after")),
        ["lax", "s_lax", "s_none", "s_strict"]
    );
    assert!(reported_sent(by_id(&results, "same-omit")).is_empty(), "credentials: omit");

    let cross = &by_id(&results, "cross-echo")["cookies"];
    assert_eq!(
        reported_sent(by_id(&results, "cross-echo")),
        ["x_chips"],
        "CHIPS goes, the rest is third-party"
    );
    assert_eq!(reasons(cross, "withheld", "x_lax"), ["SchemefulSameSiteLax", "UserPreferences"]);
    assert_eq!(reasons(cross, "withheld", "x_none"), ["UserPreferences"]);
    for (id, name) in [("cross-set-plain", "plain"), ("cross-set-none", "none_secure")] {
        assert_eq!(
            reasons(&by_id(&results, id)["cookies"], "not_stored", name),
            ["UserPreferences"]
        );
    }
    assert_eq!(by_id(&results, "cross-set-chips")["cookies"]["not_stored"], json!([]));
    assert_eq!(reported_sent(by_id(&results, "cross-echo-after")), ["partitioned", "x_chips"]);
    let wants = by_id(&results, "cross-wants-session");
    assert_eq!(wants["pass"], false);
    let why = wants["why"].as_str().unwrap_or_default();
    assert!(why.contains("expected cookie x_none to be sent: withheld: UserPreferences"), "{why}");
}

#[test]
fn firefox_reports_the_cookies_its_requests_carried() {
    // Cross-site first: Firefox here fails every request to the second https fixture of a
    // session (NetworkError; a limit of the fixtures through the name-mapping proxy, also
    // without cookies), so only the cross-site cases are checked.
    let results = run("firefox", 9430, true);
    let results: Vec<Value> = results
        .into_iter()
        .filter(|r| r["url"].as_str().is_some_and(|u| u.contains("api.other.test")))
        .collect();
    check_sent_against_the_wire("firefox", &results);
    for result in &results {
        assert_eq!(result["cookies"]["source"], "harness", "{result:#}");
    }
    // Total Cookie Protection: first-party cookies stay home, the partitioned jar fills up;
    // the `partitioned` preset was set in the page's partition, so it goes cross-site.
    assert_eq!(reported_sent(by_id(&results, "cross-echo")), ["x_chips"]);
    assert_eq!(
        reported_sent(by_id(&results, "cross-echo-after")),
        ["none_secure", "partitioned", "plain", "x_chips"]
    );
    assert_eq!(
        reasons(&by_id(&results, "cross-echo")["cookies"], "withheld", "x_none"),
        ["UserPreferences"]
    );
}

#[test]
fn webkit_reports_what_its_requests_carried() {
    let results = run("webkit", 9440, false);
    check_sent_against_the_wire("webkit", &results);
    for result in &results {
        assert_eq!(result["cookies"]["source"], "harness", "{result:#}");
    }
    // Presets go to the same-site API; WebKitGTK's jar stores no cookie from another host
    // under .test (its base domain), and blocks third-party cookies.
    assert_eq!(reported_sent(by_id(&results, "same-echo")), ["s_lax", "s_none", "s_strict"]);
    assert_eq!(
        reasons(&by_id(&results, "same-set-lax")["cookies"], "not_stored", "lax"),
        ["UserPreferences"]
    );
    let cross = &by_id(&results, "cross-echo")["cookies"];
    assert_eq!(
        reasons(cross, "withheld", "x_lax"),
        ["SameSiteLax"],
        "held third-party cookies still go by SameSite"
    );
    assert_eq!(reported_sent(by_id(&results, "cross-echo")), ["x_chips", "x_none"]);
}
