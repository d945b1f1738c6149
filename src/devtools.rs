//! The browser's own word on each request, from Chromium's DevTools `Network` events
//! (chromedriver's `performance` log, `goog:loggingPrefs`), merged into results.
//!
//! Chromium reports why it blocked a request only to DevTools
//! (`Network.loadingFailed.corsErrorStatus`); the page gets a bare `TypeError`.

use std::collections::{HashMap, HashSet};

use serde_json::Value;

use crate::browser_name::Family;
use crate::cookies::{BlockedCookie, CookieReason, CookieReport, SeenOnTheWire};
use crate::cors::Exchange;
use crate::net_error::NetError;
use crate::network_events::chromium::Traces;
use crate::network_events::Seen;
use crate::reason::{BrowserReason, Reason};
use crate::rejection::{self, BrowserSaw};
use crate::result::{CaseResult, Outcome, ReasonSource, SuiteReport, Summary};

/// How Chromium says one request failed (`Network.loadingFailed`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkFailure {
    /// `errorText`, e.g. `net::ERR_FAILED`, `net::ERR_CERT_AUTHORITY_INVALID`; `None` when empty.
    pub error: Option<NetError>,
    /// Aborted by the page (our timeout).
    pub canceled: bool,
    /// `corsErrorStatus.corsError`, e.g. `WildcardOriginNotAllowed`.
    pub cors_error: Option<Reason>,
    /// `blockedReason`: another policy refused it, e.g. `mixed-content`.
    pub blocked_reason: Option<Reason>,
    /// The header value, method or header name at fault.
    pub failed_parameter: Option<String>,
}

impl NetworkFailure {
    /// Reads the params of a `Network.loadingFailed` event.
    fn from_params(params: &Value) -> Self {
        let cors = &params["corsErrorStatus"];
        let text = |value: &Value| value.as_str().filter(|t| !t.is_empty()).map(str::to_owned);
        NetworkFailure {
            error: text(&params["errorText"]).map(|t| NetError::parse(&t)),
            canceled: params["canceled"].as_bool().unwrap_or(false),
            cors_error: text(&cors["corsError"]).map(|name| Reason::parse(&name)),
            blocked_reason: text(&params["blockedReason"]).map(|name| Reason::parse(&name)),
            failed_parameter: text(&cors["failedParameter"]),
        }
    }

    /// The failure as a witness of [`crate::rejection`] reads it. A `corsError` names the
    /// failure more precisely than a `blockedReason` (Chromium sets both for some CORS
    /// failures), so it wins.
    pub fn saw(&self) -> BrowserSaw {
        if self.canceled {
            return BrowserSaw::Canceled;
        }
        match self.cors_error.as_ref().or(self.blocked_reason.as_ref()) {
            Some(reason) => BrowserSaw::Refused(reason.clone()),
            None => BrowserSaw::NetworkError(self.error.clone()),
        }
    }
}

/// `Network` events collected from the performance log, in arrival order.
#[derive(Clone, Debug, Default)]
pub struct NetworkLog {
    /// The first request id for each (URL, upper-case method) the page did not send as a preflight.
    first_request: HashMap<(String, String), String>,
    /// Every request id seen.
    seen: HashSet<String>,
    failures: HashMap<String, NetworkFailure>,
    /// `requestWillBeSentExtraInfo.associatedCookies`, one list per hop, by request id.
    sent_cookies: HashMap<String, Vec<Vec<AssociatedCookie>>>,
    /// `responseReceivedExtraInfo.blockedCookies`, one list per response, by request id.
    refused_cookies: HashMap<String, Vec<Vec<AssociatedCookie>>>,
    /// The responses' `Set-Cookie` lines (DevTools joins repeated lines with `\n`), by request id.
    set_cookie: HashMap<String, Vec<String>>,
    /// Each request's messages, for its exchange.
    traces: Traces,
}

