//! The exchange as the browser saw it: each request's preflight, request and redirect
//! hops with their raw headers, rebuilt from the browser's own network events, so the
//! evaluator explains the very request the page made (cookies included) and nothing is
//! sent again.
//!
//! - Chromium: DevTools `Network` events from chromedriver's `performance` log
//!   ([`chromium::Traces`]): `requestWillBeSentExtraInfo` and `responseReceivedExtraInfo`
//!   carry the headers as sent and received, even for a response CORS refused; a
//!   preflight is its own request whose `initiator` names the request it serves.
//! - Firefox: WebDriver BiDi `network.*` events ([`firefox::Traces`]): a preflight is its
//!   own `OPTIONS` request to the same URL, sent just after the request began; redirects
//!   keep the request id.

pub mod chromium;
pub mod firefox;

use std::collections::HashMap;

use crate::browser_name::Family;
use crate::cors::url::NativeUrls;
use crate::cors::{
    self, CorsRequest, Exchange, ResolveUrl, Rules, StepKind, WireRequest, WireResponse,
};
use crate::engine::exchange::{read_exchange, ExchangeSource};
use crate::plan::RequestPlan;
use crate::rejection::{self, Finding};
use crate::result::{CaseResult, Outcome, SuiteReport};
use crate::suite::{Case, CaseEntry, Suite};

/// What the browser's events show of one of the page's requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Seen {
    /// What went on the wire: each message and its response or network error.
    Exchange(Exchange),
    /// The browser refused it before anything was sent (a policy: Local Network Access,
    /// CSP, ...).
    RefusedBeforeSending,
    /// The events do not show it.
    Nothing,
}

/// Explains each result of a run the runner watched from what the browser's events show
/// of its request (`seen_of`): the reason and fix of a blocked request, the warnings of an
/// allowed one, and blocked or unreachable for a rejected one (that much even for a case
/// with `diagnose: false`, whose page sent no probe either).
pub fn apply_observed(
    report: &mut SuiteReport,
    suite: &Suite,
    family: Family,
    seen_of: impl Fn(&CaseResult) -> Seen,
) {
    let cases: HashMap<&str, &Case> = suite
        .cases
        .iter()
        .filter_map(|entry| match entry {
            CaseEntry::Valid(case) => Some((case.id.as_str(), case)),
            CaseEntry::Malformed(_) => None,
        })
        .collect();
    for result in &mut report.results {
        if !matches!(result.outcome, Outcome::Allowed | Outcome::Blocked | Outcome::Unreachable) {
            continue;
        }
        let Some(case) = cases.get(result.id.as_str()) else { continue };
        let exchange = match seen_of(result) {
            Seen::Exchange(exchange) => exchange,
            Seen::RefusedBeforeSending => {
                rejection::settle_result(result, &Finding::Blocked);
                continue;
            }
            Seen::Nothing => continue,
        };
        let target = NativeUrls.resolve(&case.url, None).map(|u| u.origin);
        let plan = RequestPlan::new(case, target.as_deref() != Some(&report.origin), family);
        let request = CorsRequest {
            origin: report.origin.clone(),
            url: result.url.clone(),
            method: plan.method,
            headers: plan.sent_headers,
            credentials: case.credentials,
            body: case.body.clone(),
        };
        if case.diagnose {
            read_exchange(
                result,
                &request,
                family,
                &NativeUrls,
                &exchange,
                ExchangeSource::Observed,
            );
        } else {
            let walked = cors::evaluate(&request, Rules::of(family), &NativeUrls, &exchange);
            let answered = exchange.steps.iter().filter(|s| s.response.is_some()).count();
            rejection::settle_result(result, &rejection::of_observed(&walked.verdict, answered));
        }
    }
}

/// A response's status line and header lines from DevTools' `headersText`
/// (`HTTP/1.1 200 OK\r\nname: value\r\n...`), in order, repeated lines kept.
fn parse_head(text: &str) -> Option<WireResponse> {
    let mut lines = text.lines();
    let status = lines.next()?.split(' ').nth(1)?.parse().ok()?;
    let headers = lines
        .take_while(|line| !line.is_empty())
        .filter_map(|line| line.split_once(':'))
        .map(|(name, value)| (name.trim().to_owned(), value.trim().to_owned()))
        .collect();
    Some(WireResponse { status, headers })
}

