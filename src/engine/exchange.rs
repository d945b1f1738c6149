//! What a raw exchange says of a case: the [`crate::cors`] evaluator walks it and the
//! result gets the reason and fix (blocked) or the warnings (allowed).
//!
//! The exchange comes from one of two places: the probe endpoint's replay (the page on
//! its own: a second request, without the page's cookies) or the browser's own network
//! events (the runner watching DevTools or WebDriver BiDi: the very request, cookies
//! included, and nothing repeated).

use super::diagnose::apply;
use crate::browser_name::Family;
use crate::cors::{
    self, Blocked, CorsRequest, Exchange, Fix, ReasonFamily, ResolveUrl, Rules, Verdict,
    WarningCode,
};
use crate::rejection::{self, Finding};
use crate::result::{CaseResult, Confidence, Diagnosis, DiagnosisMethod, Outcome, ReasonSource};
use crate::suite::Credentials;

/// Where an exchange came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExchangeSource {
    /// The probe endpoint sent the request again (no cookies).
    Replayed,
    /// The browser's network events for the page's own request.
    Observed,
}

impl ExchangeSource {
    fn method(self) -> DiagnosisMethod {
        match self {
            ExchangeSource::Replayed => DiagnosisMethod::Exchange,
            ExchangeSource::Observed => DiagnosisMethod::Observed,
        }
    }
}

/// Evaluates `exchange` for `result`'s request; `false` when it leaves the reason open.
pub fn read_exchange(
    result: &mut CaseResult,
    request: &CorsRequest,
    family: Family,
    urls: &impl ResolveUrl,
    exchange: &Exchange,
    source: ExchangeSource,
) -> bool {
    let walked = cors::evaluate(request, Rules::of(family), urls, exchange);
    let answered_steps = exchange.steps.iter().filter(|s| s.response.is_some()).count();
    // Evaluated with every value; reported without the user's secrets.
    result.exchange = Some(exchange.redacted());
    result.exchange_source = Some(match source {
        ExchangeSource::Replayed => ReasonSource::Harness,
        ExchangeSource::Observed => ReasonSource::Browser,
    });
    let rejected = matches!(result.outcome, Outcome::Blocked | Outcome::Unreachable);
    let finding = match source {
        ExchangeSource::Replayed => rejection::of_replay(&walked.verdict, answered_steps),
        ExchangeSource::Observed => rejection::of_observed(&walked.verdict, answered_steps),
    };
    rejection::settle_result(result, &finding);
    match (walked.verdict, rejected) {
        (Verdict::Blocked(blocked), true) => {
            // Blocked now; it read unreachable only in an isolated page whose probes COEP blocked.
            result.warnings.retain(|w| w.code != WarningCode::CrossOriginIsolated);
            apply(result, exchange_diagnosis(request, blocked, walked.fix, source));
            true
        }
        (Verdict::Blocked(blocked), false) => {
            let why = match source {
                ExchangeSource::Replayed => {
                    "the server may answer the replay (no cookies) differently"
                }
                ExchangeSource::Observed => {
                    "the evaluator misreads this exchange (a bug to report)"
                }
            };
            result.disagreement = Some(format!(
                "the browser allowed it, but the evaluator says {} on {}: {why}",
                blocked.reason, blocked.response
            ));
            true
        }
        (Verdict::Allowed { .. }, false) if result.is_allowed() => {
            result.warnings = walked.warnings;
            true
        }
        (Verdict::NetworkError { error }, true) if finding == Finding::Unreachable => {
            let (family, note) = if answered_steps == 0 {
                (
                    ReasonFamily::Other,
                    format!("the server did not answer ({error}): a network error, not CORS"),
                )
            } else {
                (ReasonFamily::Redirect, format!("a redirect leads to a server that does not answer ({error}): a network error, not CORS"))
            };
            result.diagnosis = Some(Diagnosis {
                method: source.method(),
                confidence: Confidence::Exact,
                family,
                reason: None,
                firefox_reason: None,
                failed_parameter: None,
                failed_response: None,
                fix: None,
                note,
            });
            result.network_error = Some(error);
            true
        }
        (Verdict::Allowed { .. }, true) if source == ExchangeSource::Replayed => {
            result.disagreement = Some(
                "the browser refused it, but the replayed exchange passes every check: the server may answer the browser (with cookies) differently"
                    .to_owned(),
            );
            false
        }
        _ => false,
    }
}

/// The evaluator's account of an exchange it found blocked.
fn exchange_diagnosis(
    request: &CorsRequest,
    blocked: Blocked,
    fix: Option<Fix>,
    source: ExchangeSource,
) -> Diagnosis {
    // The replay carries no cookies: a server may answer the browser's credentialed request otherwise.
    let (confidence, cookies) =
        if source == ExchangeSource::Replayed && request.credentials == Credentials::Include {
            (Confidence::Likely, " (replayed without the page's cookies)")
        } else {
            (Confidence::Exact, "")
        };
    Diagnosis {
        method: source.method(),
        confidence,
        family: blocked.reason.family(),
        reason: Some(blocked.reason),
        firefox_reason: Some(blocked.firefox_reason),
        failed_parameter: Some(blocked.failed_parameter).filter(|p| !p.is_empty()),
        failed_response: Some(blocked.response),
        note: format!("{} failed: {}{cookies}", blocked.response, blocked.reason.describe()),
        fix,
    }
}
