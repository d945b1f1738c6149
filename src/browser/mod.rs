//! The browser layer: the engine's [`Browser`] backed by this page's `fetch()`.
//!
//! Thin on purpose: it builds `Request`s, runs them under an `AbortController`
//! deadline and copies out what JavaScript can see. Every decision is in `crate::engine`.

mod js;

use std::cell::Cell;
use std::rc::Rc;

use js_sys::{Array, Function, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    AbortController, Headers, ReadableStreamDefaultReader, Request, RequestCredentials,
    RequestInit, RequestMode, RequestRedirect, Response, ResponseType, Url,
};

use crate::browser_name::Family;
use crate::cors::exchange::{REPLAY_PATH, REPLAY_SCOPE_PATH, SECRET_HEADER};
use crate::cors::{CorsRequest, Exchange, ReplayRequest, ReplayScope, UrlParts};
use crate::engine::{
    Browser, Engine, FetchAttempt, FetchRequest, ParsedUrl, ProbeAnswer, ProbeKind,
    ResponseSnapshot,
};
use crate::outcome::{ErrorInfo, BODY_PREVIEW_CHARS};
use crate::suite::Credentials;

/// The engine for this page, with the page's probe endpoint if it has one.
pub fn page_engine(probe_endpoint: Option<ProbeEndpoint>) -> Engine<PageBrowser> {
    Engine::new(PageBrowser { probe_endpoint })
}

/// A probe endpoint on the page's own origin (see `cors-harness serve`), and the
/// per-session secret the page received with its HTML.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProbeEndpoint {
    pub url: String,
    pub secret: String,
}

/// This page's (or worker's) `fetch()`.
#[derive(Clone, Debug, Default)]
pub struct PageBrowser {
    probe_endpoint: Option<ProbeEndpoint>,
}

impl PageBrowser {
    /// Tells the probe endpoint which URLs this run may replay (it refuses all others).
    pub async fn register_scope(&self, urls: Vec<String>) -> Result<(), ErrorInfo> {
        let Some(endpoint) = &self.probe_endpoint else { return Ok(()) };
        let body = serde_json::to_string(&ReplayScope { urls })
            .map_err(|e| ErrorInfo::new("Error", e.to_string()))?;
        post_json(endpoint, REPLAY_SCOPE_PATH, &body, 10_000).await.map(|_| ())
    }
}

/// POSTs JSON to the probe endpoint (same origin, no cookies); the response text.
async fn post_json(
    endpoint: &ProbeEndpoint,
    path: &str,
    body: &str,
    timeout_ms: u32,
) -> Result<String, ErrorInfo> {
    let controller = AbortController::new().map_err(|e| error_info(&e))?;
    let headers = Headers::new().map_err(|e| error_info(&e))?;
    headers.append("content-type", "application/json").map_err(|e| error_info(&e))?;
    headers.append(SECRET_HEADER, &endpoint.secret).map_err(|e| error_info(&e))?;
    let init = RequestInit::new();
    init.set_method("POST");
    init.set_mode(RequestMode::SameOrigin);
    init.set_credentials(RequestCredentials::Omit);
    init.set_headers(&headers);
    init.set_body(&JsValue::from_str(body));
    init.set_signal(Some(&controller.signal()));
    let url = format!("{}{path}", endpoint.url);
    let request = Request::new_with_str_and_init(&url, &init).map_err(|e| error_info(&e))?;
    let deadline = Deadline::start(timeout_ms, controller);
    let response: Response = match JsFuture::from(js::fetch(&request)).await {
        Ok(response) => response.unchecked_into(),
        Err(_) if deadline.fired() => {
            return Err(ErrorInfo::new("TimeoutError", "the probe endpoint did not answer in time"))
        }
        Err(e) => return Err(error_info(&e)),
    };
    let text = match response.text().map(JsFuture::from) {
        Ok(text) => text.await.map_err(|e| error_info(&e))?.as_string().unwrap_or_default(),
        Err(e) => return Err(error_info(&e)),
    };
    drop(deadline);
    if !response.ok() {
        return Err(ErrorInfo::new("ProbeEndpointError", format!("{}: {text}", response.status())));
    }
    Ok(text)
}

impl Browser for PageBrowser {
    fn page_origin(&self) -> String {
        global_string(&["location", "origin"]).unwrap_or_default()
    }

    fn parse_url(&self, input: &str) -> Result<ParsedUrl, ErrorInfo> {
        let url = Url::new(input).map_err(|e| error_info(&e))?;
        Ok(ParsedUrl { href: url.href(), origin: url.origin(), protocol: url.protocol() })
    }

