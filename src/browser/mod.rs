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
    AbortController, Headers, Request, RequestCredentials, RequestInit, RequestMode, Response, Url,
};

use crate::browser_name::Family;
use crate::cors::exchange::{REPLAY_PATH, REPLAY_SCOPE_PATH, SECRET_HEADER};
use crate::cors::{CorsRequest, Exchange, ReplayRequest, ReplayScope, UrlParts};
use crate::engine::{
    Browser, Engine, FetchAttempt, FetchRequest, ParsedUrl, ProbeAnswer, ProbeKind,
    ResponseSnapshot,
};
use crate::result::{ErrorInfo, BODY_PREVIEW_CHARS};

/// The engine for this page, with the page's probe endpoint if it has one.
pub fn page_engine(probe_endpoint: Option<ProbeEndpoint>) -> Engine<PageBrowser> {
    Engine::new(PageBrowser { probe_endpoint, ..PageBrowser::default() })
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
    /// Read once: they cannot change during a run, and each read crosses into JS.
    origin: std::cell::OnceCell<String>,
    family: std::cell::OnceCell<Family>,
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
        self.origin
            // `self.origin` is the document's origin (`null` when sandboxed); `location.origin` its URL's.
            .get_or_init(|| {
                global_string(&["origin"])
                    .or_else(|| global_string(&["location", "origin"]))
                    .unwrap_or_default()
            })
            .clone()
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

    fn secure_context(&self) -> bool {
        Reflect::get(&js_sys::global(), &"isSecureContext".into()).is_ok_and(|v| v.is_truthy())
    }

    fn cross_origin_isolated(&self) -> bool {
        Reflect::get(&js_sys::global(), &"crossOriginIsolated".into()).is_ok_and(|v| v.is_truthy())
    }

    fn family(&self) -> Family {
        *self.family.get_or_init(|| {
            crate::browser_name::family(
                &global_string(&["navigator", "userAgent"]).unwrap_or_default(),
            )
        })
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
        let pairs: Vec<String> =
            request.headers.iter().flat_map(|(n, v)| [n.clone(), v.clone()]).collect();
        let promise = js::harness_fetch(
            request.url,
            request.method,
            pairs,
            request.credentials.as_str(),
            request.body.map(str::to_owned),
            request.timeout_ms,
            BODY_PREVIEW_BYTES,
        );
        let Ok(answer) = JsFuture::from(promise).await else {
            return FetchAttempt::Rejected(ErrorInfo::new(
                "Error",
                "the harness's fetch glue failed",
            ));
        };
        let field = |key: &str| Reflect::get(&answer, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let text = |key: &str| field(key).as_string().unwrap_or_default();
        match text("kind").as_str() {
            "resolved" => {
                let flat: Vec<String> = Array::from(&field("headers"))
                    .iter()
                    .map(|v| v.as_string().unwrap_or_default())
                    .collect();
                let headers = flat
                    .chunks(2)
                    .map(|p| (p[0].clone(), p.get(1).cloned().unwrap_or_default()))
                    .collect();
                let bytes =
                    field("body").dyn_into::<Uint8Array>().map(|b| b.to_vec()).unwrap_or_default();
                let body =
                    String::from_utf8_lossy(&bytes).chars().take(BODY_PREVIEW_CHARS).collect();
                FetchAttempt::Resolved(ResponseSnapshot {
                    status: field("status").as_f64().unwrap_or_default() as u16,
                    headers,
                    body: Some(body),
                    redirected: field("redirected").is_truthy(),
                    url: text("url"),
                    fetch_ms: field("fetch_ms").as_f64(),
                })
            }
            "refused" => FetchAttempt::Refused(ErrorInfo::new(text("name"), text("message"))),
            "timeout" => FetchAttempt::TimedOut,
            _ => FetchAttempt::Rejected(ErrorInfo::new(text("name"), text("message"))),
        }
    }

    async fn probe(
        &self,
        url: &str,
        method: &str,
        kind: ProbeKind,
        timeout_ms: u32,
    ) -> ProbeAnswer {
        let (mode, redirect) = match kind {
            ProbeKind::NoCors => ("no-cors", "follow"),
            ProbeKind::FirstHop => ("cors", "manual"),
        };
        let Ok(answer) =
            JsFuture::from(js::harness_probe(url, method, mode, redirect, timeout_ms)).await
        else {
            return ProbeAnswer::Failed(ErrorInfo::new("Error", "the harness's probe glue failed"));
        };
        let text = |key: &str| {
            Reflect::get(&answer, &key.into()).ok().and_then(|v| v.as_string()).unwrap_or_default()
        };
        match text("kind").as_str() {
            "answered" => ProbeAnswer::Answered,
            "redirect" => ProbeAnswer::Redirect,
            "timeout" => ProbeAnswer::TimedOut,
            _ => ProbeAnswer::Failed(ErrorInfo::new(text("name"), text("message"))),
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

/// Bytes of a body read for the preview: as many as 300 characters can take.
const BODY_PREVIEW_BYTES: u32 = (BODY_PREVIEW_CHARS * 4 + 4) as u32;

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
