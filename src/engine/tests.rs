//! The engine against a scripted browser.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::executor::block_on;

use super::*;
use crate::cors::{Step, StepKind, WireRequest, WireResponse};
use crate::expect::Expectation;
use crate::result::{Confidence, DiagnosisMethod, ReasonSource};
use crate::suite::HeaderList;

const PAGE: &str = "http://127.0.0.1:8000";

/// Answers each URL (cache-bust parameter ignored) as scripted; records every call.
#[derive(Default)]
struct Scripted {
    fetches: HashMap<&'static str, FetchAttempt>,
    probes: HashMap<(&'static str, ProbeKind), ProbeAnswer>,
    /// Differential retries: `"METHOD url header,names credentials"` (names lower-case, sorted).
    variants: HashMap<String, FetchAttempt>,
    /// What the probe endpoint replays per URL (none: the page has no endpoint).
    exchanges: HashMap<&'static str, Exchange>,
    calls: RefCell<Vec<String>>,
    clock: Cell<f64>,
    /// A cross-origin isolated page (COOP + COEP).
    isolated: bool,
    /// The page's origin, when not [`PAGE`].
    origin: Option<&'static str>,
}

fn strip_cache_bust(url: &str) -> &str {
    url.split("?__cors_harness=").next().unwrap_or(url)
}

impl Browser for Scripted {
    fn page_origin(&self) -> String {
        self.origin.unwrap_or(PAGE).to_owned()
    }
    fn parse_url(&self, input: &str) -> Result<ParsedUrl, ErrorInfo> {
        let (scheme, rest) = input
            .split_once("://")
            .ok_or_else(|| ErrorInfo::new("TypeError", "Failed to construct 'URL': Invalid URL"))?;
        let host = rest.split('/').next().unwrap_or_default();
        Ok(ParsedUrl {
            href: input.to_owned(),
            origin: format!("{scheme}://{host}"),
            protocol: format!("{scheme}:"),
        })
    }
    fn resolve_url(&self, input: &str, base: Option<&str>) -> Option<UrlParts> {
        let absolute = match (input.contains("://"), base) {
            (true, _) => input.to_owned(),
            (false, Some(base)) => format!("{}{input}", self.parse_url(base).ok()?.origin),
            (false, None) => return None,
        };
        let parsed = self.parse_url(&absolute).ok()?;
        Some(UrlParts {
            href: parsed.href,
            origin: parsed.origin.rsplit('@').next().unwrap_or_default().to_owned(),
            scheme: parsed.protocol.trim_end_matches(':').to_owned(),
            has_credentials: absolute.contains('@'),
        })
    }
    fn family(&self) -> Family {
        Family::Other
    }
    fn cross_origin_isolated(&self) -> bool {
        self.isolated
    }
    fn now_ms(&self) -> f64 {
        self.clock.set(self.clock.get() + 1.5);
        self.clock.get()
    }
    fn random(&self) -> f64 {
        0.5
    }
    async fn describe(&self) -> String {
        "Scripted 1.0".to_owned()
    }
    async fn fetch(&self, request: &FetchRequest<'_>) -> FetchAttempt {
        self.calls.borrow_mut().push(format!("cors {} {}", request.method, request.url));
        let mut names: Vec<String> =
            request.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
        names.sort();
        let signature = format!(
            "{} {} {} {}",
            request.method,
            strip_cache_bust(request.url),
            names.join(","),
            request.credentials.as_str()
        );
        if let Some(attempt) = self.variants.get(&signature) {
            return attempt.clone();
        }
        self.fetches
            .get(strip_cache_bust(request.url))
            .cloned()
            .unwrap_or_else(|| panic!("unscripted fetch {}", request.url))
    }
    async fn probe(
        &self,
        url: &str,
        method: &str,
        kind: ProbeKind,
        _timeout_ms: u32,
    ) -> ProbeAnswer {
        self.calls.borrow_mut().push(format!("{kind:?} {method} {url}"));
        self.probes
            .get(&(strip_cache_bust(url), kind))
            .cloned()
            .unwrap_or(ProbeAnswer::Failed(type_error()))
    }
    async fn exchange(
        &self,
        request: &CorsRequest,
        _family: Family,
        _timeout_ms: u32,
    ) -> Option<Result<Exchange, ErrorInfo>> {
        self.calls.borrow_mut().push(format!("exchange {} {}", request.method, request.url));
        self.exchanges.get(strip_cache_bust(&request.url)).cloned().map(Ok)
    }
}

fn type_error() -> ErrorInfo {
    ErrorInfo::new("TypeError", "Failed to fetch")
}

fn ok_response() -> FetchAttempt {
    FetchAttempt::Resolved(ResponseSnapshot {
        status: 200,
        headers: vec![("content-type".into(), "text/plain".into()), ("X-Total".into(), "3".into())],
        body: Some("é".repeat(400)),
        redirected: false,
        url: "http://api.test/ok".into(),
        fetch_ms: None,
    })
}

fn scripted() -> Scripted {
    let mut b = Scripted::default();
    b.fetches.insert("http://api.test/ok", ok_response());
    b.fetches.insert("http://api.test/cors", FetchAttempt::Rejected(type_error()));
    b.probes.insert(("http://api.test/cors", ProbeKind::NoCors), ProbeAnswer::Answered);
    b.fetches.insert("http://dead.test/", FetchAttempt::Rejected(type_error()));
    b.probes.insert(("http://dead.test/", ProbeKind::NoCors), ProbeAnswer::Failed(type_error()));
    b.probes.insert(("http://dead.test/", ProbeKind::FirstHop), ProbeAnswer::Failed(type_error()));
    // A redirect no-cors cannot follow (Chromium: `user:pw@` in Location), but the first hop answered.
    b.fetches.insert("http://api.test/userinfo-redirect", FetchAttempt::Rejected(type_error()));
    b.probes.insert(
        ("http://api.test/userinfo-redirect", ProbeKind::NoCors),
        ProbeAnswer::Failed(type_error()),
    );
    b.probes
        .insert(("http://api.test/userinfo-redirect", ProbeKind::FirstHop), ProbeAnswer::Redirect);
    b.fetches.insert("http://slow.test/", FetchAttempt::TimedOut);
    b.fetches.insert(
        "http://api.test/refused",
        FetchAttempt::Refused(ErrorInfo::new(
            "TypeError",
            "Request with GET/HEAD method cannot have body.",
        )),
    );
    b.fetches.insert("http://api.test/half", FetchAttempt::Rejected(type_error()));
    b.probes.insert(("http://api.test/half", ProbeKind::NoCors), ProbeAnswer::TimedOut);
    b
}

/// A case without diagnosis: only the outcome's own requests.
fn case(id: &str, url: &str) -> Case {
    Case { diagnose: false, ..Case::new(id, url) }
}

#[test]
fn allowed_records_what_javascript_reads() {
    let engine = Engine::new(scripted());
    let mut c = case("ok", "http://api.test/ok");
    c.headers =
        HeaderList(vec![("Authorization".into(), "x".into()), ("Cookie".into(), "a=b".into())]);
    c.expect = Some(Expectation {
        readable_headers: vec!["x-total".into()],
        ..Expectation::outcome(Outcome::Allowed)
    });
    let r = block_on(engine.run_case(&c));
    assert_eq!(r.outcome, Outcome::Allowed);
    assert_eq!(r.status, Some(200));
    assert_eq!(r.header("X-TOTAL"), Some("3"), "names are lower-cased");
    assert_eq!(r.body.as_ref().map(|b| b.chars().count()), Some(300));
    assert_eq!(r.preflight, Some(true), "authorization is not safelisted");
    assert_eq!(r.dropped_headers, ["cookie"]);
    assert_eq!(r.elapsed_ms, 1.5);
    assert_eq!((r.pass, r.why.as_deref()), (Some(true), None));
    assert!(r.url.starts_with("http://api.test/ok?__cors_harness="));
    assert!(
        engine.browser().calls.borrow().iter().all(|c| c.starts_with("cors")),
        "no probe after success"
    );
}

#[test]
fn rejection_with_answering_server_is_blocked_else_unreachable() {
    let engine = Engine::new(scripted());
    let blocked = block_on(engine.run_case(&case("b", "http://api.test/cors")));
    assert_eq!(blocked.outcome, Outcome::Blocked);
    assert_eq!(blocked.error, Some(type_error()));
    let unreachable = block_on(engine.run_case(&case("u", "http://dead.test/")));
    assert_eq!(unreachable.outcome, Outcome::Unreachable);
    let half = block_on(engine.run_case(&case("h", "http://api.test/half")));
    assert_eq!(half.outcome, Outcome::Blocked, "a hanging probe means the server accepted");
    let redirect = block_on(engine.run_case(&case("r", "http://api.test/userinfo-redirect")));
    assert_eq!(redirect.outcome, Outcome::Blocked, "the first hop answered");
    let calls = engine.browser().calls.borrow();
    assert!(calls[1].starts_with("NoCors GET http://api.test/cors?__cors_harness="), "{calls:?}");
    assert_eq!(calls.len(), 2 + 3 + 2 + 3, "one probe when it answers, else two: {calls:?}");
}

#[test]
fn probe_uses_head_for_non_get() {
    let engine = Engine::new(scripted());
    let mut c = case("p", "http://api.test/cors");
    c.method = "put".into();
    let r = block_on(engine.run_case(&c));
    assert_eq!(r.method, "PUT");
    assert!(engine.browser().calls.borrow()[1].starts_with("NoCors HEAD "));
    assert_eq!(r.preflight, Some(true));
}

#[test]
fn timeouts_and_invalid_input() {
    let engine = Engine::new(scripted());
    let t = block_on(engine.run_case(&case("t", "http://slow.test/")));
    assert_eq!(t.outcome, Outcome::Timeout);
    assert_eq!(t.error.as_ref().map(|e| e.name.as_str()), Some("TimeoutError"));

    let relative = block_on(engine.run_case(&case("rel", "/notes")));
    assert_eq!(relative.outcome, Outcome::Invalid);
    assert_eq!(relative.preflight, None);
    let ftp = block_on(engine.run_case(&case("ftp", "ftp://api.test/")));
    assert_eq!(ftp.outcome, Outcome::Invalid);
    assert!(ftp.error.unwrap().message.contains("\"ftp\""));
    let refused = block_on(engine.run_case(&case("body", "http://api.test/refused")));
    assert_eq!(refused.outcome, Outcome::Invalid);
    assert_eq!(refused.error.unwrap().message, "Request with GET/HEAD method cannot have body.");
    assert!(
        !engine.browser().calls.borrow().iter().any(|c| c.contains("ftp") || c.contains("/notes")),
        "nothing fetched for input refused before fetch()"
    );
}

#[test]
fn cache_bust_is_unique_and_switchable() {
    let engine = Engine::new(scripted());
    let a = block_on(engine.run_case(&case("a", "http://api.test/ok")));
    let b = block_on(engine.run_case(&case("b", "http://api.test/ok")));
    assert_ne!(a.url, b.url);
    let mut c = case("c", "http://api.test/ok");
    c.cache_bust = false;
    assert_eq!(block_on(engine.run_case(&c)).url, "http://api.test/ok");
}

#[test]
fn expectations_fail_with_a_reason() {
    let engine = Engine::new(scripted());
    let mut c = case("b", "http://api.test/cors");
    c.expect = Some(Outcome::Allowed.into());
    let r = block_on(engine.run_case(&c));
    assert_eq!(r.pass, Some(false));
    assert_eq!(r.why.as_deref(), Some("expected allowed, got blocked"));
    let text = r.to_string();
    assert!(text.contains("outcome: blocked"), "{text}");
    assert!(text.contains("FAIL"), "{text}");

    let mut c = case("s", "http://api.test/ok");
    c.expect = Some(Expectation {
        status: Some(201),
        reason: None,
        readable_headers: vec!["x-missing".into()],
        ..Expectation::outcome(Outcome::Allowed)
    });
    let why = block_on(engine.run_case(&c)).why.unwrap();
    assert_eq!(
        why,
        "expected status 201, got 200; expected readable header(s) x-missing (not exposed to JavaScript)"
    );
}

#[test]
fn suite_runs_in_order_with_progress_and_malformed_cases() {
    let engine = Engine::new(scripted());
    let suite = Suite::parse(
        r#"{ "name": "s", "cases": [
            { "id": "ok", "url": "http://api.test/ok", "expect": "allowed" },
            { "id": "bad", "url": "http://api.test/ok", "methd": "GET" },
            { "id": "dead", "url": "http://dead.test/", "expect": "unreachable" },
            { "id": "cors", "url": "http://api.test/cors", "expect": "allowed" }
        ] }"#,
    )
    .unwrap();
    for concurrency in [1, 3] {
        let mut seen = Vec::new();
        let report =
            block_on(engine.run_suite(&suite, RunOptions::concurrency(concurrency), |p| {
                seen.push((p.done, p.total, p.result.id.clone()))
            }));
        let ids: Vec<&str> = report.results.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["ok", "bad", "dead", "cors"]);
        assert_eq!(seen.len(), 4);
        assert_eq!(seen.last().map(|s| (s.0, s.1)), Some((4, 4)));
        assert_eq!(report.origin, PAGE);
        assert_eq!(report.browser, "Scripted 1.0");
        let s = &report.summary;
        assert_eq!((s.allowed, s.blocked, s.unreachable, s.invalid, s.timeout), (1, 1, 1, 1, 0));
        assert_eq!((s.passed, s.failed), (2, 2));
        let bad = &report.results[1];
        assert_eq!(bad.error.as_ref().map(|e| e.name.as_str()), Some("SuiteError"));
        assert!(bad.why.as_deref().unwrap_or("").contains("unknown field `methd`"));
    }
}

