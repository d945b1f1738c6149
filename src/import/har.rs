//! HAR 1.2 recordings (Chromium and Firefox "Save all as HAR", Playwright, proxies).
//!
//! Read with our own serde structs, not the `har` crate: that crate drops the `_resourceType`,
//! `_error` and `_initiator` extension fields (the only reliable way to tell a page's
//! `fetch()`/XHR from its scripts and images, and to see a failed request), and it requires
//! fields real recorders omit (`cache`, `timings`, `pageTimings`, sizes). Here only what
//! is used must be present, and each entry is read alone so an error names it.
//!
//! Which entries become cases, in this order:
//! 1. not `http(s)` (`data:`, `blob:`, `ws:`, extensions) → left out;
//! 2. the browser's own preflight (`OPTIONS` with `Access-Control-Request-Method`, or
//!    Chromium's `_resourceType: "preflight"`) → left out;
//! 3. a navigation (`_resourceType: "document"`, `Sec-Fetch-Mode: navigate`,
//!    `Sec-Fetch-Dest: document|iframe|frame`) → left out (the first one of a page gives
//!    the page's origin);
//! 4. the hop of a redirect (its URL is the previous response's `redirectURL`, or its
//!    `Location` header where `redirectURL` is empty, as in the WebDriver BiDi recorder
//!    browsertime uses for Firefox) → left out: the case of the first URL follows the
//!    redirect itself;
//! 5. fetch/XHR: Chromium's `_resourceType` `fetch` or `xhr`; without it (Firefox, most
//!    other recorders) `Sec-Fetch-Dest: empty`; without Sec-Fetch headers either (old
//!    browsers, proxies) an `Origin` header or `X-Requested-With` on a request that is not
//!    a navigation. Everything else (scripts, styles, images, fonts, beacons) → left out;
//! 6. `Sec-Fetch-Mode: no-cors` → left out (no CORS check applies);
//! 7. same origin as its page → left out.
//!
//! A request failed in the recording when it has `_error` (Chromium DevTools),
//! `response._error` or `response._failureText` (Playwright), or no status.
//!
//! The page's origin: the first navigation of each page (`pageref`), else a page title that
//! is a URL (Chromium titles pages with their URL), else the requests' `Origin` or
//! `Referer`. The first page's origin is the suite's.

use std::collections::HashMap;

use serde::Deserialize;

use super::rules::{origin_of, split_url, RecordedRequest};
use super::{ImportError, ImportNote};

#[derive(Deserialize)]
struct HarFile {
    log: Log,
}

#[derive(Deserialize)]
struct Log {
    version: Option<String>,
    creator: Option<Creator>,
    #[serde(default)]
    pages: Vec<Page>,
    entries: Vec<serde_json::Value>,
}

#[derive(Deserialize)]
struct Creator {
    name: String,
    #[serde(default)]
    version: String,
}

#[derive(Deserialize)]
struct Page {
    id: String,
    #[serde(default)]
    title: String,
}

#[derive(Deserialize)]
struct Entry {
    pageref: Option<String>,
    request: Request,
    response: Option<Response>,
    #[serde(rename = "_resourceType")]
    resource_type: Option<String>,
    #[serde(rename = "_error")]
    error: Option<String>,
}

#[derive(Deserialize)]
struct Request {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(default)]
    cookies: Vec<NameValue>,
    #[serde(rename = "postData")]
    post_data: Option<PostData>,
    /// Bytes of body sent; -1 or absent when unknown.
    #[serde(rename = "bodySize")]
    body_size: Option<f64>,
}

#[derive(Deserialize)]
struct NameValue {
    name: String,
    #[serde(default)]
    value: String,
}

#[derive(Deserialize)]
struct PostData {
    text: Option<String>,
    /// `base64` for a binary body (the BiDi recorder).
    encoding: Option<String>,
    #[serde(default)]
    params: Vec<Param>,
}

