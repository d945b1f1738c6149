//! The names of CORS failures: Chromium's `corsError` vocabulary (the results' `reason`)
//! and the keys Firefox logs for the same failure (`firefox_reason`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A CORS failure, named as Chromium's DevTools protocol names it
/// ([`Network.CorsError`](https://chromedevtools.github.io/devtools-protocol/tot/Network/#type-CorsError)).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CorsError {
    DisallowedByMode,
    InvalidResponse,
    WildcardOriginNotAllowed,
    MissingAllowOriginHeader,
    MultipleAllowOriginValues,
    InvalidAllowOriginValue,
    AllowOriginMismatch,
    InvalidAllowCredentials,
    CorsDisabledScheme,
    PreflightInvalidStatus,
    PreflightDisallowedRedirect,
    PreflightWildcardOriginNotAllowed,
    PreflightMissingAllowOriginHeader,
    PreflightMultipleAllowOriginValues,
    PreflightInvalidAllowOriginValue,
    PreflightAllowOriginMismatch,
    PreflightInvalidAllowCredentials,
    InvalidAllowMethodsPreflightResponse,
    InvalidAllowHeadersPreflightResponse,
    MethodDisallowedByPreflightResponse,
    HeaderDisallowedByPreflightResponse,
    RedirectContainsCredentials,
}

impl CorsError {
    /// Every name, for tests and documentation.
    pub const ALL: [CorsError; 22] = [
        CorsError::DisallowedByMode,
        CorsError::InvalidResponse,
        CorsError::WildcardOriginNotAllowed,
        CorsError::MissingAllowOriginHeader,
        CorsError::MultipleAllowOriginValues,
        CorsError::InvalidAllowOriginValue,
        CorsError::AllowOriginMismatch,
        CorsError::InvalidAllowCredentials,
        CorsError::CorsDisabledScheme,
        CorsError::PreflightInvalidStatus,
        CorsError::PreflightDisallowedRedirect,
        CorsError::PreflightWildcardOriginNotAllowed,
        CorsError::PreflightMissingAllowOriginHeader,
        CorsError::PreflightMultipleAllowOriginValues,
        CorsError::PreflightInvalidAllowOriginValue,
        CorsError::PreflightAllowOriginMismatch,
        CorsError::PreflightInvalidAllowCredentials,
        CorsError::InvalidAllowMethodsPreflightResponse,
        CorsError::InvalidAllowHeadersPreflightResponse,
        CorsError::MethodDisallowedByPreflightResponse,
        CorsError::HeaderDisallowedByPreflightResponse,
        CorsError::RedirectContainsCredentials,
    ];

