//! Why a request was blocked, found by the harness itself in any browser.
//!
//! With a probe endpoint (the runner's page server) the page gets the raw exchange and
//! the [`crate::cors`] evaluator names the exact check. Without one the page narrows the
//! reason by differential retries: variants of the request (without credentials, without
//! the custom headers, as a bare GET, ...) that the browser allows or refuses.
//!
//! Cost of the retries: up to six requests, plus one per custom header, for each
//! blocked case (each with its own cache-busting token so no preflight is cached).
//! Limits: the page never sees the headers, so it can name an exact reason only where
//! one variant isolates it (a method or a header the preflight refuses); otherwise it
//! reports the family ("the origin was not accepted", "the preflight failed", ...).

use super::{Browser, Engine, FetchAttempt, FetchRequest, ProbeAnswer, ProbeKind};
use crate::browser_name::Family;
use crate::cors::{
    self, Blocked, CorsError, CorsRequest, Exchange, FirefoxKey, Fix, ReasonFamily, ResolveUrl,
    Rules, UrlParts, Verdict, WarningCode,
};
use crate::fetch::header;
use crate::plan::{self, RequestPlan};
use crate::reason::Reason;
use crate::rejection::{self, Finding};
use crate::result::{CaseResult, Confidence, Diagnosis, DiagnosisMethod, Outcome, ReasonSource};
use crate::suite::{Case, Credentials};

/// The browser's URL parser, for the evaluator.
struct BrowserUrls<'a, B>(&'a B);

impl<B: Browser> ResolveUrl for BrowserUrls<'_, B> {
    fn resolve(&self, input: &str, base: Option<&str>) -> Option<UrlParts> {
        self.0.resolve_url(input, base)
    }
}

/// Custom headers tried one by one at most.
const MAX_HEADER_RETRIES: usize = 6;

impl<B: Browser> Engine<B> {
    /// Fills the harness's reason (blocked), warnings (allowed) and the exchange.
    /// `plan` and `href` (the case's parsed URL, before cache-busting) are the request's own.
    pub(super) async fn diagnose(
        &self,
        case: &Case,
        plan: &RequestPlan,
        href: &str,
        result: &mut CaseResult,
    ) {
        let family = self.browser.family();
        let request = CorsRequest {
            origin: self.browser.page_origin(),
            url: result.url.clone(),
            method: plan.method.clone(),
            headers: plan.sent_headers.clone(),
            credentials: case.credentials,
            body: case.body.clone(),
        };
        match self.browser.exchange(&request, family, case.timeout_ms).await {
            Some(Ok(exchange)) if self.read_exchange(&request, family, &exchange, result) => return,
            Some(Err(error)) if result.is_blocked() => {
                result.disagreement = None;
                let note = format!("the probe endpoint could not replay it ({error}); narrowed in the page instead");
                let diagnosis = self.differential(case, plan, href, note).await;
                apply(result, diagnosis);
                return;
            }
            _ => {}
        }
        if result.is_blocked() {
            let diagnosis = self.differential(case, plan, href, String::new()).await;
            apply(result, diagnosis);
        }
    }

    /// Evaluates a replayed exchange; `false` when it leaves the reason open.
    fn read_exchange(
        &self,
        request: &CorsRequest,
        family: Family,
        exchange: &Exchange,
        result: &mut CaseResult,
    ) -> bool {
        let walked =
            cors::evaluate(request, Rules::of(family), &BrowserUrls(&self.browser), exchange);
        let answered_steps = exchange.steps.iter().filter(|s| s.response.is_some()).count();
        result.exchange = Some(exchange.clone());
        let rejected = matches!(result.outcome, Outcome::Blocked | Outcome::Unreachable);
        let finding = rejection::of_replay(&walked.verdict, answered_steps);
        rejection::settle_result(result, &finding);
        match (walked.verdict, rejected) {
            (Verdict::Blocked(blocked), true) => {
                // Blocked now; it read unreachable only in an isolated page whose probes COEP blocked.
                result.warnings.retain(|w| w.code != WarningCode::CrossOriginIsolated);
                apply(result, exchange_diagnosis(request, blocked, walked.fix));
                true
            }
            (Verdict::Blocked(blocked), false) => {
                result.disagreement = Some(format!(
                    "the browser allowed it, but the evaluator says {} on {}: the server may answer the replay (no cookies) differently",
                    blocked.reason, blocked.response
                ));
                true
            }
            (Verdict::Allowed { .. }, false) if result.is_allowed() => {
                result.warnings = walked.warnings;
                true
            }
            (Verdict::NetworkError { error }, true) if finding == Finding::Unreachable => {
                result.diagnosis = Some(Diagnosis {
                    method: DiagnosisMethod::Exchange,
                    confidence: Confidence::Exact,
                    family: ReasonFamily::Redirect,
                    reason: None,
                    firefox_reason: None,
                    failed_parameter: None,
                    failed_response: None,
                    fix: None,
                    note: format!("a redirect leads to a server that does not answer ({error}): a network error, not CORS"),
                });
                result.network_error = Some(error);
                true
            }
            (Verdict::Allowed { .. }, true) => {
                result.disagreement = Some(
                    "the browser refused it, but the replayed exchange passes every check: the server may answer the browser (with cookies) differently"
                        .to_owned(),
                );
                false
            }
            _ => false,
        }
    }

