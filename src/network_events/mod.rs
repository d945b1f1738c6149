//! The exchange as the browser saw it: each request's preflight, request and redirect
//! hops with their raw headers, rebuilt from the browser's own network events, so the
//! evaluator explains the very request the page made (cookies included) and nothing is
//! sent again.
//!
//! - Chromium: DevTools `Network` events from chromedriver's `performance` log
//!   ([`chromium::Traces`]): `requestWillBeSentExtraInfo` and `responseReceivedExtraInfo`
//!   carry the headers as sent and received, even for a response CORS refused; a
//!   preflight is its own request whose `initiator` names the request it serves.
//! - Firefox: WebDriver BiDi `network.*` events ([`firefox::exchange_of`]): a preflight is
//!   its own `OPTIONS` request to the same URL; redirects keep the request id.

pub mod chromium;
pub mod firefox;

use crate::browser_name::Family;
use crate::cors::url::NativeUrls;
use crate::cors::{CorsRequest, Exchange, ResolveUrl, StepKind, WireRequest, WireResponse};
use crate::engine::exchange::{read_exchange, ExchangeSource};
use crate::plan::RequestPlan;
use crate::result::{CaseResult, Outcome, SuiteReport};
use crate::suite::{CaseEntry, Suite};

/// Explains each result of a run the runner watched from the exchange the browser made
/// (`exchange_of`, from its events): the reason and fix of a blocked request, the
/// warnings of an allowed one, and blocked or unreachable for a rejected one.
pub fn apply_observed(
    report: &mut SuiteReport,
    suite: &Suite,
    family: Family,
    exchange_of: impl Fn(&CaseResult) -> Option<Exchange>,
) {
    for result in &mut report.results {
        if !matches!(result.outcome, Outcome::Allowed | Outcome::Blocked | Outcome::Unreachable) {
            continue;
        }
        let case = suite.cases.iter().find_map(|entry| match entry {
            CaseEntry::Valid(case) if case.id == result.id => Some(case),
            _ => None,
        });
        let Some(case) = case.filter(|case| case.diagnose) else { continue };
        let Some(exchange) = exchange_of(result) else { continue };
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
        read_exchange(result, &request, family, &NativeUrls, &exchange, ExchangeSource::Observed);
    }
}

/// A response's status line and header lines from DevTools' `headersText`
/// (`HTTP/1.1 200 OK\r\nname: value\r\n...`), in order, repeated lines kept.
fn parse_head(text: &str) -> Option<WireResponse> {
    let mut lines = text.split("\r\n");
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
