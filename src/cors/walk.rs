//! A request's way through the CORS protocol, hop by hop, as [main fetch] takes it:
//! preflight when needed, the request, the CORS check, each redirect.
//!
//! The same walk serves twice: natively it drives real HTTP requests (the replay behind
//! the page's probe endpoint), and in the page it re-reads a recorded [`Exchange`].
//!
//! [main fetch]: https://fetch.spec.whatwg.org/#main-fetch

use std::cell::{Cell, RefCell};

use futures_util::FutureExt;

use super::exchange::{Exchange, Step, StepKind, WireRequest, WireResponse};
use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::preflight::{self, PreflightAsk};
use super::reason::{CorsError, FailedResponse};
use super::request::{CorsRequest, Rules};
use super::url::{ResolveUrl, UrlParts};
use super::{cors_check, redirect};
use crate::fetch::credentials::Credentials;
use crate::fetch::{header, method};
use crate::net_error::{NetError, NetErrorCode};

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

/// Which check failed, and where (the fix module says what to do about it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Blocked {
    /// Chromium's name for the failure.
    pub reason: CorsError,
    /// Firefox's key for the same failure.
    pub firefox_reason: FirefoxKey,
    /// The header value, method or header name at fault (Chromium's `failedParameter`).
    pub failed_parameter: String,
    pub response: FailedResponse,
}

/// Walks `request` through the CORS protocol over `transport`: the verdict, and the
/// exchange that led to it.
pub async fn walk_exchange(
    request: &CorsRequest,
    rules: Rules,
    urls: &impl ResolveUrl,
    transport: &impl Transport,
) -> (Verdict, Exchange) {
    let mut walker = Walker { request, rules, steps: Vec::new() };
    let verdict = walker.run(urls, transport).await;
    (verdict, Exchange { steps: walker.steps })
}

/// Re-reads a recorded exchange: what the browser does with exactly these responses.
pub fn reread(
    request: &CorsRequest,
    rules: Rules,
    urls: &impl ResolveUrl,
    exchange: &Exchange,
) -> (Verdict, Exchange) {
    let replay =
        Replay { steps: &exchange.steps, next: Cell::new(0), divergence: RefCell::new(None) };
    let (verdict, walked) = walk_exchange(request, rules, urls, &replay)
        .now_or_never()
        .expect("a replay never waits: every response is already recorded");
    match replay.divergence.into_inner() {
        Some(why) => (Verdict::Incomplete { why }, walked),
        None => (verdict, walked),
    }
}

struct Walker<'a> {
    request: &'a CorsRequest,
    rules: Rules,
    steps: Vec<Step>,
}

/// Where the walk is: the request as it stands at this hop of the redirect chain.
struct Hop {
    url: UrlParts,
    method: String,
    headers: Vec<(String, String)>,
    body: Option<String>,
    /// Once a hop is cross-origin, every later response must pass the CORS check.
    response_tainting_cors: bool,
    /// A redirect went cross-origin after a cross-origin hop: later hops send `Origin: null`.
    tainted_origin: bool,
    redirects: usize,
}

