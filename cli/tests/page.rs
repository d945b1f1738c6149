//! The harness page in real headless browsers through WebDriver: edit, run, read the
//! table, look at a case, stop a run, share a link, and survive HTML/script payloads.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{free_port, wait_for_child_port, wait_for_port, Running, BIN};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

struct Page {
    client: Client,
    url: String,
    _driver: Running,
    _server: Running,
    fixtures: String,
}

async fn open(browser: &str, fixtures_base: u16) -> Page {
    let page_port = free_port();
    let mut server = Running(
        std::process::Command::new(BIN)
            .args(["serve", "--addr", &format!("127.0.0.1:{page_port}"), "--with-fixtures"])
            .args(["--fixtures-base-port", &fixtures_base.to_string()])
            .stdout(std::process::Stdio::null())
            .spawn()
            .expect("serve starts"),
    );
    wait_for_child_port(&mut server, page_port);
    wait_for_port(fixtures_base);
    let driver_port = free_port();
    let (program, args, caps) = match browser {
        "chromium" => (
            "chromedriver",
            vec![format!("--port={driver_port}")],
            json!({ "browserName": "chrome", "goog:chromeOptions": { "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--window-size=1400,1000"] } }),
        ),
        _ => (
            "geckodriver",
            vec!["--port".into(), driver_port.to_string()],
            json!({ "browserName": "firefox", "moz:firefoxOptions": { "args": ["-headless", "-width", "1400", "-height", "1000"] } }),
        ),
    };
    let driver = Running(
        std::process::Command::new(program)
            .args(&args)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("the driver starts"),
    );
    wait_for_port(driver_port);
    let Value::Object(caps) = caps else { unreachable!() };
    let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{driver_port}"))
        .await
        .expect("a WebDriver session");
    let url = format!("http://127.0.0.1:{page_port}/");
    client.goto(&url).await.expect("the page opens");
    let page = Page {
        client,
        url,
        _driver: driver,
        _server: server,
        fixtures: format!("http://127.0.0.1:{fixtures_base}"),
    };
    page.wait_for("!document.getElementById('run').disabled", "the engine to load").await;
    page
}

impl Page {
    async fn js(&self, script: &str) -> Value {
        self.client.execute(script, vec![]).await.expect("script runs")
    }

    async fn wait_for(&self, condition: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            if self.js(&format!("return Boolean({condition})")).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let status = self.js("return document.getElementById('run-status').textContent").await;
        panic!("waited 30 s for {what} (status: {status})");
    }

    /// Replaces the editor's text as typing would (an `input` event follows).
    async fn set_suite(&self, suite: &Value) {
        self.client
            .execute(
                "const e = document.getElementById('suite-editor'); e.value = arguments[0]; e.dispatchEvent(new Event('input'));",
                vec![json!(serde_json::to_string_pretty(suite).unwrap())],
            )
            .await
            .expect("the editor takes text");
    }

    async fn click(&self, css: &str) {
        self.client.find(Locator::Css(css)).await.expect(css).click().await.expect("clickable");
    }

    async fn rows(&self) -> Vec<Vec<String>> {
        let rows = self.js("return [...document.querySelectorAll('#results tbody tr')].map(r => [...r.cells].map(c => c.textContent))").await;
        serde_json::from_value(rows).unwrap()
    }
}

const PAYLOAD_ID: &str = "<img src=x onerror=\"window.__corsHarnessPwned = true\">";