#[test]
fn result_json_has_the_documented_shape() {
    let engine = Engine::new(scripted());
    let mut c = case("notes-list-cookie", "http://api.test/cors");
    c.credentials = Credentials::Include;
    c.headers = HeaderList(vec![("Authorization".into(), "Bearer abc".into())]);
    c.expect = Some(Outcome::Allowed.into());
    let result = block_on(engine.run_case(&c));
    let json = serde_json::to_value(&result).unwrap();
    let keys: Vec<&str> = json.as_object().unwrap().keys().map(String::as_str).collect();
    for key in [
        "id",
        "outcome",
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
        assert!(keys.contains(&key), "missing {key}");
    }
    assert_eq!(json["outcome"], "blocked");
    assert_eq!(json["status"], serde_json::Value::Null);
    assert_eq!(json["preflight"], true);
    assert_eq!(
        json["error"],
        serde_json::json!({ "name": "TypeError", "message": "Failed to fetch" })
    );
    assert_eq!(json["expect"], "allowed");
    assert_eq!(json["pass"], false);
    assert_eq!(json["why"], "expected allowed, got blocked");
}

#[test]
fn a_stopped_run_reports_only_the_cases_that_ran() {
    let engine = Engine::new(scripted());
    let suite = Suite::parse(
        r#"{ "cases": [
            { "id": "a", "url": "http://api.test/ok" },
            { "id": "b", "url": "http://api.test/ok" },
            { "id": "c", "url": "http://api.test/ok" }
        ] }"#,
    )
    .unwrap();
    let started = Cell::new(0);
    let stop = || {
        started.set(started.get() + 1);
        started.get() > 2
    };
    let options = RunOptions { concurrency: 1, stop: Some(&stop) };
    let report = block_on(engine.run_suite(&suite, options, |_| {}));
    assert_eq!(report.results.len(), 2);
    assert!(report.stopped);
    assert_eq!(serde_json::to_value(&report).unwrap()["stopped"], true);
    let full = block_on(engine.run_suite(&suite, RunOptions::default(), |_| {}));
    assert!(!full.stopped);
    assert!(serde_json::to_value(&full).unwrap().get("stopped").is_none());
}