impl Walker<'_> {
    /// Main fetch's loop: preflight, request, CORS check, then the next hop or the end.
    async fn run(&mut self, urls: &impl ResolveUrl, transport: &impl Transport) -> Verdict {
        let request = self.request;
        let Some(url) = urls.resolve(&request.url, None) else {
            return Verdict::NetworkError {
                error: NetError::with_detail(NetErrorCode::InvalidUrl, &request.url),
            };
        };
        let mut hop = Hop {
            url,
            method: request.method.clone(),
            headers: request.headers.clone(),
            body: request.body.clone(),
            response_tainting_cors: false,
            tainted_origin: false,
            redirects: 0,
        };
        loop {
            let cors_flag = hop.response_tainting_cors || hop.url.origin != request.origin;
            hop.response_tainting_cors = cors_flag;
            let origin = if hop.tainted_origin { "null" } else { request.origin.as_str() };
            if let Err(verdict) = self.preflight(&hop, cors_flag, origin, transport).await {
                return verdict;
            }
            let response = match self.actual(&hop, cors_flag, origin, transport).await {
                Ok(response) => response,
                Err(verdict) => return verdict,
            };
            if let Err(verdict) = self.follow(&mut hop, &response, cors_flag, origin, urls) {
                return verdict;
            }
        }
    }

    /// Sends the [CORS-preflight request](https://fetch.spec.whatwg.org/#cors-preflight-fetch)
    /// when the hop needs one, and checks its response.
    async fn preflight(
        &mut self,
        hop: &Hop,
        cors_flag: bool,
        origin: &str,
        transport: &impl Transport,
    ) -> Result<(), Verdict> {
        let header_pairs = hop.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        let unsafe_names = header::cors_unsafe_request_header_names_in_order(
            header_pairs,
            self.rules.chromium_safelist,
        );
        if !cors_flag || (method::is_cors_safelisted(&hop.method) && unsafe_names.is_empty()) {
            return Ok(());
        }
        let mut sorted = unsafe_names.clone();
        sorted.sort();
        let mut wire_headers = vec![
            ("Accept".to_owned(), "*/*".to_owned()),
            ("Origin".to_owned(), origin.to_owned()),
            ("Access-Control-Request-Method".to_owned(), hop.method.clone()),
        ];
        if !sorted.is_empty() {
            wire_headers.push(("Access-Control-Request-Headers".to_owned(), sorted.join(",")));
        }
        let wire = WireRequest {
            kind: StepKind::Preflight,
            method: "OPTIONS".to_owned(),
            url: hop.url.href.clone(),
            headers: wire_headers,
            body: None,
        };
        let Some(response) = self.send(transport, wire).await else {
            return Err(self.network_error());
        };
        let ask = PreflightAsk {
            origin,
            method: &hop.method,
            unsafe_names: &unsafe_names,
            credentials: self.request.credentials == Credentials::Include,
        };
        preflight::check(&response, &ask, self.rules.wildcard_authorization).map(|_| ()).map_err(
            |failure| self.blocked(failure, FailedResponse::Preflight { hop: hop.redirects }),
        )
    }

    /// Sends the request itself for this hop.
    async fn actual(
        &mut self,
        hop: &Hop,
        cors_flag: bool,
        origin: &str,
        transport: &impl Transport,
    ) -> Result<WireResponse, Verdict> {
        let mut wire_headers = hop.headers.clone();
        if cors_flag || !matches!(hop.method.as_str(), "GET" | "HEAD") {
            wire_headers.push(("Origin".to_owned(), origin.to_owned()));
        }
        let wire = WireRequest {
            kind: StepKind::Actual,
            method: hop.method.clone(),
            url: hop.url.href.clone(),
            headers: wire_headers,
            body: hop.body.clone(),
        };
        self.send(transport, wire).await.ok_or_else(|| self.network_error())
    }

    /// Checks the hop's response and moves `hop` to the redirect's target; `Err` ends the
    /// walk with its verdict (the final response included: allowed or blocked).
    fn follow(
        &self,
        hop: &mut Hop,
        response: &WireResponse,
        cors_flag: bool,
        origin: &str,
        urls: &impl ResolveUrl,
    ) -> Result<(), Verdict> {
        let request = self.request;
        let include = request.credentials == Credentials::Include;
        if response.is_redirect()
            && response.lines("location").collect::<std::collections::HashSet<_>>().len() > 1
        {
            return Err(Verdict::NetworkError {
                error: NetErrorCode::ResponseHeadersMultipleLocation.into(),
            });
        }
        let location = response.combined("location").filter(|_| response.is_redirect());
        let at = match location {
            Some(_) => FailedResponse::Redirect { hop: hop.redirects + 1 },
            None => FailedResponse::Actual { hop: hop.redirects },
        };
        if cors_flag {
            cors_check::check(response, origin, include).map_err(|f| self.blocked(f, at))?;
        }
        let Some(location) = location else {
            return Err(Verdict::Allowed { status: response.status });
        };
        let Some(next) = urls.resolve(&location, Some(&hop.url.href)) else {
            return Err(Verdict::NetworkError {
                error: NetError::with_detail(NetErrorCode::InvalidRedirect, location),
            });
        };
        if !next.is_http() {
            return Err(Verdict::NetworkError {
                error: NetError::with_detail(NetErrorCode::UnsafeRedirect, &next.href),
            });
        }
        if hop.redirects == redirect::MAX_REDIRECTS {
            return Err(Verdict::NetworkError { error: NetErrorCode::TooManyRedirects.into() });
        }
        redirect::check_location(&next, &request.origin, cors_flag, hop.tainted_origin)
            .map_err(|failure| self.blocked(failure, at))?;
        hop.tainted_origin |= redirect::taints(&hop.url, &next, &request.origin);
        let new_method = redirect::method_after(response.status, &hop.method);
        if new_method != hop.method && new_method == "GET" {
            hop.body = None;
            hop.headers.retain(|(name, _)| !redirect::is_request_body_header(name));
        }
        hop.method = new_method;
        if next.origin != hop.url.origin {
            // The standard drops Authorization on a cross-origin redirect.
            hop.headers.retain(|(name, _)| !name.eq_ignore_ascii_case("authorization"));
        }
        hop.url = next;
        hop.redirects += 1;
        Ok(())
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

    fn blocked(&self, failure: CheckFailure, at: FailedResponse) -> Verdict {
        Verdict::Blocked(Blocked {
            reason: failure.error,
            firefox_reason: failure.firefox_key,
            failed_parameter: failure.failed_parameter,
            response: at,
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
