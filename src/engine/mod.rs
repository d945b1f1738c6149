//! The engine: runs cases through a [`Browser`] and turns what happened into results.
//!
//! The engine is pure Rust and generic over the browser, so the decision logic
//! (invalid input, blocked vs unreachable, timeouts, expectations, concurrency) is
//! tested on the host with a scripted browser; `crate::browser` is the real one.
//!
//! ## Telling `blocked` from `unreachable`
//!
//! Scripts see both as the same `TypeError`; [`crate::rejection`] decides, from the
//! witnesses in order of authority. The page's probes come first: after a rejected `cors` fetch the engine
//! probes the same URL (`GET` for GET cases, else `HEAD`; no custom headers, no
//! credentials, the case's timeout) to learn whether the server answered at all:
//!
//! 1. a `no-cors` fetch. It is never subject to the CORS check, so an (opaque)
//!    response proves the server answered: the failure was CORS, `blocked`.
//! 2. only if that fails: a `cors` fetch with `redirect: "manual"`. `no-cors` must
//!    follow redirects, and browsers refuse some redirect targets outright (Chromium:
//!    a `Location` with `user:pw@`); an opaque redirect here proves the first server
//!    answered with a redirect, so the chain failed on a CORS redirect rule: `blocked`.
//!
//! Both failing means nothing answered: `unreachable`. A probe that times out after a
//! quick rejection means the server accepted the connection: `blocked`.
//!
//! Cost: one extra request for each failed case, two when the server is unreachable.
//! Limits: a redirect that passes CORS but points at a dead server reads `blocked`; a
//! redirect without CORS headers to a target that `no-cors` cannot follow reads
//! `unreachable`; a server that treats probes differently from the real request can
//! mislead it. The runner corrects these with the browser's own reasons.

use std::cell::Cell;
use std::collections::BTreeMap;

use futures_util::stream::{self, StreamExt};

use crate::browser_name::Family;
use crate::cors::{CorsRequest, Exchange, UrlParts, Warning, WarningCode};
use crate::fetch::mixed_content;
use crate::plan::{self, RequestPlan};
use crate::rejection::{self, Finding};
use crate::result::{CaseResult, ErrorInfo, Outcome, SuiteReport, BODY_PREVIEW_CHARS};
use crate::suite::{Case, CaseEntry, Credentials, Suite};

/// A URL as the browser's own URL parser sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The serialised URL.
    pub href: String,
    /// The serialised origin, e.g. `http://127.0.0.1:9181`.
    pub origin: String,
    /// The scheme with its colon, e.g. `https:`.
    pub protocol: String,
}

/// One `fetch()` call, in mode `cors`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FetchRequest<'a> {
    pub url: &'a str,
    /// As written by the case: `fetch()` normalises (or refuses) it itself.
    pub method: &'a str,
    /// As written by the case: the browser drops forbidden ones itself.
    pub headers: &'a [(String, String)],
    pub credentials: Credentials,
    pub body: Option<&'a str>,
    pub timeout_ms: u32,
}

/// What JavaScript can see of a response whose `fetch()` promise resolved.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ResponseSnapshot {
    pub status: u16,
    /// Readable headers as the browser lists them (lower-case names).
    pub headers: Vec<(String, String)>,
    /// The start of the body (at least [`BODY_PREVIEW_CHARS`] characters when there are that many).
    pub body: Option<String>,
    pub redirected: bool,
    pub url: String,
    /// Time from `fetch()` to its promise settling, when the browser layer measured it
    /// (the engine's own clock would also count reading the body).
    pub fetch_ms: Option<f64>,
}

/// How one `fetch()` call ended.
#[derive(Clone, Debug, PartialEq)]
pub enum FetchAttempt {
    /// Building the request threw (bad method, header, body for GET, credentials in URL):
    /// nothing went to the network.
    Refused(ErrorInfo),
    /// The promise resolved.
    Resolved(ResponseSnapshot),
    /// The promise rejected (a `TypeError` for both CORS and network failures).
    Rejected(ErrorInfo),
    /// The timeout fired first and aborted the request.
    TimedOut,
}

