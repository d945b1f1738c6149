//! Firefox's names for CORS failures: the keys of its `security.properties`
//! (`dom/locales/en-US/chrome/security/security.properties`) and the en-US text each
//! stands for, which its console prints as "Cross-Origin Request Blocked: ... (Reason: ...)".
//!
//! The one table of Firefox's vocabulary: the evaluator names failures with it, the
//! console reader maps messages back to it, and the differential diagnosis guesses with it.

use super::reason::CorsError;
use crate::names::named_enum;

named_enum! {
    /// One of Firefox's CORS reason keys, e.g. `CORSNotSupportingCredentials`.
    pub enum FirefoxKey {
        Disabled = "CORSDisabled",
        /// Firefox's generic key: also what it logs for a refused connection, so not proof of CORS.
        DidNotSucceed = "CORSDidNotSucceed2",
        OriginHeaderNotAdded = "CORSOriginHeaderNotAdded",
        ExternalRedirectNotAllowed = "CORSExternalRedirectNotAllowed",
        RequestNotHttp = "CORSRequestNotHttp",
        MissingAllowOrigin = "CORSMissingAllowOrigin2",
        MultipleAllowOriginNotAllowed = "CORSMultipleAllowOriginNotAllowed",
        AllowOriginNotMatchingOrigin = "CORSAllowOriginNotMatchingOrigin",
        NotSupportingCredentials = "CORSNotSupportingCredentials",
        MethodNotFound = "CORSMethodNotFound",
        MissingAllowCredentials = "CORSMissingAllowCredentials",
        PreflightDidNotSucceed = "CORSPreflightDidNotSucceed3",
        InvalidAllowMethod = "CORSInvalidAllowMethod",
        InvalidAllowHeader = "CORSInvalidAllowHeader",
        MissingAllowHeaderFromPreflight = "CORSMissingAllowHeaderFromPreflight2",
    }
}

/// Marks the parameter in a [`FirefoxKey::template`].
pub const PARAMETER: &str = "%2$S";

impl FirefoxKey {
    /// The reason text Firefox prints for this key (en-US), [`PARAMETER`] marking the
    /// value it names (an origin, a token, a header).
    pub fn template(self) -> &'static str {
        match self {
            FirefoxKey::Disabled => "CORS disabled",
            FirefoxKey::DidNotSucceed => "CORS request did not succeed",
            FirefoxKey::OriginHeaderNotAdded => "CORS header ‘Origin’ cannot be added",
            FirefoxKey::ExternalRedirectNotAllowed => "CORS request external redirect not allowed",
            FirefoxKey::RequestNotHttp => "CORS request not http",
            FirefoxKey::MissingAllowOrigin => "CORS header ‘Access-Control-Allow-Origin’ missing",
            FirefoxKey::MultipleAllowOriginNotAllowed => {
                "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed"
            }
            FirefoxKey::AllowOriginNotMatchingOrigin => {
                "CORS header ‘Access-Control-Allow-Origin’ does not match ‘%2$S’"
            }
            FirefoxKey::NotSupportingCredentials => {
                "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’"
            }
            FirefoxKey::MethodNotFound => {
                "Did not find method in CORS header ‘Access-Control-Allow-Methods’"
            }
            FirefoxKey::MissingAllowCredentials => {
                "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’"
            }
            FirefoxKey::PreflightDidNotSucceed => "CORS preflight response did not succeed",
            FirefoxKey::InvalidAllowMethod => {
                "invalid token ‘%2$S’ in CORS header ‘Access-Control-Allow-Methods’"
            }
            FirefoxKey::InvalidAllowHeader => {
                "invalid token ‘%2$S’ in CORS header ‘Access-Control-Allow-Headers’"
            }
            FirefoxKey::MissingAllowHeaderFromPreflight => {
                "header ‘%2$S’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response"
            }
        }
    }

    /// The key Firefox usually logs for a failure Chromium names `error` (used when the
    /// exchange is unknown; the evaluator computes it exactly otherwise). `None` for
    /// Chromium's Local Network Access names, which Firefox reports its own way.
    pub fn typical_for(error: CorsError) -> Option<FirefoxKey> {
        use CorsError::*;
        if error.is_local_network_access() {
            return None;
        }
        Some(match error {
            MissingAllowOriginHeader | PreflightMissingAllowOriginHeader => {
                FirefoxKey::MissingAllowOrigin
            }
            AllowOriginMismatch
            | PreflightAllowOriginMismatch
            | InvalidAllowOriginValue
            | PreflightInvalidAllowOriginValue => FirefoxKey::AllowOriginNotMatchingOrigin,
            MultipleAllowOriginValues | PreflightMultipleAllowOriginValues => {
                FirefoxKey::MultipleAllowOriginNotAllowed
            }
            WildcardOriginNotAllowed | PreflightWildcardOriginNotAllowed => {
                FirefoxKey::NotSupportingCredentials
            }
            InvalidAllowCredentials | PreflightInvalidAllowCredentials => {
                FirefoxKey::MissingAllowCredentials
            }
            PreflightInvalidStatus => FirefoxKey::PreflightDidNotSucceed,
            PreflightDisallowedRedirect => FirefoxKey::ExternalRedirectNotAllowed,
            InvalidAllowMethodsPreflightResponse => FirefoxKey::InvalidAllowMethod,
            InvalidAllowHeadersPreflightResponse => FirefoxKey::InvalidAllowHeader,
            MethodDisallowedByPreflightResponse => FirefoxKey::MethodNotFound,
            HeaderDisallowedByPreflightResponse => FirefoxKey::MissingAllowHeaderFromPreflight,
            RedirectContainsCredentials
            | DisallowedByMode
            | InvalidResponse
            | NoCorsRedirectModeNotFollow => FirefoxKey::DidNotSucceed,
            CorsDisabledScheme => FirefoxKey::RequestNotHttp,
            // What remains is Local Network Access (see `CorsError::family`).
            _ => return None,
        })
    }

    /// Reads a reason text back to its key, with the parameter it names, if any.
    pub fn from_text(reason: &str) -> Option<(FirefoxKey, Option<String>)> {
        FirefoxKey::ALL.iter().find_map(|&key| {
            let template = key.template();
            match template.split_once(PARAMETER) {
                None => (reason == template).then_some((key, None)),
                Some((before, after)) => {
                    let fits = reason.len() >= before.len() + after.len()
                        && reason.starts_with(before)
                        && reason.ends_with(after);
                    fits.then(|| {
                        (key, Some(reason[before.len()..reason.len() - after.len()].to_owned()))
                    })
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_reads_back_to_its_key() {
        for &key in FirefoxKey::ALL {
            let text = key.template().replace(PARAMETER, "x-custom");
            let (read, parameter) = FirefoxKey::from_text(&text).unwrap_or_else(|| panic!("{key}"));
            assert_eq!(read, key);
            assert_eq!(parameter.is_some(), key.template().contains(PARAMETER), "{key}");
        }
        assert_eq!(FirefoxKey::from_text("something new"), None);
    }

    #[test]
    fn every_cors_check_has_a_typical_key() {
        for &error in CorsError::ALL {
            assert_eq!(
                FirefoxKey::typical_for(error).is_none(),
                error.is_local_network_access(),
                "{error}"
            );
        }
    }
}