/// A cookie DevTools lists for a request (`blockedReasons` empty: sent) or a response
/// (a `Set-Cookie` line it refused).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AssociatedCookie {
    pub name: String,
    pub reasons: Vec<CookieReason>,
}

impl AssociatedCookie {
    /// Reads one entry of `associatedCookies` or `blockedCookies`: the name from `cookie`,
    /// else from `cookieLine` (a line Chromium could not parse into a cookie).
    fn from_value(entry: &Value) -> Option<AssociatedCookie> {
        let name = match entry["cookie"]["name"].as_str() {
            Some(name) => name.to_owned(),
            None => entry["cookieLine"].as_str()?.split([';', '=']).next()?.trim().to_owned(),
        };
        let reasons = entry["blockedReasons"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(CookieReason::parse)
            .collect();
        Some(AssociatedCookie { name, reasons })
    }

    fn list(value: &Value) -> Vec<AssociatedCookie> {
        value.as_array().into_iter().flatten().filter_map(AssociatedCookie::from_value).collect()
    }
}

impl NetworkLog {
    /// Adds entries of chromedriver's performance log (`{"message": "<JSON>", ...}`);
    /// anything unexpected is skipped.
    pub fn add_entries(&mut self, entries: &[Value]) {
        for entry in entries {
            let Some(text) = entry.get("message").and_then(Value::as_str) else { continue };
            let Ok(message) = serde_json::from_str::<Value>(text) else { continue };
            let event = message.get("message").unwrap_or(&message);
            self.add_event(event);
        }
    }

    /// Adds one DevTools event (`{"method": ..., "params": ...}`).
    pub fn add_event(&mut self, event: &Value) {
        let params = &event["params"];
        let Some(id) = params["requestId"].as_str() else { return };
        self.traces.add_event(event["method"].as_str().unwrap_or_default(), params);
        match event["method"].as_str() {
            Some("Network.requestWillBeSent") if self.seen.insert(id.to_owned()) => {
                // The first event of a request id carries the URL the page asked for; redirects reuse the id.
                let preflight = params["type"] == "Preflight"
                    || params["initiator"]["type"] == "preflight"
                    || id.ends_with(".preflight");
                if !preflight {
                    let url = params["request"]["url"].as_str().unwrap_or_default().to_owned();
                    let method = params["request"]["method"].as_str().unwrap_or_default();
                    let key = (url, method.to_ascii_uppercase());
                    self.first_request.entry(key).or_insert_with(|| id.to_owned());
                }
            }
            Some("Network.loadingFailed") => {
                self.failures.insert(id.to_owned(), NetworkFailure::from_params(params));
            }
            Some("Network.requestWillBeSentExtraInfo") => {
                let cookies = AssociatedCookie::list(&params["associatedCookies"]);
                self.sent_cookies.entry(id.to_owned()).or_default().push(cookies);
            }
            Some("Network.responseReceivedExtraInfo") => {
                let cookies = AssociatedCookie::list(&params["blockedCookies"]);
                self.refused_cookies.entry(id.to_owned()).or_default().push(cookies);
                let headers = params["headers"].as_object().into_iter().flatten();
                let lines = headers
                    .filter(|(name, _)| name.eq_ignore_ascii_case("set-cookie"))
                    .filter_map(|(_, value)| value.as_str())
                    .flat_map(|value| value.split('\n').map(str::to_owned));
                self.set_cookie.entry(id.to_owned()).or_default().extend(lines);
            }
            _ => {}
        }
    }

    /// What happened to the page's own request for `url` with `method` (the first one
    /// sent: later ones with the same URL are the harness's probes). `None` when
    /// Chromium saw no such request; `Some(None)` when it did not fail.
    pub fn outcome_of(&self, url: &str, method: &str) -> Option<Option<&NetworkFailure>> {
        let id = self.page_request(url, method)?;
        Some(self.failures.get(id))
    }