/// The two reachability probes, in the order the engine uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProbeKind {
    /// `mode: "no-cors"`: any response proves the server answered.
    NoCors,
    /// `mode: "cors"`, `redirect: "manual"`: an opaque redirect proves the first server answered.
    FirstHop,
}

pub use crate::rejection::ProbeAnswer;

/// What the engine needs from a browser. `crate::browser::PageBrowser` is the real
/// one; tests use a scripted one.
// Futures are not `Send` in a browser page, so the trait does not promise it.
#[allow(async_fn_in_trait)]
pub trait Browser {
    /// The origin of the page the requests come from.
    fn page_origin(&self) -> String;
    /// Parses an absolute URL with the browser's URL parser (no base: relative URLs fail).
    fn parse_url(&self, input: &str) -> Result<ParsedUrl, ErrorInfo>;
    /// Parses `input` relative to `base` (absolute when `None`) with the browser's URL parser.
    fn resolve_url(&self, input: &str, base: Option<&str>) -> Option<UrlParts>;
    /// The engine family, for the rules where browsers differ from the standard.
    fn family(&self) -> Family;
    /// Is the page a secure context (`window.isSecureContext`: https, or localhost)?
    fn secure_context(&self) -> bool {
        false
    }
    /// Is the page cross-origin isolated (COOP + COEP)? Then no-cors probes need CORP.
    fn cross_origin_isolated(&self) -> bool {
        false
    }
    /// A monotonic clock in milliseconds.
    fn now_ms(&self) -> f64;
    /// A random number in [0, 1).
    fn random(&self) -> f64;
    /// The browser's name and version.
    async fn describe(&self) -> String;
    /// One `cors`-mode fetch, bounded by its timeout.
    async fn fetch(&self, request: &FetchRequest<'_>) -> FetchAttempt;
    /// One reachability probe of `url` with `method`, without credentials, bounded by the timeout.
    async fn probe(&self, url: &str, method: &str, kind: ProbeKind, timeout_ms: u32)
        -> ProbeAnswer;
    /// The raw exchange of `request` as a helper that sees headers replayed it (the
    /// runner's probe endpoint); `None` when the page has no such helper.
    async fn exchange(
        &self,
        request: &CorsRequest,
        family: Family,
        timeout_ms: u32,
    ) -> Option<Result<Exchange, ErrorInfo>> {
        let _ = (request, family, timeout_ms);
        None
    }
}

/// How a suite runs.
#[derive(Clone, Copy, Default)]
pub struct RunOptions<'a> {
    /// Cases in flight at once; 1 (or 0) runs them one at a time in file order.
    pub concurrency: usize,
    /// Asked before each case starts; `true` stops the run (cases in flight finish).
    pub stop: Option<&'a dyn Fn() -> bool>,
}

impl RunOptions<'_> {
    /// Up to `concurrency` cases at once.
    pub fn concurrency(concurrency: usize) -> Self {
        RunOptions { concurrency, stop: None }
    }
}

/// Reported after each case finishes.
#[derive(Clone, Copy, Debug)]
pub struct Progress<'a> {
    /// Cases finished so far, this one included.
    pub done: usize,
    pub total: usize,
    /// Position of this case in the suite.
    pub index: usize,
    pub result: &'a CaseResult,
}

/// Runs cases through a browser.
pub struct Engine<B> {
    browser: B,
    cache_bust_counter: Cell<u64>,
    /// A runner reads each request's exchange from the browser's network events.
    observed_by_runner: bool,
}

impl<B: Browser> Engine<B> {
    pub fn new(browser: B) -> Self {
        Engine { browser, cache_bust_counter: Cell::new(0), observed_by_runner: false }
    }

    /// For a page a runner watches (DevTools, WebDriver BiDi): the runner explains each
    /// request from the exchange the browser made, so the page repeats nothing (no replay,
    /// no retries, no probes).
    pub fn observed_by_runner(mut self, observed: bool) -> Self {
        self.observed_by_runner = observed;
        self
    }

    pub fn browser(&self) -> &B {
        &self.browser
    }