#[derive(Deserialize)]
struct Param {
    name: String,
    value: Option<String>,
}

#[derive(Deserialize)]
struct Response {
    #[serde(default)]
    status: f64,
    #[serde(rename = "redirectURL")]
    redirect_url: Option<String>,
    #[serde(default)]
    headers: Vec<NameValue>,
    #[serde(rename = "_error")]
    error: Option<String>,
    /// Playwright's word for a request that failed.
    #[serde(rename = "_failureText")]
    failure_text: Option<String>,
}

impl Response {
    /// Where it redirects: `redirectURL`, else the `Location` of a 3xx (some recorders leave
    /// `redirectURL` empty).
    fn redirect_target(&self) -> Option<&str> {
        let location = || {
            (300.0..400.0).contains(&self.status).then(|| {
                self.headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("location"))
                    .map(|h| h.value.as_str())
            })?
        };
        self.redirect_url
            .as_deref()
            .filter(|r| !r.is_empty())
            .or_else(location)
            .filter(|r| !r.is_empty())
    }
}

/// What a HAR gives: the requests to import, the notes, the page's origin.
#[derive(Debug)]
pub struct HarImport {
    pub requests: Vec<RecordedRequest>,
    pub notes: Vec<ImportNote>,
    pub origin: Option<String>,
}

/// Why an entry is not a case; counted in the summary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum LeftOut {
    SameOrigin,
    Preflight,
    Navigation,
    RedirectHop,
    NoCors,
    OtherResource,
    NotHttp,
}

impl LeftOut {
    fn label(self) -> &'static str {
        match self {
            LeftOut::SameOrigin => "same-origin",
            LeftOut::Preflight => "preflights",
            LeftOut::Navigation => "navigations",
            LeftOut::RedirectHop => "redirect hops",
            LeftOut::NoCors => "no-cors requests",
            LeftOut::OtherResource => "other resources (scripts, styles, images, ...)",
            LeftOut::NotHttp => "not http(s)",
        }
    }
}

impl Entry {
    fn header(&self, name: &str) -> Option<&str> {
        self.request
            .headers
            .iter()
            .find(|h| h.name.eq_ignore_ascii_case(name))
            .map(|h| h.value.as_str())
    }

    fn is_preflight(&self) -> bool {
        self.resource_type.as_deref() == Some("preflight")
            || (self.request.method.eq_ignore_ascii_case("OPTIONS")
                && self.header("access-control-request-method").is_some())
    }

    fn is_navigation(&self) -> bool {
        self.resource_type.as_deref() == Some("document")
            || self.header("sec-fetch-mode").is_some_and(|m| m.eq_ignore_ascii_case("navigate"))
            || self.header("sec-fetch-dest").is_some_and(|d| {
                matches!(d.to_ascii_lowercase().as_str(), "document" | "iframe" | "frame")
            })
    }

    /// The top-level document of its page (not a frame).
    fn is_document(&self) -> bool {
        self.resource_type.as_deref() == Some("document")
            || self.header("sec-fetch-dest").is_some_and(|d| d.eq_ignore_ascii_case("document"))
    }

    fn is_fetch_or_xhr(&self) -> bool {
        if let Some(kind) = &self.resource_type {
            return matches!(kind.as_str(), "fetch" | "xhr");
        }
        if let Some(dest) = self.header("sec-fetch-dest") {
            return dest.eq_ignore_ascii_case("empty")
                && !self
                    .header("sec-fetch-mode")
                    .is_some_and(|m| m.eq_ignore_ascii_case("websocket"));
        }
        self.header("origin").is_some() || self.header("x-requested-with").is_some()
    }
}