#[test]
fn the_page_infers_cookies_from_presets_and_warns_when_none_went() {
    let engine = Engine::new(scripted());
    let suite = Suite::parse(
        r#"{ "name": "s", "cookies": [{ "url": "http://api.test/", "name": "session", "value": "1", "same_site": "Lax" }],
             "cases": [
               { "id": "with", "url": "http://api.test/ok", "credentials": "include" },
               { "id": "without", "url": "http://api.test/ok", "credentials": "omit" }
             ] }"#,
    )
    .unwrap();
    let report = block_on(engine.run_suite(&suite, RunOptions::default(), |_| {}));
    let with = &report.results[0];
    let cookies = with.cookies.as_ref().expect("a cookie report");
    assert_eq!((cookies.source, cookies.likely), (ReasonSource::Harness, true));
    assert!(cookies.sent.is_empty(), "{cookies:?}");
    assert_eq!(cookies.withheld[0].name, "session");
    let codes: Vec<_> = with.warnings.iter().map(|w| w.code).collect();
    assert!(codes.contains(&crate::cors::WarningCode::CredentialedWithoutCookie), "{codes:?}");
    assert!(
        report.results[1]
            .warnings
            .iter()
            .all(|w| w.code != crate::cors::WarningCode::CredentialedWithoutCookie),
        "no credentials, no warning"
    );
}

