//! The names of CORS failures: Chromium's `corsError` vocabulary (the results' `reason`)
//! and the keys Firefox logs for the same failure (`firefox_reason`).

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::names::named_enum;

named_enum! {
    /// A CORS failure, named as Chromium's DevTools protocol names it
    /// ([`Network.CorsError`](https://chromedevtools.github.io/devtools-protocol/tot/Network/#type-CorsError),
    /// `network::mojom::CorsError` in Chromium's source).
    ///
    /// Every name any Chromium has sent: the CORS checks the evaluator makes, and the
    /// Private/Local Network Access names (renamed over the years), which only the
    /// browser's own log reports.
    pub enum CorsError {
        DisallowedByMode = "DisallowedByMode",
        InvalidResponse = "InvalidResponse",
        WildcardOriginNotAllowed = "WildcardOriginNotAllowed",
        MissingAllowOriginHeader = "MissingAllowOriginHeader",
        MultipleAllowOriginValues = "MultipleAllowOriginValues",
        InvalidAllowOriginValue = "InvalidAllowOriginValue",
        AllowOriginMismatch = "AllowOriginMismatch",
        InvalidAllowCredentials = "InvalidAllowCredentials",
        CorsDisabledScheme = "CorsDisabledScheme",
        PreflightInvalidStatus = "PreflightInvalidStatus",
        PreflightDisallowedRedirect = "PreflightDisallowedRedirect",
        PreflightWildcardOriginNotAllowed = "PreflightWildcardOriginNotAllowed",
        PreflightMissingAllowOriginHeader = "PreflightMissingAllowOriginHeader",
        PreflightMultipleAllowOriginValues = "PreflightMultipleAllowOriginValues",
        PreflightInvalidAllowOriginValue = "PreflightInvalidAllowOriginValue",
        PreflightAllowOriginMismatch = "PreflightAllowOriginMismatch",
        PreflightInvalidAllowCredentials = "PreflightInvalidAllowCredentials",
        /// The CORS-RFC1918 draft's names (Chromium before Private Network Access).
        PreflightMissingAllowExternal = "PreflightMissingAllowExternal",
        PreflightInvalidAllowExternal = "PreflightInvalidAllowExternal",
        /// Private Network Access: no `Access-Control-Allow-Private-Network: true` on the preflight.
        PreflightMissingAllowPrivateNetwork = "PreflightMissingAllowPrivateNetwork",
        PreflightInvalidAllowPrivateNetwork = "PreflightInvalidAllowPrivateNetwork",
        InvalidAllowMethodsPreflightResponse = "InvalidAllowMethodsPreflightResponse",
        InvalidAllowHeadersPreflightResponse = "InvalidAllowHeadersPreflightResponse",
        MethodDisallowedByPreflightResponse = "MethodDisallowedByPreflightResponse",
        HeaderDisallowedByPreflightResponse = "HeaderDisallowedByPreflightResponse",
        RedirectContainsCredentials = "RedirectContainsCredentials",
        /// Private Network Access: a non-secure page calling a more private address space.
        InsecurePrivateNetwork = "InsecurePrivateNetwork",
        InvalidPrivateNetworkAccess = "InvalidPrivateNetworkAccess",
        UnexpectedPrivateNetworkAccess = "UnexpectedPrivateNetworkAccess",
        /// A `no-cors` request with `redirect` other than `follow` met a redirect.
        NoCorsRedirectModeNotFollow = "NoCorsRedirectModeNotFollow",
        PreflightMissingPrivateNetworkAccessId = "PreflightMissingPrivateNetworkAccessId",
        PreflightMissingPrivateNetworkAccessName = "PreflightMissingPrivateNetworkAccessName",
        PrivateNetworkAccessPermissionUnavailable = "PrivateNetworkAccessPermissionUnavailable",
        PrivateNetworkAccessPermissionDenied = "PrivateNetworkAccessPermissionDenied",
        /// Local Network Access: a page calling a more private address space without the
        /// user's permission (headless Chromium never prompts, so it is denied).
        LocalNetworkAccessPermissionDenied = "LocalNetworkAccessPermissionDenied",
        /// Local Network Access: blocked by policy or from a non-secure page.
        InsecureLocalNetwork = "InsecureLocalNetwork",
        /// Local Network Access: the server's address space is not the one the request expected.
        InvalidLocalNetworkAccess = "InvalidLocalNetworkAccess",
    }
}