/// Reads a HAR file's requests.
pub fn read(text: &str) -> Result<HarImport, ImportError> {
    let file: HarFile = serde_json::from_str(text).map_err(|e| {
        let what = if e.is_data() { "not a HAR file" } else { "not valid JSON" };
        ImportError::at_line(e.line().max(1), format!("{what}: {e}"))
    })?;
    let log = file.log;
    let mut notes = Vec::new();
    match log.version.as_deref() {
        Some("1.2" | "1.1") => {}
        Some(other) => {
            return Err(ImportError::new(format!(
                "log.version is {other}: HAR 1.2 (or 1.1) is read, not other versions"
            )))
        }
        None => notes.push(ImportNote::warning("log.version is missing; read as HAR 1.2")),
    }
    let entries = entries_of(log.entries)?;
    let page_origins = page_origins(&entries, &log.pages);
    let suite_origin = suite_origin(&entries, &log.pages, &page_origins);
    let selection = select(&entries, &page_origins, suite_origin.as_deref());
    notes.insert(0, ImportNote::info(summary(log.creator.as_ref(), entries.len(), &selection)));
    if selection.used_fallback {
        notes.push(ImportNote::warning(
            "some entries carry neither _resourceType nor Sec-Fetch headers: they were taken as fetch/XHR because they carry Origin or X-Requested-With; check the cases",
        ));
    }
    if suite_origin.is_none() {
        notes.push(ImportNote::warning(
            "the page's origin is not in the recording (no document entry, page URL, Origin or Referer)",
        ));
    }
    Ok(HarImport { requests: selection.requests, notes, origin: suite_origin })
}

/// The entries, each read on its own so an error names its index and field.
fn entries_of(values: Vec<serde_json::Value>) -> Result<Vec<Entry>, ImportError> {
    values
        .into_iter()
        .enumerate()
        .map(|(index, value)| {
            serde_path_to_error::deserialize(value).map_err(|e| {
                let path = e.path().to_string();
                ImportError::at_entry(index, format!("field `{path}`: {}", e.into_inner()))
            })
        })
        .collect()
}

/// Each page's origin: its first document, else a title that is a URL.
fn page_origins(entries: &[Entry], pages: &[Page]) -> HashMap<String, String> {
    let mut page_origins: HashMap<String, String> = HashMap::new();
    for entry in entries {
        if let (Some(page), true) = (&entry.pageref, entry.is_document()) {
            if let Some(origin) = origin_of(&entry.request.url) {
                page_origins.entry(page.clone()).or_insert(origin);
            }
        }
    }
    for page in pages {
        if let Some(origin) = origin_of(&page.title) {
            page_origins.entry(page.id.clone()).or_insert(origin);
        }
    }
    page_origins
}

/// The suite's page origin: the first page's, any entry's page, the first top-level
/// document of the file, else the first `Origin` or `Referer`.
fn suite_origin(
    entries: &[Entry],
    pages: &[Page],
    page_origins: &HashMap<String, String>,
) -> Option<String> {
    // Without pages: the first top-level document of the file.
    let first_document =
        entries.iter().find(|e| e.is_document()).and_then(|e| origin_of(&e.request.url));
    let from_headers = entries.iter().find_map(|e| {
        e.header("origin")
            .filter(|o| *o != "null")
            .and_then(origin_of)
            .or_else(|| e.header("referer").and_then(origin_of))
    });
    pages
        .first()
        .and_then(|p| page_origins.get(&p.id).cloned())
        .or_else(|| {
            entries
                .iter()
                .find_map(|e| e.pageref.as_ref().and_then(|p| page_origins.get(p).cloned()))
        })
        .or(first_document)
        .or(from_headers)
}

/// The entries that become requests, and how many were left out for each reason.
#[derive(Default)]
struct Selection {
    requests: Vec<RecordedRequest>,
    left_out: HashMap<LeftOut, usize>,
    /// Some entry was taken as fetch/XHR only for its `Origin` or `X-Requested-With`.
    used_fallback: bool,
}