    /// The request id of the page's own request for `url` with `method` (the first one sent).
    fn page_request(&self, url: &str, method: &str) -> Option<&str> {
        // The request's URL as DevTools reports it: without a fragment.
        let url = url.split('#').next().unwrap_or(url);
        let key = (url.to_owned(), method.to_ascii_uppercase());
        self.first_request.get(&key).map(String::as_str)
    }

    /// Whether DevTools reported any request (the driver's performance log carries the
    /// `Network` domain).
    pub fn saw_any_request(&self) -> bool {
        !self.seen.is_empty()
    }

    /// The exchange of the page's request for `url` with `method` as Chromium sent and
    /// received it (see [`crate::network_events`]).
    pub fn exchange_of(&self, url: &str, method: &str) -> Option<Exchange> {
        self.traces.exchange_of(self.page_request(url, method)?)
    }

    /// What Chromium's events show of the page's request for `url` with `method`.
    pub fn seen(&self, url: &str, method: &str) -> Seen {
        if let Some(exchange) = self.exchange_of(url, method) {
            return Seen::Exchange(exchange);
        }
        match self.outcome_of(url, method) {
            Some(Some(failure)) if matches!(failure.saw(), BrowserSaw::Refused(_)) => {
                Seen::RefusedBeforeSending
            }
            _ => Seen::Nothing,
        }
    }

    /// The `Set-Cookie` lines of the page's request's responses (for the harness's jar).
    pub fn seen_of(&self, url: &str, method: &str) -> Option<SeenOnTheWire> {
        let id = self.page_request(url, method)?;
        Some(SeenOnTheWire {
            sent: None,
            set_cookie: self.set_cookie.get(id).cloned().unwrap_or_default(),
        })
    }

