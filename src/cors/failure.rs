//! [`CheckFailure`]: what each check of the evaluator returns when it fails.

use super::firefox_key::FirefoxKey;
use super::reason::CorsError;

/// One failed check: what Chromium and Firefox call it, and what it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    pub error: CorsError,
    /// The key Firefox logs for it (`security.properties`), e.g. `CORSNotSupportingCredentials`.
    pub firefox_key: FirefoxKey,
    /// The header value, method or header name at fault, as Chromium reports it.
    pub failed_parameter: String,
}

impl CheckFailure {
    pub fn new(
        error: CorsError,
        firefox_key: FirefoxKey,
        failed_parameter: impl Into<String>,
    ) -> Self {
        CheckFailure { error, firefox_key, failed_parameter: failed_parameter.into() }
    }

    /// The same failure found on a preflight response.
    pub fn on_preflight(mut self) -> Self {
        self.error = self.error.on_preflight();
        self
    }
}
