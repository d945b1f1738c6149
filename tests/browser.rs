//! The engine in a real browser (Chromium and Firefox through `wasm-pack test`),
//! against the fixture servers the test command starts (`cors-harness fixtures`).
//!
//! The page is served from `WASM_BINDGEN_TEST_ADDRESS` (127.0.0.1:9180 in the test
//! command), the fixtures from `CORS_HARNESS_FIXTURES_PORT` (default 9181) up.
//! Many tests also read the fixtures' request log to check the harness's own
//! predictions (preflight, dropped headers) against what the browser really sent.
#![cfg(target_arch = "wasm32")]

use cors_harness::cors::ReasonFamily;
use cors_harness::engine::RunOptions;
use cors_harness::{CaseResult, Credentials, Outcome, Probe, Suite};
use serde_json::Value;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

// Unconditional: these tests only mean something in a browser.
wasm_bindgen_test_configure!(run_in_browser);

fn base_port() -> u16 {
    option_env!("CORS_HARNESS_FIXTURES_PORT").and_then(|p| p.parse().ok()).unwrap_or(9181)
}
fn on_port(offset: u16, path: &str) -> String {
    format!("http://127.0.0.1:{}{path}", base_port() + offset)
}
/// Origin A: the fixture app.
fn a(path: &str) -> String {
    on_port(0, path)
}
/// Origin B: the same app on a second origin.
fn b(path: &str) -> String {
    on_port(1, path)
}

fn page_origin() -> String {
    web_sys::window().expect("a window").location().origin().expect("an origin")
}

async fn run(probe: Probe) -> CaseResult {
    probe.run().await
}

/// Asserts the outcome, showing the whole result when it differs.
fn assert_outcome(result: &CaseResult, outcome: Outcome) {
    assert_eq!(result.outcome, outcome, "\n{result}");
}

/// What the fixtures received for this result's (cache-busted) URL.
async fn sent(result: &CaseResult) -> Vec<Value> {
    let token = result.url.split("__cors_harness=").nth(1).expect("a cache-busted URL").to_owned();
    let window = web_sys::window().expect("a window");
    let url = a(&format!("/__log?contains={token}"));
    let response: web_sys::Response = JsFuture::from(window.fetch_with_str(&url))
        .await
        .expect("the fixture log answers")
        .unchecked_into();
    let text = JsFuture::from(response.text().expect("a body")).await.expect("text");
    serde_json::from_str(&text.as_string().unwrap_or_default()).expect("log JSON")
}

/// Methods the fixtures received for this result, in order.
async fn methods_sent(result: &CaseResult) -> Vec<String> {
    sent(result).await.iter().map(|e| e["method"].as_str().unwrap_or_default().to_owned()).collect()
}

#[wasm_bindgen_test]
fn runs_in_a_real_browser_page() {
    let window = web_sys::window().expect("browser tests must run in a window, not node");
    assert!(window.navigator().user_agent().is_ok());
    assert!(page_origin().starts_with("http://127.0.0.1:"), "{}", page_origin());
}

// ---- allowed --------------------------------------------------------------

#[wasm_bindgen_test]
async fn allowed_records_status_readable_headers_body_and_no_preflight() {
    let r = run(Probe::get(&a("/cors/permissive/notes"))).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.status, Some(200));
    assert_eq!(r.header("x-total-count"), Some("42"), "permissive exposes every header\n{r}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert!(r.body.as_deref().unwrap_or("").contains("\"ok\":true"), "{r}");
    assert_eq!(r.redirected, Some(false));
    assert_eq!(r.final_url.as_deref(), Some(r.url.as_str()));
    assert_eq!(r.preflight, Some(false));
    assert!(r.error.is_none());
    assert_eq!(methods_sent(&r).await, ["GET"], "a simple GET, no preflight, no probe");
}

#[wasm_bindgen_test]
async fn allowed_whatever_the_status() {
    let r = run(Probe::get(&a("/broken/status/404"))).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.status, Some(404));
    let r = run(Probe::post(&a("/broken/status/500")).body("x")).await;
    assert_eq!(r.status, Some(500), "{r}");
}

#[wasm_bindgen_test]
async fn body_is_cut_to_300_characters() {
    // The route list is far longer than 300 characters.
    let r = run(Probe::get(&a("/__fixtures"))).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.body.as_ref().map(|b| b.chars().count()), Some(300));
}

// ---- blocked / unreachable / timeout ----------------------------------------

