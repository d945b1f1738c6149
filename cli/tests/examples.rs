//! The npm package in front ends: `examples/plain` (no bundler) and `examples/vite`
//! (Vite, the package installed by path) embed the panel; both are built from scratch
//! (`scripts/package.sh`, `npm ci`, `vite build`), served, and run in headless Chromium
//! against the fixtures: the panel renders, runs and shows the expected verdicts.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use axum::http::{HeaderName, HeaderValue};
use common::{fixtures, free_port, wait_for_port, Running};
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeader;

/// The examples' suite names these: page origin 127.0.0.1:9390, fixtures from 9391.
const PAGE_PORT: u16 = 9390;
const FIXTURES: u16 = 9391;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn run(dir: &Path, program: &str, args: &[&str]) {
    let output = Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{program}: {e}"));
    assert!(
        output.status.success(),
        "{program} {args:?} in {}: {}\n{}",
        dir.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The package, then each example, from a clean state.
fn build_examples() {
    let root = repo();
    run(&root, "bash", &["scripts/package.sh", "web"]);
    for example in ["plain", "vite"] {
        let dir = root.join("examples").join(example);
        let _ = std::fs::remove_dir_all(dir.join("node_modules"));
        run(&dir, "npm", &["ci", "--no-audit", "--no-fund"]);
    }
    run(&root.join("examples/vite"), "npm", &["run", "build"]);
}

async fn shadow(client: &Client, script: &str) -> Value {
    let script =
        format!("const root = document.querySelector('cors-harness-panel').shadowRoot; {script}");
    client.execute(&script, vec![]).await.expect("script runs")
}

async fn wait_for(client: &Client, condition: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        let ok = client
            .execute(
                &format!("const p = document.querySelector('cors-harness-panel'); const root = p && p.shadowRoot; return Boolean(root && ({condition}))"),
                vec![],
            )
            .await
            .expect("script runs");
        if ok == Value::Bool(true) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status =
        shadow(client, "return root.querySelector('[data-part=status]').textContent").await;
    panic!("waited 60 s for {what} (panel status: {status})");
}

/// Opens an example, runs its suite in the panel, checks the verdicts, takes a screenshot.
async fn exercise(client: &Client, name: &str, url: &str, dark: bool) {
    client.goto(url).await.expect("the example opens");
    wait_for(
        client,
        "root.querySelector('[data-part=status]').textContent === 'Ready.'",
        "the suite to load",
    )
    .await;
    shadow(client, "root.querySelector('button.run').click()").await;
    wait_for(client, "root.querySelector('[data-part=status]').textContent === 'Done.'", "the run")
        .await;
    let rows = shadow(client, "return [...root.querySelectorAll('tbody.results tr')].map(r => [...r.cells].map(c => c.textContent))").await;
    let rows: Vec<Vec<String>> = serde_json::from_value(rows).unwrap();
    let outcomes: Vec<&str> = rows.iter().map(|r| r[2].as_str()).collect();
    assert_eq!(
        outcomes,
        ["allowed", "blocked", "allowed", "blocked", "unreachable"],
        "{name}: {rows:?}"
    );
    assert!(rows.iter().all(|r| r[7] == "pass"), "{name}: every expectation holds: {rows:?}");
    assert_eq!(
        rows[3][6], "MethodDisallowedByPreflightResponse (likely)",
        "{name}: the reason, found in the page"
    );
    assert_eq!(rows[1][6], "(credentials)", "{name}: only the family is known without an endpoint");

    // The detail view, inside the shadow root.
    shadow(client, "root.querySelectorAll('tbody.results tr')[3].click()").await;
    let detail =
        shadow(client, "return root.querySelector('[data-part=detail]').textContent").await;
    assert!(
        detail.as_str().unwrap().contains("Why: MethodDisallowedByPreflightResponse (DELETE)"),
        "{detail}"
    );

    // Styles stay inside: the host's table rules do not reach the panel's cells.
    let font = shadow(client, "return getComputedStyle(root.querySelector('td')).fontFamily").await;
    assert!(!font.as_str().unwrap().contains("Comic"), "{name}: host styles leaked in: {font}");
    let border =
        shadow(client, "return getComputedStyle(root.querySelector('td')).borderTopStyle").await;
    assert_ne!(border, json!("dashed"), "{name}");
    // The host's colour scheme decides light or dark.
    let background = client
        .execute(
            "return getComputedStyle(document.querySelector('cors-harness-panel')).backgroundColor",
            vec![],
        )
        .await
        .unwrap();
    let dark_background = background == json!("rgb(21, 24, 28)");
    assert_eq!(dark_background, dark, "{name}: background {background}");

    let shot = client.screenshot().await.expect("a screenshot");
    std::fs::write(repo().join(format!("target/example-{name}.png")), shot)
        .expect("screenshot written");

    // Collapsing hides the body, expanding shows it again.
    shadow(client, "root.querySelector('[data-part=toggle]').click()").await;
    let hidden =
        shadow(client, "return getComputedStyle(root.querySelector('.body')).display").await;
    assert_eq!(hidden, json!("none"), "{name}: collapsed");
    shadow(client, "root.querySelector('[data-part=toggle]').click()").await;
    let shown =
        shadow(client, "return getComputedStyle(root.querySelector('.body')).display").await;
    assert_ne!(shown, json!("none"), "{name}: expanded");
}

#[tokio::test]
async fn examples_embed_the_panel() {
    tokio::task::spawn_blocking(build_examples).await.expect("the examples build");
    let _fixtures = fixtures(FIXTURES, &format!("http://127.0.0.1:{PAGE_PORT}"));

    let examples = repo().join("examples");
    // The plain example once more, cross-origin isolated (COOP + COEP).
    let isolated = SetResponseHeader::overriding(
        SetResponseHeader::overriding(
            ServeDir::new(examples.join("plain")),
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        ),
        HeaderName::from_static("cross-origin-embedder-policy"),
        HeaderValue::from_static("require-corp"),
    );
    let router = axum::Router::new()
        .nest_service("/plain", ServeDir::new(examples.join("plain")))
        .nest_service("/vite", ServeDir::new(examples.join("vite/dist")))
        .nest_service("/isolated", isolated);
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", PAGE_PORT))
        .await
        .expect("the example port is free");
    let server = tokio::spawn(async move { axum::serve(listener, router).await });

    let driver_port = free_port();
    let _driver = Running(
        Command::new("chromedriver")
            .arg(format!("--port={driver_port}"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("chromedriver starts"),
    );
    wait_for_port(driver_port);
    let Value::Object(caps) = json!({ "browserName": "chrome", "goog:chromeOptions": { "args": [
        "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--window-size=1300,1100"] } })
    else {
        unreachable!()
    };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session");

    exercise(&client, "plain", &format!("http://127.0.0.1:{PAGE_PORT}/plain/"), false).await;
    exercise(&client, "vite", &format!("http://127.0.0.1:{PAGE_PORT}/vite/"), true).await;

    // Cross-origin isolated: the verdicts hold, and the page says what it cannot prove.
    exercise(&client, "isolated", &format!("http://127.0.0.1:{PAGE_PORT}/isolated/"), false).await;
    assert_eq!(client.execute("return crossOriginIsolated", vec![]).await.unwrap(), json!(true));
    let notice = shadow(&client, "return root.querySelector('[data-part=notice]').hidden").await;
    assert_eq!(notice, json!(false), "the panel explains isolation");
    let warning = shadow(&client, "return root.querySelectorAll('tbody.results tr')[4].click(), root.querySelector('[data-part=detail]').textContent").await;
    assert!(warning.as_str().unwrap().contains("cross-origin-isolated"), "{warning}");

    client.close().await.expect("session closed");
    server.abort();
}
