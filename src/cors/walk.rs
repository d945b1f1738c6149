//! A request's way through the CORS protocol, hop by hop, as [main fetch] takes it:
//! preflight when needed, the request, the CORS check, each redirect.
//!
//! The same walk serves twice: natively it drives real HTTP requests (the replay behind
//! the page's probe endpoint), and in the page it re-reads a recorded [`Exchange`].
//!
//! [main fetch]: https://fetch.spec.whatwg.org/#main-fetch

use std::cell::{Cell, RefCell};

use futures_util::FutureExt;

use super::allow_headers::WildcardAuthorization;
use super::exchange::{Exchange, Step, StepKind, WireRequest, WireResponse};
use super::firefox_key::FirefoxKey;
use super::fix::{self, Fix};
use super::preflight::{self, PreflightAsk};
use super::reason::{CheckFailure, CorsError, FailedResponse};
use super::url::ResolveUrl;
use super::warning::{self, Warning};
use super::{cors_check, redirect};
use crate::browser_name::Family;
use crate::fetch::{header, method};
use crate::net_error::{NetError, NetErrorCode};
use crate::suite::Credentials;

/// The request as the page makes it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct CorsRequest {
    /// The page's serialised origin.
    pub origin: String,
    pub url: String,
    /// After `fetch()`'s normalisation.
    pub method: String,
    /// The headers the browser sends (forbidden ones already dropped).
    pub headers: Vec<(String, String)>,
    pub credentials: Credentials,
    #[serde(default)]
    pub body: Option<String>,
}

/// The engine rules where browsers differ from the standard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rules {
    /// Chromium safelists some client hints: no preflight for them.
    pub chromium_safelist: bool,
    pub wildcard_authorization: WildcardAuthorization,
}

impl Rules {
    /// The rules `family` follows. Chromium 156 and Firefox 153 both let `*` cover
    /// `Authorization` (each with a deprecation warning), so that is the default.
    pub fn of(family: Family) -> Self {
        Rules {
            chromium_safelist: family == Family::Chromium,
            wildcard_authorization: WildcardAuthorization::Covered,
        }
    }
}

/// Sends one request on the wire.
#[allow(async_fn_in_trait)]
pub trait Transport {
    /// The response, or the network error that took its place.
    async fn send(&self, request: &WireRequest) -> Result<WireResponse, NetError>;
}

/// How the walk ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// JavaScript gets the final response.
    Allowed { status: u16 },
    /// The browser refuses it for CORS.
    Blocked(Blocked),
    /// A network error, not CORS (refused, reset, too many or unusable redirects).
    NetworkError { error: NetError },
    /// The recorded exchange ends (or differs) before the walk does.
    Incomplete { why: String },
}

/// Which check failed, where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// Chromium's name for the failure.
    pub reason: CorsError,
    /// Firefox's key for the same failure.
    pub firefox_reason: FirefoxKey,
    /// The header value, method or header name at fault (Chromium's `failedParameter`).
    pub failed_parameter: String,
    pub response: FailedResponse,
    pub fix: Fix,
}

/// The verdict and the exchange that led to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    pub verdict: Verdict,
    pub exchange: Exchange,
    /// Fragile configuration in an exchange that was allowed.
    pub warnings: Vec<Warning>,
}

/// Walks `request` through the CORS protocol over `transport`.
pub async fn walk(
    request: &CorsRequest,
    rules: Rules,
    urls: &impl ResolveUrl,
    transport: &impl Transport,
) -> Walked {
    let mut walker = Walker { request, rules, steps: Vec::new() };
    let verdict = walker.run(urls, transport).await;
    let exchange = Exchange { steps: walker.steps };
    let warnings = match verdict {
        Verdict::Allowed { .. } => warning::for_allowed(request, &exchange),
        _ => Vec::new(),
    };
    Walked { verdict, exchange, warnings }
}

