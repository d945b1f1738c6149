//! [Methods]: normalisation, forbidden methods and CORS-safelisted methods.
//!
//! See also MDN: <https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Methods>.
//!
//! [Methods]: https://fetch.spec.whatwg.org/#methods

/// Fetch upper-cases only these six methods; every other method (`patch`!) keeps its case.
const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];

/// [Normalize] a method the way `fetch()` does.
///
/// [Normalize]: https://fetch.spec.whatwg.org/#concept-method-normalize
pub fn normalize(method: &str) -> String {
    NORMALIZED
        .iter()
        .find(|m| m.eq_ignore_ascii_case(method))
        .map_or_else(|| method.to_owned(), |m| (*m).to_owned())
}

/// A [forbidden method]: `fetch()` refuses it before any network activity.
///
/// [forbidden method]: https://fetch.spec.whatwg.org/#forbidden-method
pub fn is_forbidden(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"].iter().any(|m| m.eq_ignore_ascii_case(method))
}

/// A [CORS-safelisted method] (compared after normalisation, so case-sensitively).
///
/// [CORS-safelisted method]: https://fetch.spec.whatwg.org/#cors-safelisted-method
pub fn is_cors_safelisted(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_only_the_six_methods() {
        assert_eq!(normalize("get"), "GET");
        assert_eq!(normalize("Delete"), "DELETE");
        assert_eq!(normalize("options"), "OPTIONS");
        assert_eq!(normalize("patch"), "patch", "patch keeps its case");
        assert_eq!(normalize("PATCH"), "PATCH");
        assert_eq!(normalize("purge"), "purge");
    }

    #[test]
    fn forbidden_methods_any_case() {
        assert!(is_forbidden("CONNECT"));
        assert!(is_forbidden("trace"));
        assert!(is_forbidden("Track"));
        assert!(!is_forbidden("GET"));
    }

    #[test]
    fn safelisted_after_normalization() {
        assert!(is_cors_safelisted(&normalize("post")));
        assert!(!is_cors_safelisted("PUT"));
        assert!(!is_cors_safelisted("patch"));
    }
}
