//! [Headers]: validity, forbidden request-headers and CORS-safelisted request-headers.
//!
//! MDN: <https://developer.mozilla.org/en-US/docs/Glossary/CORS-safelisted_request_header>
//! and <https://developer.mozilla.org/en-US/docs/Glossary/Forbidden_request_header>.
//!
//! [Headers]: https://fetch.spec.whatwg.org/#terminology-headers

use super::{is_http_whitespace, is_token, method, mime, range};

/// Names whose headers the browser sets itself; a page's value is silently dropped.
const FORBIDDEN_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Headers that smuggle a method past the method check when they carry a forbidden one.
const METHOD_OVERRIDE_NAMES: [&str; 3] =
    ["x-http-method", "x-http-method-override", "x-method-override"];

/// A value may be at most this long to be safelisted.
pub const SAFELISTED_VALUE_MAX: usize = 128;
/// All safelisted values of one request together may be at most this long.
pub const SAFELISTED_TOTAL_MAX: usize = 1024;

/// [Normalize] a header value: strip leading and trailing HTTP whitespace.
///
/// [Normalize]: https://fetch.spec.whatwg.org/#concept-header-value-normalize
pub fn normalize_value(value: &str) -> &str {
    value.trim_matches(is_http_whitespace)
}

/// Is `name` a valid [header name] (an HTTP token)?
///
/// [header name]: https://fetch.spec.whatwg.org/#header-name
pub fn is_valid_name(name: &str) -> bool {
    is_token(name)
}

/// Is the (already normalised) `value` a valid [header value]: no NUL, CR or LF, and
/// representable as bytes (`fetch()` refuses code points above U+00FF).
///
/// [header value]: https://fetch.spec.whatwg.org/#header-value
pub fn is_valid_value(value: &str) -> bool {
    value.chars().all(|c| !matches!(c, '\0' | '\n' | '\r') && u32::from(c) <= 0xFF)
}

/// A [forbidden request-header]: `fetch()` drops it without error or preflight.
///
/// [forbidden request-header]: https://fetch.spec.whatwg.org/#forbidden-request-header
pub fn is_forbidden_request_header(name: &str, value: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if FORBIDDEN_NAMES.contains(&lower.as_str())
        || lower.starts_with("proxy-")
        || lower.starts_with("sec-")
    {
        return true;
    }
    METHOD_OVERRIDE_NAMES.contains(&lower.as_str())
        && value.split(',').any(|m| method::is_forbidden(m.trim_matches(is_http_whitespace)))
}

/// A [CORS-unsafe request-header byte]: a control byte other than tab, or a delimiter.
///
/// [CORS-unsafe request-header byte]: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte
pub fn is_cors_unsafe_byte(b: u8) -> bool {
    (b < 0x20 && b != 0x09) || b"\"():<>?@[\\]{}\x7f".contains(&b)
}

/// Is (`name`, `value`) a [CORS-safelisted request-header]? `value` is normalised.
///
/// [CORS-safelisted request-header]: https://fetch.spec.whatwg.org/#cors-safelisted-request-header
pub fn is_cors_safelisted_request_header(name: &str, value: &str) -> bool {
    if value.len() > SAFELISTED_VALUE_MAX {
        return false;
    }
    let bytes = value.as_bytes();
    match name.to_ascii_lowercase().as_str() {
        "accept" => !bytes.iter().copied().any(is_cors_unsafe_byte),
        "accept-language" | "content-language" => {
            bytes.iter().all(|b| b.is_ascii_alphanumeric() || b" *,-.;=".contains(b))
        }
        "content-type" => {
            !bytes.iter().copied().any(is_cors_unsafe_byte)
                && mime::essence(value).is_some_and(|essence| {
                    matches!(
                        essence.as_str(),
                        "application/x-www-form-urlencoded" | "multipart/form-data" | "text/plain"
                    )
                })
        }
        "range" => range::parse_single(value).is_some_and(|(start, _)| start.is_some()),
        _ => false,
    }
}