#[wasm_bindgen_test]
async fn blocked_when_the_server_has_no_cors_but_answers() {
    let r = run(Probe::get(&a("/cors/none/notes"))).await;
    assert_outcome(&r, Outcome::Blocked);
    let error = r.error.as_ref().expect("the TypeError");
    assert_eq!(error.name, "TypeError");
    assert!(r.status.is_none() && r.headers.is_none() && r.body.is_none());
    assert_eq!(r.reason, None, "reasons come with the evaluator");
    assert_eq!(methods_sent(&r).await, ["GET", "GET"], "the request, then the no-cors probe");
    let r = run(Probe::put(&a("/cors/none/notes")).header("X-Custom", "1")).await;
    assert_outcome(&r, Outcome::Blocked);
    assert_eq!(methods_sent(&r).await, ["OPTIONS", "HEAD"], "the preflight, then a HEAD probe");
}

#[wasm_bindgen_test]
async fn unreachable_when_nothing_listens() {
    let r = run(Probe::get(&on_port(4, "/notes"))).await;
    assert_outcome(&r, Outcome::Unreachable);
    assert_eq!(r.error.as_ref().map(|e| e.name.as_str()), Some("TypeError"));
}

#[wasm_bindgen_test]
async fn unreachable_when_the_server_closes_without_a_response() {
    let r = run(Probe::get(&on_port(2, "/notes"))).await;
    assert_outcome(&r, Outcome::Unreachable);
    let r = run(Probe::put(&on_port(2, "/notes")).header("X-Custom", "1")).await;
    assert_outcome(&r, Outcome::Unreachable);
}

#[wasm_bindgen_test]
async fn timeout_when_the_server_never_answers() {
    let r = run(Probe::get(&on_port(3, "/notes")).timeout_ms(400)).await;
    assert_outcome(&r, Outcome::Timeout);
    assert!(r.elapsed_ms >= 390.0, "{r}");
    assert_eq!(r.error.as_ref().map(|e| e.name.as_str()), Some("TimeoutError"));
    let r = run(Probe::get(&a("/broken/slow/3000")).timeout_ms(300)).await;
    assert_outcome(&r, Outcome::Timeout);
    let r = run(Probe::get(&a("/broken/slow/50")).timeout_ms(3000)).await;
    assert_outcome(&r, Outcome::Allowed);
}

// ---- invalid ------------------------------------------------------------------

#[wasm_bindgen_test]
async fn invalid_input_is_refused_before_any_request() {
    let cases = [
        ("relative", Probe::get("/cors/permissive/notes")),
        ("no scheme", Probe::get("127.0.0.1:9181/x")),
        ("unparsable", Probe::get("http://[::1/x")),
        ("bad port", Probe::get("http://127.0.0.1:99999/x")),
        (
            "credentials in URL",
            Probe::get(&a("/cors/permissive/x").replace("http://", "http://user:pw@")),
        ),
        ("header name", Probe::get(&a("/cors/permissive/x")).header("X Bad", "1")),
        ("header value", Probe::get(&a("/cors/permissive/x")).header("X-Bad", "a\nb")),
        ("CONNECT", Probe::new("CONNECT", &a("/cors/permissive/x"))),
        ("TRACE", Probe::new("trace", &a("/cors/permissive/x"))),
        ("TRACK", Probe::new("TRACK", &a("/cors/permissive/x"))),
        ("method token", Probe::new("GE T", &a("/cors/permissive/x"))),
        ("GET body", Probe::get(&a("/cors/permissive/x")).body("x")),
        ("HEAD body", Probe::head(&a("/cors/permissive/x")).body("x")),
        ("ftp", Probe::get("ftp://127.0.0.1/x")),
        ("data", Probe::get("data:text/plain,hi")),
    ];
    for (what, probe) in cases {
        let r = run(probe.id(what)).await;
        assert_outcome(&r, Outcome::Invalid);
        let error = r.error.as_ref().unwrap_or_else(|| panic!("{what}: no error\n{r}"));
        assert_eq!(error.name, "TypeError", "{what}\n{r}");
        assert!(!error.message.is_empty());
        assert_eq!(r.preflight, None, "{what}: nothing was sent");
    }
}

// ---- preflight and dropped headers, checked against the wire --------------------

