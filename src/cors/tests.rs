//! The walk end to end over scripted servers: the fixture scenarios whose browser verdicts
//! are recorded in `cli/tests/agreement.json`, and the standard's redirect rules.

use std::cell::RefCell;
use std::collections::HashMap;

use futures::executor::block_on;

use super::url::NativeUrls;
use super::*;
use crate::browser_name::Family;
use crate::fetch::credentials::Credentials;
use crate::net_error::{NetError, NetErrorCode};

const PAGE: &str = "http://page.test";
const A: &str = "http://a.test";
const B: &str = "http://b.test";

/// Servers answering by (method, URL without query); everything else is refused.
#[derive(Default)]
struct Servers {
    routes: HashMap<(String, String), WireResponse>,
    sent: RefCell<Vec<WireRequest>>,
}

impl Servers {
    fn on(mut self, method: &str, url: &str, status: u16, headers: &[(&str, &str)]) -> Self {
        self.routes.insert((method.to_owned(), url.to_owned()), WireResponse::new(status, headers));
        self
    }
}

impl Transport for Servers {
    async fn send(&self, request: &WireRequest) -> Result<WireResponse, NetError> {
        self.sent.borrow_mut().push(request.clone());
        let url = request.url.split('?').next().unwrap_or_default().to_owned();
        self.routes
            .get(&(request.method.clone(), url))
            .cloned()
            .ok_or_else(|| NetErrorCode::ConnectionRefused.into())
    }
}

fn request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    credentials: Credentials,
) -> CorsRequest {
    CorsRequest {
        origin: PAGE.to_owned(),
        url: url.to_owned(),
        method: method.to_owned(),
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        credentials,
        body: None,
    }
}

fn run(req: &CorsRequest, servers: &Servers) -> Walked {
    let walked = block_on(walk(req, Rules::of(Family::Chromium), &NativeUrls, servers));
    // Re-reading the recorded exchange reaches the same verdict.
    let replayed = evaluate(req, Rules::of(Family::Chromium), &NativeUrls, &walked.exchange);
    assert_eq!(replayed, walked, "the replay agrees with the walk");
    walked
}

/// A blocked verdict with its fix.
#[derive(Clone, Debug)]
struct Explained {
    blocked: Blocked,
    fix: Fix,
}

impl std::ops::Deref for Explained {
    type Target = Blocked;
    fn deref(&self) -> &Blocked {
        &self.blocked
    }
}

fn blocked(walked: &Walked) -> Explained {
    match (&walked.verdict, &walked.fix) {
        (Verdict::Blocked(blocked), Some(fix)) => {
            Explained { blocked: blocked.clone(), fix: fix.clone() }
        }
        other => panic!("expected blocked with a fix, got {other:?}"),
    }
}

fn url(base: &str, path: &str) -> String {
    format!("{base}{path}")
}

#[test]
fn serverless_wildcard_with_credentials() {
    let notes = url(A, "/notes");
    let servers = Servers::default().on(
        "GET",
        &notes,
        200,
        &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")],
    );
    let token = run(&request("GET", &notes, &[], Credentials::Omit), &servers);
    assert_eq!(token.verdict, Verdict::Allowed { status: 200 });
    assert_eq!(token.warnings[0].code, WarningCode::WildcardOrigin);
    assert!(token.warnings[0].message.contains("serverless"));

    let cookie = run(&request("GET", &notes, &[], Credentials::Include), &servers);
    let b = blocked(&cookie);
    assert_eq!(b.reason, CorsError::WildcardOriginNotAllowed);
    assert_eq!(b.firefox_reason, FirefoxKey::NotSupportingCredentials);
    assert_eq!(b.response, FailedResponse::Actual { hop: 0 });
    assert!(
        b.fix.summary.contains("Access-Control-Allow-Origin: http://page.test"),
        "{}",
        b.fix.summary
    );
    let stacks: Vec<&str> = b.fix.snippets.iter().map(|s| s.stack.as_str()).collect();
    assert_eq!(stacks, ["serverless", "tower-http", "express", "starlette"]);
    assert!(b.fix.snippets[0].code.contains("allowCredentials: true"));
}

#[test]
fn gateway_preflight_with_credentials() {
    let notes = url(A, "/notes");
    let servers = Servers::default().on(
        "OPTIONS",
        &notes,
        204,
        &[
            ("Access-Control-Allow-Origin", "*"),
            ("Access-Control-Allow-Methods", "*"),
            ("Access-Control-Allow-Headers", "*"),
        ],
    );
    let walked = run(
        &request("GET", &notes, &[("Authorization", "Bearer t")], Credentials::Include),
        &servers,
    );
    let b = blocked(&walked);
    assert_eq!(b.reason, CorsError::PreflightWildcardOriginNotAllowed);
    assert_eq!(b.response, FailedResponse::Preflight { hop: 0 });
    let preflight = &walked.exchange.steps[0].request;
    assert_eq!(preflight.method, "OPTIONS");
    assert_eq!(preflight.header("access-control-request-method"), Some("GET"));
    assert_eq!(preflight.header("access-control-request-headers"), Some("authorization"));
    assert_eq!(preflight.header("origin"), Some(PAGE));
    assert_eq!(walked.exchange.steps.len(), 1, "a failed preflight stops the request");
}