    fn resolve_url(&self, input: &str, base: Option<&str>) -> Option<UrlParts> {
        let url = match base {
            Some(base) => Url::new_with_base(input, base),
            None => Url::new(input),
        }
        .ok()?;
        Some(UrlParts {
            href: url.href(),
            origin: url.origin(),
            scheme: url.protocol().trim_end_matches(':').to_owned(),
            has_credentials: !url.username().is_empty() || !url.password().is_empty(),
        })
    }

    fn cross_origin_isolated(&self) -> bool {
        Reflect::get(&js_sys::global(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy())
    }

    fn family(&self) -> Family {
        crate::browser_name::family(&global_string(&["navigator", "userAgent"]).unwrap_or_default())
    }

    fn now_ms(&self) -> f64 {
        js::performance_now()
    }

    fn random(&self) -> f64 {
        js_sys::Math::random()
    }

    async fn describe(&self) -> String {
        let user_agent = global_string(&["navigator", "userAgent"]).unwrap_or_default();
        crate::browser_name::describe(&user_agent, &full_version_brands().await)
    }

    async fn fetch(&self, request: &FetchRequest<'_>) -> FetchAttempt {
        let controller = match AbortController::new() {
            Ok(controller) => controller,
            Err(e) => return FetchAttempt::Refused(error_info(&e)),
        };
        let built = build_request(request, &controller);
        let request_object = match built {
            Ok(r) => r,
            Err(e) => return FetchAttempt::Refused(error_info(&e)),
        };
        let deadline = Deadline::start(request.timeout_ms, controller);
        let response = match JsFuture::from(js::fetch(&request_object)).await {
            Ok(response) => response.unchecked_into::<Response>(),
            Err(_) if deadline.fired() => return FetchAttempt::TimedOut,
            Err(e) => return FetchAttempt::Rejected(error_info(&e)),
        };
        // The deadline still bounds the body; a body cut short keeps what arrived.
        let body = read_body_start(&response).await;
        drop(deadline);
        FetchAttempt::Resolved(ResponseSnapshot {
            status: response.status(),
            headers: readable_headers(&response.headers()),
            body,
            redirected: response.redirected(),
            url: response.url(),
        })
    }

    async fn probe(
        &self,
        url: &str,
        method: &str,
        kind: ProbeKind,
        timeout_ms: u32,
    ) -> ProbeAnswer {
        let Ok(controller) = AbortController::new() else {
            return ProbeAnswer::TimedOut;
        };
        let init = RequestInit::new();
        init.set_method(method);
        init.set_credentials(RequestCredentials::Omit);
        match kind {
            ProbeKind::NoCors => init.set_mode(RequestMode::NoCors),
            ProbeKind::FirstHop => {
                init.set_mode(RequestMode::Cors);
                init.set_redirect(RequestRedirect::Manual);
            }
        }
        init.set_signal(Some(&controller.signal()));
        let request = match Request::new_with_str_and_init(url, &init) {
            Ok(request) => request,
            Err(e) => return ProbeAnswer::Failed(error_info(&e)),
        };
        let deadline = Deadline::start(timeout_ms, controller);
        match JsFuture::from(js::fetch(&request)).await {
            Ok(response) => {
                let response: Response = response.unchecked_into();
                if response.type_() == ResponseType::Opaqueredirect {
                    ProbeAnswer::Redirect
                } else {
                    ProbeAnswer::Answered
                }
            }
            Err(_) if deadline.fired() => ProbeAnswer::TimedOut,
            Err(e) => ProbeAnswer::Failed(error_info(&e)),
        }
    }

    async fn exchange(
        &self,
        request: &CorsRequest,
        family: Family,
        timeout_ms: u32,
    ) -> Option<Result<Exchange, ErrorInfo>> {
        let endpoint = self.probe_endpoint.as_ref()?;
        let query = ReplayRequest { request: request.clone(), family, timeout_ms };
        let body = match serde_json::to_string(&query) {
            Ok(body) => body,
            Err(e) => return Some(Err(ErrorInfo::new("Error", e.to_string()))),
        };
        // Each message may take the case's timeout; a redirect chain takes several.
        let budget = timeout_ms.saturating_mul(4).saturating_add(5_000);
        Some(post_json(endpoint, REPLAY_PATH, &body, budget).await.and_then(|text| {
            serde_json::from_str(&text).map_err(|e| {
                ErrorInfo::new("ProbeEndpointError", format!("an answer the page cannot read: {e}"))
            })
        }))
    }
}

/// The `Request` for a case; an `Err` is `fetch()` refusing the input.
fn build_request(
    request: &FetchRequest<'_>,
    controller: &AbortController,
) -> Result<Request, JsValue> {
    let headers = Headers::new()?;
    for (name, value) in request.headers {
        headers.append(name, value)?;
    }
    let init = RequestInit::new();
    init.set_method(request.method);
    init.set_mode(RequestMode::Cors);
    init.set_credentials(match request.credentials {
        Credentials::Omit => RequestCredentials::Omit,
        Credentials::SameOrigin => RequestCredentials::SameOrigin,
        Credentials::Include => RequestCredentials::Include,
    });
    init.set_headers(&headers);
    if let Some(body) = request.body {
        init.set_body(&JsValue::from_str(body));
    }
    init.set_signal(Some(&controller.signal()));
    Request::new_with_str_and_init(request.url, &init)
}

/// Every (name, value) pair JavaScript can read from `headers`.
fn readable_headers(headers: &Headers) -> Vec<(String, String)> {
    let Ok(Some(entries)) = js_sys::try_iter(headers) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter_map(|entry| {
            let pair: Array = entry.dyn_into().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

/// The first characters of the body, reading only as many bytes as they can take.
async fn read_body_start(response: &Response) -> Option<String> {
    const MAX_BYTES: usize = BODY_PREVIEW_CHARS * 4 + 4;
    let Some(stream) = response.body() else {
        return Some(String::new());
    };
    let reader: ReadableStreamDefaultReader = stream.get_reader().unchecked_into();
    let mut bytes = Vec::new();
    while bytes.len() < MAX_BYTES {
        let Ok(chunk) = JsFuture::from(reader.read()).await else {
            break;
        };
        if Reflect::get(&chunk, &"done".into()).ok()?.is_truthy() {
            break;
        }
        let value: Uint8Array = Reflect::get(&chunk, &"value".into()).ok()?.dyn_into().ok()?;
        bytes.extend(value.to_vec());
    }
    // Stop the download: the rest of the body is of no use to the verdict.
    let _ = reader.cancel();
    let text = String::from_utf8_lossy(&bytes);
    Some(text.chars().take(BODY_PREVIEW_CHARS).collect())
}

/// Aborts a request after its timeout; cleared when dropped.
struct Deadline {
    handle: JsValue,
    fired: Rc<Cell<bool>>,
    _callback: Closure<dyn FnMut()>,
}

impl Deadline {
    fn start(timeout_ms: u32, controller: AbortController) -> Self {
        let fired = Rc::new(Cell::new(false));
        let flag = fired.clone();
        let callback = Closure::<dyn FnMut()>::new(move || {
            flag.set(true);
            controller.abort();
        });
        let delay = i32::try_from(timeout_ms).unwrap_or(i32::MAX);
        let handle = js::set_timeout(callback.as_ref().unchecked_ref::<Function>(), delay);
        Deadline { handle, fired, _callback: callback }
    }

    fn fired(&self) -> bool {
        self.fired.get()
    }
}

impl Drop for Deadline {
    fn drop(&mut self) {
        js::clear_timeout(&self.handle);
    }
}

/// `name` and `message` of a thrown value (an `Error` or `DOMException`).
pub(crate) fn error_info(value: &JsValue) -> ErrorInfo {
    let field = |key: &str| Reflect::get(value, &key.into()).ok().and_then(|v| v.as_string());
    match (field("name"), field("message")) {
        (Some(name), Some(message)) => ErrorInfo::new(name, message),
        _ => ErrorInfo::new("Error", value.as_string().unwrap_or_else(|| format!("{value:?}"))),
    }
}

/// A string property path from the global object, such as `location.origin`.
fn global_string(path: &[&str]) -> Option<String> {
    let mut value: JsValue = js_sys::global().into();
    for key in path {
        value = Reflect::get(&value, &(*key).into()).ok()?;
    }
    value.as_string()
}

/// Chromium's brands with full versions (`navigator.userAgentData`); empty elsewhere.
async fn full_version_brands() -> Vec<(String, String)> {
    let Some(data) = Reflect::get(&js_sys::global(), &"navigator".into())
        .and_then(|n| Reflect::get(&n, &"userAgentData".into()))
        .ok()
        .filter(|d| d.is_object())
    else {
        return Vec::new();
    };
    let Ok(method) =
        Reflect::get(&data, &"getHighEntropyValues".into()).and_then(|m| m.dyn_into::<Function>())
    else {
        return Vec::new();
    };
    let hints = Array::of1(&"fullVersionList".into());
    let Ok(promise) = method.call1(&data, &hints).and_then(|p| p.dyn_into::<js_sys::Promise>())
    else {
        return Vec::new();
    };
    let Ok(values) = JsFuture::from(promise).await else {
        return Vec::new();
    };
    let list: Array = Reflect::get(&values, &"fullVersionList".into())
        .ok()
        .and_then(|l| l.dyn_into().ok())
        .unwrap_or_default();
    list.iter()
        .filter_map(|entry| {
            let entry: Object = entry.dyn_into().ok()?;
            let brand = Reflect::get(&entry, &"brand".into()).ok()?.as_string()?;
            let version = Reflect::get(&entry, &"version".into()).ok()?.as_string()?;
            Some((brand, version))
        })
        .collect()
}