/// Headers Chromium safelists beyond the standard (its `IsCorsSafelistedHeader`): client
/// hints with the value shapes it accepts, and `Intervention`. Chromium 156 sends no
/// preflight for these, Firefox does.
pub fn is_chromium_safelisted_extra(name: &str, value: &str) -> bool {
    if value.len() > SAFELISTED_VALUE_MAX {
        return false;
    }
    let digits = |v: &str| !v.is_empty() && v.bytes().all(|b| b.is_ascii_digit());
    // `1*DIGIT [ "." 1*DIGIT ]`
    let decimal = |v: &str| match v.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(v),
    };
    match name.to_ascii_lowercase().as_str() {
        "dpr" | "device-memory" | "downlink" => decimal(value),
        "width" | "viewport-width" | "rtt" => digits(value),
        "save-data" => value.eq_ignore_ascii_case("on"),
        "ect" => matches!(value, "slow-2g" | "2g" | "3g" | "4g"),
        "intervention" => true,
        _ => false,
    }
}

/// The [CORS-unsafe request-header names] of a header list: sorted, lower-case, unique.
///
/// This is the value of `Access-Control-Request-Headers` on the preflight.
/// `chromium` adds the headers Chromium safelists ([`is_chromium_safelisted_extra`]).
///
/// [CORS-unsafe request-header names]: https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names
pub fn cors_unsafe_request_header_names<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    chromium: bool,
) -> Vec<String> {
    let mut names = cors_unsafe_request_header_names_in_order(headers, chromium);
    names.sort();
    names
}