fn rejected() -> FetchAttempt {
    FetchAttempt::Rejected(type_error())
}

fn diagnosed(b: Scripted, c: Case) -> CaseResult {
    let engine = Engine::new(b);
    block_on(engine.run_case(&Case { diagnose: true, ..c }))
}

#[test]
fn differential_names_the_header_the_preflight_refuses() {
    let mut b = scripted();
    b.fetches.insert("http://api.test/h", rejected());
    b.probes.insert(("http://api.test/h", ProbeKind::NoCors), ProbeAnswer::Answered);
    b.variants.insert("GET http://api.test/h  omit".into(), ok_response());
    b.variants.insert("GET http://api.test/h  same-origin".into(), ok_response());
    b.variants.insert("GET http://api.test/h x-a,x-b same-origin".into(), rejected());
    b.variants.insert("GET http://api.test/h x-a same-origin".into(), ok_response());
    b.variants.insert("GET http://api.test/h x-b same-origin".into(), rejected());
    let mut c = case("h", "http://api.test/h");
    c.headers = HeaderList(vec![("X-A".into(), "1".into()), ("X-B".into(), "2".into())]);
    let r = diagnosed(b, c);
    assert_eq!(r.outcome, Outcome::Blocked);
    assert_eq!(r.reason.as_ref().map(|r| r.as_str()), Some("HeaderDisallowedByPreflightResponse"));
    assert_eq!(r.failed_parameter.as_deref(), Some("x-b"));
    assert_eq!(
        r.firefox_reason.as_ref().map(|r| r.as_str()),
        Some("CORSMissingAllowHeaderFromPreflight2")
    );
    assert_eq!(r.reason_source, Some(ReasonSource::Harness));
    let d = r.diagnosis.unwrap();
    assert_eq!((d.method, d.confidence), (DiagnosisMethod::Differential, Confidence::Likely));
}

