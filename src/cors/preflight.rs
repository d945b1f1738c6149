//! The checks of a [CORS-preflight fetch] on its response, in the order Chromium makes
//! them: a redirect; the CORS check; the status; `Access-Control-Allow-Methods` and
//! `-Headers` parsed; then the method and the headers against them.
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Glossary/Preflight_request).
//!
//! [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch

use super::allow_headers::{self, WildcardAuthorization};
use super::exchange::WireResponse;
use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::reason::CorsError;
use super::{allow_methods, cors_check};

/// What the preflight asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreflightAsk<'a> {
    /// The serialised origin sent (`null` once tainted).
    pub origin: &'a str,
    pub method: &'a str,
    /// CORS-unsafe header names, lower-case, in request order.
    pub unsafe_names: &'a [String],
    /// The request's credentials mode is `include` (the preflight itself never has credentials).
    pub credentials: bool,
}

/// The key Firefox logs for a preflight response [`check`] refuses. Firefox checks the
/// origin before noticing a redirect, and each allow-list right after parsing it.
pub fn firefox_key(response: &WireResponse, ask: &PreflightAsk<'_>) -> FirefoxKey {
    if let Err(failure) = cors_check::check(response, ask.origin, ask.credentials) {
        return failure.firefox_key;
    }
    if response.is_redirect() && response.combined("location").is_some() {
        return FirefoxKey::ExternalRedirectNotAllowed;
    }
    if !response.is_ok() {
        return FirefoxKey::PreflightDidNotSucceed;
    }
    let methods = match allow_methods::parse(response) {
        Ok(methods) => methods,
        Err(failure) => return failure.firefox_key,
    };
    if let Err(failure) = allow_methods::check(&methods, ask.method, ask.credentials) {
        return failure.firefox_key;
    }
    match allow_headers::parse(response) {
        Ok(_) => FirefoxKey::MissingAllowHeaderFromPreflight,
        Err(failure) => failure.firefox_key,
    }
}

/// Checks one preflight response; `Ok` means the request itself may be sent.
/// The failure's `firefox_key` is what Firefox logs for the same response.
pub fn check(
    response: &WireResponse,
    ask: &PreflightAsk<'_>,
    authorization: WildcardAuthorization,
) -> Result<(), CheckFailure> {
    check_in_chromium_order(response, ask, authorization)
        .map_err(|failure| CheckFailure { firefox_key: firefox_key(response, ask), ..failure })
}