#[wasm_bindgen_test]
async fn preflight_prediction_matches_what_the_browser_sent() {
    let url = a("/cors/permissive/p");
    let cases = [
        Probe::get(&url),
        Probe::head(&url),
        Probe::post(&url).header("Content-Type", "text/plain;charset=UTF-8").body("x"),
        Probe::post(&url).header("Content-Type", "application/x-www-form-urlencoded").body("a=1"),
        Probe::post(&url).header("Content-Type", "application/json").body("{}"),
        Probe::get(&url).header("Accept", "application/json"),
        Probe::get(&url).header("Accept-Language", "en-US,en;q=0.9"),
        Probe::get(&url).header("Accept", "text/html; x=\"y\""),
        Probe::get(&url).header("Authorization", "Bearer abc"),
        Probe::get(&url).header("X-Custom", "1"),
        Probe::get(&url).header("Accept", &"a".repeat(129)),
        Probe::get(&url).header("Range", "bytes=0-"),
        Probe::get(&url).header("Range", "bytes=-5"),
        // Client hints: Chromium safelists these (no preflight), Firefox does not.
        Probe::get(&url).header("DPR", "2"),
        Probe::get(&url).header("Save-Data", "on"),
        Probe::get(&url).header("Viewport-Width", "1024"),
        Probe::get(&url).header("DPR", "x"),
        Probe::put(&url).body("x"),
        Probe::delete(&url),
        Probe::patch(&url).body("x"),
        Probe::new("patch", &url).body("x"),
        Probe::new("post", &url).body("x"),
    ];
    for probe in cases {
        let r = run(probe).await;
        let methods = methods_sent(&r).await;
        let sent_preflight = methods.first().map(String::as_str) == Some("OPTIONS");
        assert_eq!(r.preflight, Some(sent_preflight), "browser sent {methods:?}\n{r}");
        if r.method == "patch" {
            assert_outcome(&r, Outcome::Allowed);
        }
    }
}

#[wasm_bindgen_test]
async fn forbidden_headers_are_dropped_and_reported() {
    let r = run(Probe::get(&a("/cors/permissive/d"))
        .header("Cookie", "a=1")
        .header("Origin", "http://evil.example")
        .header("Sec-Custom", "1")
        .header("Proxy-Thing", "1")
        .header("X-HTTP-Method-Override", "TRACE")
        .header("X-Fine", "1"))
    .await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(
        r.dropped_headers,
        ["cookie", "origin", "proxy-thing", "sec-custom", "x-http-method-override"]
    );
    assert_eq!(r.preflight, Some(true), "X-Fine still needs a preflight");
    let log = sent(&r).await;
    let actual = log.iter().find(|e| e["method"] == "GET").expect("the GET reached the server");
    let names: Vec<&str> = actual["header_names"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for dropped in ["sec-custom", "proxy-thing", "x-http-method-override"] {
        assert!(!names.contains(&dropped), "{dropped} was sent: {names:?}");
    }
    assert!(names.contains(&"x-fine"));
    assert_eq!(actual["origin"], page_origin().as_str(), "the page's Origin, not ours");

    let r = run(Probe::get(&a("/cors/permissive/d")).header("Cookie", "a=1")).await;
    assert_eq!(r.preflight, Some(false), "a dropped header causes no preflight\n{r}");
    assert_eq!(methods_sent(&r).await, ["GET"]);
}

#[wasm_bindgen_test]
async fn cache_bust_keeps_the_preflight_cache_out() {
    let probe = || Probe::put(&a("/cors/permissive/cache")).header("X-Custom", "1");
    for _ in 0..2 {
        let r = run(probe()).await;
        assert_outcome(&r, Outcome::Allowed);
        assert_eq!(methods_sent(&r).await, ["OPTIONS", "PUT"], "a fresh preflight every run\n{r}");
    }
    let r = run(probe().cache_bust(false)).await;
    assert_eq!(r.url, a("/cors/permissive/cache"));
}

// ---- tower-http CorsLayer configurations ---------------------------------------------

#[wasm_bindgen_test]
async fn exact_origin_configuration() {
    let url = a("/cors/exact/notes");
    assert_outcome(&run(Probe::get(&url)).await, Outcome::Allowed);
    assert_outcome(
        &run(Probe::post(&url).header("Content-Type", "application/json").body("{}")).await,
        Outcome::Allowed,
    );
    assert_outcome(
        &run(Probe::get(&url).header("Authorization", "Bearer a")).await,
        Outcome::Allowed,
    );
    assert_outcome(&run(Probe::get(&url).header("X-Api-Key", "k")).await, Outcome::Blocked);
    assert_outcome(&run(Probe::delete(&url)).await, Outcome::Blocked);
    // No Access-Control-Allow-Credentials: credentialed requests fail.
    assert_outcome(
        &run(Probe::get(&url).credentials(Credentials::Include)).await,
        Outcome::Blocked,
    );
    // The exact origin does not match origin B's pages... but the page is ours: a
    // request from our origin to origin B with the same config works the same way.
    assert_outcome(&run(Probe::get(&b("/cors/exact/notes"))).await, Outcome::Allowed);
}

#[wasm_bindgen_test]
async fn reflected_origin_with_credentials_configuration() {
    let url = a("/cors/reflect-credentials/notes");
    let r = run(Probe::get(&url).credentials(Credentials::Include)).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.header("x-total-count"), Some("42"), "exposed\n{r}");
    assert_eq!(r.header("x-request-id"), None, "not exposed\n{r}");
    let r =
        run(Probe::put(&url).credentials(Credentials::Include).header("X-Api-Key", "k").body("{}"))
            .await;
    assert_outcome(&r, Outcome::Allowed);
    assert_outcome(&run(Probe::patch(&url).body("{}")).await, Outcome::Blocked);
    assert_outcome(&run(Probe::get(&url).header("X-Other", "1")).await, Outcome::Blocked);
    let very = a("/cors/very-permissive/notes");
    let r = run(Probe::patch(&very)
        .credentials(Credentials::Include)
        .header("X-Anything", "1")
        .body("x"))
    .await;
    assert_outcome(&r, Outcome::Allowed);
}