#[test]
fn authorization_through_wildcard_is_allowed_with_a_warning() {
    let notes = url(A, "/notes");
    let servers = Servers::default()
        .on(
            "OPTIONS",
            &notes,
            204,
            &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Headers", "*")],
        )
        .on("GET", &notes, 200, &[("Access-Control-Allow-Origin", "*")]);
    let walked =
        run(&request("GET", &notes, &[("Authorization", "Bearer t")], Credentials::Omit), &servers);
    assert_eq!(walked.verdict, Verdict::Allowed { status: 200 });
    let codes: Vec<&str> = walked.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["wildcard-origin", "authorization-via-wildcard"]);
}

#[test]
fn reflected_origin_without_vary_and_long_max_age() {
    let notes = url(A, "/notes");
    let servers = Servers::default()
        .on(
            "OPTIONS",
            &notes,
            204,
            &[
                ("Access-Control-Allow-Origin", PAGE),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Max-Age", "86400"),
            ],
        )
        .on("PUT", &notes, 200, &[("Access-Control-Allow-Origin", PAGE)]);
    let walked = run(&request("PUT", &notes, &[], Credentials::Omit), &servers);
    let codes: Vec<&str> = walked.warnings.iter().map(|w| w.code.as_str()).collect();
    assert_eq!(codes, ["missing-vary-origin", "max-age-capped"]);
}

#[test]
fn preflight_failures_in_order() {
    let u = url(A, "/x");
    let cases: Vec<(Servers, CorsError, &str)> = vec![
        (
            Servers::default().on("OPTIONS", &u, 401, &[]),
            CorsError::PreflightMissingAllowOriginHeader,
            "",
        ),
        (
            Servers::default().on("OPTIONS", &u, 403, &[("Access-Control-Allow-Origin", "*")]),
            CorsError::PreflightInvalidStatus,
            "",
        ),
        (
            Servers::default().on(
                "OPTIONS",
                &u,
                301,
                &[("Location", "/y"), ("Access-Control-Allow-Origin", "*")],
            ),
            CorsError::PreflightDisallowedRedirect,
            "",
        ),
        (
            Servers::default().on(
                "OPTIONS",
                &u,
                204,
                &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "GET")],
            ),
            CorsError::MethodDisallowedByPreflightResponse,
            "DELETE",
        ),
        (
            Servers::default().on(
                "OPTIONS",
                &u,
                204,
                &[
                    ("Access-Control-Allow-Origin", "*"),
                    ("Access-Control-Allow-Methods", "DELETE"),
                    ("Access-Control-Allow-Headers", "x-other"),
                ],
            ),
            CorsError::HeaderDisallowedByPreflightResponse,
            "x-api-key",
        ),
    ];
    for (servers, reason, parameter) in cases {
        let walked =
            run(&request("DELETE", &u, &[("X-Api-Key", "k")], Credentials::Omit), &servers);
        let b = blocked(&walked);
        assert_eq!((b.reason, b.failed_parameter.as_str()), (reason, parameter));
        assert!(!b.fix.summary.is_empty());
    }
}

#[test]
fn actual_response_checks() {
    let u = url(A, "/x");
    let servers = Servers::default().on("GET", &u, 200, &[]);
    assert_eq!(
        blocked(&run(&request("GET", &u, &[], Credentials::Omit), &servers)).reason,
        CorsError::MissingAllowOriginHeader
    );
    let servers = Servers::default().on(
        "GET",
        &u,
        200,
        &[("Access-Control-Allow-Origin", "http://page.test/")],
    );
    let b = blocked(&run(&request("GET", &u, &[], Credentials::Omit), &servers)).clone();
    assert_eq!(
        (b.reason, b.failed_parameter.as_str()),
        (CorsError::AllowOriginMismatch, "http://page.test/")
    );
    assert!(b.fix.summary.contains("trailing slash"));
    let servers = Servers::default().on("GET", &u, 500, &[("Access-Control-Allow-Origin", "*")]);
    assert_eq!(
        run(&request("GET", &u, &[], Credentials::Omit), &servers).verdict,
        Verdict::Allowed { status: 500 }
    );
}

