//! [`Probe`]: one request built in Rust, for CORS assertions in `wasm-pack test` suites.
//!
//! Method names mirror `fetch()`'s options, as gloo-net's request builder does.

use crate::expect::Expectation;
use crate::suite::{Case, Credentials, HeaderList};

/// A request to make from the test page; [`Probe::run`] makes it (wasm32 only).
#[derive(Clone, Debug, PartialEq, Eq)]
#[must_use = "a probe does nothing until it is run"]
pub struct Probe {
    case: Case,
}

impl Probe {
    /// A request with any method (normalised and checked by `fetch()` itself).
    pub fn new(method: &str, url: &str) -> Self {
        let mut case = Case::new(format!("{method} {url}"), url);
        case.method = method.to_owned();
        Probe { case }
    }
    pub fn get(url: &str) -> Self {
        Probe::new("GET", url)
    }
    pub fn head(url: &str) -> Self {
        Probe::new("HEAD", url)
    }
    pub fn post(url: &str) -> Self {
        Probe::new("POST", url)
    }
    pub fn put(url: &str) -> Self {
        Probe::new("PUT", url)
    }
    pub fn patch(url: &str) -> Self {
        Probe::new("PATCH", url)
    }
    pub fn delete(url: &str) -> Self {
        Probe::new("DELETE", url)
    }
    pub fn options(url: &str) -> Self {
        Probe::new("OPTIONS", url)
    }

    /// Names the probe in its result (default: method and URL).
    pub fn id(mut self, id: impl Into<String>) -> Self {
        self.case.id = id.into();
        self
    }
    /// Adds a request header (forbidden ones are dropped by the browser and reported).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.case.headers.0.push((name.to_owned(), value.to_owned()));
        self
    }
    /// `fetch()`'s `credentials` option.
    pub fn credentials(mut self, credentials: Credentials) -> Self {
        self.case.credentials = credentials;
        self
    }
    /// `fetch()`'s `body` option.
    pub fn body(mut self, body: impl Into<String>) -> Self {
        self.case.body = Some(body.into());
        self
    }
    /// Abort after this many milliseconds and report `timeout` (default 5000).
    pub fn timeout_ms(mut self, timeout_ms: u32) -> Self {
        self.case.timeout_ms = timeout_ms;
        self
    }
    /// Add a unique query parameter so the preflight cache cannot decide (default on).
    pub fn cache_bust(mut self, on: bool) -> Self {
        self.case.cache_bust = on;
        self
    }
    /// Find out why it was blocked, with extra requests (default on; see `crate::engine`).
    pub fn diagnose(mut self, on: bool) -> Self {
        self.case.diagnose = on;
        self
    }
    /// Let the diagnosis repeat this request when its method is not GET, HEAD or OPTIONS
    /// (it may change data on the server; default off).
    pub fn replay_unsafe(mut self, on: bool) -> Self {
        self.case.replay_unsafe = on;
        self
    }
    /// Judges the result against this expectation (`pass` and `why`).
    pub fn expect(mut self, expect: impl Into<Expectation>) -> Self {
        self.case.expect = Some(expect.into());
        self
    }

    /// The case this probe runs.
    pub fn as_case(&self) -> &Case {
        &self.case
    }
    pub fn into_case(self) -> Case {
        self.case
    }

    /// Replaces all headers at once.
    pub fn headers(mut self, headers: Vec<(String, String)>) -> Self {
        self.case.headers = HeaderList(headers);
        self
    }
}

#[cfg(target_arch = "wasm32")]
impl Probe {
    /// Makes the request in this page and reports what the browser did with it.
    pub async fn run(self) -> crate::CaseResult {
        crate::browser::page_engine(None).run_case(&self.case).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Outcome;

    #[test]
    fn builds_a_case() {
        let probe = Probe::post("http://a/x")
            .header("Content-Type", "application/json")
            .credentials(Credentials::Include)
            .body("{}")
            .timeout_ms(100)
            .cache_bust(false)
            .expect(Outcome::Blocked);
        let case = probe.as_case();
        assert_eq!(case.id, "POST http://a/x");
        assert_eq!(case.method, "POST");
        assert_eq!(case.headers.0.len(), 1);
        assert_eq!(case.credentials, Credentials::Include);
        assert_eq!(case.body.as_deref(), Some("{}"));
        assert_eq!(case.timeout_ms, 100);
        assert!(!case.cache_bust);
        assert_eq!(case.expect.as_ref().map(|e| e.outcome), Some(Outcome::Blocked));
    }
}