async fn exercise(browser: &str, fixtures_base: u16) {
    let page = open(browser, fixtures_base).await;
    let a = page.fixtures.clone();

    // The default suite (the demo's) is loaded, and problems show inline.
    assert!(page
        .js("return document.getElementById('suite-editor').value")
        .await
        .as_str()
        .unwrap()
        .contains("serverless"));
    page.set_suite(&json!({ "cases": [{ "id": "x", "url": 5 }] })).await;
    page.wait_for(
        "document.getElementById('suite-problems').textContent.includes('url')",
        "a problem naming the field",
    )
    .await;

    // Add a request with the form, without writing JSON.
    page.set_suite(&json!({ "name": "page test", "cases": [] })).await;
    page.click("#add-request summary").await;
    for (name, value) in [("id", "from-form"), ("url", &format!("{a}/cors/permissive/form"))] {
        page.client
            .find(Locator::Css(&format!("#request-form [name={name}]")))
            .await
            .unwrap()
            .send_keys(value)
            .await
            .unwrap();
    }
    page.client
        .find(Locator::Css("#request-form [name=headers]"))
        .await
        .unwrap()
        .send_keys("X-Custom: 1")
        .await
        .unwrap();
    page.click("#request-form button[type=submit]").await;
    let editor: Value = serde_json::from_str(
        page.js("return document.getElementById('suite-editor').value").await.as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(editor["cases"][0]["id"], "from-form");
    assert_eq!(editor["cases"][0]["headers"]["X-Custom"], "1");

    // Run a suite whose ids, headers and bodies carry HTML and script.
    let suite = json!({ "name": "page test", "cases": [
        { "id": PAYLOAD_ID, "url": format!("{a}/broken/xss"), "expect": "allowed" },
        { "id": "<script>window.__corsHarnessPwned = true</script>", "url": format!("{a}/broken/xss?<b>q</b>") },
        { "id": "blocked", "url": format!("{a}/serverless/gateway/notes"), "credentials": "include", "expect": "blocked" },
        { "id": "wrong", "url": format!("{a}/cors/none/notes"), "expect": "allowed" },
        { "id": "dead", "url": format!("http://127.0.0.1:{}/", fixtures_base + 4), "expect": "unreachable" }
    ]});
    page.set_suite(&suite).await;
    page.click("#run").await;
    page.wait_for(
        "document.getElementById('run-status').textContent === 'Done.'",
        "the run to finish",
    )
    .await;
    let rows = page.rows().await;
    assert_eq!(rows.len(), 5);
    assert_eq!(rows[0][1], PAYLOAD_ID, "ids are shown as text");
    assert_eq!(rows[0][2], "allowed");
    assert!(rows[0][5].contains("x-payload"), "readable headers: {:?}", rows[0]);
    assert_eq!(rows[2][2], "blocked");
    assert_eq!(rows[2][7], "pass");
    assert_eq!(rows[3][7], "fail");
    assert_eq!(rows[4][2], "unreachable");
    let summary = page.js("return document.getElementById('summary').textContent").await;
    assert!(summary.as_str().unwrap().contains("3 passed, 1 failed"), "{summary}");

    // The detail view shows the raw body as text.
    page.click("#results tbody tr:first-child td.case").await;
    let detail =
        page.js("return document.querySelector('#detail-body .detail-json').textContent").await;
    assert!(
        detail.as_str().unwrap().contains("<script>window.__corsHarnessPwned = true</script>"),
        "{detail}"
    );

    // Nothing from the servers or the suite became markup, and nothing ran.
    assert_eq!(page.js("return window.__corsHarnessPwned === undefined").await, Value::Bool(true));
    assert_eq!(
        page.js("return document.querySelectorAll('main img, main script, main b').length").await,
        json!(0)
    );

    // A blocked case's detail: the reason, the exchange with the header at fault, the fix.
    page.click("#results tbody tr:nth-child(3) td.case").await;
    let heading = page.js("return document.querySelector('#detail-body h4').textContent").await;
    let heading = heading.as_str().unwrap();
    assert!(heading.contains("WildcardOriginNotAllowed"), "{heading}");
    assert!(
        heading.contains("CORSNotSupportingCredentials") && heading.contains("likely"),
        "{heading}"
    );
    let fault = page.js("return [...document.querySelectorAll('#detail-body tr.fault th')].map(t => t.textContent.toLowerCase())").await;
    assert_eq!(fault, json!(["access-control-allow-origin"]), "the header at fault is highlighted");
    let detail_text = page.js("return document.getElementById('detail-body').textContent").await;
    let detail_text = detail_text.as_str().unwrap();
    assert!(
        detail_text.contains("How to fix it")
            && detail_text.contains("Access-Control-Allow-Credentials: true"),
        "{detail_text}"
    );
    for stack in ["serverless", "tower-http", "express", "starlette"] {
        assert!(detail_text.contains(stack), "a {stack} snippet");
    }
    assert!(detail_text.contains("Request: GET"), "the exchange: {detail_text}");

    let shot = page.client.screenshot().await.expect("a screenshot");
    let path = format!("{}/../target/page-{browser}.png", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(&path, shot).expect("screenshot written");

    // Stop: cases not yet started do not run.
    let slow: Vec<Value> = (0..6).map(|i| json!({ "id": format!("hang-{i}"), "url": format!("http://127.0.0.1:{}/", fixtures_base + 3), "timeout_ms": 1500 })).collect();
    page.set_suite(&json!({ "cases": slow })).await;
    page.click("#run").await;
    page.wait_for("!document.getElementById('stop').disabled", "the run to start").await;
    page.click("#stop").await;
    page.wait_for(
        "document.getElementById('run-status').textContent === 'Stopped.'",
        "the run to stop",
    )
    .await;
    let done = page.js("return [...document.querySelectorAll('#results .badge')].filter(b => b.textContent !== 'pending').length").await;
    assert!(done.as_u64().unwrap() < 6, "stopped before every case ran: {done}");

    // A link carries the suite: a colleague opening it sees the same test.
    page.set_suite(&suite).await;
    page.click("#share-link").await;
    let link = page.js("return location.href").await.as_str().unwrap().to_owned();
    assert!(link.starts_with(&format!("{}#suite=", page.url)), "{link}");
    page.js("localStorage.clear()").await;
    page.client.goto("about:blank").await.unwrap();
    page.client.goto(&link).await.unwrap();
    page.wait_for("!document.getElementById('run').disabled", "the engine to load").await;
    let shared: Value = serde_json::from_str(
        page.js("return document.getElementById('suite-editor').value").await.as_str().unwrap(),
    )
    .unwrap();
    assert_eq!(shared["cases"][0]["id"], PAYLOAD_ID);

    // The server sends the Content-Security-Policy too.
    let mut stream =
        std::net::TcpStream::connect(page.url.trim_start_matches("http://").trim_end_matches('/'))
            .unwrap();
    stream.write_all(b"GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.to_ascii_lowercase().contains(
            "content-security-policy: default-src 'self'; script-src 'self' 'wasm-unsafe-eval'"
        ),
        "{response}"
    );

    page.client.close().await.expect("session closed");
}

#[tokio::test]
async fn page_in_chromium() {
    exercise("chromium", 9291).await;
}

#[tokio::test]
async fn page_in_firefox() {
    exercise("firefox", 9301).await;
}
