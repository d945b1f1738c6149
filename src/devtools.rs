//! The browser's own word on each request, from Chromium's DevTools `Network` events
//! (chromedriver's `performance` log, `goog:loggingPrefs`), merged into results.
//!
//! Chromium reports why it blocked a request only to DevTools
//! (`Network.loadingFailed.corsErrorStatus`); the page gets a bare `TypeError`.

use std::collections::HashMap;

use serde_json::Value;

use crate::outcome::{CaseResult, Outcome, ReasonSource};

/// How Chromium says one request failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NetworkFailure {
    /// e.g. `net::ERR_FAILED`, `net::ERR_CONNECTION_REFUSED`.
    pub error_text: String,
    /// Aborted by the page (our timeout).
    pub canceled: bool,
    /// Chromium's `corsError`, e.g. `WildcardOriginNotAllowed`.
    pub cors_error: Option<String>,
    /// The header value, method or header name at fault.
    pub failed_parameter: Option<String>,
}

#[derive(Clone, Debug)]
struct Request {
    url: String,
    method: String,
    preflight: bool,
}

/// `Network` events collected from the performance log, in arrival order.
#[derive(Clone, Debug, Default)]
pub struct NetworkLog {
    requests: Vec<(String, Request)>,
    seen: HashMap<String, usize>,
    failures: HashMap<String, NetworkFailure>,
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
        match event["method"].as_str() {
            Some("Network.requestWillBeSent") if !self.seen.contains_key(id) => {
                // The first event of a request id carries the URL the page asked for; redirects reuse the id.
                let request = Request {
                    url: params["request"]["url"].as_str().unwrap_or_default().to_owned(),
                    method: params["request"]["method"].as_str().unwrap_or_default().to_owned(),
                    preflight: params["type"] == "Preflight" || id.ends_with(".preflight"),
                };
                self.seen.insert(id.to_owned(), self.requests.len());
                self.requests.push((id.to_owned(), request));
            }
            Some("Network.loadingFailed") => {
                let cors = &params["corsErrorStatus"];
                self.failures.insert(
                    id.to_owned(),
                    NetworkFailure {
                        error_text: params["errorText"].as_str().unwrap_or_default().to_owned(),
                        canceled: params["canceled"].as_bool().unwrap_or(false),
                        cors_error: cors["corsError"].as_str().map(str::to_owned),
                        failed_parameter: cors["failedParameter"]
                            .as_str()
                            .filter(|p| !p.is_empty())
                            .map(str::to_owned),
                    },
                );
            }
            _ => {}
        }
    }

    /// What happened to the page's own request for `url` with `method` (the first one
    /// sent: later ones with the same URL are the harness's probes). `None` when
    /// Chromium saw no such request; `Some(None)` when it did not fail.
    pub fn outcome_of(&self, url: &str, method: &str) -> Option<Option<&NetworkFailure>> {
        let (id, _) = self
            .requests
            .iter()
            .find(|(_, r)| !r.preflight && r.url == url && r.method.eq_ignore_ascii_case(method))?;
        Some(self.failures.get(id))
    }
}

/// Merges the browser's word into a result: the browser's reason wins, and so does its
/// outcome where the in-page probes could not tell (see `crate::engine`). The harness's
/// own reason stays in `harness_reason`; a difference is flagged in `disagreement`.
pub fn apply(result: &mut CaseResult, log: &NetworkLog) {
    if matches!(result.outcome, Outcome::Invalid) {
        return;
    }
    let Some(observed) = log.outcome_of(&result.url, &result.method) else { return };
    let corrected = match observed {
        Some(failure) if failure.canceled => None,
        Some(failure) if failure.cors_error.is_some() => {
            result.browser_reason = failure.cors_error.clone();
            result.reason = failure.cors_error.clone();
            result.failed_parameter = failure.failed_parameter.clone();
            result.reason_source = Some(ReasonSource::Browser);
            Some(Outcome::Blocked)
        }
        Some(_) => Some(Outcome::Unreachable),
        None => None,
    };
    // The probes only ever choose between these two; timeouts and successes stand.
    if let Some(outcome) = corrected {
        if matches!(result.outcome, Outcome::Blocked | Outcome::Unreachable) {
            result.outcome = outcome;
        }
    }
    if result.outcome != Outcome::Blocked {
        result.reason = None;
        result.reason_source = None;
        result.failed_parameter = None;
        result.firefox_reason = None;
    }
    flag_disagreement(result, "Chromium");
    let expect = result.expect.take();
    result.judge(expect);
}

/// Compares the browser's reason (`browser_reason`, in `vocabulary`'s words) with the
/// harness's and says so loudly when they differ: a bug in the evaluator, or a server
/// that answered the replay differently.
pub fn flag_disagreement(result: &mut CaseResult, browser: &str) {
    let harness = match browser {
        "Firefox" => result.diagnosis.as_ref().and_then(|d| d.firefox_reason.clone()),
        _ => result.harness_reason.clone(),
    };
    let message = match (&result.browser_reason, harness, result.outcome) {
        (Some(theirs), Some(ours), _) if *theirs != ours => {
            Some(format!("{browser} says {theirs}, the harness says {ours}"))
        }
        (None, Some(ours), outcome) if outcome != Outcome::Blocked => Some(format!(
            "{browser} reports {outcome} without a CORS reason, the harness says {ours}"
        )),
        _ => None,
    };
    if message.is_some() {
        result.disagreement = message;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expect::Expectation;
    use crate::outcome::SuiteReport;
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
        assert_eq!(failure.cors_error.as_deref(), Some("WildcardOriginNotAllowed"));
        assert_eq!(failure.failed_parameter.as_deref(), Some("*"));
        assert!(log.outcome_of("http://nowhere/", "GET").is_none());
    }

    #[test]
    fn the_browser_reason_and_outcome_win() {
        let log = sample_log();
        let mut blocked = result("http://a/x?t=1", Outcome::Blocked);
        blocked.judge(Some(Expectation {
            reason: Some("WildcardOriginNotAllowed".into()),
            ..Expectation::outcome(Outcome::Blocked)
        }));
        assert_eq!(blocked.pass, Some(false), "no reason known yet");
        apply(&mut blocked, &log);
        assert_eq!(blocked.pass, Some(true), "re-judged with the browser's reason");
        assert_eq!(blocked.reason.as_deref(), Some("WildcardOriginNotAllowed"));
        assert_eq!(blocked.reason_source, Some(ReasonSource::Browser));
        assert_eq!(blocked.failed_parameter.as_deref(), Some("*"));
        assert_eq!(blocked.browser_reason.as_deref(), Some("WildcardOriginNotAllowed"));
        assert_eq!(blocked.disagreement, None, "no harness reason to compare");

        let mut disagreeing = result("http://a/x?t=1", Outcome::Blocked);
        disagreeing.harness_reason = Some("AllowOriginMismatch".into());
        disagreeing.reason = Some("AllowOriginMismatch".into());
        disagreeing.reason_source = Some(ReasonSource::Harness);
        apply(&mut disagreeing, &log);
        assert_eq!(
            disagreeing.reason.as_deref(),
            Some("WildcardOriginNotAllowed"),
            "the browser wins"
        );
        assert_eq!(disagreeing.harness_reason.as_deref(), Some("AllowOriginMismatch"), "kept");
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
}
