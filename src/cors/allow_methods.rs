//! The `Access-Control-Allow-Methods` step of a [CORS-preflight fetch].
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Methods).
//!
//! [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch

use super::allow_list;
use super::exchange::WireResponse;
use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::reason::CorsError;
use crate::fetch::method;

pub const NAME: &str = "access-control-allow-methods";

/// The methods the preflight allows, or the failure to parse them.
pub fn parse(preflight: &WireResponse) -> Result<Vec<String>, CheckFailure> {
    allow_list::parse(preflight.combined(NAME).as_deref()).ok_or_else(|| {
        CheckFailure::new(
            CorsError::InvalidAllowMethodsPreflightResponse,
            FirefoxKey::InvalidAllowMethod,
            "",
        )
    })
}

/// Is `method` (as sent) allowed? Safelisted methods always are; others must be listed
/// exactly (case-sensitive), or covered by `*` when the request has no credentials.
pub fn check(allowed: &[String], method_sent: &str, credentials: bool) -> Result<(), CheckFailure> {
    if method::is_cors_safelisted(method_sent)
        || allowed.iter().any(|m| m == method_sent)
        || (!credentials && allowed.iter().any(|m| m == "*"))
    {
        return Ok(());
    }
    Err(CheckFailure::new(
        CorsError::MethodDisallowedByPreflightResponse,
        FirefoxKey::MethodNotFound,
        method_sent,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn listed_or_safelisted() {
        assert!(check(&list(&["PUT"]), "PUT", false).is_ok());
        assert!(check(&list(&[]), "POST", true).is_ok(), "safelisted methods need no listing");
        let failure = check(&list(&["GET", "POST"]), "DELETE", false).unwrap_err();
        assert_eq!(failure.error, CorsError::MethodDisallowedByPreflightResponse);
        assert_eq!(failure.firefox_key, FirefoxKey::MethodNotFound);
        assert_eq!(failure.failed_parameter, "DELETE");
    }

    #[test]
    fn case_sensitive() {
        assert!(check(&list(&["PATCH"]), "patch", false).is_err());
        assert!(check(&list(&["patch"]), "PATCH", false).is_err());
        assert!(check(&list(&["patch"]), "patch", false).is_ok());
    }

    #[test]
    fn wildcard_only_without_credentials() {
        assert!(check(&list(&["*"]), "DELETE", false).is_ok());
        assert!(check(&list(&["*"]), "DELETE", true).is_err());
    }

    #[test]
    fn unparsable() {
        let bad = WireResponse::new(204, &[("Access-Control-Allow-Methods", "PUT DELETE")]);
        let failure = parse(&bad).unwrap_err();
        assert_eq!(failure.error, CorsError::InvalidAllowMethodsPreflightResponse);
        assert_eq!(failure.failed_parameter, "");
        let two_lines = WireResponse::new(
            204,
            &[("Access-Control-Allow-Methods", "PUT"), ("access-control-allow-methods", "DELETE")],
        );
        assert_eq!(parse(&two_lines).unwrap(), ["PUT", "DELETE"]);
    }
}