/// Re-reads a recorded exchange: what the browser does with exactly these responses.
pub fn evaluate(
    request: &CorsRequest,
    rules: Rules,
    urls: &impl ResolveUrl,
    exchange: &Exchange,
) -> Walked {
    let replay =
        Replay { steps: &exchange.steps, next: Cell::new(0), divergence: RefCell::new(None) };
    let walked = walk(request, rules, urls, &replay)
        .now_or_never()
        .expect("a replay never waits: every response is already recorded");
    match replay.divergence.into_inner() {
        Some(why) => Walked { verdict: Verdict::Incomplete { why }, ..walked },
        None => walked,
    }
}

struct Walker<'a> {
    request: &'a CorsRequest,
    rules: Rules,
    steps: Vec<Step>,
}

impl Walker<'_> {
    async fn run(&mut self, urls: &impl ResolveUrl, transport: &impl Transport) -> Verdict {
        let request = self.request;
        let include = request.credentials == Credentials::Include;
        let Some(mut url) = urls.resolve(&request.url, None) else {
            return Verdict::NetworkError {
                error: NetError::with_detail(NetErrorCode::InvalidUrl, &request.url),
            };
        };
        let mut method = request.method.clone();
        let mut headers = request.headers.clone();
        let mut body = request.body.clone();
        let mut response_tainting_cors = false;
        let mut tainted_origin = false;
        let mut redirects = 0;
        loop {
            // Once a hop is cross-origin, every later response must pass the CORS check.
            let cors_flag = response_tainting_cors || url.origin != request.origin;
            response_tainting_cors = cors_flag;
            let origin = if tainted_origin { "null" } else { request.origin.as_str() };

            let header_pairs = || headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
            let unsafe_names = header::cors_unsafe_request_header_names_in_order(
                header_pairs(),
                self.rules.chromium_safelist,
            );
            if cors_flag && (!method::is_cors_safelisted(&method) || !unsafe_names.is_empty()) {
                let mut sorted = unsafe_names.clone();
                sorted.sort();
                let mut wire_headers = vec![
                    ("Accept".to_owned(), "*/*".to_owned()),
                    ("Origin".to_owned(), origin.to_owned()),
                    ("Access-Control-Request-Method".to_owned(), method.clone()),
                ];
                if !sorted.is_empty() {
                    wire_headers
                        .push(("Access-Control-Request-Headers".to_owned(), sorted.join(",")));
                }
                let wire = WireRequest {
                    kind: StepKind::Preflight,
                    method: "OPTIONS".to_owned(),
                    url: url.href.clone(),
                    headers: wire_headers,
                    body: None,
                };
                let Some(response) = self.send(transport, wire).await else {
                    return self.network_error();
                };
                let ask = PreflightAsk {
                    origin,
                    method: &method,
                    unsafe_names: &unsafe_names,
                    credentials: include,
                };
                if let Err(failure) =
                    preflight::check(&response, &ask, self.rules.wildcard_authorization)
                {
                    return self.blocked(
                        failure,
                        origin,
                        FailedResponse::Preflight { hop: redirects },
                        &response,
                    );
                }
            }

            let mut wire_headers = headers.clone();
            if cors_flag || !matches!(method.as_str(), "GET" | "HEAD") {
                wire_headers.push(("Origin".to_owned(), origin.to_owned()));
            }
            let wire = WireRequest {
                kind: StepKind::Actual,
                method: method.clone(),
                url: url.href.clone(),
                headers: wire_headers,
                body: body.clone(),
            };
            let Some(response) = self.send(transport, wire).await else {
                return self.network_error();
            };

            if response.is_redirect()
                && response.lines("location").collect::<std::collections::HashSet<_>>().len() > 1
            {
                return Verdict::NetworkError {
                    error: NetErrorCode::ResponseHeadersMultipleLocation.into(),
                };
            }
            let location = response.combined("location").filter(|_| response.is_redirect());
            let Some(location) = location else {
                if cors_flag {
                    if let Err(failure) = cors_check::check(&response, origin, include) {
                        return self.blocked(
                            failure,
                            origin,
                            FailedResponse::Actual { hop: redirects },
                            &response,
                        );
                    }
                }
                return Verdict::Allowed { status: response.status };
            };

            let hop = redirects + 1;
            if cors_flag {
                if let Err(failure) = cors_check::check(&response, origin, include) {
                    return self.blocked(
                        failure,
                        origin,
                        FailedResponse::Redirect { hop },
                        &response,
                    );
                }
            }
            let Some(next) = urls.resolve(&location, Some(&url.href)) else {
                return Verdict::NetworkError {
                    error: NetError::with_detail(NetErrorCode::InvalidRedirect, location),
                };
            };
            if !next.is_http() {
                return Verdict::NetworkError {
                    error: NetError::with_detail(NetErrorCode::UnsafeRedirect, &next.href),
                };
            }
            if redirects == redirect::MAX_REDIRECTS {
                return Verdict::NetworkError { error: NetErrorCode::TooManyRedirects.into() };
            }
            if let Err(failure) =
                redirect::check_location(&next, &request.origin, cors_flag, tainted_origin)
            {
                return self.blocked(failure, origin, FailedResponse::Redirect { hop }, &response);
            }
            tainted_origin |= redirect::taints(&url, &next, &request.origin);
            let new_method = redirect::method_after(response.status, &method);
            if new_method != method && new_method == "GET" {
                body = None;
                headers.retain(|(name, _)| !redirect::is_request_body_header(name));
            }
            method = new_method;
            if next.origin != url.origin {
                // The standard drops Authorization on a cross-origin redirect.
                headers.retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
            }
            url = next;
            redirects = hop;
        }
    }

    async fn send(
        &mut self,
        transport: &impl Transport,
        wire: WireRequest,
    ) -> Option<WireResponse> {
        match transport.send(&wire).await {
            Ok(response) => {
                self.steps.push(Step::answered(wire, response.clone()));
                Some(response)
            }
            Err(error) => {
                self.steps.push(Step::failed(wire, error));
                None
            }
        }
    }

    fn network_error(&self) -> Verdict {
        let error = self.steps.last().and_then(|s| s.error.clone());
        match error.unwrap_or_else(|| NetErrorCode::Failed.into()) {
            error @ NetError::NotReplayed(_) => Verdict::Incomplete { why: error.to_string() },
            error => Verdict::NetworkError { error },
        }
    }

    fn blocked(
        &self,
        failure: CheckFailure,
        origin: &str,
        at: FailedResponse,
        response: &WireResponse,
    ) -> Verdict {
        let fix = fix::for_failure(self.request, origin, &failure, at, response);
        Verdict::Blocked(Blocked {
            reason: failure.error,
            firefox_reason: failure.firefox_key,
            failed_parameter: failure.failed_parameter,
            response: at,
            fix,
        })
    }
}

/// A transport that answers from a recorded exchange, noting where the walk leaves it.
struct Replay<'a> {
    steps: &'a [Step],
    next: Cell<usize>,
    divergence: RefCell<Option<String>>,
}

impl Transport for Replay<'_> {
    async fn send(&self, request: &WireRequest) -> Result<WireResponse, NetError> {
        let index = self.next.get();
        self.next.set(index + 1);
        let Some(step) = self.steps.get(index) else {
            let why = format!(
                "the recorded exchange ends before the {:?} request to {}",
                request.kind, request.url
            );
            self.divergence.borrow_mut().get_or_insert(why);
            return Err(NetError::not_replayed("not recorded"));
        };
        if step.request.kind != request.kind
            || step.request.method != request.method
            || step.request.url != request.url
        {
            let why = format!(
                "step {} was recorded as {} {} but the browser would send {} {}",
                index + 1,
                step.request.method,
                step.request.url,
                request.method,
                request.url
            );
            self.divergence.borrow_mut().get_or_insert(why);
        }
        match (&step.response, &step.error) {
            (Some(response), _) => Ok(response.clone()),
            (None, error) => Err(error.clone().unwrap_or_else(|| NetErrorCode::Failed.into())),
        }
    }
}