#[test]
fn differential_names_the_method_or_a_family() {
    let mut b = scripted();
    b.fetches.insert("http://api.test/m", rejected());
    b.probes.insert(("http://api.test/m", ProbeKind::NoCors), ProbeAnswer::Answered);
    b.variants.insert("GET http://api.test/m  omit".into(), ok_response());
    b.variants.insert("GET http://api.test/m  same-origin".into(), ok_response());
    b.variants.insert("PUT http://api.test/m  same-origin".into(), rejected());
    // The control preflight (Content-Type: application/json) passes: the method is at fault.
    b.variants.insert("GET http://api.test/m content-type same-origin".into(), ok_response());
    let mut c = case("m", "http://api.test/m");
    c.method = "PUT".into();
    c.replay_unsafe = true;
    let r = diagnosed(b, c.clone());
    assert_eq!(r.reason.as_ref().map(|r| r.as_str()), Some("MethodDisallowedByPreflightResponse"));
    assert_eq!(r.failed_parameter.as_deref(), Some("PUT"));

    // Every preflight fails: only the family is known.
    let mut b = scripted();
    b.fetches.insert("http://api.test/m", rejected());
    b.probes.insert(("http://api.test/m", ProbeKind::NoCors), ProbeAnswer::Answered);
    b.variants.insert("GET http://api.test/m  omit".into(), ok_response());
    b.variants.insert("GET http://api.test/m  same-origin".into(), ok_response());
    let r = diagnosed(b, c);
    assert_eq!(r.reason, None);
    assert_eq!(r.reason_source, None);
    let d = r.diagnosis.unwrap();
    assert_eq!(
        (d.confidence, d.family),
        (Confidence::Family, crate::cors::ReasonFamily::Preflight)
    );
}

#[test]
fn differential_families_for_origin_credentials_and_redirects() {
    let mut b = scripted();
    b.fetches.insert("http://api.test/c", rejected());
    b.probes.insert(("http://api.test/c", ProbeKind::NoCors), ProbeAnswer::Answered);
    b.variants.insert("GET http://api.test/c  omit".into(), ok_response());
    let mut c = case("c", "http://api.test/c");
    c.credentials = Credentials::Include;
    let r = diagnosed(b, c);
    assert_eq!(r.diagnosis.unwrap().family, crate::cors::ReasonFamily::Credentials);

    let r = diagnosed(scripted(), case("o", "http://api.test/cors"));
    assert_eq!(r.diagnosis.unwrap().family, crate::cors::ReasonFamily::Origin);

    let r = diagnosed(scripted(), case("r", "http://api.test/userinfo-redirect"));
    assert_eq!(
        r.diagnosis.unwrap().family,
        crate::cors::ReasonFamily::Redirect,
        "the first hop is an opaque redirect"
    );
}

