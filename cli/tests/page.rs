//! The harness page in real headless browsers through WebDriver: edit, run, read the
//! table, look at a case, stop a run, share a link, and survive HTML/script payloads.
#![cfg(not(target_arch = "wasm32"))]

mod common;

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use common::{free_port, wait_for_child_port, wait_for_port, Running, BIN};
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

struct Page {
    client: Client,
    url: String,
    _driver: Running,
    _server: Option<Running>,
    fixtures: String,
}

/// The page served by `cors-harness serve --with-fixtures` on `page_port`.
fn serve(page_port: u16, fixtures_base: u16) -> Running {
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
    server
}

/// A driver and a headless browser session whose window is `width` x `height`.
async fn session(browser: &str, width: u32, height: u32) -> (Client, Running) {
    let driver_port = free_port();
    let size = format!("--window-size={width},{height}");
    let (program, args, caps) = match browser {
        "chromium" => (
            "chromedriver",
            vec![format!("--port={driver_port}")],
            json!({ "browserName": "chrome", "goog:chromeOptions": { "args": [
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run", "--hide-scrollbars", size] } }),
        ),
        _ => (
            "geckodriver",
            vec!["--port".into(), driver_port.to_string()],
            json!({ "browserName": "firefox", "moz:firefoxOptions": { "args": ["-headless", "-width", width.to_string(), "-height", height.to_string()] } }),
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
    (client, driver)
}

async fn open(browser: &str, fixtures_base: u16) -> Page {
    let page_port = free_port();
    let server = serve(page_port, fixtures_base);
    let (client, driver) = session(browser, 1400, 1000).await;
    let url = format!("http://127.0.0.1:{page_port}/");
    client.goto(&url).await.expect("the page opens");
    let page = Page {
        client,
        url,
        _driver: driver,
        _server: Some(server),
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
        let status = self
            .js("return (document.getElementById('run-status') || {}).textContent || null")
            .await;
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
        let rows = self.js("return [...document.querySelectorAll('#results tbody tr[data-index]')].map(r => [...r.cells].map(c => c.textContent))").await;
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
    exercise("chromium", 9540).await;
}

#[tokio::test]
async fn page_in_firefox() {
    exercise("firefox", 9550).await;
}

/// A suite with an HttpOnly preset: the page says it cannot set it and what it does
/// instead, before the run and after it (the report then assumes it, likely).
#[tokio::test]
async fn page_says_it_cannot_preset_httponly_cookies() {
    let page = open("chromium", 9444).await;
    let api = page.fixtures.clone();
    let suite = json!({ "name": "presets", "cookies": [
        { "url": format!("{api}/"), "name": "session", "value": "1", "same_site": "Lax", "http_only": true }
    ], "cases": [{ "id": "me", "url": format!("{api}/cookies/echo"), "credentials": "include" }] });
    page.set_suite(&json!({ "name": "none", "cases": [] })).await;
    page.wait_for("document.getElementById('cookie-note').hidden", "no note without presets").await;
    page.set_suite(&suite).await;
    page.wait_for("!document.getElementById('cookie-note').hidden", "the cookie note").await;
    let note = page.js("return document.getElementById('cookie-note').textContent").await;
    let note = note.as_str().unwrap_or_default();
    assert!(note.contains("session (HttpOnly)"), "{note}");
    assert!(
        note.contains("A page cannot set HttpOnly cookies, nor cookies for another site"),
        "{note}"
    );
    assert!(note.contains("cors-harness run"), "{note}");
    page.click("#run").await;
    page.wait_for("document.getElementById('run-status').textContent === 'Done.'", "the run").await;
    let shown =
        page.js("return getComputedStyle(document.getElementById('cookie-note')).display").await;
    assert_ne!(shown, "none", "the note stays during and after the run");
    // The report assumes the preset (same site as the page): the harness's inference.
    let cookies = page.js("return window.corsHarness.poll(0).report.results[0].cookies").await;
    assert_eq!(cookies["source"], "harness", "{cookies}");
    assert_eq!(cookies["likely"], true, "{cookies}");
    assert_eq!(cookies["sent"], json!(["session"]), "{cookies}");
}

// ---- daily use: layout, keyboard, filters, matrix, editor, accessibility ---------------

const AXE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../target/tools/axe-core/node_modules/axe-core/axe.min.js"
);

/// axe-core's serious and critical violations inside `context` (a CSS selector; the
/// panel's shadow tree is included), each with a few of its nodes.
async fn axe(client: &Client, context: &str) -> Vec<Value> {
    let source = std::fs::read_to_string(AXE)
        .unwrap_or_else(|e| panic!("{AXE}: {e} (run scripts/setup.sh node, it installs axe-core)"));
    let loaded = client
        .execute(&format!("{source}\n;return typeof window.axe"), vec![])
        .await
        .expect("axe-core loads");
    assert_eq!(loaded, json!("object"), "axe-core defines window.axe");
    let violations = client
        .execute_async(
            "const done = arguments[arguments.length - 1];
             axe.run({ include: [[arguments[0]]] }, { resultTypes: ['violations'] })
               .then((r) => done(r.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical')
                 .map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                   nodes: v.nodes.slice(0, 4).map((n) => `${JSON.stringify(n.target)}: ${n.failureSummary}`) }))))
               .catch((e) => done([{ id: 'axe-error', help: String(e) }]));",
            vec![json!(context)],
        )
        .await
        .expect("axe runs");
    serde_json::from_value(violations).expect("a list of violations")
}

/// Sets the viewport (not the window) to `width` x `height`.
async fn viewport(client: &Client, width: u32, height: u32) {
    client.set_window_size(width, height).await.expect("window resized");
    let inner = client.execute("return [innerWidth, innerHeight]", vec![]).await.unwrap();
    let inner: (u32, u32) = serde_json::from_value(inner).unwrap();
    if inner != (width, height) {
        let (w, h) =
            (width + width.saturating_sub(inner.0), height + height.saturating_sub(inner.1));
        client.set_window_size(w, h).await.expect("window resized");
    }
    let inner = client.execute("return innerWidth", vec![]).await.unwrap();
    assert_eq!(inner, json!(width), "the viewport is {width} px wide");
}

/// Whether anything scrolls sideways, and case names broken inside a word (a word wider than its box).
const LAYOUT_PROBLEMS: &str = "
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  const canvas = document.createElement('canvas').getContext('2d');
  for (const name of document.querySelectorAll('#results .case-link')) {
    if (!name.offsetParent) continue;
    const style = getComputedStyle(name);
    canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const box = name.parentElement.clientWidth - parseFloat(getComputedStyle(name.parentElement).paddingLeft) - parseFloat(getComputedStyle(name.parentElement).paddingRight);
    for (const word of name.textContent.split(/\\s+/)) {
      if (canvas.measureText(word).width > box + 1) problems.push(`\"${word}\" of \"${name.textContent}\" is broken (${box} px)`);
    }
  }
  return problems;";

async fn screenshot(client: &Client, name: &str) {
    let shot = client.screenshot().await.expect("a screenshot");
    let path = format!("{}/../target/{name}.png", env!("CARGO_MANIFEST_DIR"));
    std::fs::write(&path, shot).expect("screenshot written");
}

async fn key(page: &Page, keys: &str) {
    page.client
        .active_element()
        .await
        .expect("a focused element")
        .send_keys(keys)
        .await
        .expect("keys");
}

async fn focused_case(page: &Page) -> Value {
    page.js("const a = document.activeElement; return a.matches('.case-link') ? a.textContent : `not a case: ${a.outerHTML.slice(0, 80)}`").await
}

#[tokio::test]
async fn page_for_daily_use_in_chromium() {
    use fantoccini::key::Key;
    let page = open("chromium", 9510).await;
    viewport(&page.client, 1280, 800).await;

    // The demo suite, pretty-printed, one case per row before any run.
    let editor = page.js("return document.getElementById('suite-editor').value").await;
    assert!(editor.as_str().unwrap().contains("\n  \"cases\": [\n"), "pretty-printed: {editor}");
    let cases = page.rows().await.len();
    assert!(cases >= 20, "the demo suite's cases are listed: {cases}");
    page.click("#run").await;
    page.wait_for("document.getElementById('run-status').textContent === 'Done.'", "the demo run")
        .await;
    let rows = page.rows().await;
    assert_eq!(rows.len(), cases);

    // 1280 px: nothing scrolls sideways, no case name is broken inside a word.
    assert_eq!(page.js(LAYOUT_PROBLEMS).await, json!([]), "layout at 1280 px");

    // Filters and search.
    let visible = "return [...document.querySelectorAll('#results tbody tr[data-index]')].filter(r => !r.hidden).map(r => [r.cells[1].textContent, r.cells[2].textContent, r.cells[7].textContent])";
    page.js("const s = document.getElementById('filter-outcome'); s.value = 'blocked'; s.dispatchEvent(new Event('change'))").await;
    let shown: Vec<Vec<String>> = serde_json::from_value(page.js(visible).await).unwrap();
    let blocked = rows.iter().filter(|r| r[2] == "blocked").count();
    assert!(blocked >= 5 && shown.len() == blocked, "{shown:?}");
    assert!(shown.iter().all(|r| r[1] == "blocked"), "{shown:?}");
    let count = page.js("return document.querySelector('[data-part=count]').textContent").await;
    assert_eq!(count, json!(format!("{blocked} of {cases} shown")));
    page.js("const s = document.getElementById('filter-outcome'); s.value = ''; s.dispatchEvent(new Event('change'))").await;
    page.client.find(Locator::Css("#search")).await.unwrap().send_keys("tower-http").await.unwrap();
    let shown: Vec<Vec<String>> = serde_json::from_value(page.js(visible).await).unwrap();
    assert_eq!(shown.len(), 4, "{shown:?}");
    assert!(shown.iter().all(|r| r[0].starts_with("tower-http")), "{shown:?}");
    page.js("const s = document.getElementById('filter-verdict'); s.value = 'fail'; s.dispatchEvent(new Event('change'))").await;
    assert_eq!(page.js(visible).await, json!([]), "no tower-http case fails");
    assert_eq!(
        page.js("return document.querySelector('[data-part=empty]').hidden").await,
        json!(false)
    );
    page.js("const s = document.getElementById('filter-verdict'); s.value = 'pass'; s.dispatchEvent(new Event('change'))").await;
    assert_eq!(serde_json::from_value::<Vec<Value>>(page.js(visible).await).unwrap().len(), 4);

    // Keyboard: from the search box down into the rows, Enter opens, arrows follow, Escape closes.
    key(&page, &Key::Down.to_string()).await;
    assert_eq!(focused_case(&page).await, json!(shown[0][0]));
    key(&page, &Key::Enter.to_string()).await;
    page.wait_for("!document.getElementById('detail').hidden", "the detail to open").await;
    let title = page.js("return document.getElementById('detail-title').textContent").await;
    assert!(title.as_str().unwrap().starts_with(&shown[0][0]), "{title}");
    key(&page, &Key::Down.to_string()).await;
    assert_eq!(focused_case(&page).await, json!(shown[1][0]));
    let title = page.js("return document.getElementById('detail-title').textContent").await;
    assert!(title.as_str().unwrap().starts_with(&shown[1][0]), "the detail follows: {title}");
    key(&page, &Key::Escape.to_string()).await;
    assert_eq!(page.js("return document.getElementById('detail').hidden").await, json!(true));
    assert_eq!(focused_case(&page).await, json!(shown[1][0]), "focus goes back to the row");
    key(&page, &Key::Up.to_string()).await;
    assert_eq!(focused_case(&page).await, json!(shown[0][0]));

    // The failing case is marked, and its detail opens beside the table, in view, with the fix to copy.
    page.js("const s = document.getElementById('search'); s.value = ''; s.dispatchEvent(new Event('input')); const v = document.getElementById('filter-verdict'); v.value = ''; v.dispatchEvent(new Event('change'))").await;
    page.js("document.getElementById('run-status').scrollIntoView()").await;
    let at = rows
        .iter()
        .position(|r| r[1] == "serverless: cookie (credentials: include)")
        .expect("the cookie case");
    page.click(&format!("#results tbody tr[data-index='{at}'] td.case")).await;
    let placement = page.js("const d = document.getElementById('detail').getBoundingClientRect(), t = document.getElementById('results').getBoundingClientRect(); return { beside: d.left >= t.right, top: d.top, bottom: innerHeight, fixVisible: [...document.querySelectorAll('#detail button.copy')].some(b => { const r = b.getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }) }").await;
    assert_eq!(placement["beside"], json!(true), "{placement}");
    assert_eq!(
        placement["fixVisible"],
        json!(true),
        "a copy button of the fix is in view: {placement}"
    );
    let fault = page
        .js("return [...document.querySelectorAll('#detail tr.fault')].map(t => t.textContent)")
        .await;
    assert!(
        fault.to_string().contains("at fault"),
        "the header at fault is marked in words: {fault}"
    );
    let seen = page.js("return document.querySelector('#detail .seen').textContent").await;
    assert!(seen.as_str().unwrap().contains(&page.url.trim_end_matches('/').to_string()), "{seen}");
    page.click("#detail button.copy").await;
    page.wait_for(
        "document.querySelector('#detail button.copy').textContent.startsWith('Copied')",
        "the copy to be confirmed",
    )
    .await;
    screenshot(&page.client, "page-1280").await;
    assert_eq!(page.js(LAYOUT_PROBLEMS).await, json!([]), "layout at 1280 px, detail open");

    // Accessibility, light and dark, with the detail open.
    for theme in ["light", "dark"] {
        page.js(&format!("const s = document.getElementById('theme'); s.value = '{theme}'; s.dispatchEvent(new Event('change'))")).await;
        let violations = axe(&page.client, "body").await;
        assert!(violations.is_empty(), "axe, page, {theme}: {violations:#?}");
    }
    screenshot(&page.client, "page-1280-dark").await;
    page.js("const s = document.getElementById('theme'); s.value = ''; s.dispatchEvent(new Event('change'))").await;

    // 390 px: no sideways scrolling; the detail opens under its row.
    viewport(&page.client, 390, 844).await;
    page.click(&format!("#results tbody tr[data-index='{at}'] td.case")).await;
    assert_eq!(
        page.js(&format!("return document.querySelector('#results tr[data-index=\"{at}\"]').nextElementSibling.contains(document.getElementById('detail'))")).await,
        json!(true),
        "the detail is under its row"
    );
    assert_eq!(page.js(LAYOUT_PROBLEMS).await, json!([]), "layout at 390 px");
    page.js(&format!(
        "document.querySelector('#results tr[data-index=\"{at}\"]').scrollIntoView()"
    ))
    .await;
    screenshot(&page.client, "page-390").await;
    let violations = axe(&page.client, "body").await;
    assert!(violations.is_empty(), "axe, page at 390 px: {violations:#?}");
    viewport(&page.client, 1280, 800).await;

    // Matrix: this run and the same results from another browser, one outcome different.
    page.js("const r = structuredClone(window.corsHarness.poll(0).report); r.browser = 'Firefox 153.0'; r.results[0].outcome = 'blocked'; r.results[0].pass = false; return window.corsHarness.loadReports([r])").await;
    let matrix = page.js("return { pressed: document.querySelector('[data-view=browser]').getAttribute('aria-pressed'), rows: document.querySelectorAll('.matrix-table tbody tr').length, differs: [...document.querySelectorAll('.matrix-table tr.differs')].map(r => r.cells[0].textContent), columns: [...document.querySelectorAll('.matrix-table th.key')].map(t => t.textContent) }").await;
    assert_eq!(matrix["pressed"], json!("true"), "{matrix}");
    assert_eq!(matrix["rows"], json!(cases), "{matrix}");
    assert_eq!(matrix["differs"], json!([rows[0][1]]), "{matrix}");
    assert_eq!(matrix["columns"].as_array().unwrap().len(), 2, "{matrix}");
    assert!(page
        .js("return document.querySelector('.matrix-table tr.differs').textContent")
        .await
        .as_str()
        .unwrap()
        .contains("differs"));
    page.js("window.scrollTo(0, 0)").await;
    page.click(".matrix-table tr.differs td:nth-child(3) .cell-link").await;
    let seen = page.js("return document.querySelector('#detail .seen').textContent").await;
    assert!(seen.as_str().unwrap().contains("Firefox 153.0"), "the browser it was seen in: {seen}");
    let only = "const c = document.querySelector('[data-part=only-differences]'); c.checked = true; c.dispatchEvent(new Event('change')); return [...document.querySelectorAll('.matrix-table tbody tr')].filter(r => !r.hidden).length";
    assert_eq!(page.js(only).await, json!(1));
    assert_eq!(page.js(LAYOUT_PROBLEMS).await, json!([]), "layout of the matrix at 1280 px");
    screenshot(&page.client, "page-matrix-1280").await;
    let violations = axe(&page.client, "body").await;
    assert!(violations.is_empty(), "axe, matrix: {violations:#?}");

    // Editor: a problem is marked on its own line.
    page.set_suite(&json!({ "name": "lines", "cases": [{ "id": "good", "url": format!("{}/cors/permissive/a", page.fixtures) }, { "id": "bad", "url": 5 }] })).await;
    page.wait_for("document.querySelector('#suite-problems button')", "the problem").await;
    let problem = page.js("return [document.querySelector('#suite-problems button').textContent, [...document.querySelectorAll('#suite-gutter mark')].map(m => m.textContent), document.getElementById('suite-editor').value.split('\\n').findIndex(l => l.includes('\"url\": 5')) + 1]").await;
    let line = problem[2].as_u64().unwrap();
    assert!(line > 1, "{problem}");
    assert!(
        problem[0].as_str().unwrap().starts_with(&format!("line {line}: cases[1] \"bad\", url")),
        "{problem}"
    );
    assert_eq!(problem[1], json!([format!("! {line}")]), "{problem}");

    // DevTools paste: imported when the engine has importRequests, else said so.
    let can_import = page.js("return typeof window.corsHarness.canImport === 'boolean' ? window.corsHarness.canImport : null").await;
    page.click("#import summary").await;
    page.client
        .find(Locator::Css("#import-text"))
        .await
        .unwrap()
        .send_keys(&format!("curl '{}/cors/permissive/pasted' -H 'X-Custom: 1'", page.fixtures))
        .await
        .unwrap();
    page.click("#import-form button[type=submit]").await;
    let notes = page.js("return document.getElementById('import-notes').textContent").await;
    if can_import == json!(true) {
        let editor = page.js("return document.getElementById('suite-editor').value").await;
        assert!(editor.as_str().unwrap().contains("/cors/permissive/pasted"), "{editor} {notes}");
    } else {
        assert_eq!(can_import, json!(false));
        assert!(notes.as_str().unwrap().contains("not available in this build"), "{notes}");
    }

    // The suite survives a reload (local storage).
    page.client.refresh().await.unwrap();
    page.wait_for("!document.getElementById('run').disabled", "the engine to load").await;
    let editor = page.js("return document.getElementById('suite-editor').value").await;
    assert!(editor.as_str().unwrap().contains("\"name\": \"lines\""), "{editor}");

    page.client.close().await.expect("session closed");
}

// ---- www/ and the panel on a plain static server -----------------------------------------

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).expect("a directory");
    for entry in std::fs::read_dir(from).expect("readable") {
        let entry = entry.expect("an entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("a type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copied");
        }
    }
}

/// `www/` plus `wasm-pack build --target web --out-dir <site>/pkg`, and the panel's files as
/// the npm package ships them (scripts/package.sh), in a temporary directory.
fn static_site(dir: &std::path::Path) {
    let repo = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    copy_dir(&repo.join("www"), dir);
    let pkg = dir.join("pkg");
    let output = std::process::Command::new("wasm-pack")
        .args(["--quiet", "build", "--release", "--mode", "no-install", "--target", "web"])
        .arg("--out-dir")
        .arg(&pkg)
        .args(["--out-name", "cors_harness"])
        .arg(&repo)
        .output()
        .expect("wasm-pack runs (scripts/setup.sh wasm installs it)");
    assert!(output.status.success(), "wasm-pack: {}", String::from_utf8_lossy(&output.stderr));
    let panel = dir.join("panel");
    std::fs::create_dir_all(&panel).unwrap();
    for (from, name) in [
        (repo.join("npm/panel.js"), "panel.js"),
        (repo.join("www/render.js"), "render.js"),
        (repo.join("www/controller.js"), "controller.js"),
        (repo.join("www/harness.css"), "harness.css"),
        (pkg.join("cors_harness.js"), "cors_harness.js"),
        (pkg.join("cors_harness_bg.wasm"), "cors_harness_bg.wasm"),
    ] {
        std::fs::copy(&from, panel.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", from.display()));
    }
    if pkg.join("snippets").is_dir() {
        copy_dir(&pkg.join("snippets"), &panel.join("snippets"));
    }
    // A host page with a strict policy: no inline script or style (the panel brings a stylesheet file).
    std::fs::write(
        panel.join("index.html"),
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark"><title>Panel host</title><script type="module" src="panel.js"></script></head><body><main><h1>Host app</h1><cors-harness-panel suite-url="suite.json"></cors-harness-panel></main></body></html>"#,
    )
    .unwrap();
}

#[tokio::test]
async fn www_and_panel_on_a_static_server() {
    const PAGE_PORT: u16 = 9530;
    const FIXTURES: u16 = 9531;
    let site = common::TempDir::new("static-site");
    let dir = site.0.clone();
    tokio::task::spawn_blocking(move || static_site(&dir)).await.expect("the site builds");
    let origin = format!("http://127.0.0.1:{PAGE_PORT}");
    let _fixtures = common::fixtures(FIXTURES, &origin);
    let a = format!("http://127.0.0.1:{FIXTURES}");
    let suite = json!({ "name": "static", "cases": [
        { "id": "permissive", "url": format!("{a}/cors/permissive/s"), "expect": "allowed" },
        { "id": "no CORS at all", "url": format!("{a}/cors/none/s"), "expect": "blocked" },
        { "id": "nothing listens", "url": format!("http://127.0.0.1:{}/", FIXTURES + 4), "expect": "unreachable" }
    ]});
    std::fs::write(site.0.join("panel/suite.json"), suite.to_string()).unwrap();

    // Any static server: here tower-http's ServeDir with the page's policy as a header.
    let policy =
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; connect-src *";
    let router = axum::Router::new().fallback_service(ServeDir::new(&site.0)).layer(
        SetResponseHeaderLayer::overriding(
            axum::http::header::CONTENT_SECURITY_POLICY,
            axum::http::HeaderValue::from_static(policy),
        ),
    );
    let listener =
        tokio::net::TcpListener::bind(("127.0.0.1", PAGE_PORT)).await.expect("the port is free");
    let server = tokio::spawn(async move { axum::serve(listener, router).await });
    let (client, _driver) = session("chromium", 1280, 900).await;
    let page =
        Page { client, url: format!("{origin}/"), _driver, _server: None, fixtures: a.clone() };

    // The page: loads the engine from ./pkg/ only, runs a suite.
    page.client.goto(&page.url).await.unwrap();
    page.wait_for("!document.getElementById('run').disabled", "the engine to load").await;
    page.set_suite(&suite).await;
    page.click("#run").await;
    page.wait_for("document.getElementById('run-status').textContent === 'Done.'", "the run").await;
    let outcomes: Vec<String> = page.rows().await.into_iter().map(|r| r[2].clone()).collect();
    assert_eq!(outcomes, ["allowed", "blocked", "unreachable"]);
    assert_eq!(page.js("return document.querySelectorAll('.fail').length").await, json!(0));

    // The panel, as the npm package ships it, under the same strict policy.
    let shadow = |script: &str| {
        format!("const root = document.querySelector('cors-harness-panel').shadowRoot; {script}")
    };
    page.client.goto(&format!("{origin}/panel/")).await.unwrap();
    page.wait_for("document.querySelector('cors-harness-panel')?.shadowRoot?.querySelector('[data-part=status]')?.textContent === 'Ready.'", "the panel's suite").await;
    page.js(&shadow("root.querySelector('button.run').click()")).await;
    page.wait_for("document.querySelector('cors-harness-panel').shadowRoot.querySelector('[data-part=status]').textContent === 'Done.'", "the panel's run").await;
    let outcomes = page.js(&shadow("return [...root.querySelectorAll('tbody.results tr[data-index]')].map(r => r.cells[2].textContent)")).await;
    assert_eq!(outcomes, json!(["allowed", "blocked", "unreachable"]));
    let styled = page
        .js(&shadow("return getComputedStyle(root.querySelector('.badge')).borderTopStyle"))
        .await;
    assert_eq!(styled, json!("solid"), "the panel's stylesheet applies");
    page.js(&shadow("root.querySelectorAll('tbody.results tr[data-index]')[1].click()")).await;
    let detail =
        page.js(&shadow("return root.querySelector('[data-part=detail]').textContent")).await;
    assert!(detail.as_str().unwrap().contains("Why:"), "{detail}");
    for theme in ["light", "dark"] {
        page.js(&format!(
            "document.querySelector('cors-harness-panel').setAttribute('theme', '{theme}')"
        ))
        .await;
        let violations = axe(&page.client, "cors-harness-panel").await;
        assert!(violations.is_empty(), "axe, panel, {theme}: {violations:#?}");
    }
    viewport(&page.client, 390, 844).await;
    let overflow = page
        .js("return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        .await;
    assert_eq!(overflow, json!(0), "the panel at 390 px does not scroll sideways");
    screenshot(&page.client, "panel-390-dark").await;
    page.js("document.querySelector('cors-harness-panel').setAttribute('theme', 'light')").await;
    viewport(&page.client, 1280, 900).await;
    screenshot(&page.client, "panel-1280").await;

    page.client.close().await.expect("session closed");
    server.abort();
}

// ---- the Audit section: this page's own origin, and the command for the others --------

/// The text of the element `id`.
async fn text_of(page: &Page, id: &str) -> String {
    let text = page.js(&format!("return document.getElementById('{id}').textContent")).await;
    text.as_str().unwrap_or_default().to_owned()
}

/// Fills the Audit form (an empty value clears the field) as a person types.
async fn fill_audit(page: &Page, fields: &[(&str, &str)]) {
    for (name, value) in fields {
        let input = page
            .client
            .find(Locator::Css(&format!("#audit-form [name={name}]")))
            .await
            .unwrap_or_else(|e| panic!("the audit form's {name} field: {e}"));
        input.clear().await.expect("cleared");
        if !value.is_empty() {
            input.send_keys(value).await.expect("typed");
        }
    }
}

/// The verdict's level (`exploitable`, `expected`, `refused`), which its style shows.
async fn verdict_level(page: &Page) -> String {
    let level = page.js("return document.getElementById('audit-verdict').dataset.level").await;
    level.as_str().unwrap_or_default().to_owned()
}

/// Checks one URL from the page's Audit section and returns its verdict.
async fn audit_from_page(page: &Page) -> String {
    page.click("#audit-form button[type=submit]").await;
    page.wait_for(
        "document.getElementById('run-status').textContent === 'Done.' && !document.getElementById('audit-verdict').textContent.startsWith('Running')",
        "the audit from this page to finish",
    )
    .await;
    text_of(page, "audit-verdict").await
}

/// Layout problems inside the Audit section: anything wider than the viewport or cut off.
const AUDIT_LAYOUT_PROBLEMS: &str = "
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) problems.push(`the page scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
  for (const e of document.querySelectorAll('#audit *')) {
    if (!e.offsetParent) continue;
    const box = e.getBoundingClientRect();
    if (box.right > root.clientWidth + 1) problems.push(`${e.tagName}${e.id ? '#' + e.id : ''} ends at ${box.right} px`);
  }
  return problems;";

async fn audit_section(browser: &str, fixtures_base: u16) {
    let page = open(browser, fixtures_base).await;
    let a = page.fixtures.clone();
    let own = page.url.trim_end_matches('/').to_owned();
    page.click("#audit summary").await;
    assert!(
        text_of(&page, "audit").await.contains("This page cannot become another origin"),
        "the section says what a page cannot do"
    );

    // An API that echoes any origin with credentials, audited for another app's origin.
    let reflect = format!("{a}/audit/reflect/me");
    let cookie = "session=abc; SameSite=None; Secure";
    fill_audit(
        &page,
        &[("url", &reflect), ("origin", "https://app.example.com"), ("cookie", cookie)],
    )
    .await;
    // One option a line, as a shell reads it (and nothing wraps inside an option at 390 px).
    let command = format!(
        "cors-harness audit {reflect} \\\n  --origin https://app.example.com \\\n  --cookie 'session=abc; SameSite=None; Secure' \\\n  --browser all"
    );
    assert_eq!(text_of(&page, "audit-command").await, command, "the command as typed");
    // A shell reads it as these words (the cookie one word, the line breaks escaped).
    let words = std::process::Command::new("sh")
        .arg("-c")
        .arg(format!("printf '%s\\n' {}", command.trim_start_matches("cors-harness ")))
        .output()
        .expect("sh runs");
    assert_eq!(
        String::from_utf8_lossy(&words.stdout),
        format!("audit\n{reflect}\n--origin\nhttps://app.example.com\n--cookie\n{cookie}\n--browser\nall\n")
    );
    assert_eq!(
        page.js("return document.querySelector('#audit-copy button').textContent").await,
        json!("Copy command the cors-harness audit command")
    );
    let verdict = audit_from_page(&page).await;
    assert!(
        verdict.contains(&own) && verdict.contains("status 200") && verdict.contains("exploitable"),
        "{browser}: {verdict}"
    );
    assert!(verdict.contains("is not your app's origin"), "{browser}: {verdict}");
    assert_eq!(verdict_level(&page).await, "exploitable");
    assert_eq!(text_of(&page, "audit-command").await, command, "the command stays");
    let rows = page.rows().await;
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!((rows[0][1].as_str(), rows[0][2].as_str()), ("audit-credentialed", "allowed"));
    assert_eq!((rows[1][1].as_str(), rows[1][2].as_str()), ("audit-uncredentialed", "allowed"));
    screenshot(&page.client, &format!("audit-{browser}-1280")).await;

    // The exact allow-list (which lists this page): its own origin reads, as it should.
    let exact = format!("{a}/audit/exact/me");
    fill_audit(&page, &[("url", &exact), ("origin", ""), ("cookie", "")]).await;
    assert_eq!(
        text_of(&page, "audit-command").await,
        format!("cors-harness audit {exact} \\\n  --origin {own} \\\n  --browser all")
    );
    let verdict = audit_from_page(&page).await;
    assert!(
        verdict.contains(&own)
            && verdict.contains("status 200")
            && !verdict.contains("exploitable"),
        "{browser}: {verdict}"
    );

    // Public data: `*` without credentials is readable only without cookies.
    fill_audit(&page, &[("url", &format!("{a}/audit/public/me"))]).await;
    let verdict = audit_from_page(&page).await;
    assert!(
        verdict.contains("cannot read it with credentials (blocked")
            && verdict.contains("readable without credentials (public)"),
        "{browser}: {verdict}"
    );
    assert_eq!(verdict_level(&page).await, "refused");

    // At 1280 and 390 px the section fits its width (the command wraps). Headless Firefox
    // keeps its window at least 500 CSS px wide (measured: set 390, innerWidth stays 500,
    // with any devPixelsPerPx), so its narrow check is at 500.
    let narrow = if browser == "firefox" { 500 } else { 390 };
    fill_audit(
        &page,
        &[("url", &reflect), ("origin", "https://app.example.com"), ("cookie", cookie)],
    )
    .await;
    audit_from_page(&page).await;
    for width in [1280, narrow] {
        viewport(&page.client, width, 900).await;
        page.js("document.getElementById('audit').scrollIntoView()").await;
        assert_eq!(page.js(AUDIT_LAYOUT_PROBLEMS).await, json!([]), "{browser} at {width} px");
        let shot = page
            .client
            .find(Locator::Id("audit"))
            .await
            .expect("the section")
            .screenshot()
            .await
            .expect("a screenshot");
        let path = format!("{}/../target/audit-{browser}-{width}.png", env!("CARGO_MANIFEST_DIR"));
        std::fs::write(&path, shot).expect("screenshot written");
    }
    let violations = axe(&page.client, "#audit").await;
    assert!(violations.is_empty(), "axe, the Audit section: {violations:#?}");
    page.client.close().await.expect("session closed");
}

#[tokio::test]
async fn audit_section_in_chromium() {
    audit_section("chromium", 9340).await;
}

#[tokio::test]
async fn audit_section_in_firefox() {
    audit_section("firefox", 9345).await;
}
