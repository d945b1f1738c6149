//! The `Access-Control-Allow-Origin` steps of the [CORS check].
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Origin).
//!
//! [CORS check]: https://fetch.spec.whatwg.org/#cors-check

use super::exchange::WireResponse;
use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::reason::CorsError;

pub const NAME: &str = "access-control-allow-origin";

/// Checks the response's `Access-Control-Allow-Origin` against the request's serialised
/// origin (`null` after a cross-origin redirect), as Chromium and Firefox do.
pub fn check(response: &WireResponse, origin: &str, credentials: bool) -> Result<(), CheckFailure> {
    // Firefox refuses a repeated header line before anything else, counting lines spelled
    // exactly `Access-Control-Allow-Origin` (HTTP/1 spelling); Chromium joins the lines.
    let firefox_multiple =
        response.headers.iter().filter(|(name, _)| name == "Access-Control-Allow-Origin").count()
            > 1;
    let firefox =
        |key| if firefox_multiple { FirefoxKey::MultipleAllowOriginNotAllowed } else { key };
    let Some(value) = response.combined(NAME) else {
        return Err(CheckFailure::new(
            CorsError::MissingAllowOriginHeader,
            FirefoxKey::MissingAllowOrigin,
            "",
        ));
    };
    if value == "*" {
        if !credentials {
            return Ok(());
        }
        return Err(CheckFailure::new(
            CorsError::WildcardOriginNotAllowed,
            firefox(FirefoxKey::NotSupportingCredentials),
            "",
        ));
    }
    if value == origin {
        // Never true for joined lines: a serialised origin holds no comma.
        return Ok(());
    }
    let error = if value.contains([' ', ',']) {
        CorsError::MultipleAllowOriginValues
    } else if value == "null" {
        CorsError::AllowOriginMismatch
    } else if !is_valid_url(&value) {
        CorsError::InvalidAllowOriginValue
    } else {
        CorsError::AllowOriginMismatch
    };
    Err(CheckFailure::new(error, firefox(FirefoxKey::AllowOriginNotMatchingOrigin), value))
}

/// Whether Chromium's URL parser (GURL) accepts `value`, approximately: a scheme, and
/// for the special schemes a host. Only used to pick between two reason names.
fn is_valid_url(value: &str) -> bool {
    let Some((scheme, rest)) = value.split_once(':') else { return false };
    let mut chars = scheme.chars();
    let scheme_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_ok {
        return false;
    }
    match scheme.to_ascii_lowercase().as_str() {
        "http" | "https" | "ws" | "wss" | "ftp" => {
            let after = rest.trim_start_matches(['/', '\\']);
            let authority = after.split(['/', '\\', '?', '#']).next().unwrap_or("");
            let host_port = authority.rsplit('@').next().unwrap_or("");
            let host = match host_port.strip_prefix('[') {
                Some(v6) => return v6.contains(']'),
                None => host_port.rsplit_once(':').map_or(host_port, |(host, port)| {
                    if port.bytes().all(|b| b.is_ascii_digit()) {
                        host
                    } else {
                        ""
                    }
                }),
            };
            !host.is_empty()
                && !host.contains([' ', '<', '>', '^', '|', '%', '"', '`', '{', '}', '*'])
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    fn acao(values: &[&str]) -> WireResponse {
        WireResponse {
            status: 200,
            headers: values
                .iter()
                .map(|v| ("Access-Control-Allow-Origin".into(), (*v).into()))
                .collect(),
        }
    }

    fn fail(values: &[&str], credentials: bool) -> (CorsError, FirefoxKey, String) {
        let f = check(&acao(values), ORIGIN, credentials).unwrap_err();
        (f.error, f.firefox_key, f.failed_parameter)
    }

    #[test]
    fn passes() {
        assert!(check(&acao(&["*"]), ORIGIN, false).is_ok());
        assert!(check(&acao(&[ORIGIN]), ORIGIN, false).is_ok());
        assert!(check(&acao(&[ORIGIN]), ORIGIN, true).is_ok());
        assert!(
            check(&acao(&[" http://127.0.0.1:8080 "]), ORIGIN, true).is_ok(),
            "whitespace is trimmed"
        );
        assert!(check(&acao(&["null"]), "null", true).is_ok(), "a tainted origin matches null");
    }

    #[test]
    fn missing() {
        assert_eq!(
            fail(&[], false),
            (CorsError::MissingAllowOriginHeader, FirefoxKey::MissingAllowOrigin, String::new())
        );
    }

    #[test]
    fn wildcard_with_credentials() {
        assert_eq!(
            fail(&["*"], true),
            (
                CorsError::WildcardOriginNotAllowed,
                FirefoxKey::NotSupportingCredentials,
                String::new()
            )
        );
    }

    #[test]
    fn mismatches() {
        let slash = format!("{ORIGIN}/");
        assert_eq!(
            fail(&[&slash], false),
            (
                CorsError::AllowOriginMismatch,
                FirefoxKey::AllowOriginNotMatchingOrigin,
                slash.clone()
            )
        );
        assert_eq!(fail(&["http://127.0.0.1:9090"], false).0, CorsError::AllowOriginMismatch);
        assert_eq!(fail(&["HTTP://127.0.0.1:8080"], false).0, CorsError::AllowOriginMismatch);
        assert_eq!(fail(&["null"], false).0, CorsError::AllowOriginMismatch);
    }

    #[test]
    fn invalid_values() {
        for value in ["", "127.0.0.1:8080", "*.example.com", "https://", "foo"] {
            assert_eq!(fail(&[value], false).0, CorsError::InvalidAllowOriginValue, "{value:?}");
        }
    }

    #[test]
    fn multiple_values() {
        let list = format!("{ORIGIN}, http://other.example");
        assert_eq!(
            fail(&[&list], false),
            (
                CorsError::MultipleAllowOriginValues,
                FirefoxKey::AllowOriginNotMatchingOrigin,
                list.clone()
            )
        );
        // Two lines: Chromium joins them, Firefox refuses the repetition itself.
        assert_eq!(
            fail(&[ORIGIN, ORIGIN], false),
            (
                CorsError::MultipleAllowOriginValues,
                FirefoxKey::MultipleAllowOriginNotAllowed,
                format!("{ORIGIN}, {ORIGIN}")
            )
        );
        assert_eq!(fail(&["*", "*"], false).0, CorsError::MultipleAllowOriginValues);
        // Lower-case lines (hyper, HTTP/2) escape Firefox's count and fail its comparison instead.
        let lower = WireResponse::new(
            200,
            &[("access-control-allow-origin", ORIGIN), ("access-control-allow-origin", ORIGIN)],
        );
        let failure = check(&lower, ORIGIN, false).unwrap_err();
        assert_eq!(
            (failure.error, failure.firefox_key),
            (CorsError::MultipleAllowOriginValues, FirefoxKey::AllowOriginNotMatchingOrigin)
        );
    }
}
