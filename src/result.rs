//! The result model: what the browser did with each request, as data (a blocked request
//! is a result, not an error), in the documented JSON shape.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::cookies::CookieReport;
use crate::cors::{CorsError, Exchange, FailedResponse, FirefoxKey, Fix, ReasonFamily, Warning};
use crate::expect::{Expectation, Observed};
use crate::net_error::NetError;
pub use crate::outcome::Outcome;
use crate::reason::{BrowserReason, Reason};

/// How many characters of a readable body a result keeps.
pub const BODY_PREVIEW_CHARS: usize = 300;

/// A JavaScript error as the browser (or the harness) gave it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ErrorInfo {
    /// `TypeError`, `AbortError`, ... (or `SuiteError` for a malformed case).
    pub name: String,
    pub message: String,
}

impl ErrorInfo {
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        ErrorInfo { name: name.into(), message: message.into() }
    }
}

impl fmt::Display for ErrorInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name, self.message)
    }
}

/// Who named a blocked request's `reason`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasonSource {
    /// The browser itself (Chromium's DevTools `corsErrorStatus`, Firefox's console).
    Browser,
    /// The harness's own evaluation of the exchange.
    Harness,
}

/// How sure the harness is of its reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Confidence {
    /// Evaluated from the raw exchange: the check and the response that failed are known.
    Exact,
    /// Narrowed by differential retries to one reason, which other causes could mimic.
    Likely,
    /// Only the family of the reason is known.
    Family,
}

/// How the harness found its reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum DiagnosisMethod {
    /// The runner's probe endpoint replayed the exchange; the evaluator read it.
    Exchange,
    /// The runner read the exchange the browser itself made from its network events
    /// (DevTools, WebDriver BiDi); nothing was repeated.
    Observed,
    /// Retries of variants of the request inside the page (no probe endpoint).
    Differential,
    /// A rule of the standards decided it before any request (mixed content).
    Rule,
    /// The request was not repeated: its method may change data on the server, and the
    /// suite does not say `"replay_unsafe": true`.
    #[serde(rename = "not_repeated")]
    NotRepeated,
}

/// The harness's own account of a blocked request, whatever the browser says.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub method: DiagnosisMethod,
    pub confidence: Confidence,
    pub family: ReasonFamily,
    /// Chromium's name for the failure (exact or likely only).
    pub reason: Option<CorsError>,
    /// Firefox's key for the failure (exact or likely only).
    pub firefox_reason: Option<FirefoxKey>,
    pub failed_parameter: Option<String>,
    /// Which response failed (exact only).
    pub failed_response: Option<FailedResponse>,
    pub fix: Option<Fix>,
    /// How the harness reached this, in a sentence.
    pub note: String,
}

/// One case's result, in the documented JSON shape.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    /// The normalised method sent (as written, for invalid input).
    pub method: String,
    /// The URL fetched, cache-busting parameter included.
    pub url: String,
    pub outcome: Outcome,
    /// Allowed only: the response status.
    pub status: Option<u16>,
    /// Allowed only: every header JavaScript can read, lower-case names.
    pub headers: Option<BTreeMap<String, String>>,
    /// Allowed only: the first 300 characters of the body.
    pub body: Option<String>,
    pub redirected: Option<bool>,
    pub final_url: Option<String>,
    /// Did the browser have to send a preflight? `null` when nothing was sent (invalid input).
    pub preflight: Option<bool>,
    /// Headers of the case the browser silently dropped as forbidden (lower-case).
    pub dropped_headers: Vec<String>,
    /// Blocked only: Chromium's name for the failure (its `corsError`, or DevTools'
    /// `blockedReason` for another policy such as `mixed-content`), when known.
    pub reason: Option<Reason>,
    pub reason_source: Option<ReasonSource>,
    /// The header value, method or header name the reason is about, when known.
    #[serde(default)]
    pub failed_parameter: Option<String>,
    /// Blocked only: the key Firefox logs for the failure (`CORSNotSupportingCredentials`, ...).
    #[serde(default)]
    pub firefox_reason: Option<FirefoxKey>,
    /// The browser's own word (Chromium's `corsError`, or Firefox's key), when the runner has it.
    #[serde(default)]
    pub browser_reason: Option<BrowserReason>,
    /// The harness's reason (Chromium's vocabulary), whatever the browser says.
    #[serde(default)]
    pub harness_reason: Option<CorsError>,
    /// Set when the browser and the harness disagree: a bug in the evaluator, or a server
    /// that answers the replay differently.
    #[serde(default)]
    pub disagreement: Option<String>,
    /// How the harness explains a blocked request, and the fix.
    #[serde(default)]
    pub diagnosis: Option<Diagnosis>,
    /// Fragile configuration in an allowed exchange.
    #[serde(default)]
    pub warnings: Vec<Warning>,
    /// The raw exchange (preflight, request, redirects): the browser's own, from its network
    /// events under the runner, or the probe endpoint's replay.
    #[serde(default)]
    pub exchange: Option<Exchange>,
    /// Whose exchange `exchange` is: `browser` (its network events: the request itself) or
    /// `harness` (the probe endpoint's replay).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exchange_source: Option<ReasonSource>,
    /// The error `fetch()` rejected with, for every outcome but `allowed`.
    pub error: Option<ErrorInfo>,
    /// Unreachable only: the network error that took the response's place, when the
    /// browser's log or the replay named it (`net::ERR_CERT_AUTHORITY_INVALID`, ...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub network_error: Option<NetError>,
    /// Time from `fetch()` to its promise settling, in milliseconds.
    pub elapsed_ms: f64,
    pub expect: Option<Expectation>,
    /// Did the expectation hold? `null` without an expectation.
    pub pass: Option<bool>,
    /// Why the expectation failed.
    pub why: Option<String>,
    /// What happened to cookies: sent, withheld and not stored, and why (requests on the
    /// wire only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cookies: Option<CookieReport>,
    /// The page's origin the request came from (`https://app.example.com`, `null`), set by
    /// the runner, which may run one suite from several origins.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
}