    /// Chromium's name, e.g. `WildcardOriginNotAllowed`.
    pub fn as_str(self) -> &'static str {
        match self {
            CorsError::DisallowedByMode => "DisallowedByMode",
            CorsError::InvalidResponse => "InvalidResponse",
            CorsError::WildcardOriginNotAllowed => "WildcardOriginNotAllowed",
            CorsError::MissingAllowOriginHeader => "MissingAllowOriginHeader",
            CorsError::MultipleAllowOriginValues => "MultipleAllowOriginValues",
            CorsError::InvalidAllowOriginValue => "InvalidAllowOriginValue",
            CorsError::AllowOriginMismatch => "AllowOriginMismatch",
            CorsError::InvalidAllowCredentials => "InvalidAllowCredentials",
            CorsError::CorsDisabledScheme => "CorsDisabledScheme",
            CorsError::PreflightInvalidStatus => "PreflightInvalidStatus",
            CorsError::PreflightDisallowedRedirect => "PreflightDisallowedRedirect",
            CorsError::PreflightWildcardOriginNotAllowed => "PreflightWildcardOriginNotAllowed",
            CorsError::PreflightMissingAllowOriginHeader => "PreflightMissingAllowOriginHeader",
            CorsError::PreflightMultipleAllowOriginValues => "PreflightMultipleAllowOriginValues",
            CorsError::PreflightInvalidAllowOriginValue => "PreflightInvalidAllowOriginValue",
            CorsError::PreflightAllowOriginMismatch => "PreflightAllowOriginMismatch",
            CorsError::PreflightInvalidAllowCredentials => "PreflightInvalidAllowCredentials",
            CorsError::InvalidAllowMethodsPreflightResponse => {
                "InvalidAllowMethodsPreflightResponse"
            }
            CorsError::InvalidAllowHeadersPreflightResponse => {
                "InvalidAllowHeadersPreflightResponse"
            }
            CorsError::MethodDisallowedByPreflightResponse => "MethodDisallowedByPreflightResponse",
            CorsError::HeaderDisallowedByPreflightResponse => "HeaderDisallowedByPreflightResponse",
            CorsError::RedirectContainsCredentials => "RedirectContainsCredentials",
        }
    }

    /// The name from Chromium's vocabulary, if it is one.
    pub fn from_name(name: &str) -> Option<Self> {
        CorsError::ALL.into_iter().find(|e| e.as_str() == name)
    }

    /// The same failure of the CORS check, found on a preflight response.
    ///
    /// Chromium names CORS-check failures of the preflight apart (`Preflight...`).
    pub fn on_preflight(self) -> Self {
        match self {
            CorsError::WildcardOriginNotAllowed => CorsError::PreflightWildcardOriginNotAllowed,
            CorsError::MissingAllowOriginHeader => CorsError::PreflightMissingAllowOriginHeader,
            CorsError::MultipleAllowOriginValues => CorsError::PreflightMultipleAllowOriginValues,
            CorsError::InvalidAllowOriginValue => CorsError::PreflightInvalidAllowOriginValue,
            CorsError::AllowOriginMismatch => CorsError::PreflightAllowOriginMismatch,
            CorsError::InvalidAllowCredentials => CorsError::PreflightInvalidAllowCredentials,
            other => other,
        }
    }

    /// Is this a failure of the preflight (rather than of the request or a redirect)?
    pub fn is_preflight(self) -> bool {
        self.as_str().starts_with("Preflight") || self.as_str().ends_with("PreflightResponse")
    }

    /// What was refused: the origin, credentials, the method, a header, the preflight's
    /// status or redirect, or a redirect. ("The preflight failed" is also the parent of
    /// every [`is_preflight`](Self::is_preflight) reason, for reports that cannot be more precise.)
    pub fn family(self) -> ReasonFamily {
        use CorsError::*;
        match self {
            WildcardOriginNotAllowed
            | InvalidAllowCredentials
            | PreflightWildcardOriginNotAllowed
            | PreflightInvalidAllowCredentials => ReasonFamily::Credentials,
            MissingAllowOriginHeader
            | MultipleAllowOriginValues
            | InvalidAllowOriginValue
            | AllowOriginMismatch
            | PreflightMissingAllowOriginHeader
            | PreflightMultipleAllowOriginValues
            | PreflightInvalidAllowOriginValue
            | PreflightAllowOriginMismatch => ReasonFamily::Origin,
            PreflightInvalidStatus | PreflightDisallowedRedirect => ReasonFamily::Preflight,
            InvalidAllowMethodsPreflightResponse | MethodDisallowedByPreflightResponse => {
                ReasonFamily::Method
            }
            InvalidAllowHeadersPreflightResponse | HeaderDisallowedByPreflightResponse => {
                ReasonFamily::Header
            }
            RedirectContainsCredentials => ReasonFamily::Redirect,
            DisallowedByMode | InvalidResponse | CorsDisabledScheme => ReasonFamily::Other,
        }
    }

    /// What the failure means, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            CorsError::DisallowedByMode => {
                "the request's mode does not allow cross-origin requests"
            }
            CorsError::InvalidResponse => "the response was not a valid HTTP response",
            CorsError::WildcardOriginNotAllowed | CorsError::PreflightWildcardOriginNotAllowed => {
                "Access-Control-Allow-Origin is *, which never allows a request with credentials"
            }
            CorsError::MissingAllowOriginHeader | CorsError::PreflightMissingAllowOriginHeader => {
                "the response has no Access-Control-Allow-Origin header"
            }
            CorsError::MultipleAllowOriginValues
            | CorsError::PreflightMultipleAllowOriginValues => {
                "Access-Control-Allow-Origin holds more than one value"
            }
            CorsError::InvalidAllowOriginValue | CorsError::PreflightInvalidAllowOriginValue => {
                "Access-Control-Allow-Origin is not a valid origin"
            }
            CorsError::AllowOriginMismatch | CorsError::PreflightAllowOriginMismatch => {
                "Access-Control-Allow-Origin is not the page's origin"
            }
            CorsError::InvalidAllowCredentials | CorsError::PreflightInvalidAllowCredentials => {
                "a request with credentials needs Access-Control-Allow-Credentials: true (exactly)"
            }
            CorsError::CorsDisabledScheme => "the URL's scheme is not http or https",
            CorsError::PreflightInvalidStatus => "the preflight's status is not 2xx",
            CorsError::PreflightDisallowedRedirect => "the preflight was answered with a redirect",
            CorsError::InvalidAllowMethodsPreflightResponse => {
                "the preflight's Access-Control-Allow-Methods cannot be parsed"
            }
            CorsError::InvalidAllowHeadersPreflightResponse => {
                "the preflight's Access-Control-Allow-Headers cannot be parsed"
            }
            CorsError::MethodDisallowedByPreflightResponse => {
                "the preflight's Access-Control-Allow-Methods does not allow the method"
            }
            CorsError::HeaderDisallowedByPreflightResponse => {
                "the preflight's Access-Control-Allow-Headers does not allow a header"
            }
            CorsError::RedirectContainsCredentials => {
                "a redirect points at a URL with a user name or password"
            }
        }
    }
}