/// Keeps the cross-origin fetch/XHR requests; preflights, navigations, redirect hops and
/// the rest are counted, not imported.
fn select(
    entries: &[Entry],
    page_origins: &HashMap<String, String>,
    suite_origin: Option<&str>,
) -> Selection {
    let mut selection = Selection::default();
    let mut redirect_targets: Vec<String> = Vec::new();
    for (index, entry) in entries.iter().enumerate() {
        let url = &entry.request.url;
        let redirect = entry.response.as_ref().and_then(Response::redirect_target);
        let hop = redirect_targets.iter().position(|t| t == url);
        if let Some(target) = redirect {
            redirect_targets.push(resolve(url, target));
        }
        let Some(split) = split_url(url) else {
            *selection.left_out.entry(LeftOut::NotHttp).or_default() += 1;
            continue;
        };
        let page = entry
            .pageref
            .as_ref()
            .and_then(|p| page_origins.get(p).cloned())
            .or_else(|| entry.header("origin").filter(|o| *o != "null").and_then(origin_of))
            .or_else(|| suite_origin.map(str::to_owned));
        let reason = left_out_reason(entry, hop.is_some(), page.as_deref(), &split.origin);
        if let (Some(LeftOut::RedirectHop), Some(i)) = (reason, hop) {
            // A hop is followed once: the next request to the same URL is its own.
            redirect_targets.remove(i);
        }
        if let Some(reason) = reason {
            *selection.left_out.entry(reason).or_default() += 1;
            continue;
        }
        selection.used_fallback |=
            entry.resource_type.is_none() && entry.header("sec-fetch-dest").is_none();
        selection.requests.push(request_of(index, entry, page, redirect));
    }
    selection
}

/// Why an entry is not a case, in order of precedence; `None` for a cross-origin fetch/XHR.
fn left_out_reason(
    entry: &Entry,
    redirect_hop: bool,
    page: Option<&str>,
    url_origin: &str,
) -> Option<LeftOut> {
    if entry.is_preflight() {
        Some(LeftOut::Preflight)
    } else if entry.is_navigation() {
        Some(LeftOut::Navigation)
    } else if redirect_hop {
        Some(LeftOut::RedirectHop)
    } else if !entry.is_fetch_or_xhr() {
        Some(LeftOut::OtherResource)
    } else if entry.header("sec-fetch-mode").is_some_and(|m| m.eq_ignore_ascii_case("no-cors")) {
        Some(LeftOut::NoCors)
    } else if page == Some(url_origin) {
        Some(LeftOut::SameOrigin)
    } else {
        None
    }
}

/// The first note: who wrote the HAR, how many entries became requests, what was left out.
fn summary(creator: Option<&Creator>, entries: usize, selection: &Selection) -> String {
    let mut summary = match creator {
        Some(c) => format!("HAR from {} {}: ", c.name, c.version).replace("  ", " "),
        None => "HAR: ".to_owned(),
    };
    summary.push_str(&format!(
        "{} entries, {} cross-origin fetch/XHR requests",
        entries,
        selection.requests.len()
    ));
    let mut reasons: Vec<_> = selection.left_out.iter().collect();
    reasons.sort();
    if !reasons.is_empty() {
        let parts: Vec<String> =
            reasons.iter().map(|(r, n)| format!("{n} {}", r.label())).collect();
        summary.push_str(&format!("; left out {}", parts.join(", ")));
    }
    summary
}