/// The same names in the order the request lists them: the order in which Chromium
/// checks them against `Access-Control-Allow-Headers`.
pub fn cors_unsafe_request_header_names_in_order<'a>(
    headers: impl IntoIterator<Item = (&'a str, &'a str)>,
    chromium: bool,
) -> Vec<String> {
    let mut unsafe_names: Vec<String> = Vec::new();
    let mut potentially_unsafe = Vec::new();
    let mut safelisted_size = 0;
    for (name, value) in headers {
        let name = name.to_ascii_lowercase();
        if is_cors_safelisted_request_header(&name, value)
            || (chromium && is_chromium_safelisted_extra(&name, value))
        {
            potentially_unsafe.push(name);
            safelisted_size += value.len();
        } else {
            unsafe_names.push(name);
        }
    }
    if safelisted_size > SAFELISTED_TOTAL_MAX {
        unsafe_names.extend(potentially_unsafe);
    }
    let mut seen = std::collections::HashSet::new();
    unsafe_names.retain(|name| seen.insert(name.clone()));
    unsafe_names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forbidden_names_any_case_and_prefixes() {
        for name in ["Cookie", "HOST", "origin", "Referer", "Content-Length", "DNT", "Set-Cookie"] {
            assert!(is_forbidden_request_header(name, "x"), "{name}");
        }
        assert!(is_forbidden_request_header("Proxy-Authorization", "x"));
        assert!(is_forbidden_request_header("Sec-Fetch-Mode", "cors"));
        assert!(!is_forbidden_request_header("Authorization", "x"));
        assert!(!is_forbidden_request_header("X-Proxy", "x"));
    }

    #[test]
    fn method_override_headers_forbidden_only_with_forbidden_methods() {
        assert!(is_forbidden_request_header("X-HTTP-Method-Override", "TRACE"));
        assert!(is_forbidden_request_header("x-method-override", "GET, connect"));
        assert!(is_forbidden_request_header("X-HTTP-Method", " track "));
        assert!(!is_forbidden_request_header("X-HTTP-Method-Override", "DELETE"));
    }

    #[test]
    fn values() {
        assert_eq!(normalize_value(" \tabc \r\n"), "abc");
        assert!(is_valid_value("text/plain; q=1"));
        assert!(!is_valid_value("a\nb"));
        assert!(!is_valid_value("a\0b"));
        assert!(is_valid_value("café"), "U+00E9 is a byte");
        assert!(!is_valid_value("€"), "above U+00FF is not");
        assert!(is_valid_name("X-Custom"));
        assert!(!is_valid_name("X Custom"));
        assert!(!is_valid_name(""));
    }

    #[test]
    fn safelisted_accept_and_languages() {
        assert!(is_cors_safelisted_request_header("Accept", "application/json"));
        assert!(!is_cors_safelisted_request_header("Accept", "a\"b"));
        assert!(!is_cors_safelisted_request_header("accept", "text/html; x=(1)"));
        assert!(is_cors_safelisted_request_header("Accept-Language", "en-US,en;q=0.9"));
        assert!(!is_cors_safelisted_request_header("Content-Language", "en_US"));
    }

    #[test]
    fn safelisted_content_types_by_essence() {
        assert!(is_cors_safelisted_request_header("Content-Type", "text/plain"));
        assert!(is_cors_safelisted_request_header("content-type", "TEXT/PLAIN; charset=utf-8"));
        assert!(is_cors_safelisted_request_header(
            "Content-Type",
            "multipart/form-data; boundary=x"
        ));
        assert!(is_cors_safelisted_request_header(
            "Content-Type",
            "application/x-www-form-urlencoded"
        ));
        assert!(!is_cors_safelisted_request_header("Content-Type", "application/json"));
        assert!(!is_cors_safelisted_request_header("Content-Type", "text/plain, application/json"));
        assert!(!is_cors_safelisted_request_header("Content-Type", "text/plain; x=\"a\""));
        assert!(!is_cors_safelisted_request_header("Content-Type", "text"));
    }

    #[test]
    fn safelisted_range_only_with_start() {
        assert!(is_cors_safelisted_request_header("Range", "bytes=0-"));
        assert!(is_cors_safelisted_request_header("Range", "bytes=10-20"));
        assert!(!is_cors_safelisted_request_header("Range", "bytes=-500"));
        assert!(!is_cors_safelisted_request_header("Range", "bytes=0-1,3-4"));
        assert!(!is_cors_safelisted_request_header("Range", "items=0-1"));
    }

    #[test]
    fn value_length_limits() {
        let long = "a".repeat(SAFELISTED_VALUE_MAX + 1);
        assert!(!is_cors_safelisted_request_header("Accept", &long));
        let ok = "a".repeat(SAFELISTED_VALUE_MAX);
        assert!(is_cors_safelisted_request_header("Accept", &ok));
    }

    #[test]
    fn chromium_client_hints() {
        assert!(is_chromium_safelisted_extra("Intervention", "<https://x>; level=warning"));
        for (name, value) in
            [("DPR", "2"), ("dpr", "1.5"), ("Save-Data", "on"), ("Width", "100"), ("ECT", "4g")]
        {
            assert!(is_chromium_safelisted_extra(name, value), "{name}: {value}");
            assert_eq!(
                cors_unsafe_request_header_names([(name, value)], true),
                Vec::<String>::new()
            );
            assert_eq!(
                cors_unsafe_request_header_names([(name, value)], false),
                [name.to_ascii_lowercase()]
            );
        }
        for (name, value) in [
            ("DPR", "x"),
            ("DPR", "1.2.3"),
            ("DPR", "1."),
            ("DPR", ".5"),
            ("Width", "1.5"),
            ("Save-Data", "off"),
            ("ECT", "4G"),
            ("X-DPR", "2"),
        ] {
            assert!(!is_chromium_safelisted_extra(name, value), "{name}: {value}");
        }
    }

    #[test]
    fn unsafe_names_sorted_lowercase_and_total_limit() {
        let names = cors_unsafe_request_header_names(
            [
                ("X-B", "1"),
                ("Authorization", "Bearer x"),
                ("Accept", "*/*"),
                ("x-b", "2"),
                ("Content-Type", "application/json"),
            ],
            false,
        );
        assert_eq!(names, ["authorization", "content-type", "x-b"]);

        let v = "a".repeat(120);
        let many: Vec<(&str, &str)> = ["accept", "accept-language", "content-language"]
            .iter()
            .cycle()
            .take(9)
            .map(|n| (*n, v.as_str()))
            .collect();
        assert_eq!(
            cors_unsafe_request_header_names(many, false),
            ["accept", "accept-language", "content-language"],
            "more than 1024 safelisted bytes make them all unsafe"
        );
    }
}