impl CorsError {
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

    /// Is this one of the Private/Local Network Access names (a page calling a more
    /// private address space), rather than a failure of the CORS protocol itself?
    pub fn is_local_network_access(self) -> bool {
        self.family() == ReasonFamily::LocalNetwork
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
            PreflightMissingAllowExternal
            | PreflightInvalidAllowExternal
            | PreflightMissingAllowPrivateNetwork
            | PreflightInvalidAllowPrivateNetwork
            | InsecurePrivateNetwork
            | InvalidPrivateNetworkAccess
            | UnexpectedPrivateNetworkAccess
            | PreflightMissingPrivateNetworkAccessId
            | PreflightMissingPrivateNetworkAccessName
            | PrivateNetworkAccessPermissionUnavailable
            | PrivateNetworkAccessPermissionDenied
            | LocalNetworkAccessPermissionDenied
            | InsecureLocalNetwork
            | InvalidLocalNetworkAccess => ReasonFamily::LocalNetwork,
            DisallowedByMode
            | InvalidResponse
            | CorsDisabledScheme
            | NoCorsRedirectModeNotFollow => ReasonFamily::Other,
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
            CorsError::PreflightMissingAllowExternal
            | CorsError::PreflightMissingAllowPrivateNetwork => {
                "the preflight for a more private address space lacks Access-Control-Allow-Private-Network: true"
            }
            CorsError::PreflightInvalidAllowExternal
            | CorsError::PreflightInvalidAllowPrivateNetwork => {
                "the preflight's Access-Control-Allow-Private-Network is not exactly true"
            }
            CorsError::InsecurePrivateNetwork | CorsError::InsecureLocalNetwork => {
                "a page that is not a secure context (or a policy) may not call a more private address space"
            }
            CorsError::InvalidPrivateNetworkAccess
            | CorsError::UnexpectedPrivateNetworkAccess
            | CorsError::InvalidLocalNetworkAccess => {
                "the server's address space is not the one the request was allowed to reach"
            }
            CorsError::NoCorsRedirectModeNotFollow => {
                "a no-cors request that may not follow redirects was redirected"
            }
            CorsError::PreflightMissingPrivateNetworkAccessId
            | CorsError::PreflightMissingPrivateNetworkAccessName => {
                "the preflight for a more private address space lacks the device's Private-Network-Access-ID/-Name"
            }
            CorsError::PrivateNetworkAccessPermissionUnavailable
            | CorsError::PrivateNetworkAccessPermissionDenied
            | CorsError::LocalNetworkAccessPermissionDenied => {
                "a page may call a more private address space (local network, loopback) only with the user's permission, which was not given"
            }
        }
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
    /// Private/Local Network Access: a page calling a more private address space.
    #[serde(rename = "local-network")]
    LocalNetwork,
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
            ReasonFamily::LocalNetwork => "Local Network Access refused it",
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_are_unique() {
        for &error in CorsError::ALL {
            assert_eq!(CorsError::from_name(error.as_str()), Some(error));
            assert_eq!(serde_json::to_string(&error).unwrap(), format!("\"{error}\""));
            assert!(!error.describe().is_empty());
        }
        let mut names = CorsError::NAMES.to_vec();
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
        assert!(CorsError::LocalNetworkAccessPermissionDenied.is_local_network_access());
        assert!(!CorsError::AllowOriginMismatch.is_local_network_access());
    }
}