    /// Narrows the reason with variants of the request (see the module docs).
    async fn differential(
        &self,
        case: &Case,
        plan: &RequestPlan,
        href: &str,
        prefix: String,
    ) -> Diagnosis {
        let found = |confidence,
                     family: ReasonFamily,
                     reason: Option<CorsError>,
                     parameter: Option<String>,
                     note: String| {
            let note = if prefix.is_empty() { note } else { format!("{prefix}: {note}") };
            Diagnosis {
                method: DiagnosisMethod::Differential,
                confidence,
                family,
                reason,
                firefox_reason: reason.and_then(FirefoxKey::typical_for),
                failed_parameter: parameter,
                failed_response: None,
                fix: None,
                note,
            }
        };
        let first_hop = self
            .browser
            .probe(&self.fresh_url(href), "GET", ProbeKind::FirstHop, case.timeout_ms)
            .await;
        if first_hop == ProbeAnswer::Redirect {
            return found(
                Confidence::Family,
                ReasonFamily::Redirect,
                None,
                None,
                "the URL answers with a redirect that passes CORS; the redirect chain was refused further on".to_owned(),
            );
        }
        let include = case.credentials == Credentials::Include;
        let bare_omit = self.allowed(case, href, "GET", &[], Credentials::Omit, None).await;
        if !bare_omit {
            let on = if plan.preflight.is_required() {
                " (on the preflight, or on the response itself)"
            } else {
                ""
            };
            return found(
                Confidence::Family,
                ReasonFamily::Origin,
                None,
                None,
                format!("even a bare GET without credentials is refused: the server does not accept the page's origin{on} (Access-Control-Allow-Origin missing, different, or malformed)"),
            );
        }
        if include && !self.allowed(case, href, "GET", &[], Credentials::Include, None).await {
            return found(
                Confidence::Family,
                ReasonFamily::Credentials,
                None,
                None,
                "a bare GET passes without credentials and fails with them: the response does not accept credentials (Access-Control-Allow-Origin: * or no Access-Control-Allow-Credentials: true)".to_owned(),
            );
        }
        if !plan.preflight.is_required() {
            return found(
                Confidence::Family,
                ReasonFamily::Origin,
                None,
                None,
                "a bare GET passes but this request is refused: the server answers it (method, body or query) without the CORS headers it sends for GET".to_owned(),
            );
        }
        if include
            && self
                .allowed(
                    case,
                    href,
                    &plan.method,
                    &plan.sent_headers,
                    Credentials::Omit,
                    case.body.as_deref(),
                )
                .await
        {
            return found(
                Confidence::Family,
                ReasonFamily::Credentials,
                None,
                None,
                "the same request passes without credentials and simple requests pass with them: the preflight does not accept credentials (Access-Control-Allow-Origin: *, no Access-Control-Allow-Credentials: true, or a * in Access-Control-Allow-Methods/-Headers, which does not count with credentials)".to_owned(),
            );
        }
        let credentials = case.credentials;
        let safe_headers: Vec<(String, String)> = plan
            .sent_headers
            .iter()
            .filter(|(n, v)| header::is_cors_safelisted_request_header(n, v))
            .cloned()
            .collect();
        let unsafe_headers: Vec<(String, String)> = plan
            .sent_headers
            .iter()
            .filter(|(n, v)| !header::is_cors_safelisted_request_header(n, v))
            .cloned()
            .collect();
        let method = plan.preflight.method.as_deref();
        let method_fails = match method {
            Some(m) => Some(
                !self
                    .allowed(case, href, m, &safe_headers, credentials, case.body.as_deref())
                    .await,
            ),
            None => None,
        };
        let headers_fail = if unsafe_headers.is_empty() {
            None
        } else {
            Some(!self.allowed(case, href, "GET", &plan.sent_headers, credentials, None).await)
        };
        match (method_fails, headers_fail) {
            (Some(true), Some(false)) => {
                let m = method.unwrap_or_default().to_owned();
                found(Confidence::Likely, ReasonFamily::Method, Some(CorsError::MethodDisallowedByPreflightResponse), Some(m.clone()),
                    format!("GET with the same headers passes its preflight, {m} alone does not: the preflight does not list {m}"))
            }
            (_, Some(true)) => {
                // Which headers pass their preflight alone, and the first that does not.
                let mut passing = 0;
                let mut failing = None;
                for (name, value) in unsafe_headers.iter().take(MAX_HEADER_RETRIES) {
                    let one = [(name.clone(), value.clone())];
                    if self.allowed(case, href, "GET", &one, credentials, None).await {
                        passing += 1;
                    } else if failing.is_none() {
                        failing = Some(name.to_ascii_lowercase());
                    }
                }
                if let Some(name) = failing {
                    // Named only when some preflight to this URL is known to pass.
                    if passing > 0 || method_fails == Some(false) || self.control_preflight_passes(case, href, credentials).await {
                        return found(Confidence::Likely, ReasonFamily::Header, Some(CorsError::HeaderDisallowedByPreflightResponse), Some(name.clone()),
                            format!("a GET with only {name} fails its preflight while other preflights pass: Access-Control-Allow-Headers does not list {name}"));
                    }
                }
                if method_fails == Some(false) || self.control_preflight_passes(case, href, credentials).await {
                    return found(Confidence::Family, ReasonFamily::Header, None, None,
                        "the custom headers fail the preflight together but each passes alone".to_owned());
                }
                found(Confidence::Family, ReasonFamily::Preflight, None, None,
                    "every preflight to this URL fails (status, redirect, or the preflight's own CORS headers), while simple requests pass".to_owned())
            }
            (Some(true), None) => {
                let m = method.unwrap_or_default().to_owned();
                if self.control_preflight_passes(case, href, credentials).await {
                    return found(Confidence::Likely, ReasonFamily::Method, Some(CorsError::MethodDisallowedByPreflightResponse), Some(m.clone()),
                        format!("other preflights pass, the one for {m} does not: the preflight does not list {m}"));
                }
                found(Confidence::Family, ReasonFamily::Preflight, None, None,
                    format!("simple requests pass but the preflight for {m} fails: most likely Access-Control-Allow-Methods does not list {m}, or OPTIONS is not answered with CORS headers and a 2xx status"))
            }
            _ => found(Confidence::Family, ReasonFamily::Preflight, None, None,
                "the method and the headers each pass their preflight alone, the request as a whole does not".to_owned()),
        }
    }