    /// What Chromium did with cookies for the page's request for `url`: the cookies it
    /// attached to the request (the first hop), those it withheld and the `Set-Cookie`
    /// lines it refused on any response, with every reason. `None` when no request of
    /// the case reached the wire (only a preflight did: nothing sent).
    pub fn cookies_of(&self, url: &str, method: &str) -> Option<CookieReport> {
        let id = self.page_request(url, method)?;
        let hops = self.sent_cookies.get(id);
        let preflight = self.sent_cookies.get(&format!("{id}.preflight"));
        if hops.is_none() && preflight.is_none() {
            return None;
        }
        let mut report = CookieReport::new(ReasonSource::Browser);
        for cookie in hops.and_then(|h| h.first()).into_iter().flatten() {
            match BlockedCookie::new(cookie.name.clone(), cookie.reasons.clone()) {
                Some(blocked) => report.withheld.push(blocked),
                None => report.sent.push(cookie.name.clone()),
            }
        }
        for cookie in self.refused_cookies.get(id).into_iter().flatten().flatten() {
            report
                .not_stored
                .extend(BlockedCookie::new(cookie.name.clone(), cookie.reasons.clone()));
        }
        Some(report)
    }
}

/// Merges the browser's word into a result: the browser's reason wins, and so does its
/// outcome ([`crate::rejection`]: the log is the last and most authoritative witness).
/// The harness's own reason stays in `harness_reason`; a difference is flagged in
/// `disagreement`. A network error (a refused certificate among them) is named in
/// `network_error`.
pub fn apply(result: &mut CaseResult, log: &NetworkLog) {
    if matches!(result.outcome, Outcome::Invalid) {
        return;
    }
    let Some(observed) = log.outcome_of(&result.url, &result.method) else { return };
    if let Some(cookies) = log.cookies_of(&result.url, &result.method) {
        result.cookies = Some(cookies);
    }
    let saw = observed.map_or(BrowserSaw::NoFailure, NetworkFailure::saw);
    match (&saw, observed) {
        (BrowserSaw::Refused(reason), Some(failure)) => {
            result.browser_reason = Some(BrowserReason::Chromium(reason.clone()));
            result.reason = Some(reason.clone());
            result.failed_parameter = failure.failed_parameter.clone();
            result.reason_source = Some(ReasonSource::Browser);
        }
        (BrowserSaw::NetworkError(Some(error)), _) => result.network_error = Some(error.clone()),
        _ => {}
    }
    rejection::settle_result(result, &rejection::of_browser_log(&saw));
    if result.outcome != Outcome::Unreachable {
        result.network_error = None;
    }
    flag_disagreement(result, Family::Chromium);
    let expect = result.expect.take();
    result.judge(expect);
}

/// [`apply`] to every result of a Chromium run, and the summary counted again.
pub fn apply_to_report(report: &mut SuiteReport, log: &NetworkLog) {
    for result in &mut report.results {
        apply(result, log);
        fix_from_browser_reason(result, &report.origin);
    }
    report.summary = Summary::of(&report.results);
}

/// A request the harness did not repeat (its method may change data) has no exchange to
/// explain; the browser's reason still says which check failed, which is enough for a fix.
fn fix_from_browser_reason(result: &mut CaseResult, page_origin: &str) {
    use crate::cors::failure::CheckFailure;
    use crate::cors::{fix, CorsRequest, FailedResponse, FirefoxKey, WireResponse};
    use crate::result::DiagnosisMethod;
    let Some(crate::reason::Reason::Cors(error)) = result.reason.clone() else { return };
    let Some(diagnosis) = result.diagnosis.as_mut() else { return };
    if diagnosis.method != DiagnosisMethod::NotRepeated || diagnosis.fix.is_some() {
        return;
    }
    let request = CorsRequest {
        origin: page_origin.to_owned(),
        url: result.url.clone(),
        method: result.method.clone(),
        headers: Vec::new(),
        credentials: crate::fetch::credentials::Credentials::default(),
        body: None,
    };
    let preflight = result.preflight == Some(true)
        && matches!(
            error.family(),
            crate::cors::ReasonFamily::Preflight
                | crate::cors::ReasonFamily::Method
                | crate::cors::ReasonFamily::Header
        );
    let at = if preflight {
        FailedResponse::Preflight { hop: 0 }
    } else {
        FailedResponse::Actual { hop: 0 }
    };
    let failure = CheckFailure::new(
        error,
        FirefoxKey::typical_for(error).unwrap_or(FirefoxKey::DidNotSucceed),
        result.failed_parameter.clone().unwrap_or_default(),
    );
    diagnosis.fix =
        Some(fix::for_failure(&request, page_origin, &failure, at, &WireResponse::default()));
}

/// Compares the browser's reason (`browser_reason`, in `browser`'s vocabulary) with the
/// harness's and says so loudly when they differ: a bug in the evaluator, or a server
/// that answered the replay differently.
pub fn flag_disagreement(result: &mut CaseResult, browser: Family) {
    let name = match browser {
        Family::Chromium => "Chromium",
        Family::Firefox => "Firefox",
        Family::WebKit => "WebKit",
        Family::Other => "The browser",
    };
    let harness: Option<&str> = match browser {
        Family::Firefox => {
            result.diagnosis.as_ref().and_then(|d| d.firefox_reason).map(|k| k.as_str())
        }
        _ => result.harness_reason.map(|r| r.as_str()),
    };
    let theirs = result.browser_reason.as_ref().map(BrowserReason::as_str);
    let message = match (theirs, harness, result.outcome) {
        (Some(theirs), Some(ours), _) if theirs != ours => {
            Some(format!("{name} says {theirs}, the harness says {ours}"))
        }
        (None, Some(ours), outcome) if outcome != Outcome::Blocked => {
            Some(format!("{name} reports {outcome} without a CORS reason, the harness says {ours}"))
        }
        _ => None,
    };
    if message.is_some() {
        result.disagreement = message;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cors::CorsError;
    use crate::expect::Expectation;
    use crate::net_error::NetErrorCode;
    use crate::reason::BlockedReason;
    use crate::result::SuiteReport;
    use serde_json::json;

    fn entry(method: &str, params: Value) -> Value {
        json!({ "level": "INFO", "timestamp": 1,
                "message": json!({ "message": { "method": method, "params": params }, "webview": "x" }).to_string() })
    }

    fn sample_log() -> NetworkLog {
        let mut log = NetworkLog::default();
        log.add_entries(&[
            entry("Network.requestWillBeSent", json!({ "requestId": "1", "type": "Fetch", "request": { "url": "http://a/x?t=1", "method": "GET" } })),
            entry("Network.requestWillBeSent", json!({ "requestId": "1.preflight", "type": "Preflight", "request": { "url": "http://a/x?t=1", "method": "OPTIONS" } })),
            entry("Network.loadingFailed", json!({ "requestId": "1", "errorText": "net::ERR_FAILED", "canceled": false,
                   "corsErrorStatus": { "corsError": "WildcardOriginNotAllowed", "failedParameter": "*" } })),
            entry("Network.requestWillBeSent", json!({ "requestId": "2", "type": "Fetch", "request": { "url": "http://a/x?t=1", "method": "GET" } })),
            entry("Network.requestWillBeSent", json!({ "requestId": "3", "type": "Fetch", "request": { "url": "http://dead/?t=2", "method": "GET" } })),
            entry("Network.loadingFailed", json!({ "requestId": "3", "errorText": "net::ERR_CONNECTION_REFUSED" })),
            entry("Network.requestWillBeSent", json!({ "requestId": "4", "type": "Fetch", "request": { "url": "http://slow/?t=3", "method": "GET" } })),
            entry("Network.loadingFailed", json!({ "requestId": "4", "errorText": "net::ERR_ABORTED", "canceled": true })),
            json!({ "message": "not json" }),
        ]);
        log
    }

    fn result(url: &str, outcome: Outcome) -> CaseResult {
        let report = crate::report::tests::sample_report();
        let mut r = report.results[0].clone();
        r.url = url.into();
        r.outcome = outcome;
        r.status = None;
        r.judge(Some(Expectation::outcome(Outcome::Blocked)));
        r
    }

    #[test]
    fn finds_the_page_request_not_the_preflight_or_probe() {
        let log = sample_log();
        let failure = log.outcome_of("http://a/x?t=1", "GET").unwrap().unwrap();
        assert_eq!(failure.cors_error, Some(CorsError::WildcardOriginNotAllowed.into()));
        assert_eq!(failure.failed_parameter.as_deref(), Some("*"));
        assert!(log.outcome_of("http://nowhere/", "GET").is_none());
    }

    #[test]
    fn the_browser_reason_and_outcome_win() {
        let log = sample_log();
        let mut blocked = result("http://a/x?t=1", Outcome::Blocked);
        blocked.judge(Some(Expectation {
            reason: Some(CorsError::WildcardOriginNotAllowed.into()),
            ..Expectation::outcome(Outcome::Blocked)
        }));
        assert_eq!(blocked.pass, Some(false), "no reason known yet");
        apply(&mut blocked, &log);
        assert_eq!(blocked.pass, Some(true), "re-judged with the browser's reason");
        assert_eq!(blocked.reason, Some(CorsError::WildcardOriginNotAllowed.into()));
        assert_eq!(blocked.reason_source, Some(ReasonSource::Browser));
        assert_eq!(blocked.failed_parameter.as_deref(), Some("*"));
        assert_eq!(
            blocked.browser_reason.as_ref().map(|r| r.as_str()),
            Some("WildcardOriginNotAllowed")
        );
        assert_eq!(blocked.disagreement, None, "no harness reason to compare");

        let mut disagreeing = result("http://a/x?t=1", Outcome::Blocked);
        disagreeing.harness_reason = Some(CorsError::AllowOriginMismatch);
        disagreeing.reason = Some(CorsError::AllowOriginMismatch.into());
        disagreeing.reason_source = Some(ReasonSource::Harness);
        apply(&mut disagreeing, &log);
        assert_eq!(
            disagreeing.reason,
            Some(CorsError::WildcardOriginNotAllowed.into()),
            "the browser wins"
        );
        assert_eq!(disagreeing.harness_reason, Some(CorsError::AllowOriginMismatch), "kept");
        assert_eq!(
            disagreeing.disagreement.as_deref(),
            Some("Chromium says WildcardOriginNotAllowed, the harness says AllowOriginMismatch")
        );

        // The in-page probe said blocked; Chromium saw a refused connection.
        let mut dead = result("http://dead/?t=2", Outcome::Blocked);
        apply(&mut dead, &log);
        assert_eq!(dead.outcome, Outcome::Unreachable);
        assert_eq!(dead.pass, Some(false), "re-judged");
        assert_eq!(dead.reason, None);

        let mut slow = result("http://slow/?t=3", Outcome::Timeout);
        apply(&mut slow, &log);
        assert_eq!(slow.outcome, Outcome::Timeout);
        let _ = SuiteReport::new("s".into(), "o".into(), "b".into(), vec![slow]);
    }

    /// `Network.requestWillBeSent` then `Network.loadingFailed` for one page request, as
    /// chromedriver's performance log wraps them.
    fn failed(id: &str, url: &str, failure: Value) -> [Value; 2] {
        let mut params =
            json!({ "requestId": id, "timestamp": 81234.56, "type": "Fetch", "canceled": false });
        if let (Some(params), Some(extra)) = (params.as_object_mut(), failure.as_object()) {
            params.extend(extra.clone());
        }
        [
            entry(
                "Network.requestWillBeSent",
                json!({ "requestId": id, "loaderId": "L", "documentURL": "https://app.test/",
                "request": { "url": url, "method": "GET", "headers": {}, "mixedContentType": "blockable" },
                "timestamp": 81234.5, "wallTime": 1.7e9, "initiator": { "type": "script" }, "type": "Fetch" }),
            ),
            entry("Network.loadingFailed", params),
        ]
    }

    #[test]
    fn other_policies_are_blocked_with_their_blocked_reason() {
        let mut log = NetworkLog::default();
        log.add_entries(&failed(
            "9.1",
            "http://api.test/x?t=1",
            json!({ "errorText": "", "blockedReason": "mixed-content" }),
        ));
        log.add_entries(&failed("9.2", "http://api.test/y?t=2", json!({ "errorText": "net::ERR_BLOCKED_BY_CLIENT", "blockedReason": "some-future-policy" })));
        log.add_entries(&failed("9.3", "http://127.0.0.1:9/z?t=3", json!({ "errorText": "net::ERR_FAILED",
            "corsErrorStatus": { "corsError": "LocalNetworkAccessPermissionDenied", "failedParameter": "" } })));

        // The page's probes were refused as mixed content too: they said unreachable.
        let mut mixed = result("http://api.test/x?t=1", Outcome::Unreachable);
        mixed.judge(Some(Expectation {
            reason: Some(BlockedReason::MixedContent.into()),
            ..Expectation::outcome(Outcome::Blocked)
        }));
        apply(&mut mixed, &log);
        assert_eq!(mixed.outcome, Outcome::Blocked);
        assert_eq!(mixed.reason, Some(Reason::Blocked(BlockedReason::MixedContent)));
        assert_eq!(mixed.reason_source, Some(ReasonSource::Browser));
        assert_eq!(mixed.failed_parameter, None);
        assert_eq!(mixed.pass, Some(true), "{mixed}");
        let json = serde_json::to_value(&mixed).unwrap();
        assert_eq!(
            (&json["reason"], &json["browser_reason"]),
            (&json!("mixed-content"), &json!("mixed-content"))
        );
        assert!(json.get("network_error").is_none(), "no network error on a blocked result");

        let mut future = result("http://api.test/y?t=2", Outcome::Unreachable);
        apply(&mut future, &log);
        assert_eq!(future.outcome, Outcome::Blocked);
        assert_eq!(
            future.reason,
            Some(Reason::Unrecognized("some-future-policy".into())),
            "kept verbatim"
        );

        let mut lna = result("http://127.0.0.1:9/z?t=3", Outcome::Blocked);
        apply(&mut lna, &log);
        assert_eq!(lna.reason, Some(CorsError::LocalNetworkAccessPermissionDenied.into()));
    }

    #[test]
    fn certificate_errors_are_unreachable_and_named() {
        let mut log = NetworkLog::default();
        log.add_entries(&failed(
            "7.1",
            "https://api.test/x?t=1",
            json!({ "errorText": "net::ERR_CERT_AUTHORITY_INVALID" }),
        ));
        // The page's probes failed on the certificate too.
        let mut untrusted = result("https://api.test/x?t=1", Outcome::Unreachable);
        untrusted.judge(Some(Expectation::outcome(Outcome::Unreachable)));
        apply(&mut untrusted, &log);
        assert_eq!(untrusted.outcome, Outcome::Unreachable);
        assert_eq!(untrusted.reason, None);
        assert_eq!(untrusted.network_error, Some(NetErrorCode::CertAuthorityInvalid.into()));
        assert!(untrusted.network_error.as_ref().is_some_and(NetError::is_certificate));
        assert_eq!(untrusted.pass, Some(true));
        let json = serde_json::to_value(&untrusted).unwrap();
        assert_eq!(json["network_error"], "net::ERR_CERT_AUTHORITY_INVALID");
        assert!(untrusted
            .to_string()
            .contains("network error: net::ERR_CERT_AUTHORITY_INVALID (the certificate)"));
        let back: CaseResult = serde_json::from_value(json).unwrap();
        assert_eq!(back, untrusted);
    }

    /// Chromium 156's own events (`tests/devtools/cookies.jsonl`, from a run against the
    /// https fixtures): a cross-site echo whose preset cookies were all withheld, and a
    /// cross-site `Set-Cookie` refused for third-party blocking.
    #[test]
    fn cookies_as_chromium_reports_them() {
        let text = include_str!("../tests/devtools/cookies.jsonl");
        let entries: Vec<Value> = text.lines().map(|line| json!({ "message": line })).collect();
        let mut log = NetworkLog::default();
        log.add_entries(&entries);
        let echo = "https://api.other.test:9406/cookies/echo?__cors_harness=1aa353b42";
        let report = log.cookies_of(echo, "GET").unwrap();
        assert!(report.sent.is_empty());
        let withheld: Vec<String> = report.withheld.iter().map(ToString::to_string).collect();
        assert_eq!(
            withheld,
            [
                "x_lax (SchemefulSameSiteLax, UserPreferences)",
                "x_strict (SchemefulSameSiteStrict, UserPreferences)",
                "x_default (SchemefulSameSiteUnspecifiedTreatedAsLax, UserPreferences)",
                "x_none (UserPreferences)"
            ]
        );
        assert_eq!(report.withheld[0].reason.as_str(), "SchemefulSameSiteLax", "the first reason");
        assert_eq!(report.source, ReasonSource::Browser);
        let set = "https://api.other.test:9406/cookies/set/plain?__cors_harness=";
        let url =
            log.first_request.keys().map(|(u, _)| u.clone()).find(|u| u.starts_with(set)).unwrap();
        let report = log.cookies_of(&url, "GET").unwrap();
        assert_eq!(report.not_stored[0].to_string(), "plain (UserPreferences)");
        assert_eq!(log.seen_of(&url, "GET").unwrap().set_cookie, ["plain=v-plain; Path=/"]);
        assert!(log.cookies_of("https://nowhere/", "GET").is_none());
    }
}
