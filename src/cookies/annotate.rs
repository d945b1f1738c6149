//! Puts the cookie report into a run's results: the harness's inference case by case (its
//! jar follows the run), merged with whatever the browser showed, disagreements flagged.

use std::collections::HashMap;

use crate::browser_name::Family;
use crate::reason::Reason;
use crate::result::{CaseResult, Outcome, ReasonSource};
use crate::suite::{CaseEntry, Credentials, Suite};

use super::infer::{CookieJar, CookiePolicy};

/// What the browser's own network events showed of one case's request.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeenOnTheWire {
    /// The cookie names the request carried, when the events show the request.
    pub sent: Option<Vec<String>>,
    /// The response's `Set-Cookie` lines.
    pub set_cookie: Vec<String>,
}

/// Did any request of this case reach the server? (Not for invalid input, timeouts before
/// an answer, network errors, or a policy such as mixed content that refuses it unsent.)
fn on_the_wire(result: &CaseResult) -> bool {
    match result.outcome {
        Outcome::Allowed => true,
        Outcome::Blocked => !matches!(result.reason, Some(Reason::Blocked(_))),
        Outcome::Unreachable | Outcome::Timeout | Outcome::Invalid => false,
    }
}

/// Fills `cookies` of every result with a request on the wire, in run order. A result that
/// already has the browser's report (Chromium) keeps it, and the inference is compared with
/// it; otherwise the inference stands (`source: "harness"`, `likely`), with the cookies the
/// browser's events showed as sent in place of the inferred ones. Nothing happens for a
/// suite without preset cookies unless the browser reported some or a response set one.
/// An allowed credentialed request that carried no cookie gets a warning saying why.
pub fn annotate(
    results: &mut [CaseResult],
    suite: &Suite,
    page_origin: &str,
    family: Family,
    seen: impl Fn(&CaseResult) -> Option<SeenOnTheWire>,
) {
    let credentials: HashMap<&str, Credentials> = suite
        .cases
        .iter()
        .filter_map(|c| match c {
            CaseEntry::Valid(case) => Some((case.id.as_str(), case.credentials)),
            CaseEntry::Malformed(_) => None,
        })
        .collect();
    let mut jar = CookieJar::new(CookiePolicy::of(family), page_origin, &suite.cookies);
    for result in results.iter_mut() {
        if !on_the_wire(result) {
            continue;
        }
        let Some(&credentials) = credentials.get(result.id.as_str()) else { continue };
        let wire = seen(result).unwrap_or_default();
        let mut set_cookie: Vec<&str> = wire.set_cookie.iter().map(String::as_str).collect();
        if set_cookie.is_empty() {
            // The replay's actual response, when the probe endpoint replayed the exchange.
            let replayed = result
                .exchange
                .as_ref()
                .and_then(|e| e.steps.iter().rev().find_map(|s| s.response.as_ref()));
            set_cookie.extend(replayed.into_iter().flat_map(|r| r.lines("set-cookie")));
        }
        let mut inferred = jar.request(&result.url, credentials);
        inferred.not_stored = jar.response(&result.url, credentials, &set_cookie);
        // A report the harness inferred earlier (the page's) gives way to this one, which
        // knows what the browser's events showed.
        match result.cookies.as_mut().filter(|c| c.source == ReasonSource::Browser) {
            Some(browser) => browser.disagreement = browser.compare(&inferred),
            None => {
                if let Some(sent) = wire.sent {
                    let mut seen_report = inferred.clone();
                    seen_report.withheld.retain(|c| !sent.contains(&c.name));
                    seen_report.sent = sent;
                    seen_report.disagreement = seen_report.compare(&inferred).map(|d| {
                        format!("the request carried other cookies than the harness inferred: {d}")
                    });
                    inferred = seen_report;
                }
                let empty = inferred.is_empty() && suite.cookies.is_empty();
                inferred.source = ReasonSource::Harness;
                result.cookies = (!empty).then_some(inferred);
            }
        }
        super::warn_without_cookie(result, credentials);
    }
}