fn wire(kind: StepKind, method: &str, url: &str) -> WireRequest {
    WireRequest { kind, method: method.into(), url: url.into(), headers: vec![], body: None }
}

#[test]
fn the_probe_endpoint_gives_exact_reasons_warnings_and_corrections() {
    let mut b = scripted();
    b.probes
        .insert(("http://api.test/cors", ProbeKind::FirstHop), ProbeAnswer::Failed(type_error()));
    let wildcard = WireResponse::new(
        200,
        &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")],
    );
    b.exchanges.insert(
        "http://api.test/cors",
        Exchange {
            steps: vec![Step::answered(
                wire(StepKind::Actual, "GET", "http://api.test/cors"),
                wildcard.clone(),
            )],
        },
    );
    b.exchanges.insert(
        "http://api.test/ok",
        Exchange {
            steps: vec![Step::answered(
                wire(StepKind::Actual, "GET", "http://api.test/ok"),
                wildcard,
            )],
        },
    );
    let mut c = case("cookie", "http://api.test/cors");
    c.credentials = Credentials::Include;
    c.cache_bust = false;
    let engine = Engine::new(b);
    let r = block_on(engine.run_case(&Case { diagnose: true, ..c }));
    assert_eq!(r.reason.as_ref().map(|r| r.as_str()), Some("WildcardOriginNotAllowed"));
    assert_eq!(r.harness_reason.as_ref().map(|r| r.as_str()), Some("WildcardOriginNotAllowed"));
    assert_eq!(r.firefox_reason.as_ref().map(|r| r.as_str()), Some("CORSNotSupportingCredentials"));
    let d = r.diagnosis.as_ref().unwrap();
    assert_eq!(
        (d.method, d.confidence),
        (DiagnosisMethod::Exchange, Confidence::Likely),
        "a credentialed replay carries no cookies"
    );
    assert!(d.fix.as_ref().unwrap().summary.contains("Access-Control-Allow-Credentials: true"));
    assert!(r.exchange.is_some());
    assert!(
        !engine.browser().calls.borrow().iter().any(|c| c.contains("FirstHop")),
        "no retries with an endpoint"
    );

    let ok = block_on(engine.run_case(&Case {
        diagnose: true,
        cache_bust: false,
        ..case("ok", "http://api.test/ok")
    }));
    assert_eq!(ok.outcome, Outcome::Allowed);
    assert_eq!(ok.warnings.len(), 1, "{:?}", ok.warnings);
    assert_eq!(ok.warnings[0].code, crate::cors::WarningCode::WildcardOrigin);

    // A redirect to a dead server: the in-page probe says blocked, the exchange says otherwise.
    let mut b = scripted();
    b.exchanges.insert(
        "http://api.test/userinfo-redirect",
        Exchange {
            steps: vec![
                Step::answered(
                    wire(StepKind::Actual, "GET", "http://api.test/userinfo-redirect"),
                    WireResponse::new(
                        302,
                        &[("Location", "http://dead.test/"), ("Access-Control-Allow-Origin", "*")],
                    ),
                ),
                Step::failed(
                    wire(StepKind::Actual, "GET", "http://dead.test/"),
                    crate::net_error::NetErrorCode::ConnectionRefused.into(),
                ),
            ],
        },
    );
    let c = Case {
        diagnose: true,
        cache_bust: false,
        ..case("d", "http://api.test/userinfo-redirect")
    };
    let r = block_on(Engine::new(b).run_case(&c));
    assert_eq!(r.outcome, Outcome::Unreachable);
    assert!(r.reason.is_none());
}