fn request_of(
    index: usize,
    entry: &Entry,
    page: Option<String>,
    redirect: Option<&str>,
) -> RecordedRequest {
    let request = &entry.request;
    let has_cookie_header = request.headers.iter().any(|h| h.name.eq_ignore_ascii_case("cookie"));
    let (body, body_note) = body_of(request);
    let status = entry
        .response
        .as_ref()
        .map(|r| r.status)
        .filter(|s| (1.0..1000.0).contains(s))
        .map(|s| s as u16);
    let error = entry.error.clone().or_else(|| {
        entry.response.as_ref().and_then(|r| r.error.clone().or_else(|| r.failure_text.clone()))
    });
    let failure = match (error, status) {
        (Some(error), _) if !error.is_empty() => Some(error),
        (_, None) => Some("no response (status 0)".to_owned()),
        _ => None,
    };
    let redirect_note = redirect.map(|target| {
        ImportNote::info(format!("redirected to {target} in the recording; the case follows it"))
    });
    let notes: Vec<ImportNote> = body_note
        .into_iter()
        .chain(redirect_note)
        .map(|mut note| {
            note.entry = Some(index);
            note
        })
        .collect();
    RecordedRequest {
        url: request.url.clone(),
        method: request.method.clone(),
        headers: request.headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect(),
        body,
        credentials: None,
        cookies: if has_cookie_header {
            Vec::new()
        } else {
            request.cookies.iter().map(|c| (c.name.clone(), c.value.clone())).collect()
        },
        page_origin: page,
        timeout_ms: None,
        status,
        failure,
        line: None,
        entry: Some(index),
        notes,
    }
}

/// The request's body, or why it is not imported: a recorder may keep only its size
/// (Playwright's `content: "omit"`) or give it as base64 (a binary body).
fn body_of(request: &Request) -> (Option<String>, Option<ImportNote>) {
    let sent = request.body_size.filter(|size| *size > 0.0).map(|size| size as u64);
    let missing = |sent: u64| {
        ImportNote::warning(format!(
            "the recording does not hold the body ({sent} bytes were sent): the case sends none; add it"
        ))
    };
    let Some(post_data) = &request.post_data else {
        return (None, sent.map(missing));
    };
    if post_data.encoding.as_deref().is_some_and(|e| e.eq_ignore_ascii_case("base64")) {
        let note = ImportNote::warning(
            "the body is binary (base64) in the recording: the case sends none; add it",
        );
        return (None, Some(note));
    }
    match post_data.text.as_deref() {
        Some(text) if !text.is_empty() => (Some(text.to_owned()), None),
        _ if !post_data.params.is_empty() => {
            let pairs: Vec<String> = post_data
                .params
                .iter()
                .map(|p| format!("{}={}", p.name, p.value.as_deref().unwrap_or_default()))
                .collect();
            (Some(pairs.join("&")), None)
        }
        _ => match sent {
            Some(sent) => (None, Some(missing(sent))),
            None => (post_data.text.clone(), None),
        },
    }
}