/// A request as it went on the wire.
fn wire_request(
    kind: StepKind,
    method: &str,
    url: &str,
    headers: Vec<(String, String)>,
    body: Option<String>,
) -> WireRequest {
    WireRequest { kind, method: method.to_owned(), url: url.to_owned(), headers, body }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::devtools::NetworkLog;
    use crate::result::{DiagnosisMethod, SuiteReport};
    use serde_json::Value;

    /// Events recorded from Chromium 156 and Firefox 153 running seven cases against the
    /// fixtures (page origin `http://127.0.0.1:9510`, fixtures on 9500 and 9501).
    fn recorded(file: &str) -> Vec<Value> {
        let path = format!("{}/tests/events/{file}", env!("CARGO_MANIFEST_DIR"));
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect()
    }

    const PAGE: &str = "http://127.0.0.1:9510";
    const PUT: &str = "http://127.0.0.1:9500/cors/permissive/notes?__cors_harness=";
    const TWO_ACAO: &str = "http://127.0.0.1:9500/broken/two-acao?__cors_harness=";
    const PREFLIGHT_500: &str = "http://127.0.0.1:9500/broken/preflight-status/500?__cors_harness=";
    const REDIRECT: &str = "http://127.0.0.1:9500/redirect/302/wildcard?__cors_harness=";

    /// (kind, method, status) of each step.
    fn shape(exchange: &Exchange) -> Vec<(StepKind, String, Option<u16>)> {
        exchange
            .steps
            .iter()
            .map(|s| {
                (s.request.kind, s.request.method.clone(), s.response.as_ref().map(|r| r.status))
            })
            .collect()
    }

    fn chromium() -> NetworkLog {
        let mut log = NetworkLog::default();
        for event in recorded("chromium-devtools.jsonl") {
            log.add_event(&event);
        }
        log
    }

    /// The URL (with its cache-busting token) of the request starting with `prefix`; a PUT
    /// for [`PUT`] (a GET went to the same path).
    fn url_of(events: &[Value], prefix: &str) -> String {
        let method = if prefix == PUT { "PUT" } else { "GET" };
        events
            .iter()
            .map(|e| &e["params"]["request"])
            .find(|r| r["method"] == method && r["url"].as_str().unwrap().starts_with(prefix))
            .and_then(|r| r["url"].as_str())
            .unwrap()
            .to_owned()
    }

    #[test]
    fn chromium_exchanges_have_their_preflights_redirects_and_raw_lines() {
        let events = recorded("chromium-devtools.jsonl");
        let log = chromium();
        let put = log.exchange_of(&url_of(&events, PUT), "PUT").unwrap();
        let preflight = (StepKind::Preflight, "OPTIONS".to_owned(), Some(200));
        assert_eq!(shape(&put), [preflight, (StepKind::Actual, "PUT".to_owned(), Some(200))]);
        assert_eq!(put.steps[0].request.header("access-control-request-method"), Some("PUT"));
        assert_eq!(put.steps[1].request.header("origin"), Some(PAGE));

        let two = log.exchange_of(&url_of(&events, TWO_ACAO), "GET").unwrap();
        let response = two.steps[0].response.as_ref().unwrap();
        assert_eq!(
            response.lines("access-control-allow-origin").count(),
            2,
            "both lines, as received"
        );

        let refused = log.exchange_of(&url_of(&events, PREFLIGHT_500), "GET").unwrap();
        assert_eq!(shape(&refused), [(StepKind::Preflight, "OPTIONS".to_owned(), Some(500))]);

        let redirect = log.exchange_of(&url_of(&events, REDIRECT), "GET").unwrap();
        let hops = [
            (StepKind::Actual, "GET".to_owned(), Some(302)),
            (StepKind::Actual, "GET".to_owned(), Some(200)),
        ];
        assert_eq!(shape(&redirect), hops);
        assert_eq!(
            redirect.steps[1].request.header("origin"),
            Some("null"),
            "tainted after a cross-origin hop"
        );
    }

    #[test]
    fn firefox_exchanges_have_their_preflights_and_redirects() {
        let events = recorded("firefox-bidi.jsonl");
        let traces = firefox::Traces::new(&events);
        let exchange = |url: &str, method: &str| match traces.seen(url, method) {
            Seen::Exchange(exchange) => exchange,
            other => panic!("{url}: {other:?}"),
        };
        let put = exchange(&url_of(&events, PUT), "PUT");
        let preflight = (StepKind::Preflight, "OPTIONS".to_owned(), Some(200));
        assert_eq!(shape(&put), [preflight, (StepKind::Actual, "PUT".to_owned(), Some(200))]);

        let refused = exchange(&url_of(&events, PREFLIGHT_500), "GET");
        assert_eq!(shape(&refused), [(StepKind::Preflight, "OPTIONS".to_owned(), Some(500))]);

        let redirect = exchange(&url_of(&events, REDIRECT), "GET");
        let hops = [
            (StepKind::Actual, "GET".to_owned(), Some(302)),
            (StepKind::Actual, "GET".to_owned(), Some(200)),
        ];
        assert_eq!(shape(&redirect), hops);
        assert_eq!(traces.seen("http://127.0.0.1:9500/never", "GET"), Seen::Nothing);
    }

    #[test]
    fn an_observed_exchange_explains_the_result_exactly() {
        let events = recorded("chromium-devtools.jsonl");
        let url = url_of(&events, TWO_ACAO);
        let suite = Suite::parse(&format!(
            r#"{{ "cases": [{{ "id": "two", "url": "{TWO_ACAO}", "credentials": "include" }}] }}"#
        ))
        .unwrap();
        let mut result = CaseResult::new("two".into(), "GET".into(), url, Outcome::Unreachable);
        result.error = Some(crate::ErrorInfo::new("TypeError", "Failed to fetch"));
        let mut report = SuiteReport::new("s".into(), PAGE.into(), "Chromium".into(), vec![result]);
        let log = chromium();
        apply_observed(&mut report, &suite, Family::Chromium, |r| log.seen(&r.url, &r.method));
        let result = &report.results[0];
        assert_eq!(
            result.outcome,
            Outcome::Blocked,
            "a response came back: blocked, not unreachable"
        );
        let diagnosis = result.diagnosis.as_ref().unwrap();
        assert_eq!(diagnosis.method, DiagnosisMethod::Observed);
        assert_eq!(
            diagnosis.confidence,
            crate::result::Confidence::Exact,
            "credentialed, yet exact"
        );
        assert_eq!(result.harness_reason.map(|r| r.as_str()), Some("MultipleAllowOriginValues"));
    }

    #[test]
    fn without_diagnosis_the_events_still_tell_blocked_from_unreachable() {
        let events = recorded("chromium-devtools.jsonl");
        let suite = Suite::parse(&format!(
            r#"{{ "cases": [{{ "id": "two", "url": "{TWO_ACAO}", "diagnose": false }},
                           {{ "id": "gone", "url": "http://127.0.0.1:9504/x", "diagnose": false }}] }}"#
        ))
        .unwrap();
        let rejected = |id: &str, url: String| {
            let mut result = CaseResult::new(id.into(), "GET".into(), url, Outcome::Unreachable);
            result.error = Some(crate::ErrorInfo::new("TypeError", "Failed to fetch"));
            result
        };
        let results = vec![
            rejected("two", url_of(&events, TWO_ACAO)),
            rejected("gone", "http://127.0.0.1:9504/x".into()),
        ];
        let mut report = SuiteReport::new("s".into(), PAGE.into(), "Chromium".into(), results);
        let log = chromium();
        apply_observed(&mut report, &suite, Family::Chromium, |r| log.seen(&r.url, &r.method));
        assert_eq!(report.results[0].outcome, Outcome::Blocked);
        assert!(report.results[0].diagnosis.is_none(), "diagnose: false");
        assert_eq!(report.results[1].outcome, Outcome::Unreachable, "the events show nothing");
    }

    #[test]
    fn a_head_keeps_repeated_lines_in_order() {
        let head = "HTTP/1.1 200 OK\r\nb: 1\r\naccess-control-allow-origin: x\r\naccess-control-allow-origin: y\r\n\r\n";
        let response = parse_head(head).unwrap();
        assert_eq!(response.status, 200);
        assert_eq!(response.lines("access-control-allow-origin").collect::<Vec<_>>(), ["x", "y"]);
        assert_eq!(response.headers[0].0, "b");
        assert!(parse_head("garbage").is_none());
    }
}