#[wasm_bindgen_test]
async fn restricted_methods_and_headers_configurations() {
    let methods = a("/cors/methods/notes");
    assert_outcome(&run(Probe::post(&methods).body("x")).await, Outcome::Allowed);
    assert_outcome(&run(Probe::put(&methods).body("x")).await, Outcome::Blocked);
    assert_outcome(&run(Probe::delete(&methods)).await, Outcome::Blocked);
    let headers = a("/cors/headers/notes");
    assert_outcome(
        &run(Probe::post(&headers).header("Content-Type", "application/json").body("{}")).await,
        Outcome::Allowed,
    );
    assert_outcome(&run(Probe::get(&headers).header("X-Custom", "1")).await, Outcome::Blocked);
    assert_outcome(
        &run(Probe::get(&headers).header("Authorization", "Bearer a")).await,
        Outcome::Blocked,
    );
}

#[wasm_bindgen_test]
async fn exposed_headers_and_no_cors_configurations() {
    let r = run(Probe::get(&a("/cors/expose/notes"))).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.header("x-total-count"), Some("42"));
    assert_eq!(r.header("x-request-id"), None, "{r}");
    assert_eq!(r.header("cache-control"), Some("no-store"), "safelisted response header");
    let none = a("/cors/none/notes");
    assert_outcome(&run(Probe::get(&none)).await, Outcome::Blocked);
    assert_outcome(&run(Probe::put(&none).header("X-Custom", "1")).await, Outcome::Blocked);
}

// ---- the serverless story ------------------------------------------------------------

#[wasm_bindgen_test]
async fn serverless_gateway_passes_token_requests_and_blocks_cookie_requests() {
    let url = a("/serverless/gateway/notes");
    let token = run(Probe::get(&url).header("Authorization", "Bearer abc")).await;
    assert_outcome(&token, Outcome::Allowed);
    assert_eq!(token.preflight, Some(true));
    assert_outcome(
        &run(Probe::post(&url).header("Content-Type", "application/json").body("{}")).await,
        Outcome::Allowed,
    );
    let cookie = run(Probe::get(&url).credentials(Credentials::Include)).await;
    assert_outcome(&cookie, Outcome::Blocked);
    let both = run(Probe::get(&url)
        .credentials(Credentials::Include)
        .header("Authorization", "Bearer abc"))
    .await;
    assert_outcome(&both, Outcome::Blocked);
    assert_eq!(methods_sent(&both).await.first().map(String::as_str), Some("OPTIONS"));
}

#[wasm_bindgen_test]
async fn serverless_without_gateway_cors_and_behind_an_authorizer() {
    let lambda = a("/serverless/lambda/notes");
    assert_outcome(&run(Probe::get(&lambda)).await, Outcome::Allowed);
    assert_outcome(
        &run(Probe::get(&lambda).credentials(Credentials::Include)).await,
        Outcome::Blocked,
    );
    // ACAO * and ACAC true but no Access-Control-Allow-Headers on the preflight.
    assert_outcome(
        &run(Probe::get(&lambda).header("Authorization", "Bearer a")).await,
        Outcome::Blocked,
    );
    let authorizer = a("/serverless/authorizer/notes");
    assert_outcome(&run(Probe::get(&authorizer)).await, Outcome::Blocked);
    assert_outcome(
        &run(Probe::get(&authorizer).header("Authorization", "Bearer a")).await,
        Outcome::Blocked,
    );
}

// ---- hand-broken servers ----------------------------------------------------------------

#[wasm_bindgen_test]
async fn broken_allow_origin_values() {
    for path in ["/broken/two-acao", "/broken/acao-list", "/broken/trailing-slash"] {
        assert_outcome(&run(Probe::get(&a(path))).await, Outcome::Blocked);
    }
    assert_outcome(&run(Probe::get(&a("/broken/fixed-origin"))).await, Outcome::Allowed);
}

