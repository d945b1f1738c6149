//! The `Access-Control-Allow-Headers` step of a [CORS-preflight fetch].
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Headers).
//!
//! [CORS-preflight fetch]: https://fetch.spec.whatwg.org/#cors-preflight-fetch

use super::allow_list;
use super::exchange::WireResponse;
use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::reason::CorsError;

pub const NAME: &str = "access-control-allow-headers";

/// The header names the preflight allows (lower-case), or the failure to parse them.
pub fn parse(preflight: &WireResponse) -> Result<Vec<String>, CheckFailure> {
    let items = allow_list::parse(preflight.combined(NAME).as_deref()).ok_or_else(|| {
        CheckFailure::new(
            CorsError::InvalidAllowHeadersPreflightResponse,
            FirefoxKey::InvalidAllowHeader,
            "",
        )
    })?;
    Ok(items.into_iter().map(|name| name.to_ascii_lowercase()).collect())
}

/// How `*` treats `Authorization`, where browsers differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WildcardAuthorization {
    /// The standard (and Firefox): `*` never covers `Authorization`, it must be listed.
    MustBeListed,
    /// Chromium: `*` covers it too, with only a deprecation warning in DevTools.
    Covered,
}

/// Checks the request's CORS-unsafe header names (lower-case, in request order) against
/// the allowed ones; reports the first one not allowed.
pub fn check(
    allowed: &[String],
    unsafe_names: &[String],
    credentials: bool,
    authorization: WildcardAuthorization,
) -> Result<(), CheckFailure> {
    let wildcard = !credentials && allowed.iter().any(|n| n == "*");
    for name in unsafe_names {
        let covered_by_wildcard = wildcard
            && (name != "authorization" || authorization == WildcardAuthorization::Covered);
        if !covered_by_wildcard && !allowed.contains(name) {
            return Err(CheckFailure::new(
                CorsError::HeaderDisallowedByPreflightResponse,
                FirefoxKey::MissingAllowHeaderFromPreflight,
                name.clone(),
            ));
        }
    }
    Ok(())
}

/// Would `*` have been the only thing letting `Authorization` through?
pub fn authorization_only_via_wildcard(
    allowed: &[String],
    unsafe_names: &[String],
    credentials: bool,
) -> bool {
    !credentials
        && unsafe_names.iter().any(|n| n == "authorization")
        && allowed.iter().any(|n| n == "*")
        && !allowed.iter().any(|n| n == "authorization")
}

#[cfg(test)]
mod tests {
    use super::*;
    use WildcardAuthorization::*;

    fn list(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn listed_names_pass_case_insensitively() {
        let preflight =
            WireResponse::new(204, &[("Access-Control-Allow-Headers", "X-Custom, Content-Type")]);
        let allowed = parse(&preflight).unwrap();
        assert_eq!(allowed, ["x-custom", "content-type"]);
        assert!(check(&allowed, &list(&["content-type", "x-custom"]), true, MustBeListed).is_ok());
    }

    #[test]
    fn first_missing_in_request_order() {
        let failure =
            check(&list(&["x-a"]), &list(&["x-z", "x-a", "x-b"]), false, MustBeListed).unwrap_err();
        assert_eq!(failure.error, CorsError::HeaderDisallowedByPreflightResponse);
        assert_eq!(failure.firefox_key, FirefoxKey::MissingAllowHeaderFromPreflight);
        assert_eq!(failure.failed_parameter, "x-z");
    }

    #[test]
    fn wildcard_rules() {
        let star = list(&["*"]);
        assert!(check(&star, &list(&["x-custom"]), false, MustBeListed).is_ok());
        assert!(
            check(&star, &list(&["x-custom"]), true, Covered).is_err(),
            "with credentials * is a literal name"
        );
        assert!(
            check(&star, &list(&["authorization"]), false, Covered).is_ok(),
            "Chromium's quirk"
        );
        let failure = check(&star, &list(&["authorization"]), false, MustBeListed).unwrap_err();
        assert_eq!(failure.failed_parameter, "authorization");
        assert!(check(
            &list(&["*", "authorization"]),
            &list(&["authorization"]),
            false,
            MustBeListed
        )
        .is_ok());
        assert!(authorization_only_via_wildcard(&star, &list(&["authorization"]), false));
        assert!(!authorization_only_via_wildcard(
            &list(&["*", "authorization"]),
            &list(&["authorization"]),
            false
        ));
    }

    #[test]
    fn unparsable() {
        let bad = WireResponse::new(204, &[("Access-Control-Allow-Headers", "X-A X-B")]);
        assert_eq!(parse(&bad).unwrap_err().error, CorsError::InvalidAllowHeadersPreflightResponse);
    }
}
