//! The CORS rules of an [HTTP-redirect fetch]: what a redirect may point at, when the
//! `Origin` becomes `null`, and how the method and headers change.
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Redirections).
//!
//! [HTTP-redirect fetch]: https://fetch.spec.whatwg.org/#http-redirect-fetch

use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::reason::CorsError;
use super::url::UrlParts;

/// Browsers give up after this many redirects.
pub const MAX_REDIRECTS: usize = 20;

/// A `Location` with `user:password@` ends a CORS request once it is (or goes) cross-origin.
pub fn check_location(
    location: &UrlParts,
    request_origin: &str,
    cors_flag: bool,
    tainted: bool,
) -> Result<(), CheckFailure> {
    if location.has_credentials && (cors_flag || tainted || location.origin != request_origin) {
        // Firefox fails the channel without a specific key: only the generic one is logged.
        return Err(CheckFailure::new(
            CorsError::RedirectContainsCredentials,
            FirefoxKey::DidNotSucceed,
            "",
        ));
    }
    Ok(())
}

/// Does following this redirect make the request's origin `null` (the tainted origin flag)?
/// Yes when it leaves an origin that was already not the page's.
pub fn taints(current: &UrlParts, location: &UrlParts, request_origin: &str) -> bool {
    location.origin != current.origin && current.origin != request_origin
}

/// The method after a redirect with `status`: 301 and 302 turn POST into GET; 303 turns
/// everything but HEAD into GET; 307 and 308 keep it.
pub fn method_after(status: u16, method: &str) -> String {
    if (status == 303 && method != "HEAD") || (matches!(status, 301 | 302) && method == "POST") {
        "GET".to_owned()
    } else {
        method.to_owned()
    }
}

/// Headers that describe a body, dropped with it when a redirect turns the request into GET.
pub fn is_request_body_header(name: &str) -> bool {
    ["content-encoding", "content-language", "content-location", "content-type"]
        .iter()
        .any(|h| h.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: &str = "http://page.test";

    fn url(origin: &str, credentials: bool) -> UrlParts {
        UrlParts {
            href: format!("{origin}/"),
            origin: origin.to_owned(),
            scheme: "http".to_owned(),
            has_credentials: credentials,
        }
    }

    #[test]
    fn credentials_in_location() {
        let failure = check_location(&url("http://b.test", true), PAGE, false, false).unwrap_err();
        assert_eq!(failure.error, CorsError::RedirectContainsCredentials);
        assert_eq!(failure.failed_parameter, "");
        assert!(
            check_location(&url(PAGE, true), PAGE, false, false).is_ok(),
            "same-origin is allowed"
        );
        assert!(
            check_location(&url(PAGE, true), PAGE, true, false).is_err(),
            "not once cross-origin"
        );
        assert!(check_location(&url("http://b.test", false), PAGE, true, true).is_ok());
    }

    #[test]
    fn tainting() {
        assert!(
            !taints(&url(PAGE, false), &url("http://b.test", false), PAGE),
            "page -> B keeps the origin"
        );
        assert!(
            taints(&url("http://b.test", false), &url("http://c.test", false), PAGE),
            "B -> C: null"
        );
        assert!(taints(&url("http://b.test", false), &url(PAGE, false), PAGE), "B -> page: null");
        assert!(
            !taints(&url("http://b.test", false), &url("http://b.test", false), PAGE),
            "B -> B"
        );
    }

    #[test]
    fn methods() {
        assert_eq!(method_after(302, "POST"), "GET");
        assert_eq!(method_after(301, "POST"), "GET");
        assert_eq!(method_after(302, "PUT"), "PUT");
        assert_eq!(method_after(303, "PUT"), "GET");
        assert_eq!(method_after(303, "HEAD"), "HEAD");
        assert_eq!(method_after(307, "POST"), "POST");
        assert_eq!(method_after(308, "DELETE"), "DELETE");
        assert!(is_request_body_header("Content-Type"));
        assert!(!is_request_body_header("Authorization"));
    }
}