    /// Does a preflight any CORS set-up allows (`Content-Type: application/json`) pass?
    async fn control_preflight_passes(
        &self,
        case: &Case,
        href: &str,
        credentials: Credentials,
    ) -> bool {
        let json = [("Content-Type".to_owned(), "application/json".to_owned())];
        self.allowed(case, href, "GET", &json, credentials, None).await
    }

    /// Is this variant of the case's request allowed? Sent to a fresh URL.
    async fn allowed(
        &self,
        case: &Case,
        href: &str,
        method: &str,
        headers: &[(String, String)],
        credentials: Credentials,
        body: Option<&str>,
    ) -> bool {
        let url = self.fresh_url(href);
        let request = FetchRequest {
            url: &url,
            method,
            headers,
            credentials,
            body,
            timeout_ms: case.timeout_ms,
        };
        matches!(self.browser.fetch(&request).await, FetchAttempt::Resolved(_))
    }

    /// The case's URL with a new cache-busting token: no preflight cache, no log confusion.
    fn fresh_url(&self, href: &str) -> String {
        plan::with_query_param(href, plan::CACHE_BUST_PARAM, &self.unique_token())
    }
}

/// Puts the harness's diagnosis into a blocked result; the browser's own word, if any, stays.
fn apply(result: &mut CaseResult, diagnosis: Diagnosis) {
    result.harness_reason = diagnosis.reason;
    if result.reason_source != Some(ReasonSource::Browser) {
        result.reason = diagnosis.reason.map(Reason::Cors);
        result.failed_parameter = diagnosis.failed_parameter.clone();
        result.reason_source = diagnosis.reason.map(|_| ReasonSource::Harness);
    }
    if result.firefox_reason.is_none() {
        result.firefox_reason = diagnosis.firefox_reason;
    }
    result.diagnosis = Some(diagnosis);
}

/// The evaluator's account of a replayed exchange it found blocked.
fn exchange_diagnosis(request: &CorsRequest, blocked: Blocked, fix: Option<Fix>) -> Diagnosis {
    // The replay carries no cookies: a server may answer the browser's credentialed request otherwise.
    let (confidence, cookies) = if request.credentials == Credentials::Include {
        (Confidence::Likely, " (replayed without the page's cookies)")
    } else {
        (Confidence::Exact, "")
    };
    Diagnosis {
        method: DiagnosisMethod::Exchange,
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