    /// Runs every case of `suite` and reports them in suite order, calling
    /// `on_progress` as each one finishes.
    pub async fn run_suite(
        &self,
        suite: &Suite,
        options: RunOptions<'_>,
        mut on_progress: impl FnMut(Progress<'_>),
    ) -> SuiteReport {
        let total = suite.cases.len();
        let stopped = || options.stop.is_some_and(|stop| stop());
        let mut slots: Vec<Option<CaseResult>> = vec![None; total];
        let mut finished = stream::iter(suite.cases.iter().enumerate())
            .map(|(index, entry)| async move {
                // Checked as each case starts, so a stop takes effect between cases.
                let result = if stopped() { None } else { Some(self.run_entry(entry).await) };
                (index, result)
            })
            .buffer_unordered(options.concurrency.max(1));
        let mut done = 0;
        while let Some((index, result)) = finished.next().await {
            let Some(result) = result else { continue };
            done += 1;
            on_progress(Progress { done, total, index, result: &result });
            slots[index] = Some(result);
        }
        let mut results: Vec<CaseResult> = slots.into_iter().flatten().collect();
        let origin = self.browser.page_origin();
        // The page sees no cookies: the harness's inference from the suite's presets (a
        // runner puts what the browser showed in its place).
        crate::cookies::annotate(&mut results, suite, &origin, self.browser.family(), |_| None);
        let mut report =
            SuiteReport::new(suite.name.clone(), origin, self.browser.describe().await, results);
        report.stopped = report.results.len() < total;
        report.secure_context = Some(self.browser.secure_context());
        report
    }

    /// Runs one suite entry; a malformed case becomes an `invalid` result.
    pub async fn run_entry(&self, entry: &CaseEntry) -> CaseResult {
        match entry {
            CaseEntry::Valid(case) => self.run_case(case).await,
            CaseEntry::Malformed(problem) => {
                let mut result =
                    CaseResult::new(entry.id(), String::new(), String::new(), Outcome::Invalid);
                result.error = Some(ErrorInfo::new("SuiteError", problem.to_string()));
                result.pass = Some(false);
                result.why = Some(format!("the case is malformed: {problem}"));
                result
            }
        }
    }

    /// Makes the case's request, reports what the browser did with it, and why.
    pub async fn run_case(&self, case: &Case) -> CaseResult {
        let (mut result, planned) = self.observe(case).await;
        // Unreachable too when isolated: the replay may prove the server answered.
        let isolated_unreachable =
            result.outcome == Outcome::Unreachable && self.browser.cross_origin_isolated();
        let worth_it =
            matches!(result.outcome, Outcome::Allowed | Outcome::Blocked) || isolated_unreachable;
        let diagnose = case.diagnose && worth_it && !self.observed_by_runner;
        if let Some((plan, href)) = planned.filter(|_| diagnose) {
            self.diagnose(case, &plan, &href, &mut result).await;
        }
        result.judge(case.expect.clone());
        result
    }

    /// What the browser did, and (when a request was made) its plan and the parsed URL
    /// before cache-busting, which the diagnosis reuses.
    async fn observe(&self, case: &Case) -> (CaseResult, Option<(RequestPlan, String)>) {
        let parsed = match self.fetchable_url(case) {
            Ok(parsed) => parsed,
            Err(error) => return (invalid_result(case, error), None),
        };
        let url = self.request_url(case, &parsed.href);
        let plan = RequestPlan::new(
            case,
            parsed.origin != self.browser.page_origin(),
            self.browser.family(),
        );
        let (attempt, elapsed_ms) = self.timed_fetch(case, &url).await;
        let mut result =
            CaseResult::new(case.id.clone(), plan.method.clone(), url.clone(), Outcome::Invalid);
        result.elapsed_ms = elapsed_ms;
        let read = self.read_attempt(case, &plan, &url, &parsed.origin, attempt, &mut result).await;
        if read == AttemptRead::NotSent {
            return (result, None);
        }
        result.preflight = Some(plan.preflight.is_required());
        result.dropped_headers = plan.dropped_headers.clone();
        (result, (read == AttemptRead::Diagnosable).then_some((plan, parsed.href)))
    }

    /// The case's URL parsed by the browser; only http and https are fetched.
    fn fetchable_url(&self, case: &Case) -> Result<ParsedUrl, ErrorInfo> {
        let parsed = self.browser.parse_url(&case.url)?;
        if !matches!(parsed.protocol.as_str(), "http:" | "https:") {
            let scheme = parsed.protocol.trim_end_matches(':');
            return Err(ErrorInfo::new(
                "TypeError",
                format!("URL scheme \"{scheme}\" is not supported: the harness only fetches http and https URLs"),
            ));
        }
        Ok(parsed)
    }

    /// The URL actually fetched: with a cache-busting token unless the case turns it off.
    fn request_url(&self, case: &Case, href: &str) -> String {
        if case.cache_bust {
            plan::with_query_param(href, plan::CACHE_BUST_PARAM, &self.unique_token())
        } else {
            href.to_owned()
        }
    }

    /// The case's own `fetch()`, as written, and how long it took (rounded milliseconds).
    async fn timed_fetch(&self, case: &Case, url: &str) -> (FetchAttempt, f64) {
        let request = FetchRequest {
            url,
            method: &case.method,
            headers: &case.headers.0,
            credentials: case.credentials,
            body: case.body.as_deref(),
            timeout_ms: case.timeout_ms,
        };
        let started = self.browser.now_ms();
        let attempt = self.browser.fetch(&request).await;
        (attempt, round_ms(self.browser.now_ms() - started))
    }

    /// Turns the attempt into the result's outcome, and says what is left to do.
    async fn read_attempt(
        &self,
        case: &Case,
        plan: &RequestPlan,
        url: &str,
        url_origin: &str,
        attempt: FetchAttempt,
        result: &mut CaseResult,
    ) -> AttemptRead {
        match attempt {
            FetchAttempt::Refused(error) => {
                // fetch() threw: the method stays as written.
                result.method = case.method.clone();
                result.error = Some(error);
                AttemptRead::NotSent
            }
            FetchAttempt::Resolved(response) => {
                read_response(result, response);
                AttemptRead::Diagnosable
            }
            FetchAttempt::TimedOut => {
                result.outcome = Outcome::Timeout;
                result.error = Some(timeout_error(case.timeout_ms));
                AttemptRead::Diagnosable
            }
            FetchAttempt::Rejected(error)
                if mixed_content::blocks(
                    self.browser.family(),
                    &self.browser.page_origin(),
                    url_origin,
                ) =>
            {
                // Refused before any request: no probe could reach a server, and none is tried.
                result.outcome = Outcome::Blocked;
                result.error = Some(error);
                mixed_content_verdict(result, url_origin, &self.browser.page_origin());
                AttemptRead::Explained
            }
            FetchAttempt::Rejected(error) if self.observed_by_runner => {
                // The runner settles blocked or unreachable from the browser's own events.
                result.outcome = rejection::UNSETTLED_OBSERVED;
                result.error = Some(error);
                AttemptRead::Diagnosable
            }
            FetchAttempt::Rejected(error) => {
                // A rejection is blocked or unreachable: the probes tell which.
                let probe_method = if plan.method == "GET" { "GET" } else { "HEAD" };
                result.outcome = self.server_answered(url, probe_method, case.timeout_ms).await;
                result.error = Some(error);
                if result.outcome == Outcome::Unreachable && self.browser.cross_origin_isolated() {
                    result.warnings.push(cross_origin_isolated_warning());
                }
                AttemptRead::Diagnosable
            }
        }
    }

    /// `blocked` if the server answered a probe, else `unreachable` (see the module docs).
    async fn server_answered(&self, url: &str, method: &str, timeout_ms: u32) -> Outcome {
        for kind in [ProbeKind::NoCors, ProbeKind::FirstHop] {
            let answer = self.browser.probe(url, method, kind, timeout_ms).await;
            if rejection::of_probe(&answer) == Finding::Blocked {
                return Outcome::Blocked;
            }
        }
        if self.browser.cross_origin_isolated() {
            // COEP blocks the no-cors probe's opaque response (no Cross-Origin-Resource-Policy):
            // a plain request is the remaining proof that the server answers at all.
            let request = FetchRequest {
                url,
                method: "GET",
                headers: &[],
                credentials: Credentials::Omit,
                body: None,
                timeout_ms,
            };
            if matches!(self.browser.fetch(&request).await, FetchAttempt::Resolved(_)) {
                return Outcome::Blocked;
            }
        }
        rejection::UNANSWERED
    }

    /// A token unique to this page and run, for the cache-busting parameter.
    fn unique_token(&self) -> String {
        let n = self.cache_bust_counter.get() + 1;
        self.cache_bust_counter.set(n);
        // Random prefix: two pages of one origin share the browser's preflight cache.
        let random = (self.browser.random() * 4_294_967_296.0) as u64;
        format!("{random:08x}{n:x}")
    }
}

/// What is left to do once a fetch attempt is read into its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AttemptRead {
    /// `fetch()` threw: nothing was sent, so there is no plan to report and nothing to diagnose.
    NotSent,
    /// Sent, and already explained (mixed content): the plan is reported, no diagnosis follows.
    Explained,
    /// Sent: the plan is reported and the diagnosis may follow.
    Diagnosable,
}

