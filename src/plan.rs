//! What the browser will send for a case, computed before sending it.

use crate::browser_name::Family;
use crate::fetch::{header, method, preflight};
use crate::suite::Case;

/// Name of the query parameter that keeps each run out of the preflight cache.
pub const CACHE_BUST_PARAM: &str = "__cors_harness";

/// The request as the browser will put it on the wire.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestPlan {
    /// The method after `fetch()`'s normalisation.
    pub method: String,
    /// Headers the browser keeps (values normalised).
    pub sent_headers: Vec<(String, String)>,
    /// Forbidden headers the browser silently drops (lower-case names).
    pub dropped_headers: Vec<String>,
    /// Why a preflight is needed, if one is.
    pub preflight: preflight::PreflightNeed,
}

impl RequestPlan {
    /// Plans `case`, sent from a page whose origin is `cross_origin` to the target or
    /// not, by a browser of `family` (Chromium safelists a few more headers).
    pub fn new(case: &Case, cross_origin: bool, family: Family) -> Self {
        let method = method::normalize(&case.method);
        let mut sent_headers = Vec::new();
        let mut dropped_headers = Vec::new();
        for (name, value) in case.headers.iter() {
            let value = header::normalize_value(value);
            if header::is_forbidden_request_header(name, value) {
                dropped_headers.push(name.to_ascii_lowercase());
            } else {
                sent_headers.push((name.to_owned(), value.to_owned()));
            }
        }
        dropped_headers.sort();
        dropped_headers.dedup();
        let preflight = preflight::need(
            cross_origin,
            &method,
            sent_headers.iter().map(|(n, v)| (n.as_str(), v.as_str())),
            family == Family::Chromium,
        );
        RequestPlan { method, sent_headers, dropped_headers, preflight }
    }
}

/// `url` with `name=value` added to its query, before any fragment.
pub fn with_query_param(url: &str, name: &str, value: &str) -> String {
    let (base, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let separator = if !base.contains('?') {
        "?"
    } else if base.ends_with('?') || base.ends_with('&') {
        ""
    } else {
        "&"
    };
    format!("{base}{separator}{name}={value}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::HeaderList;

    fn case(method: &str, headers: &[(&str, &str)]) -> Case {
        let mut case = Case::new("c", "http://127.0.0.1:1/");
        case.method = method.to_owned();
        case.headers =
            HeaderList(headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect());
        case
    }

    #[test]
    fn forbidden_headers_are_dropped_and_cause_no_preflight() {
        let plan = RequestPlan::new(
            &case("get", &[("Cookie", "a=1"), ("Accept", " text/plain ")]),
            true,
            Family::Other,
        );
        assert_eq!(plan.method, "GET");
        assert_eq!(plan.dropped_headers, ["cookie"]);
        assert_eq!(plan.sent_headers, [("Accept".to_owned(), "text/plain".to_owned())]);
        assert!(!plan.preflight.is_required());
    }

    #[test]
    fn custom_header_cross_origin_preflights() {
        let plan =
            RequestPlan::new(&case("GET", &[("Authorization", "Bearer x")]), true, Family::Other);
        assert!(plan.preflight.is_required());
        assert!(!RequestPlan::new(
            &case("GET", &[("Authorization", "Bearer x")]),
            false,
            Family::Other
        )
        .preflight
        .is_required());
    }

    #[test]
    fn query_params() {
        assert_eq!(with_query_param("http://a/x", "p", "1"), "http://a/x?p=1");
        assert_eq!(with_query_param("http://a/x?q=2", "p", "1"), "http://a/x?q=2&p=1");
        assert_eq!(with_query_param("http://a/x?", "p", "1"), "http://a/x?p=1");
        assert_eq!(with_query_param("http://a/x#frag", "p", "1"), "http://a/x?p=1#frag");
        assert_eq!(with_query_param("http://a/x?q#f?g", "p", "1"), "http://a/x?q&p=1#f?g");
    }
}
