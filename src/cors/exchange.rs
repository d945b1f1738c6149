//! The raw exchange between a browser and a server for one `fetch()`: what went on the
//! wire, hop by hop, as DevTools' network panel would show it.

use serde::{Deserialize, Serialize};

use crate::net_error::NetError;

/// Which of a request's messages this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StepKind {
    /// The `OPTIONS` [CORS-preflight request](https://fetch.spec.whatwg.org/#cors-preflight-request).
    Preflight,
    /// The request itself (again after each redirect).
    Actual,
}

/// A request as it goes on the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest {
    pub kind: StepKind,
    pub method: String,
    pub url: String,
    /// Header lines in order, names as sent.
    pub headers: Vec<(String, String)>,
    /// Only on actual requests whose method may carry one.
    #[serde(default)]
    pub body: Option<String>,
}

impl WireRequest {
    /// The value of header `name` (case-insensitive), if sent.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// A response as it came off the wire.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireResponse {
    pub status: u16,
    /// Header lines in order; a header sent twice appears twice.
    pub headers: Vec<(String, String)>,
}

impl WireResponse {
    pub fn new(status: u16, headers: &[(&str, &str)]) -> Self {
        WireResponse {
            status,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        }
    }

    /// Every line of header `name` (case-insensitive), in order.
    pub fn lines<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.headers
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.trim())
    }

    /// Header `name` as browsers read it: all lines joined with `", "`, `None` when absent.
    pub fn combined(&self, name: &str) -> Option<String> {
        let lines: Vec<&str> = self.lines(name).collect();
        (!lines.is_empty()).then(|| lines.join(", "))
    }

    /// A [redirect status](https://fetch.spec.whatwg.org/#redirect-status): 301, 302, 303, 307 or 308.
    pub fn is_redirect(&self) -> bool {
        matches!(self.status, 301 | 302 | 303 | 307 | 308)
    }

    /// An [ok status](https://fetch.spec.whatwg.org/#ok-status): 200 to 299.
    pub fn is_ok(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

/// One request and what came back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    pub request: WireRequest,
    /// The response; `None` when a network error took its place.
    pub response: Option<WireResponse>,
    /// The network error (refused, reset, timed out), when there was no response.
    #[serde(default)]
    pub error: Option<NetError>,
}

impl Step {
    /// A step that got a response.
    pub fn answered(request: WireRequest, response: WireResponse) -> Self {
        Step { request, response: Some(response), error: None }
    }

    /// A step that failed on the network.
    pub fn failed(request: WireRequest, error: NetError) -> Self {
        Step { request, response: None, error: Some(error) }
    }
}

/// Every step of one `fetch()`, in order: preflights, the request, each redirect hop.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub steps: Vec<Step>,
}

impl Exchange {
    /// The exchange as reports may show it: the values of `Cookie`, `Authorization`,
    /// `Proxy-Authorization` and `Set-Cookie` replaced with `…` (cookie names, the
    /// authorization scheme and cookie attributes kept), since they are the user's secrets.
    pub fn redacted(&self) -> Exchange {
        let mut exchange = self.clone();
        for step in &mut exchange.steps {
            for (name, value) in &mut step.request.headers {
                *value = redact(name, value);
            }
            for (name, value) in step.response.iter_mut().flat_map(|r| r.headers.iter_mut()) {
                *value = redact(name, value);
            }
        }
        exchange
    }
}

/// One header value with its secret parts replaced (see [`Exchange::redacted`]).
fn redact(name: &str, value: &str) -> String {
    let hidden = |pair: &str| match pair.split_once('=') {
        Some((name, _)) => format!("{}=…", name.trim()),
        None => "…".to_owned(),
    };
    match name.to_ascii_lowercase().as_str() {
        "cookie" => value.split(';').map(hidden).collect::<Vec<_>>().join("; "),
        "set-cookie" => {
            let mut parts = value.split(';');
            let first = parts.next().map(hidden).unwrap_or_default();
            std::iter::once(first)
                .chain(parts.map(|p| p.trim().to_owned()))
                .collect::<Vec<_>>()
                .join("; ")
        }
        "authorization" | "proxy-authorization" => match value.split_once(' ') {
            Some((scheme, _)) => format!("{scheme} …"),
            None => "…".to_owned(),
        },
        _ => value.to_owned(),
    }
}

/// What the page asks its probe endpoint: replay this request as `family` would send it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayRequest {
    pub request: super::CorsRequest,
    pub family: crate::browser_name::Family,
    /// Per message on the wire.
    pub timeout_ms: u32,
}

/// What the page registers with its probe endpoint before a run: the only URLs it may replay.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReplayScope {
    pub urls: Vec<String>,
}

/// The probe endpoint's paths, under its base URL.
pub const REPLAY_SCOPE_PATH: &str = "/scope";
pub const REPLAY_PATH: &str = "/exchange";
/// The header carrying the page's per-session secret.
pub const SECRET_HEADER: &str = "x-cors-harness-secret";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_names_kept() {
        let request = WireRequest {
            kind: StepKind::Actual,
            method: "GET".into(),
            url: "https://api.test/".into(),
            headers: vec![
                ("Cookie".into(), "session=abc; theme=dark".into()),
                ("Authorization".into(), "Bearer xyz".into()),
                ("Origin".into(), "https://app.test".into()),
            ],
            body: None,
        };
        let response =
            WireResponse::new(200, &[("set-cookie", "sid=s3cr3t; Path=/; Secure; SameSite=None")]);
        let exchange = Exchange { steps: vec![Step::answered(request, response)] }.redacted();
        let step = &exchange.steps[0];
        assert_eq!(step.request.header("cookie"), Some("session=…; theme=…"));
        assert_eq!(step.request.header("authorization"), Some("Bearer …"));
        assert_eq!(step.request.header("origin"), Some("https://app.test"));
        let set_cookie: Vec<&str> = step.response.as_ref().unwrap().lines("set-cookie").collect();
        assert_eq!(set_cookie, ["sid=…; Path=/; Secure; SameSite=None"]);
    }
}