/// An `invalid` result for a case whose URL cannot be fetched.
fn invalid_result(case: &Case, error: ErrorInfo) -> CaseResult {
    let mut result =
        CaseResult::new(case.id.clone(), case.method.clone(), case.url.clone(), Outcome::Invalid);
    result.error = Some(error);
    result
}

/// Records what JavaScript saw of an allowed response: status, readable headers, body preview.
fn read_response(result: &mut CaseResult, response: ResponseSnapshot) {
    if let Some(fetch_ms) = response.fetch_ms {
        result.elapsed_ms = round_ms(fetch_ms);
    }
    result.outcome = Outcome::Allowed;
    result.status = Some(response.status);
    result.headers = Some(
        response
            .headers
            .into_iter()
            .map(|(name, value)| (name.to_ascii_lowercase(), value))
            .collect::<BTreeMap<_, _>>(),
    );
    result.body = response.body.map(|body| body.chars().take(BODY_PREVIEW_CHARS).collect());
    result.redirected = Some(response.redirected);
    result.final_url = Some(response.url);
}

/// Said of an `unreachable` verdict reached in a cross-origin isolated page.
/// The verdict for a request refused as mixed content, and its fix, in the page's terms.
fn mixed_content_verdict(result: &mut CaseResult, url_origin: &str, page_origin: &str) {
    use crate::cors::{Fix, ReasonFamily};
    use crate::reason::BlockedReason;
    use crate::result::{Confidence, Diagnosis, DiagnosisMethod, ReasonSource};
    result.reason = Some(BlockedReason::MixedContent.into());
    result.reason_source = Some(ReasonSource::Harness);
    let secure = url_origin.replacen("http://", "https://", 1);
    result.diagnosis = Some(Diagnosis {
        method: DiagnosisMethod::Rule,
        confidence: Confidence::Exact,
        family: ReasonFamily::Other,
        reason: None,
        firefox_reason: None,
        failed_parameter: None,
        failed_response: None,
        fix: Some(Fix {
            summary: format!(
                "{page_origin} is an https page: serve the API over https ({secure}), or call it through your own origin (a same-origin path your server proxies) (Chromium and Firefox exempt localhost and 127.0.0.1, Safari does not)"
            ),
            send: Vec::new(),
            stop: vec![format!("calling {url_origin} (plain http) from an https page")],
            snippets: Vec::new(),
        }),
        note: format!("mixed content: the browser refuses http URLs from an https page before any request ({})", BlockedReason::MixedContent.describe()),
    });
}

fn cross_origin_isolated_warning() -> Warning {
    Warning::new(
        WarningCode::CrossOriginIsolated,
        "This page is cross-origin isolated (COOP/COEP): the no-cors probe that proves a server answered is \
                  blocked unless the server sends Cross-Origin-Resource-Policy, and a plain request failed too. This may \
                  be a CORS block rather than a dead server: run the case from a page without COEP, or with the probe endpoint.",
    )
}

/// The error recorded for a timeout.
pub fn timeout_error(timeout_ms: u32) -> ErrorInfo {
    ErrorInfo::new(
        "TimeoutError",
        format!("no settled answer within {timeout_ms} ms; the request was aborted"),
    )
}

fn round_ms(ms: f64) -> f64 {
    (ms * 10.0).round() / 10.0
}

mod diagnose;
pub mod exchange;
#[cfg(test)]
mod tests;
