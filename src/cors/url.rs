//! The few facts about a URL the CORS algorithms need, from whichever URL parser the
//! caller has: the browser's own (`URL`) in a page, the `url` crate natively.

/// A parsed absolute URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts {
    /// The serialised URL.
    pub href: String,
    /// The serialised origin, e.g. `http://127.0.0.1:9181`.
    pub origin: String,
    /// The scheme without its colon, e.g. `https`.
    pub scheme: String,
    /// The URL carries a user name or password (`user:pw@`).
    pub has_credentials: bool,
}

impl UrlParts {
    /// `http` or `https`: the only schemes CORS requests may reach.
    pub fn is_http(&self) -> bool {
        matches!(self.scheme.as_str(), "http" | "https")
    }
}

/// A WHATWG URL parser.
pub trait ResolveUrl {
    /// Parses `input`, relative to `base` when given; `None` when it does not parse.
    fn resolve(&self, input: &str, base: Option<&str>) -> Option<UrlParts>;
}

/// The `url` crate (a WHATWG URL parser), for the evaluator outside a browser.
#[cfg(not(target_arch = "wasm32"))]
#[derive(Clone, Copy, Debug, Default)]
pub struct NativeUrls;

#[cfg(not(target_arch = "wasm32"))]
impl ResolveUrl for NativeUrls {
    fn resolve(&self, input: &str, base: Option<&str>) -> Option<UrlParts> {
        let url = match base {
            Some(base) => ::url::Url::parse(base).ok()?.join(input).ok()?,
            None => ::url::Url::parse(input).ok()?,
        };
        Some(UrlParts {
            origin: url.origin().ascii_serialization(),
            scheme: url.scheme().to_owned(),
            has_credentials: !url.username().is_empty() || url.password().is_some(),
            href: url.into(),
        })
    }
}