impl CaseResult {
    /// A result with `outcome` and nothing else known yet.
    pub fn new(id: String, method: String, url: String, outcome: Outcome) -> CaseResult {
        CaseResult {
            id,
            method,
            url,
            outcome,
            status: None,
            headers: None,
            body: None,
            redirected: None,
            final_url: None,
            preflight: None,
            dropped_headers: Vec::new(),
            reason: None,
            reason_source: None,
            failed_parameter: None,
            firefox_reason: None,
            browser_reason: None,
            harness_reason: None,
            disagreement: None,
            diagnosis: None,
            warnings: Vec::new(),
            exchange: None,
            exchange_source: None,
            error: None,
            network_error: None,
            elapsed_ms: 0.0,
            expect: None,
            pass: None,
            why: None,
            cookies: None,
            origin: None,
        }
    }

    pub fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }
    pub fn is_blocked(&self) -> bool {
        self.outcome == Outcome::Blocked
    }
    pub fn is_unreachable(&self) -> bool {
        self.outcome == Outcome::Unreachable
    }
    pub fn is_timeout(&self) -> bool {
        self.outcome == Outcome::Timeout
    }
    pub fn is_invalid(&self) -> bool {
        self.outcome == Outcome::Invalid
    }

    /// A response header JavaScript could read (`name` in any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.as_ref()?.get(&name.to_ascii_lowercase()).map(String::as_str)
    }

    /// Sets `expect`, `pass` and `why` from an expectation.
    pub fn judge(&mut self, expect: Option<Expectation>) {
        self.pass = expect.as_ref().map(|e| e.check(self).is_ok());
        self.why = expect.as_ref().and_then(|e| e.check(self).err());
        self.expect = expect;
    }

    /// One sentence on what the outcome means.
    pub fn meaning(&self) -> &'static str {
        match self.outcome {
            Outcome::Allowed => "the browser let the page read the response",
            Outcome::Blocked => {
                "the server answered, but the browser refused the exchange for CORS (or another policy refused it)"
            }
            Outcome::Unreachable => {
                "the request failed without CORS being involved: connection refused, reset, empty reply or an untrusted certificate"
            }
            Outcome::Timeout => "no settled answer within the timeout",
            Outcome::Invalid => "refused before any network activity",
        }
    }
}

impl Observed for CaseResult {
    fn outcome(&self) -> Outcome {
        self.outcome
    }
    fn status(&self) -> Option<u16> {
        self.status
    }
    fn reason(&self) -> Option<&Reason> {
        self.reason.as_ref()
    }
    fn can_read(&self, header: &str) -> bool {
        self.header(header).is_some()
    }
    fn cookie_sent(&self, name: &str) -> Result<(), String> {
        let Some(cookies) = &self.cookies else {
            return Err("no request of this case reached the server, or no cookie report".into());
        };
        if cookies.sent.iter().any(|n| n == name) {
            return Ok(());
        }
        let by = if cookies.source == ReasonSource::Browser {
            "the browser"
        } else {
            "the harness (likely)"
        };
        match cookies.withheld.iter().find(|c| c.name == name) {
            Some(c) => Err(format!("withheld: {} ({}), says {by}", c.reason, c.reason.describe())),
            None => Err(format!(
                "the browser held no cookie {name} for this URL (never set, or refused when set)"
            )),
        }
    }
}