/// A `redirectURL` may be relative to the request's URL.
fn resolve(base: &str, target: &str) -> String {
    if split_url(target).is_some() {
        return target.to_owned();
    }
    match split_url(base) {
        Some(b) if target.starts_with('/') => format!("{}{target}", b.origin),
        Some(b) => {
            let dir = b.path.rsplit_once('/').map(|(d, _)| d).unwrap_or_default();
            format!("{}{dir}/{target}", b.origin)
        }
        None => target.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(
        method: &str,
        url: &str,
        kind: Option<&str>,
        headers: &[(&str, &str)],
        status: u16,
    ) -> serde_json::Value {
        let headers: Vec<_> =
            headers.iter().map(|(n, v)| serde_json::json!({ "name": n, "value": v })).collect();
        let mut e = serde_json::json!({
            "pageref": "page_1",
            "startedDateTime": "2025-01-01T00:00:00.000Z",
            "time": 1.0,
            "request": { "method": method, "url": url, "httpVersion": "HTTP/1.1", "headers": headers,
                         "queryString": [], "cookies": [], "headersSize": -1, "bodySize": 0 },
            "response": { "status": status, "statusText": "", "httpVersion": "HTTP/1.1", "headers": [], "cookies": [],
                          "content": { "size": 0, "mimeType": "text/plain" }, "redirectURL": "", "headersSize": -1, "bodySize": 0 },
            "cache": {}, "timings": { "send": 0, "wait": 0, "receive": 0 }
        });
        if let Some(kind) = kind {
            e["_resourceType"] = kind.into();
        }
        e
    }

    fn har(entries: Vec<serde_json::Value>) -> String {
        serde_json::json!({ "log": { "version": "1.2", "creator": { "name": "WebInspector", "version": "537.36" },
            "pages": [{ "id": "page_1", "title": "http://app.test:8080/", "startedDateTime": "x", "pageTimings": {} }],
            "entries": entries } })
        .to_string()
    }

    #[test]
    fn chromium_resource_types_decide() {
        let text = har(vec![
            entry("GET", "http://app.test:8080/", Some("document"), &[], 200),
            entry("GET", "http://app.test:8080/app.js", Some("script"), &[], 200),
            entry("GET", "http://app.test:8080/api/me", Some("fetch"), &[], 200),
            entry(
                "OPTIONS",
                "http://api.test/notes/1",
                Some("preflight"),
                &[("Access-Control-Request-Method", "PUT")],
                204,
            ),
            entry(
                "PUT",
                "http://api.test/notes/1",
                Some("fetch"),
                &[("Origin", "http://app.test:8080")],
                200,
            ),
            entry("GET", "http://api.test/fail", Some("xhr"), &[], 0),
            entry("GET", "http://cdn.test/logo.png", Some("image"), &[], 200),
        ]);
        let h = read(&text).unwrap();
        assert_eq!(h.origin.as_deref(), Some("http://app.test:8080"));
        let urls: Vec<&str> = h.requests.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["http://api.test/notes/1", "http://api.test/fail"]);
        assert_eq!(h.requests[1].failure.as_deref(), Some("no response (status 0)"));
        assert_eq!(h.requests[0].entry, Some(4));
        assert_eq!(
            h.notes[0].message,
            "HAR from WebInspector 537.36: 7 entries, 2 cross-origin fetch/XHR requests; left out 1 same-origin, 1 preflights, 1 navigations, 2 other resources (scripts, styles, images, ...)"
        );
    }

    #[test]
    fn firefox_without_resource_types_uses_sec_fetch_headers() {
        let text = har(vec![
            entry(
                "GET",
                "http://app.test:8080/",
                None,
                &[("Sec-Fetch-Dest", "document"), ("Sec-Fetch-Mode", "navigate")],
                200,
            ),
            entry(
                "GET",
                "http://api.test/a",
                None,
                &[("Sec-Fetch-Dest", "empty"), ("Sec-Fetch-Mode", "cors")],
                200,
            ),
            entry(
                "GET",
                "http://api.test/font",
                None,
                &[("Sec-Fetch-Dest", "font"), ("Sec-Fetch-Mode", "cors")],
                200,
            ),
            entry(
                "GET",
                "http://api.test/b",
                None,
                &[("Sec-Fetch-Dest", "empty"), ("Sec-Fetch-Mode", "no-cors")],
                200,
            ),
            entry("POST", "http://api.test/c", None, &[("Origin", "http://app.test:8080")], 201),
        ]);
        let h = read(&text).unwrap();
        let urls: Vec<&str> = h.requests.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["http://api.test/a", "http://api.test/c"]);
        assert!(h.notes.iter().any(|n| n.message.contains("neither _resourceType")));
    }

    #[test]
    fn redirect_hops_are_left_out() {
        let mut first = entry("GET", "http://api.test/r", Some("fetch"), &[], 302);
        first["response"]["redirectURL"] = "/target".into();
        let text =
            har(vec![first, entry("GET", "http://api.test/target", Some("fetch"), &[], 200)]);
        let h = read(&text).unwrap();
        assert_eq!(h.requests.len(), 1);
        assert!(h.notes[0].message.contains("1 redirect hops"), "{}", h.notes[0].message);
        assert!(h.requests[0].notes[0].message.contains("redirected to /target"));
    }

    #[test]
    fn playwright_failures_and_omitted_bodies() {
        // Playwright: a CORS failure is status -1 with `_failureText`; `content: "omit"`
        // keeps a body's size, not its text.
        let mut failed = entry("PUT", "http://api.test/notes/1", Some("fetch"), &[], 0);
        failed["response"]["status"] = (-1).into();
        failed["response"]["_failureText"] = "net::ERR_FAILED".into();
        failed["request"]["bodySize"] = 19.into();
        failed["request"]["postData"] =
            serde_json::json!({ "mimeType": "application/json", "text": "", "params": [] });
        let mut binary = entry("POST", "http://api.test/upload", Some("fetch"), &[], 200);
        binary["request"]["postData"] = serde_json::json!({ "mimeType": "image/png", "text": "iVBORw0K", "encoding": "base64" });
        let mut sent = entry("POST", "http://api.test/notes", Some("fetch"), &[], 201);
        sent["request"]["postData"] = serde_json::json!({ "mimeType": "text/plain", "text": "hi" });
        let h = read(&har(vec![failed, binary, sent])).unwrap();
        let r = &h.requests;
        assert_eq!(r[0].failure.as_deref(), Some("net::ERR_FAILED"));
        assert_eq!(r[0].status, None);
        assert_eq!(r[0].body, None);
        assert!(r[0].notes[0].message.contains("(19 bytes were sent)"), "{:?}", r[0].notes);
        assert_eq!(r[1].body, None);
        assert!(r[1].notes[0].message.contains("binary (base64)"), "{:?}", r[1].notes);
        assert_eq!(r[2].body.as_deref(), Some("hi"));
        assert!(r[2].notes.is_empty());
    }

    #[test]
    fn a_hop_is_found_by_location_when_redirect_url_is_empty() {
        // The WebDriver BiDi recorder (Firefox, browsertime) leaves `redirectURL` empty.
        let dest = [("Sec-Fetch-Dest", "empty"), ("Sec-Fetch-Mode", "cors")];
        let mut first = entry("GET", "http://api.test/r", None, &dest, 302);
        first["response"]["headers"] =
            serde_json::json!([{ "name": "location", "value": "http://b.test/landed" }]);
        let mut ok = entry("GET", "http://api.test/ok", None, &dest, 200);
        // A Location outside a 3xx is no redirect.
        ok["response"]["headers"] =
            serde_json::json!([{ "name": "Location", "value": "http://b.test/landed" }]);
        let text = har(vec![
            first,
            entry("GET", "http://b.test/landed", None, &dest, 200),
            ok,
            entry("GET", "http://b.test/landed", None, &dest, 200),
        ]);
        let h = read(&text).unwrap();
        let urls: Vec<&str> = h.requests.iter().map(|r| r.url.as_str()).collect();
        assert_eq!(urls, ["http://api.test/r", "http://api.test/ok", "http://b.test/landed"]);
        assert!(h.notes[0].message.contains("1 redirect hops"), "{}", h.notes[0].message);
        assert!(h.requests[0].notes[0].message.contains("redirected to http://b.test/landed"));
    }

    #[test]
    fn bad_files_name_the_entry_or_line() {
        let err = read("{\"log\": {\"version\": \"1.3\", \"entries\": []}}").unwrap_err();
        assert!(err.to_string().contains("log.version is 1.3"), "{err}");
        let mut broken = entry("GET", "http://api.test/a", Some("fetch"), &[], 200);
        broken["request"]["url"] = 5.into();
        let err =
            read(&har(vec![entry("GET", "http://x.test/", None, &[], 200), broken])).unwrap_err();
        assert!(
            err.to_string().starts_with("HAR entry 1 (log.entries[1]): field `request.url`"),
            "{err}"
        );
        let err = read("{\n\"log\": [").unwrap_err();
        assert_eq!(err.line(), Some(2), "{err}");
        assert!(read("{\"other\": 1}").unwrap_err().to_string().contains("not a HAR file"));
    }
}