#[test]
fn same_origin_needs_no_cors() {
    let u = url(PAGE, "/api");
    let servers = Servers::default().on("PUT", &u, 200, &[]);
    let walked = run(&request("PUT", &u, &[("X-Custom", "1")], Credentials::Include), &servers);
    assert_eq!(walked.verdict, Verdict::Allowed { status: 200 });
    assert_eq!(walked.exchange.steps.len(), 1, "no preflight");
    assert_eq!(
        walked.exchange.steps[0].request.header("origin"),
        Some(PAGE),
        "PUT still carries Origin"
    );
    assert!(walked.warnings.is_empty());
}

#[test]
fn redirects_taint_the_origin() {
    // page -> A (passes CORS) -> B: B sees Origin null and must allow null or *.
    let start = url(A, "/redirect");
    let target = url(B, "/fixed");
    let redirect = [("Location", target.as_str()), ("Access-Control-Allow-Origin", "*")];
    let servers = Servers::default().on("GET", &start, 302, &redirect).on(
        "GET",
        &target,
        200,
        &[("Access-Control-Allow-Origin", PAGE)],
    );
    let walked = run(&request("GET", &start, &[], Credentials::Omit), &servers);
    let b = blocked(&walked);
    assert_eq!((b.reason, b.failed_parameter.as_str()), (CorsError::AllowOriginMismatch, PAGE));
    assert_eq!(b.response, FailedResponse::Actual { hop: 1 });
    assert_eq!(walked.exchange.steps[1].request.header("origin"), Some("null"));
    assert!(b.fix.summary.contains("Origin: null"), "{}", b.fix.summary);
    assert!(b.fix.summary.contains("Do not allow null"), "{}", b.fix.summary);
    assert_eq!(b.fix.send, [("Access-Control-Allow-Origin".to_owned(), "*".to_owned())]);

    // page -> page origin (same-origin first hop) -> A: no taint, real origin.
    let local = url(PAGE, "/go");
    let servers = Servers::default().on("GET", &local, 302, &[("Location", start.as_str())]).on(
        "GET",
        &start,
        200,
        &[("Access-Control-Allow-Origin", PAGE)],
    );
    let walked = run(&request("GET", &local, &[], Credentials::Omit), &servers);
    assert_eq!(walked.verdict, Verdict::Allowed { status: 200 });
    assert_eq!(walked.exchange.steps[1].request.header("origin"), Some(PAGE));
}

#[test]
fn redirect_rules() {
    let start = url(A, "/r");
    // A redirect without CORS headers fails on the redirect itself.
    let servers = Servers::default().on("GET", &start, 302, &[("Location", "http://b.test/x")]);
    let b = blocked(&run(&request("GET", &start, &[], Credentials::Omit), &servers)).clone();
    assert_eq!(
        (b.reason, b.response),
        (CorsError::MissingAllowOriginHeader, FailedResponse::Redirect { hop: 1 })
    );
    // user:pw@ in Location.
    let servers = Servers::default().on(
        "GET",
        &start,
        302,
        &[("Location", "http://u:p@b.test/x"), ("Access-Control-Allow-Origin", "*")],
    );
    let b = blocked(&run(&request("GET", &start, &[], Credentials::Omit), &servers)).clone();
    assert_eq!(b.reason, CorsError::RedirectContainsCredentials);
    assert!(b.fix.snippets.is_empty(), "not a configuration problem");
    // Non-HTTP targets and endless loops are network errors, not CORS.
    let servers = Servers::default().on(
        "GET",
        &start,
        302,
        &[("Location", "ftp://b.test/x"), ("Access-Control-Allow-Origin", "*")],
    );
    assert!(matches!(
        run(&request("GET", &start, &[], Credentials::Omit), &servers).verdict,
        Verdict::NetworkError { .. }
    ));
    let servers = Servers::default().on(
        "GET",
        &start,
        302,
        &[("Location", "/r"), ("Access-Control-Allow-Origin", "*")],
    );
    let walked = run(&request("GET", &start, &[], Credentials::Omit), &servers);
    assert_eq!(
        walked.verdict,
        Verdict::NetworkError { error: NetErrorCode::TooManyRedirects.into() }
    );
    assert_eq!(walked.exchange.steps.len(), 21);
}