/// Explains a result in a few lines, fit for `assert!(r.is_allowed(), "{r}")`.
impl fmt::Display for CaseResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} {} [{}]", self.method, self.url, self.id)?;
        write!(f, "  outcome: {}", self.outcome)?;
        if let Some(status) = self.status {
            write!(f, " (status {status})")?;
        }
        writeln!(f, ": {}", self.meaning())?;
        if let Some(reason) = &self.reason {
            write!(f, "  reason: {reason}")?;
            if let Some(parameter) = &self.failed_parameter {
                write!(f, " ({parameter})")?;
            }
            if let Some(firefox) = &self.firefox_reason {
                write!(f, ", Firefox: {firefox}")?;
            }
            writeln!(f)?;
        } else if let Some(diagnosis) = &self.diagnosis {
            writeln!(f, "  reason: unknown; {}", diagnosis.family.describe())?;
        }
        if let Some(fix) = self.diagnosis.as_ref().and_then(|d| d.fix.as_ref()) {
            writeln!(f, "  fix: {}", fix.summary)?;
        }
        if let Some(disagreement) = &self.disagreement {
            writeln!(f, "  DISAGREEMENT: {disagreement}")?;
        }
        for warning in &self.warnings {
            writeln!(f, "  warning ({}): {}", warning.code, warning.message)?;
        }
        if let Some(error) = &self.error {
            writeln!(f, "  error: {error}")?;
        }
        if let Some(network_error) = &self.network_error {
            let certificate =
                if network_error.is_certificate() { " (the certificate)" } else { "" };
            writeln!(f, "  network error: {network_error}{certificate}")?;
        }
        match self.preflight {
            Some(true) => writeln!(f, "  preflight: sent")?,
            Some(false) => writeln!(f, "  preflight: none (simple request)")?,
            None => {}
        }
        if !self.dropped_headers.is_empty() {
            writeln!(
                f,
                "  dropped by the browser (forbidden): {}",
                self.dropped_headers.join(", ")
            )?;
        }
        if let Some(headers) = &self.headers {
            let names: Vec<&str> = headers.keys().map(String::as_str).collect();
            writeln!(f, "  readable headers: {}", names.join(", "))?;
        }
        if let Some(final_url) = self.final_url.as_ref().filter(|_| self.redirected == Some(true)) {
            writeln!(f, "  redirected to: {final_url}")?;
        }
        match (&self.expect, self.pass) {
            (Some(expect), Some(true)) => write!(f, "  expected {expect}: pass"),
            (Some(expect), _) => {
                write!(f, "  expected {expect}: FAIL, {}", self.why.as_deref().unwrap_or(""))
            }
            (None, _) => write!(f, "  (no expectation)"),
        }
    }
}

/// Counts per outcome and per verdict.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    pub allowed: usize,
    pub blocked: usize,
    pub unreachable: usize,
    pub timeout: usize,
    pub invalid: usize,
    /// Cases whose expectation held.
    pub passed: usize,
    /// Cases whose expectation did not hold (malformed cases included).
    pub failed: usize,
}

impl Summary {
    pub fn of(results: &[CaseResult]) -> Self {
        let mut summary = Summary::default();
        for result in results {
            summary.add(result);
        }
        summary
    }

    fn add(&mut self, result: &CaseResult) {
        *match result.outcome {
            Outcome::Allowed => &mut self.allowed,
            Outcome::Blocked => &mut self.blocked,
            Outcome::Unreachable => &mut self.unreachable,
            Outcome::Timeout => &mut self.timeout,
            Outcome::Invalid => &mut self.invalid,
        } += 1;
        match result.pass {
            Some(true) => self.passed += 1,
            Some(false) => self.failed += 1,
            None => {}
        }
    }

    pub fn count(&self, outcome: Outcome) -> usize {
        match outcome {
            Outcome::Allowed => self.allowed,
            Outcome::Blocked => self.blocked,
            Outcome::Unreachable => self.unreachable,
            Outcome::Timeout => self.timeout,
            Outcome::Invalid => self.invalid,
        }
    }
}

/// A whole run: the page's origin, the browser, every case's result in suite order.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SuiteReport {
    pub suite: String,
    pub origin: String,
    pub browser: String,
    pub results: Vec<CaseResult>,
    pub summary: Summary,
    /// Set when the run was stopped before every case ran (those cases have no result).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stopped: bool,
    /// Was the page a secure context (`window.isSecureContext`)? An https origin is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure_context: Option<bool>,
}

impl SuiteReport {
    pub fn new(suite: String, origin: String, browser: String, results: Vec<CaseResult>) -> Self {
        let summary = Summary::of(&results);
        SuiteReport {
            suite,
            origin,
            browser,
            results,
            summary,
            stopped: false,
            secure_context: None,
        }
    }

    /// Did every expectation hold?
    pub fn all_passed(&self) -> bool {
        self.summary.failed == 0
    }
}