#[wasm_bindgen_test]
async fn broken_allow_credentials() {
    let url = a("/broken/acac-capital");
    assert_outcome(&run(Probe::get(&url)).await, Outcome::Allowed);
    assert_outcome(
        &run(Probe::get(&url).credentials(Credentials::Include)).await,
        Outcome::Blocked,
    );
    let url = a("/broken/preflight-wildcard-credentials");
    assert_outcome(&run(Probe::get(&url).header("X-Custom", "1")).await, Outcome::Allowed);
    let r = run(Probe::get(&url).header("X-Custom", "1").credentials(Credentials::Include)).await;
    assert_outcome(&r, Outcome::Blocked);
    assert_eq!(methods_sent(&r).await.first().map(String::as_str), Some("OPTIONS"));
}

#[wasm_bindgen_test]
async fn broken_preflight_statuses() {
    for (code, outcome) in [
        (200, Outcome::Allowed),
        (204, Outcome::Allowed),
        (301, Outcome::Blocked),
        (307, Outcome::Blocked),
        (400, Outcome::Blocked),
        (401, Outcome::Blocked),
        (404, Outcome::Blocked),
        (500, Outcome::Blocked),
    ] {
        let url = a(&format!("/broken/preflight-status/{code}"));
        let r = run(Probe::get(&url).header("X-Custom", "1")).await;
        assert_outcome(&r, outcome);
        let methods = methods_sent(&r).await;
        assert_eq!(methods.first().map(String::as_str), Some("OPTIONS"), "{code}");
        if outcome == Outcome::Blocked {
            assert!(
                !methods[1..].contains(&"OPTIONS".to_owned()),
                "preflight redirects are not followed"
            );
        }
        // The same URL without a preflight works.
        assert_outcome(&run(Probe::get(&url)).await, Outcome::Allowed);
    }
}

#[wasm_bindgen_test]
async fn broken_missing_allow_origin_and_unparsable_allow_lists() {
    let no_pre = a("/broken/no-acao-preflight");
    assert_outcome(&run(Probe::get(&no_pre)).await, Outcome::Allowed);
    assert_outcome(&run(Probe::get(&no_pre).header("X-Custom", "1")).await, Outcome::Blocked);
    let no_actual = a("/broken/no-acao-actual");
    assert_outcome(&run(Probe::get(&no_actual)).await, Outcome::Blocked);
    let r = run(Probe::get(&no_actual).header("X-Custom", "1")).await;
    assert_outcome(&r, Outcome::Blocked);
    assert_eq!(
        methods_sent(&r).await[..2],
        ["OPTIONS", "GET"],
        "preflight passed, the actual response failed"
    );
    assert_outcome(
        &run(Probe::put(&a("/broken/bad-allow-methods")).body("x")).await,
        Outcome::Blocked,
    );
    assert_outcome(&run(Probe::get(&a("/broken/bad-allow-methods"))).await, Outcome::Allowed);
    assert_outcome(
        &run(Probe::get(&a("/broken/bad-allow-headers")).header("X-A", "1")).await,
        Outcome::Blocked,
    );
}

#[wasm_bindgen_test]
async fn expose_headers_star_only_without_credentials() {
    let url = a("/broken/expose-star");
    let r = run(Probe::get(&url)).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.header("x-request-id"), Some("req-7"), "* exposes all\n{r}");
    let r = run(Probe::get(&url).credentials(Credentials::Include)).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.header("x-request-id"), None, "with credentials * is a literal name\n{r}");
    assert_eq!(r.header("content-type"), Some("application/json"));
}

// ---- redirects ------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn redirects_follow_the_cors_rules_at_every_hop() {
    let r = run(Probe::get(&a("/redirect/302/wildcard"))).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.redirected, Some(true));
    assert!(r.final_url.as_deref().unwrap_or("").starts_with(&b("/cors/permissive/landed")), "{r}");
    assert_outcome(
        &run(Probe::get(&a("/redirect/302/wildcard")).credentials(Credentials::Include)).await,
        Outcome::Blocked,
    );
    // After a cross-origin redirect the Origin is `null`: a fixed origin no longer matches...
    assert_outcome(&run(Probe::get(&a("/redirect/302/fixed-origin"))).await, Outcome::Blocked);
    // ...but a server that mirrors the origin mirrors `null`.
    let r =
        run(Probe::get(&a("/redirect/302/reflect-credentials")).credentials(Credentials::Include))
            .await;
    assert_outcome(&r, Outcome::Allowed);
    let log = sent(&r).await;
    let landed =
        log.iter().find(|e| e["uri"].as_str().unwrap_or("").contains("landed")).expect("landed");
    assert_eq!(landed["origin"], "null", "{log:?}");
    // A same-origin hop keeps the page's origin.
    assert_outcome(&run(Probe::get(&a("/redirect/302/same-server"))).await, Outcome::Allowed);
    assert_outcome(&run(Probe::get(&a("/redirect/302/userinfo"))).await, Outcome::Blocked);
    assert_outcome(&run(Probe::get(&a("/redirect/302/page"))).await, Outcome::Blocked);
    // The documented limit of the in-page rule: the probes see the first server, which
    // answered with a redirect that passes CORS, so a redirect to a dead port reads blocked.
    assert_outcome(&run(Probe::get(&a("/redirect/302/dead"))).await, Outcome::Blocked);
    assert_outcome(&run(Probe::get(&a("/redirect-no-acao/302"))).await, Outcome::Blocked);
}

