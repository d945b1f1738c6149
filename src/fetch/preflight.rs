//! Whether a request needs a [CORS-preflight request], and why.
//!
//! MDN: <https://developer.mozilla.org/en-US/docs/Glossary/Preflight_request>.
//!
//! [CORS-preflight request]: https://fetch.spec.whatwg.org/#cors-preflight-request

use super::{header, method};

/// What makes a cross-origin request non-simple: the preflight asks the server about these.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PreflightNeed {
    /// The method, when it is not CORS-safelisted (`Access-Control-Request-Method`).
    pub method: Option<String>,
    /// The CORS-unsafe request-header names (`Access-Control-Request-Headers`).
    pub headers: Vec<String>,
}

impl PreflightNeed {
    /// Does the browser send an `OPTIONS` preflight before the request?
    pub fn is_required(&self) -> bool {
        self.method.is_some() || !self.headers.is_empty()
    }
}

/// The preflight a `cors`-mode request needs: `method` is normalised, `headers` are
/// the (normalised) headers the browser actually sends, forbidden ones already dropped.
///
/// Same-origin requests never need one; pass `cross_origin = false` for them.
/// `chromium` applies Chromium's extra safelisted client hints.
pub fn need<'a>(
    cross_origin: bool,
    method: &str,
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    chromium: bool,
) -> PreflightNeed {
    if !cross_origin {
        return PreflightNeed::default();
    }
    PreflightNeed {
        method: (!method::is_cors_safelisted(method)).then(|| method.to_owned()),
        headers: header::cors_unsafe_request_header_names(headers, chromium),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_requests_need_none() {
        assert!(!need(true, "GET", [], false).is_required());
        assert!(!need(true, "POST", [("Content-Type", "text/plain")], false).is_required());
        assert!(!need(true, "HEAD", [("Accept", "application/json")], false).is_required());
    }

    #[test]
    fn unsafe_method_or_header_needs_one() {
        let need_put = need(true, "PUT", [], false);
        assert_eq!(need_put.method.as_deref(), Some("PUT"));
        assert!(need_put.is_required());
        let need_json = need(true, "POST", [("Content-Type", "application/json")], false);
        assert_eq!(need_json.headers, ["content-type"]);
        let need_auth = need(true, "GET", [("Authorization", "Bearer x")], false);
        assert_eq!(need_auth.headers, ["authorization"]);
        assert!(need(true, "patch", [], false).is_required());
    }

    #[test]
    fn chromium_safelists_client_hints() {
        assert!(need(true, "GET", [("DPR", "2")], false).is_required());
        assert!(!need(true, "GET", [("DPR", "2")], true).is_required());
    }

    #[test]
    fn same_origin_never_preflights() {
        assert!(!need(false, "DELETE", [("X-Custom", "1")], false).is_required());
    }
}
