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

use super::exchange::{read_exchange, ExchangeSource};
use super::{Browser, Engine, FetchAttempt, FetchRequest, ProbeAnswer, ProbeKind};
use crate::cors::{CorsError, CorsRequest, FirefoxKey, ReasonFamily, ResolveUrl, UrlParts};
use crate::fetch::header;
use crate::plan::{self, RequestPlan};
use crate::reason::Reason;
use crate::result::{CaseResult, Confidence, Diagnosis, DiagnosisMethod, ReasonSource};
use crate::suite::{Case, Credentials};

/// The browser's URL parser, for the evaluator.
struct BrowserUrls<'a, B>(&'a B);

impl<B: Browser> ResolveUrl for BrowserUrls<'_, B> {
    fn resolve(&self, input: &str, base: Option<&str>) -> Option<UrlParts> {
        self.0.resolve_url(input, base)
    }
}

/// Methods the harness repeats freely: they do not change data on the server.
fn is_repeatable(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "OPTIONS")
}

/// What the harness says of a blocked request it did not repeat (see [`is_repeatable`]).
fn not_repeated(plan: &RequestPlan) -> Diagnosis {
    let preflighted = plan.preflight.is_required();
    Diagnosis {
        method: DiagnosisMethod::NotRepeated,
        confidence: Confidence::Family,
        family: if preflighted { ReasonFamily::Preflight } else { ReasonFamily::Other },
        reason: None,
        firefox_reason: None,
        failed_parameter: None,
        failed_response: None,
        fix: None,
        note: format!(
            "{} was not repeated to find the reason (it may change data on the server); add \"replay_unsafe\": true to the suite to let the harness replay it{}",
            plan.method,
            if preflighted { ", or read the browser's reason (cors-harness run)" } else { "" }
        ),
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
        if !case.replay_unsafe && !is_repeatable(&plan.method) {
            // Never repeat a request that may change data on the user's server.
            if result.is_blocked() {
                apply(result, not_repeated(plan));
            }
            return;
        }
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
            Some(Ok(exchange))
                if read_exchange(
                    result,
                    &request,
                    family,
                    &BrowserUrls(&self.browser),
                    &exchange,
                    ExchangeSource::Replayed,
                ) =>
            {
                return
            }
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

    /// Narrows the reason with variants of the request (see the module docs).
    async fn differential(
        &self,
        case: &Case,
        plan: &RequestPlan,
        href: &str,
        prefix: String,
    ) -> Diagnosis {
        let narrowed = match self.narrow_before_preflight(case, plan, href).await {
            Some(narrowed) => narrowed,
            None => self.narrow_preflight(case, plan, href).await,
        };
        narrowed.into_diagnosis(&prefix)
    }

    /// The retries that need no preflight: first hop, origin, credentials; `None` leaves the preflight.
    async fn narrow_before_preflight(
        &self,
        case: &Case,
        plan: &RequestPlan,
        href: &str,
    ) -> Option<Narrowed> {
        if let Some(narrowed) = self.redirect_on_first_hop(case, href).await {
            return Some(narrowed);
        }
        if let Some(narrowed) = self.origin_refused(case, plan, href).await {
            return Some(narrowed);
        }
        if let Some(narrowed) = self.credentials_refused(case, href).await {
            return Some(narrowed);
        }
        if !plan.preflight.is_required() {
            // Nothing else to vary: the server treats this request unlike a bare GET.
            return Some(Narrowed::family(
                ReasonFamily::Origin,
                "a bare GET passes but this request is refused: the server answers it (method, body or query) without the CORS headers it sends for GET",
            ));
        }
        self.preflight_refuses_credentials(case, plan, href).await
    }

    /// A first hop that redirects (and passes CORS) puts the refusal further down the chain.
    async fn redirect_on_first_hop(&self, case: &Case, href: &str) -> Option<Narrowed> {
        let first_hop = self
            .browser
            .probe(&self.fresh_url(href), "GET", ProbeKind::FirstHop, case.timeout_ms)
            .await;
        (first_hop == ProbeAnswer::Redirect).then(|| {
            Narrowed::family(
                ReasonFamily::Redirect,
                "the URL answers with a redirect that passes CORS; the redirect chain was refused further on",
            )
        })
    }

    /// A bare GET without credentials refused means the origin itself is not accepted.
    async fn origin_refused(
        &self,
        case: &Case,
        plan: &RequestPlan,
        href: &str,
    ) -> Option<Narrowed> {
        if self.allowed(case, href, "GET", &[], Credentials::Omit, None).await {
            return None;
        }
        let on = if plan.preflight.is_required() {
            " (on the preflight, or on the response itself)"
        } else {
            ""
        };
        Some(Narrowed::family(
            ReasonFamily::Origin,
            format!("even a bare GET without credentials is refused: the server does not accept the page's origin{on} (Access-Control-Allow-Origin missing, different, or malformed)"),
        ))
    }

    /// A bare GET that passes without credentials and fails with them: the response refuses credentials.
    async fn credentials_refused(&self, case: &Case, href: &str) -> Option<Narrowed> {
        if case.credentials != Credentials::Include
            || self.allowed(case, href, "GET", &[], Credentials::Include, None).await
        {
            return None;
        }
        Some(Narrowed::family(
            ReasonFamily::Credentials,
            "a bare GET passes without credentials and fails with them: the response does not accept credentials (Access-Control-Allow-Origin: * or no Access-Control-Allow-Credentials: true)",
        ))
    }

    /// The same request passing without credentials: the preflight refuses credentials.
    async fn preflight_refuses_credentials(
        &self,
        case: &Case,
        plan: &RequestPlan,
        href: &str,
    ) -> Option<Narrowed> {
        if case.credentials != Credentials::Include
            || !self
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
            return None;
        }
        Some(Narrowed::family(
            ReasonFamily::Credentials,
            "the same request passes without credentials and simple requests pass with them: the preflight does not accept credentials (Access-Control-Allow-Origin: *, no Access-Control-Allow-Credentials: true, or a * in Access-Control-Allow-Methods/-Headers, which does not count with credentials)",
        ))
    }

    /// Splits the preflight into its method and its custom headers, each tried alone.
    async fn narrow_preflight(&self, case: &Case, plan: &RequestPlan, href: &str) -> Narrowed {
        let credentials = case.credentials;
        let (safe_headers, unsafe_headers): (Vec<_>, Vec<_>) = plan
            .sent_headers
            .iter()
            .cloned()
            .partition(|(n, v)| header::is_cors_safelisted_request_header(n, v));
        let method = plan.preflight.method.as_deref();
        // The method alone (with only the safelisted headers), when the preflight lists one.
        let method_fails = match method {
            Some(m) => Some(
                !self
                    .allowed(case, href, m, &safe_headers, credentials, case.body.as_deref())
                    .await,
            ),
            None => None,
        };
        // The headers on a GET, when there are custom ones.
        let headers_fail = if unsafe_headers.is_empty() {
            None
        } else {
            Some(!self.allowed(case, href, "GET", &plan.sent_headers, credentials, None).await)
        };
        let m = method.unwrap_or_default().to_owned();
        match (method_fails, headers_fail) {
            (Some(true), Some(false)) => Narrowed::likely(
                ReasonFamily::Method,
                CorsError::MethodDisallowedByPreflightResponse,
                m.clone(),
                format!("GET with the same headers passes its preflight, {m} alone does not: the preflight does not list {m}"),
            ),
            (_, Some(true)) => {
                self.header_refused(case, href, &unsafe_headers, method_fails).await
            }
            (Some(true), None) => self.method_refused(case, href, m).await,
            _ => Narrowed::family(
                ReasonFamily::Preflight,
                "the method and the headers each pass their preflight alone, the request as a whole does not",
            ),
        }
    }

    /// The custom headers fail their preflight: which one, or the preflight as a whole.
    async fn header_refused(
        &self,
        case: &Case,
        href: &str,
        unsafe_headers: &[(String, String)],
        method_fails: Option<bool>,
    ) -> Narrowed {
        let credentials = case.credentials;
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
            if passing > 0
                || method_fails == Some(false)
                || self.control_preflight_passes(case, href, credentials).await
            {
                return Narrowed::likely(
                    ReasonFamily::Header,
                    CorsError::HeaderDisallowedByPreflightResponse,
                    name.clone(),
                    format!("a GET with only {name} fails its preflight while other preflights pass: Access-Control-Allow-Headers does not list {name}"),
                );
            }
        }
        if method_fails == Some(false)
            || self.control_preflight_passes(case, href, credentials).await
        {
            return Narrowed::family(
                ReasonFamily::Header,
                "the custom headers fail the preflight together but each passes alone",
            );
        }
        Narrowed::family(
            ReasonFamily::Preflight,
            "every preflight to this URL fails (status, redirect, or the preflight's own CORS headers), while simple requests pass",
        )
    }

    /// The method `m` fails its preflight and no custom header is sent: the method, if other preflights pass.
    async fn method_refused(&self, case: &Case, href: &str, m: String) -> Narrowed {
        if self.control_preflight_passes(case, href, case.credentials).await {
            return Narrowed::likely(
                ReasonFamily::Method,
                CorsError::MethodDisallowedByPreflightResponse,
                m.clone(),
                format!("other preflights pass, the one for {m} does not: the preflight does not list {m}"),
            );
        }
        Narrowed::family(
            ReasonFamily::Preflight,
            format!("simple requests pass but the preflight for {m} fails: most likely Access-Control-Allow-Methods does not list {m}, or OPTIONS is not answered with CORS headers and a 2xx status"),
        )
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
pub(super) fn apply(result: &mut CaseResult, diagnosis: Diagnosis) {
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

/// What the differential retries narrowed a refusal to, before it becomes a [`Diagnosis`].
struct Narrowed {
    confidence: Confidence,
    family: ReasonFamily,
    reason: Option<CorsError>,
    parameter: Option<String>,
    note: String,
}

impl Narrowed {
    /// Only the family: no variant isolates an exact reason.
    fn family(family: ReasonFamily, note: impl Into<String>) -> Self {
        Narrowed {
            confidence: Confidence::Family,
            family,
            reason: None,
            parameter: None,
            note: note.into(),
        }
    }

    /// One variant isolates the reason and the refused method or header (other causes could mimic it).
    fn likely(family: ReasonFamily, reason: CorsError, parameter: String, note: String) -> Self {
        Narrowed {
            confidence: Confidence::Likely,
            family,
            reason: Some(reason),
            parameter: Some(parameter),
            note,
        }
    }

    /// The diagnosis, its note after `prefix` (why the page narrowed it) when there is one.
    fn into_diagnosis(self, prefix: &str) -> Diagnosis {
        let note = if prefix.is_empty() { self.note } else { format!("{prefix}: {}", self.note) };
        Diagnosis {
            method: DiagnosisMethod::Differential,
            confidence: self.confidence,
            family: self.family,
            reason: self.reason,
            firefox_reason: self.reason.and_then(FirefoxKey::typical_for),
            failed_parameter: self.parameter,
            failed_response: None,
            fix: None,
            note,
        }
    }
}