#[test]
fn redirect_rewrites_method_and_drops_headers() {
    let start = url(A, "/r");
    let target = url(B, "/x");
    let allow = [("Access-Control-Allow-Origin", "*")];
    let servers = Servers::default()
        .on(
            "POST",
            &start,
            302,
            &[("Location", target.as_str()), ("Access-Control-Allow-Origin", "*")],
        )
        .on("GET", &target, 200, &allow);
    let mut req = request("POST", &start, &[("Content-Type", "text/plain")], Credentials::Omit);
    req.body = Some("hi".into());
    let walked = run(&req, &servers);
    assert_eq!(walked.verdict, Verdict::Allowed { status: 200 });
    let second = &walked.exchange.steps[1].request;
    assert_eq!(
        (second.method.as_str(), second.body.as_deref(), second.header("content-type")),
        ("GET", None, None)
    );

    // 307 keeps PUT, so B gets its own preflight (with Origin null); Authorization is dropped.
    let servers = Servers::default()
        .on(
            "OPTIONS",
            &start,
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "authorization, x-custom"),
            ],
        )
        .on(
            "PUT",
            &start,
            307,
            &[("Location", target.as_str()), ("Access-Control-Allow-Origin", "*")],
        )
        .on(
            "OPTIONS",
            &target,
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
        )
        .on("PUT", &target, 200, &allow);
    let walked = run(
        &request("PUT", &start, &[("Authorization", "t"), ("X-Custom", "1")], Credentials::Omit),
        &servers,
    );
    assert_eq!(walked.verdict, Verdict::Allowed { status: 200 });
    let kinds: Vec<(StepKind, &str)> =
        walked.exchange.steps.iter().map(|s| (s.request.kind, s.request.url.as_str())).collect();
    assert_eq!(
        kinds,
        [
            (StepKind::Preflight, start.as_str()),
            (StepKind::Actual, &start),
            (StepKind::Preflight, &target),
            (StepKind::Actual, &target)
        ]
    );
    assert_eq!(
        walked.exchange.steps[2].request.header("access-control-request-headers"),
        Some("x-custom")
    );
    assert_eq!(walked.exchange.steps[2].request.header("origin"), Some("null"));
}

#[test]
fn network_errors_and_incomplete_replays() {
    let u = url(A, "/dead");
    let walked = run(&request("GET", &u, &[], Credentials::Omit), &Servers::default());
    assert_eq!(
        walked.verdict,
        Verdict::NetworkError { error: NetErrorCode::ConnectionRefused.into() }
    );

    let req = request("PUT", &url(A, "/x"), &[], Credentials::Omit);
    let replayed = evaluate(&req, Rules::of(Family::Chromium), &NativeUrls, &Exchange::default());
    assert!(matches!(replayed.verdict, Verdict::Incomplete { .. }));
}

#[test]
fn chromium_skips_preflight_for_client_hints() {
    let u = url(A, "/x");
    let servers = Servers::default().on("OPTIONS", &u, 404, &[]).on(
        "GET",
        &u,
        200,
        &[("Access-Control-Allow-Origin", "*")],
    );
    let req = request("GET", &u, &[("DPR", "2")], Credentials::Omit);
    let chromium = block_on(walk(&req, Rules::of(Family::Chromium), &NativeUrls, &servers));
    assert_eq!(chromium.verdict, Verdict::Allowed { status: 200 });
    let firefox = block_on(walk(&req, Rules::of(Family::Firefox), &NativeUrls, &servers));
    assert_eq!(blocked(&firefox).reason, CorsError::PreflightMissingAllowOriginHeader);
}

#[test]
fn exchange_json_shape() {
    let u = url(A, "/x");
    let servers = Servers::default().on("GET", &u, 200, &[("Access-Control-Allow-Origin", "*")]);
    let walked = run(&request("GET", &u, &[], Credentials::Omit), &servers);
    let json = serde_json::to_value(&walked.exchange).unwrap();
    assert_eq!(json["steps"][0]["request"]["kind"], "actual");
    assert_eq!(json["steps"][0]["response"]["status"], 200);
    let back: Exchange = serde_json::from_value(json).unwrap();
    assert_eq!(back, walked.exchange);
}

#[test]
fn hops_the_replay_did_not_send_leave_the_exchange_incomplete() {
    struct Refusing;
    impl Transport for Refusing {
        async fn send(&self, request: &WireRequest) -> Result<WireResponse, NetError> {
            Err(NetError::not_replayed(format!("{} is outside the suite's origins", request.url)))
        }
    }
    let req = request("GET", &url(A, "/x"), &[], Credentials::Omit);
    let walked = block_on(walk(&req, Rules::of(Family::Chromium), &NativeUrls, &Refusing));
    assert!(matches!(walked.verdict, Verdict::Incomplete { .. }), "{:?}", walked.verdict);
}

#[test]
fn two_different_locations_are_a_network_error() {
    let start = url(A, "/r");
    let servers = Servers::default().on(
        "GET",
        &start,
        302,
        &[
            ("Location", "http://b.test/1"),
            ("Location", "http://b.test/2"),
            ("Access-Control-Allow-Origin", "*"),
        ],
    );
    let walked = run(&request("GET", &start, &[], Credentials::Omit), &servers);
    assert_eq!(
        walked.verdict,
        Verdict::NetworkError { error: NetErrorCode::ResponseHeadersMultipleLocation.into() }
    );
}