impl fmt::Display for CorsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A family of reasons: what the harness can still say when it cannot name the exact one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ReasonFamily {
    /// The response's `Access-Control-Allow-Origin` did not accept the page's origin.
    Origin,
    /// The CORS answer does not accept a request with credentials.
    Credentials,
    /// The preflight failed (its status or a redirect; or, when nothing more precise is
    /// known, any check of the preflight).
    Preflight,
    /// The preflight did not allow the method.
    Method,
    /// The preflight did not allow a request header.
    Header,
    /// A redirect of the chain was refused.
    Redirect,
    Other,
}

impl ReasonFamily {
    /// The family in a few words, e.g. "the preflight failed".
    pub fn describe(self) -> &'static str {
        match self {
            ReasonFamily::Origin => "the origin was not accepted",
            ReasonFamily::Credentials => "credentials were not accepted",
            ReasonFamily::Preflight => "the preflight failed",
            ReasonFamily::Method => "the preflight did not allow the method",
            ReasonFamily::Header => "the preflight did not allow a request header",
            ReasonFamily::Redirect => "a redirect was refused",
            ReasonFamily::Other => "the request was refused",
        }
    }
}

/// Which response of the exchange failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum FailedResponse {
    /// The preflight before hop `hop` (0: the first URL).
    Preflight { hop: usize },
    /// The response of the request itself, after `hop` redirects.
    Actual { hop: usize },
    /// Redirect number `hop` (1: the first redirect), or the URL it points at.
    Redirect { hop: usize },
}

impl fmt::Display for FailedResponse {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            FailedResponse::Preflight { hop: 0 } => f.write_str("the preflight response"),
            FailedResponse::Preflight { hop } => {
                write!(f, "the preflight response after redirect {hop}")
            }
            FailedResponse::Actual { hop: 0 } => f.write_str("the actual response"),
            FailedResponse::Actual { hop } => {
                write!(f, "the actual response after redirect {hop}")
            }
            FailedResponse::Redirect { hop } => write!(f, "redirect {hop}"),
        }
    }
}

/// One failed check: what Chromium and Firefox call it, and what it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckFailure {
    pub error: CorsError,
    /// The key Firefox logs for it (`security.properties`), e.g. `CORSNotSupportingCredentials`.
    pub firefox_key: &'static str,
    /// The header value, method or header name at fault, as Chromium reports it.
    pub failed_parameter: String,
}

impl CheckFailure {
    pub fn new(
        error: CorsError,
        firefox_key: &'static str,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for error in CorsError::ALL {
            assert_eq!(CorsError::from_name(error.as_str()), Some(error));
            assert_eq!(serde_json::to_string(&error).unwrap(), format!("\"{error}\""));
            assert!(!error.describe().is_empty());
        }
        let mut names: Vec<_> = CorsError::ALL.iter().map(|e| e.as_str()).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), CorsError::ALL.len());
        assert_eq!(CorsError::from_name("NotAReason"), None);
    }

    #[test]
    fn preflight_names() {
        assert_eq!(
            CorsError::WildcardOriginNotAllowed.on_preflight(),
            CorsError::PreflightWildcardOriginNotAllowed
        );
        assert_eq!(
            CorsError::AllowOriginMismatch.on_preflight(),
            CorsError::PreflightAllowOriginMismatch
        );
        assert_eq!(
            CorsError::RedirectContainsCredentials.on_preflight(),
            CorsError::RedirectContainsCredentials
        );
        assert!(CorsError::PreflightInvalidStatus.is_preflight());
        assert!(CorsError::HeaderDisallowedByPreflightResponse.is_preflight());
        assert!(!CorsError::AllowOriginMismatch.is_preflight());
    }
}