#[wasm_bindgen_test]
async fn redirect_codes_keep_or_change_the_method() {
    let r = run(Probe::post(&a("/redirect/307/wildcard")).body("abc")).await;
    assert_outcome(&r, Outcome::Allowed);
    assert!(r.body.as_deref().unwrap_or("").contains("\"method\":\"POST\""), "307 keeps POST\n{r}");
    let r = run(Probe::post(&a("/redirect/303/wildcard")).body("abc")).await;
    assert!(
        r.body.as_deref().unwrap_or("").contains("\"method\":\"GET\""),
        "303 turns POST into GET\n{r}"
    );
    let r = run(Probe::put(&a("/redirect/308/wildcard")).header("X-Custom", "1").body("abc")).await;
    assert_outcome(&r, Outcome::Allowed);
    let methods = methods_sent(&r).await;
    assert_eq!(
        methods.iter().filter(|m| *m == "OPTIONS").count(),
        2,
        "a new preflight for the new origin: {methods:?}"
    );
}

// ---- cookies ----------------------------------------------------------------------------------

#[wasm_bindgen_test]
async fn cookies_are_sent_only_with_credentials_and_never_readable() {
    let r = run(Probe::get(&a("/cookie/set")).credentials(Credentials::Include)).await;
    assert_outcome(&r, Outcome::Allowed);
    assert_eq!(r.header("set-cookie"), None, "Set-Cookie is never readable\n{r}");
    let r = run(Probe::get(&a("/cookie/echo")).credentials(Credentials::Include)).await;
    assert!(r.body.as_deref().unwrap_or("").contains("harness_session=s3cr3t"), "{r}");
    let r = run(Probe::get(&a("/cookie/echo")).credentials(Credentials::Omit)).await;
    assert_outcome(&r, Outcome::Allowed);
    assert!(r.body.as_deref().unwrap_or("").contains("\"cookie\":null"), "{r}");
}

// ---- suites, the JS API, the Rust API ----------------------------------------------------------

fn demo_suite() -> String {
    serde_json::json!({
        "name": "browser suite",
        "defaults": { "timeout_ms": 2000 },
        "cases": [
            { "id": "allowed", "url": a("/cors/permissive/s"), "expect": { "status": 200, "readable_headers": ["X-Total-Count"] } },
            { "id": "blocked", "url": a("/serverless/gateway/notes"), "credentials": "include", "expect": "blocked" },
            { "id": "unreachable", "url": on_port(4, "/"), "expect": "unreachable" },
            { "id": "timeout", "url": on_port(3, "/"), "timeout_ms": 300, "expect": "timeout" },
            { "id": "invalid", "url": "notes", "expect": "invalid" },
            { "id": "malformed", "url": a("/"), "credentials": "sometimes" },
            { "id": "wrong", "url": a("/cors/none/"), "expect": "allowed" }
        ]
    })
    .to_string()
}

#[wasm_bindgen_test]
async fn suites_run_in_order_with_progress_at_any_concurrency() {
    let suite = Suite::parse(&demo_suite()).expect("a valid suite");
    for concurrency in [1, 4] {
        let mut progress = Vec::new();
        let report = cors_harness::browser::page_engine(None)
            .run_suite(&suite, RunOptions::concurrency(concurrency), |p| {
                progress.push((p.done, p.index))
            })
            .await;
        let outcomes: Vec<Outcome> = report.results.iter().map(|r| r.outcome).collect();
        assert_eq!(
            outcomes,
            [
                Outcome::Allowed,
                Outcome::Blocked,
                Outcome::Unreachable,
                Outcome::Timeout,
                Outcome::Invalid,
                Outcome::Invalid,
                Outcome::Blocked
            ],
            "{:#?}",
            report.results
        );
        assert_eq!(progress.len(), 7);
        assert_eq!(progress.iter().map(|p| p.0).collect::<Vec<_>>(), (1..=7).collect::<Vec<_>>());
        let s = &report.summary;
        assert_eq!((s.passed, s.failed), (5, 2), "{s:?}");
        assert_eq!(report.origin, page_origin());
        assert!(
            report.browser.starts_with("Chromium ") || report.browser.starts_with("Firefox "),
            "{}",
            report.browser
        );
        assert_eq!(report.results[6].why.as_deref(), Some("expected allowed, got blocked"));
        assert!(report.results[5].why.as_deref().unwrap_or("").contains("credentials"));
    }
}