#[test]
fn a_cross_origin_isolated_page_proves_what_it_can_and_says_what_it_cannot() {
    // COEP blocked both probes; a plain GET shows the server answers: blocked.
    let mut b = scripted();
    b.isolated = true;
    b.fetches.insert("http://api.test/coep", rejected());
    b.variants.insert("GET http://api.test/coep  omit".into(), ok_response());
    let r = block_on(Engine::new(b).run_case(&case("coep", "http://api.test/coep")));
    assert_eq!(r.outcome, Outcome::Blocked);
    assert!(r.warnings.is_empty());

    // Nothing proves an answer: unreachable, with a warning that it may be CORS.
    let mut b = scripted();
    b.isolated = true;
    let r = block_on(Engine::new(b).run_case(&case("dead", "http://dead.test/")));
    assert_eq!(r.outcome, Outcome::Unreachable);
    assert_eq!(r.warnings[0].code, crate::cors::WarningCode::CrossOriginIsolated);

    // Not isolated: no extra request.
    let engine = Engine::new(scripted());
    let r = block_on(engine.run_case(&case("dead", "http://dead.test/")));
    assert!(r.warnings.is_empty());
    assert_eq!(engine.browser().calls.borrow().len(), 3);
}

#[test]
fn differential_names_no_header_when_no_preflight_passes() {
    // Every preflight fails (say OPTIONS answers 404): no header is to blame by name.
    let mut b = scripted();
    b.fetches.insert("http://api.test/p", rejected());
    b.probes.insert(("http://api.test/p", ProbeKind::NoCors), ProbeAnswer::Answered);
    b.variants.insert("GET http://api.test/p  omit".into(), ok_response());
    b.variants.insert("GET http://api.test/p  same-origin".into(), ok_response());
    let mut c = case("p", "http://api.test/p");
    c.headers = HeaderList(vec![("X-A".into(), "1".into()), ("X-B".into(), "2".into())]);
    let r = diagnosed(b, c);
    assert_eq!(r.reason, None, "{r}");
    assert_eq!(r.diagnosis.unwrap().family, crate::cors::ReasonFamily::Preflight);
}

#[test]
fn an_https_page_fetching_http_is_blocked_as_mixed_content_without_probes() {
    let mut browser = scripted();
    browser.origin = Some("https://app.example.com");
    let failed = FetchAttempt::Rejected(ErrorInfo::new("TypeError", "Failed to fetch"));
    browser.fetches.insert("http://api.example.com/notes", failed.clone());
    browser.fetches.insert("http://127.0.0.1:9/notes", failed);
    let engine = Engine::new(browser);
    let mixed = block_on(engine.run_case(&Case::new("mixed", "http://api.example.com/notes")));
    assert_eq!(mixed.outcome, Outcome::Blocked);
    assert_eq!(mixed.reason.as_ref().map(|r| r.as_str()), Some("mixed-content"));
    assert_eq!(mixed.reason_source, Some(ReasonSource::Harness));
    let diagnosis = mixed.diagnosis.as_ref().unwrap();
    assert_eq!(diagnosis.method, DiagnosisMethod::Rule);
    assert!(diagnosis.fix.as_ref().unwrap().summary.contains("https://api.example.com"));
    // Loopback is exempt: the probes decide as for any rejection.
    let exempt = block_on(engine.run_case(&case("exempt", "http://127.0.0.1:9/notes")));
    assert_eq!(exempt.outcome, Outcome::Unreachable);
    let calls = engine.browser().calls.borrow();
    let probed: Vec<&String> =
        calls.iter().filter(|c| c.contains("api.example.com") && !c.starts_with("cors")).collect();
    assert!(probed.is_empty(), "no probe of a mixed-content URL: {probed:?}");
}

#[test]
fn a_method_that_may_change_data_is_not_repeated_unless_the_suite_allows_it() {
    let mut b = scripted();
    b.fetches.insert("http://api.test/d", rejected());
    b.probes.insert(("http://api.test/d", ProbeKind::NoCors), ProbeAnswer::Answered);
    let mut c = case("d", "http://api.test/d");
    c.method = "DELETE".into();
    let engine = Engine::new(b);
    let r = block_on(engine.run_case(&Case { diagnose: true, ..c }));
    assert_eq!(r.outcome, Outcome::Blocked);
    assert_eq!(r.reason, None);
    let d = r.diagnosis.unwrap();
    assert_eq!((d.method, d.confidence), (DiagnosisMethod::NotRepeated, Confidence::Family));
    assert!(d.note.contains("replay_unsafe"), "{}", d.note);
    let calls = engine.browser().calls.borrow();
    let deletes = calls.iter().filter(|c| c.contains("DELETE")).count();
    assert_eq!(deletes, 1, "only the case's own request: {calls:?}");
}