fn check_in_chromium_order(
    response: &WireResponse,
    ask: &PreflightAsk<'_>,
    authorization: WildcardAuthorization,
) -> Result<(), CheckFailure> {
    // A preflight is never redirected: a redirect fails before anything else is read.
    if response.is_redirect() && response.combined("location").is_some() {
        return Err(CheckFailure::new(
            CorsError::PreflightDisallowedRedirect,
            FirefoxKey::ExternalRedirectNotAllowed,
            "",
        ));
    }
    // The CORS check wins over a bad status: a 401 without CORS headers is a missing ACAO.
    cors_check::check(response, ask.origin, ask.credentials).map_err(CheckFailure::on_preflight)?;
    if !response.is_ok() {
        return Err(CheckFailure::new(
            CorsError::PreflightInvalidStatus,
            FirefoxKey::PreflightDidNotSucceed,
            "",
        ));
    }
    let methods = allow_methods::parse(response)?;
    let headers = allow_headers::parse(response)?;
    allow_methods::check(&methods, ask.method, ask.credentials)?;
    allow_headers::check(&headers, ask.unsafe_names, ask.credentials, authorization)
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    fn ask<'a>(method: &'a str, names: &'a [String], credentials: bool) -> PreflightAsk<'a> {
        PreflightAsk { origin: ORIGIN, method, unsafe_names: names, credentials }
    }

    fn error(response: &WireResponse, ask: &PreflightAsk<'_>) -> CorsError {
        check(response, ask, WildcardAuthorization::Covered).unwrap_err().error
    }

    #[test]
    fn a_good_preflight_passes() {
        let names = vec!["x-custom".to_owned()];
        let ok = WireResponse::new(
            204,
            &[
                ("Access-Control-Allow-Origin", ORIGIN),
                ("Access-Control-Allow-Credentials", "true"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("Access-Control-Allow-Headers", "x-custom"),
            ],
        );
        assert!(check(&ok, &ask("PUT", &names, true), WildcardAuthorization::MustBeListed).is_ok());
    }

    #[test]
    fn order_of_checks() {
        let names = vec!["x-custom".to_owned()];
        let a = ask("PUT", &names, false);
        let redirect = WireResponse::new(301, &[("Location", "/elsewhere")]);
        assert_eq!(error(&redirect, &a), CorsError::PreflightDisallowedRedirect);
        let redirect_without_location =
            WireResponse::new(302, &[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(error(&redirect_without_location, &a), CorsError::PreflightInvalidStatus);
        let unauthorized = WireResponse::new(401, &[]);
        assert_eq!(error(&unauthorized, &a), CorsError::PreflightMissingAllowOriginHeader);
        let not_found_with_cors = WireResponse::new(404, &[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(error(&not_found_with_cors, &a), CorsError::PreflightInvalidStatus);
        let both_bad = WireResponse::new(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "PUT DELETE"),
                ("Access-Control-Allow-Headers", "a b"),
            ],
        );
        assert_eq!(error(&both_bad, &a), CorsError::InvalidAllowMethodsPreflightResponse);
        let method_and_header_missing =
            WireResponse::new(204, &[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(
            error(&method_and_header_missing, &a),
            CorsError::MethodDisallowedByPreflightResponse
        );
        let header_missing = WireResponse::new(
            204,
            &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Methods", "PUT")],
        );
        let failure = check(&header_missing, &a, WildcardAuthorization::Covered).unwrap_err();
        assert_eq!(failure.error, CorsError::HeaderDisallowedByPreflightResponse);
        assert_eq!(failure.failed_parameter, "x-custom");
    }

    #[test]
    fn firefox_orders_some_checks_differently() {
        let names = vec!["x-custom".to_owned()];
        let a = ask("PUT", &names, false);
        let key = |r: &WireResponse| {
            check(r, &a, WildcardAuthorization::Covered).unwrap_err().firefox_key
        };
        let bare_redirect = WireResponse::new(301, &[("Location", "/elsewhere")]);
        assert_eq!(key(&bare_redirect), FirefoxKey::MissingAllowOrigin);
        let cors_redirect =
            WireResponse::new(307, &[("Location", "/x"), ("Access-Control-Allow-Origin", "*")]);
        assert_eq!(key(&cors_redirect), FirefoxKey::ExternalRedirectNotAllowed);
        let forbidden = WireResponse::new(403, &[]);
        assert_eq!(key(&forbidden), FirefoxKey::MissingAllowOrigin);
        let forbidden_with_cors = WireResponse::new(403, &[("Access-Control-Allow-Origin", "*")]);
        assert_eq!(key(&forbidden_with_cors), FirefoxKey::PreflightDidNotSucceed);
        // Chromium parses both lists before checking the method; Firefox checks the method first.
        let method_missing_headers_bad = WireResponse::new(
            204,
            &[
                ("Access-Control-Allow-Origin", "*"),
                ("Access-Control-Allow-Methods", "GET"),
                ("Access-Control-Allow-Headers", "a b"),
            ],
        );
        let failure =
            check(&method_missing_headers_bad, &a, WildcardAuthorization::Covered).unwrap_err();
        assert_eq!(failure.error, CorsError::InvalidAllowHeadersPreflightResponse);
        assert_eq!(failure.firefox_key, FirefoxKey::MethodNotFound);
    }

    #[test]
    fn cors_check_failures_get_preflight_names() {
        let names = vec!["x-custom".to_owned()];
        let wildcard = WireResponse::new(
            204,
            &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")],
        );
        assert_eq!(
            error(&wildcard, &ask("GET", &names, true)),
            CorsError::PreflightWildcardOriginNotAllowed
        );
        let no_acac = WireResponse::new(204, &[("Access-Control-Allow-Origin", ORIGIN)]);
        assert_eq!(
            error(&no_acac, &ask("GET", &names, true)),
            CorsError::PreflightInvalidAllowCredentials
        );
        let two = WireResponse::new(
            204,
            &[("Access-Control-Allow-Origin", ORIGIN), ("Access-Control-Allow-Origin", ORIGIN)],
        );
        assert_eq!(
            error(&two, &ask("GET", &names, false)),
            CorsError::PreflightMultipleAllowOriginValues
        );
        let invalid = WireResponse::new(204, &[("Access-Control-Allow-Origin", "example.com")]);
        assert_eq!(
            error(&invalid, &ask("GET", &names, false)),
            CorsError::PreflightInvalidAllowOriginValue
        );
        let other =
            WireResponse::new(204, &[("Access-Control-Allow-Origin", "http://other.example")]);
        assert_eq!(
            error(&other, &ask("GET", &names, false)),
            CorsError::PreflightAllowOriginMismatch
        );
    }
}