#[wasm_bindgen_test]
async fn js_api_returns_plain_objects_and_reports_progress() {
    use js_sys::{Array, Function, Object, Reflect};
    let calls = Array::new();
    let collect = calls.clone();
    let on_progress =
        wasm_bindgen::closure::Closure::<dyn FnMut(wasm_bindgen::JsValue)>::new(move |p| {
            collect.push(&p);
        });
    let options = Object::new();
    Reflect::set(&options, &"onProgress".into(), on_progress.as_ref().unchecked_ref::<Function>())
        .unwrap();
    Reflect::set(&options, &"concurrency".into(), &3.into()).unwrap();
    let suite = js_sys::JSON::parse(&demo_suite()).unwrap();
    let report = JsFuture::from(cors_harness::exports::run_suite(suite, Some(options)))
        .await
        .expect("runSuite resolves");
    assert_eq!(calls.length(), 7);
    let first = calls.get(0);
    assert_eq!(Reflect::get(&first, &"total".into()).unwrap().as_f64(), Some(7.0));
    let results = Array::from(&Reflect::get(&report, &"results".into()).unwrap());
    let allowed = results.get(0);
    assert_eq!(
        Reflect::get(&allowed, &"outcome".into()).unwrap().as_string().as_deref(),
        Some("allowed")
    );
    let headers = Reflect::get(&allowed, &"headers".into()).unwrap();
    assert!(
        headers.is_object() && !headers.is_instance_of::<js_sys::Map>(),
        "headers are a plain object"
    );
    assert_eq!(
        Reflect::get(&headers, &"x-total-count".into()).unwrap().as_string().as_deref(),
        Some("42")
    );
    assert!(Reflect::get(&results.get(1), &"status".into()).unwrap().is_null());
    let summary = Reflect::get(&report, &"summary".into()).unwrap();
    assert_eq!(Reflect::get(&summary, &"failed".into()).unwrap().as_f64(), Some(2.0));

    // runCase: one case; a malformed one rejects with a SuiteError naming the field.
    let case =
        js_sys::JSON::parse(&format!(r#"{{"id":"one","url":"{}"}}"#, a("/cors/permissive/one")))
            .unwrap();
    let result = JsFuture::from(cors_harness::exports::run_case(case, None))
        .await
        .expect("runCase resolves");
    assert_eq!(
        Reflect::get(&result, &"outcome".into()).unwrap().as_string().as_deref(),
        Some("allowed")
    );
    let bad = js_sys::JSON::parse(r#"{"id":"bad","url":"http://x/","timeout":5}"#).unwrap();
    let error =
        JsFuture::from(cors_harness::exports::run_case(bad, None)).await.expect_err("rejects");
    assert_eq!(
        Reflect::get(&error, &"name".into()).unwrap().as_string().as_deref(),
        Some("SuiteError")
    );
    let message = Reflect::get(&error, &"message".into()).unwrap().as_string().unwrap_or_default();
    assert!(message.contains("unknown field `timeout`"), "{message}");
    // A suite that cannot run at all rejects too.
    let error = JsFuture::from(cors_harness::exports::run_suite("{".into(), None))
        .await
        .expect_err("rejects");
    assert_eq!(
        Reflect::get(&error, &"name".into()).unwrap().as_string().as_deref(),
        Some("SuiteError")
    );
    let problems =
        cors_harness::exports::validate_suite(r#"{"cases":[{"id":"x","url":5}]}"#.into()).unwrap();
    assert_eq!(Array::from(&problems).length(), 1);
}

#[wasm_bindgen_test]
async fn rust_api_results_explain_themselves() {
    let r = Probe::get(&a("/serverless/gateway/notes"))
        .id("notes-list-cookie")
        .credentials(Credentials::Include)
        .expect(Outcome::Allowed)
        .run()
        .await;
    assert!(r.is_blocked());
    assert_eq!(r.pass, Some(false));
    let text = r.to_string();
    assert!(text.contains("[notes-list-cookie]"), "{text}");
    assert!(text.contains("outcome: blocked"), "{text}");
    assert!(text.contains("expected allowed: FAIL, expected allowed, got blocked"), "{text}");
    let json = serde_json::to_value(&r).expect("JSON");
    assert_eq!(json["outcome"], "blocked");
    assert_eq!(json["expect"], "allowed");
    assert_eq!(json["preflight"], false);
    assert_eq!(json["error"]["name"], "TypeError");
}

/// The harness's reason without a probe endpoint (a `wasm-pack test` page has none):
/// differential retries in the page.
#[wasm_bindgen_test]
async fn differential_diagnosis_in_the_page() {
    use cors_harness::result::{Confidence, DiagnosisMethod};
    let family = |r: &CaseResult| r.diagnosis.as_ref().map(|d| d.family);

    // The fixtures keep no data: the harness may repeat a DELETE.
    let method = run(Probe::delete(&a("/cors/exact/notes")).replay_unsafe(true)).await;
    assert_outcome(&method, Outcome::Blocked);
    assert_eq!(
        method.reason.as_ref().map(|r| r.as_str()),
        Some("MethodDisallowedByPreflightResponse"),
        "\n{method}"
    );
    assert_eq!(method.failed_parameter.as_deref(), Some("DELETE"));
    assert_eq!(method.firefox_reason.as_ref().map(|r| r.as_str()), Some("CORSMethodNotFound"));
    let d = method.diagnosis.as_ref().expect("a diagnosis");
    assert_eq!((d.method, d.confidence), (DiagnosisMethod::Differential, Confidence::Likely));
    assert!(method.exchange.is_none(), "no endpoint, no exchange");

    let header = run(Probe::get(&a("/cors/exact/notes")).header("X-Api-Key", "k")).await;
    assert_eq!(
        header.reason.as_ref().map(|r| r.as_str()),
        Some("HeaderDisallowedByPreflightResponse"),
        "\n{header}"
    );
    assert_eq!(header.failed_parameter.as_deref(), Some("x-api-key"));

    let cookie =
        run(Probe::get(&a("/serverless/gateway/notes")).credentials(Credentials::Include)).await;
    assert_eq!(cookie.reason, None, "the page cannot tell * from a missing ACAC");
    assert_eq!(family(&cookie), Some(ReasonFamily::Credentials), "\n{cookie}");

    let none = run(Probe::get(&a("/cors/none/notes"))).await;
    assert_eq!(family(&none), Some(ReasonFamily::Origin), "\n{none}");
    let none_put = run(Probe::put(&a("/cors/none/notes")).replay_unsafe(true)).await;
    assert_eq!(family(&none_put), Some(ReasonFamily::Origin), "\n{none_put}");
    // Without the suite's consent a PUT is not repeated: only the family of a preflight failure.
    let not_repeated = run(Probe::put(&a("/cors/none/notes"))).await;
    let d = not_repeated.diagnosis.as_ref().expect("a diagnosis");
    assert_eq!((d.method, d.confidence), (DiagnosisMethod::NotRepeated, Confidence::Family));

    let status = run(Probe::get(&a("/broken/preflight-status/403")).header("X-Custom", "1")).await;
    assert_eq!(family(&status), Some(ReasonFamily::Preflight), "\n{status}");

    let off = run(Probe::delete(&a("/cors/exact/notes")).diagnose(false)).await;
    assert_outcome(&off, Outcome::Blocked);
    assert!(off.diagnosis.is_none() && off.reason.is_none(), "diagnose: false sends nothing more");
}

/// The JavaScript API `importRequests` in a real page: a pasted "Copy as cURL" becomes a
/// suite with its notes, and what is not a request throws an `ImportError`.
#[wasm_bindgen_test]
fn import_requests_in_the_page() {
    let pasted = format!(
        "curl '{}' -X PUT -H 'Content-Type: application/json' -H 'Cookie: sid=1' --data-raw '{{}}'",
        a("/cors/exact/notes/1")
    );
    let imported =
        cors_harness::exports::import_requests(pasted, None).expect("a cURL command imports");
    let text: String = js_sys::JSON::stringify(&imported).expect("JSON").into();
    let imported: Value = serde_json::from_str(&text).expect("an ImportResult");
    let case = &imported["suite"]["cases"][0];
    assert_eq!(case["method"], "PUT", "{imported}");
    assert_eq!(case["url"], a("/cors/exact/notes/1"), "{imported}");
    assert_eq!(case["body"], "{}", "{imported}");
    assert!(case["headers"].get("Cookie").is_none(), "Cookie becomes a preset: {imported}");
    assert_eq!(imported["suite"]["cookies"][0]["name"], "sid", "{imported}");
    let notes = imported["notes"].as_array().expect("notes");
    assert!(
        notes.iter().any(|n| n["message"].as_str().unwrap_or("").contains("ookie")),
        "{imported}"
    );

    let error = cors_harness::exports::import_requests("not a request".into(), None)
        .expect_err("nothing to import");
    let name = js_sys::Reflect::get(&error, &"name".into()).ok().and_then(|n| n.as_string());
    assert_eq!(name.as_deref(), Some("ImportError"));
}
