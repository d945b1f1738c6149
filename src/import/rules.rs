//! The rules every input kind shares: which headers a suite can carry, cookies, credentials,
//! ids and duplicates.
//!
//! - Forbidden request-headers ([`is_forbidden_request_header`]: `Host`, `Origin`, `Referer`,
//!   `Cookie`, `Content-Length`, `Sec-*`, `Proxy-*`, ...) are dropped with a note: the
//!   browser sets them itself and drops a page's value.
//! - Headers the browser (or DevTools, or the HTTP cache) adds on its own but a page may
//!   set (`User-Agent`, `Accept-Language`, `Priority`, `Upgrade-Insecure-Requests`,
//!   `If-None-Match`, `If-Modified-Since`, `Cache-Control: no-cache` and `Pragma: no-cache`
//!   from "Disable cache", `Accept: */*`, fetch's default) are dropped with a note: kept, they would change the request
//!   (most would need a preflight the page never caused).
//! - `Cookie` becomes preset cookies for the request's origin, with a warning that values
//!   may be secrets; `Authorization` is kept, with the same warning.
//! - Credentials: as written in the source (`credentials` of a fetch call); otherwise
//!   `include` when the request carried a cookie or `Authorization` (marked inferred),
//!   else the suite's default.
//! - Ids: `METHOD /path` (with the host when the suite reaches several hosts, with the query
//!   when two requests differ only there); identical requests are merged into one case.

use std::collections::HashMap;

use crate::fetch::header::is_forbidden_request_header;
use crate::suite::{Credentials, HeaderList, PresetCookie};

use super::{ImportNote, ImportedCase, ImportedSuite, NoteLevel, SourceKind};

/// One request as a reader found it, before the rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RecordedRequest {
    pub url: String,
    pub method: String,
    /// Every header as recorded, forbidden ones included.
    pub headers: Vec<(String, String)>,
    pub body: Option<String>,
    /// The credentials mode, where the source writes it.
    pub credentials: Option<Credentials>,
    /// Cookies given apart from a `Cookie` header (curl's `-b`, a HAR's `request.cookies`).
    pub cookies: Vec<(String, String)>,
    /// The origin of the page that made it, where the source says (a HAR's page).
    pub page_origin: Option<String>,
    pub timeout_ms: Option<u32>,
    /// The recorded response status (0 or absent: no response).
    pub status: Option<u16>,
    /// Why it failed in the recording (`net::ERR_FAILED`, ...).
    pub failure: Option<String>,
    /// 1-based line where the command or call starts.
    pub line: Option<usize>,
    /// Index of the HAR entry.
    pub entry: Option<usize>,
    /// The reader's own notes about this request (unknown options, ...).
    pub notes: Vec<ImportNote>,
}

/// Why a recorded header is not carried into the case.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Dropped {
    /// A forbidden request-header: the browser sets it and ignores the page's.
    Forbidden,
    /// Added by the browser, DevTools or the HTTP cache, not by the page.
    BrowserAdded,
    /// An HTTP/2 pseudo-header (`:authority`, `:path`, ...).
    Pseudo,
}

fn dropped(name: &str, value: &str) -> Option<Dropped> {
    if name.starts_with(':') {
        return Some(Dropped::Pseudo);
    }
    if is_forbidden_request_header(name, value) {
        return Some(Dropped::Forbidden);
    }
    let lower = name.to_ascii_lowercase();
    let browser_added = match lower.as_str() {
        "user-agent"
        | "accept-language"
        | "priority"
        | "upgrade-insecure-requests"
        | "if-none-match"
        | "if-modified-since"
        | "x-client-data"
        | "purpose" => true,
        // Chrome's Node.js variant writes the page's policy as if it were a header.
        "referrer-policy" => true,
        // DevTools' "Disable cache".
        "cache-control" | "pragma" => value.trim().eq_ignore_ascii_case("no-cache"),
        // fetch() and XHR send `Accept: */*` when the page sets none (Fetch, "fetching").
        "accept" => value.trim() == "*/*",
        _ => false,
    };
    browser_added.then_some(Dropped::BrowserAdded)
}

/// The parts of a serialised absolute URL the rules need. Inputs come from browsers
/// (DevTools and HAR write serialised URLs), so a split is enough; no wasm-heavy parser.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlSplit {
    pub scheme: String,
    /// Host and port as written, lower case.
    pub host: String,
    /// `scheme://host[:port]` without a default port.
    pub origin: String,
    /// The path, `/` at least.
    pub path: String,
    /// The query without `?`, if any.
    pub query: Option<String>,
}

/// Splits an absolute `http(s)` URL; `None` for anything else.
pub fn split_url(url: &str) -> Option<UrlSplit> {
    let (scheme, rest) = url.split_once("://")?;
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let rest = rest.split('#').next().unwrap_or_default();
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    let host = authority.rsplit('@').next().unwrap_or_default().to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let default_port = if scheme == "http" { ":80" } else { ":443" };
    let origin_host = host.strip_suffix(default_port).unwrap_or(&host);
    let (path, query) = match tail.split_once('?') {
        Some((path, query)) => (path, Some(query.to_owned())),
        None => (tail, None),
    };
    Some(UrlSplit {
        origin: format!("{scheme}://{origin_host}"),
        scheme,
        host: origin_host.to_owned(),
        path: if path.is_empty() { "/".to_owned() } else { path.to_owned() },
        query,
    })
}

/// The origin of a URL (`Referer`, `referrer`) or of an `Origin` header value.
pub fn origin_of(url: &str) -> Option<String> {
    split_url(url.trim()).map(|u| u.origin)
}

/// Splits a `Cookie` header value (`a=1; b=2`) into pairs.
pub fn cookie_pairs(value: &str) -> Vec<(String, String)> {
    value
        .split(';')
        .filter_map(|pair| {
            let (name, value) = pair.split_once('=')?;
            let name = name.trim();
            (!name.is_empty()).then(|| (name.to_owned(), value.trim().to_owned()))
        })
        .collect()
}

fn note_for(level: NoteLevel, message: String, request: &RecordedRequest) -> ImportNote {
    ImportNote { level, message, case: None, entry: request.entry, line: request.line }
}

fn list(names: &[String]) -> String {
    names.join(", ")
}

/// A case before ids are given, and what was said about it.
struct Pending {
    case: ImportedCase,
    url: UrlSplit,
    notes: Vec<ImportNote>,
    merged: usize,
}

/// Turns recorded requests into a suite with the shared rules; `page` is the page's origin
/// when the source says (a HAR's document), else it comes from the requests' `Origin` or
/// `Referer`.
pub fn build_suite(
    kind: SourceKind,
    requests: Vec<RecordedRequest>,
    page: Option<String>,
) -> (ImportedSuite, Vec<ImportNote>) {
    let mut notes = Vec::new();
    let page = page.or_else(|| requests.iter().find_map(request_page_origin));
    let mut cookies: Vec<PresetCookie> = Vec::new();
    let mut pending: Vec<Pending> = Vec::new();
    for request in requests {
        let Some(url) = split_url(&request.url) else {
            let mut note = note_for(
                NoteLevel::Error,
                format!("left out: `{}` is not an absolute http(s) URL", request.url),
                &request,
            );
            note.case = None;
            notes.push(note);
            continue;
        };
        let next = pending_case(kind, page.as_deref(), request, url, &mut cookies);
        // Identical requests become one case that says how many it stands for.
        match pending.iter_mut().find(|p| same_request(&p.case, &next.case)) {
            Some(same) => same.merged += 1,
            None => pending.push(next),
        }
    }
    let cases = identified_cases(pending, &mut notes);
    if cases.is_empty() {
        notes.push(ImportNote::warning("no request to import: the suite has no cases"));
    }
    let name = match &page {
        Some(page) => format!("imported from {kind} ({page})"),
        None => format!("imported from {kind}"),
    };
    (ImportedSuite { name, description: None, origin: page, cookies, cases }, notes)
}

/// One recorded request as a case (its id still to come) with its notes; its cookies
/// join the suite's presets.
fn pending_case(
    kind: SourceKind,
    page: Option<&str>,
    mut request: RecordedRequest,
    url: UrlSplit,
    cookies: &mut Vec<PresetCookie>,
) -> Pending {
    let mut notes = std::mem::take(&mut request.notes);
    let sorted = sort_headers(&request.headers, std::mem::take(&mut request.cookies));
    note_dropped_headers(&sorted, &request, &mut notes);
    if !sorted.cookies.is_empty() {
        preset_cookies(&sorted.cookies, &url, &request, cookies, &mut notes);
    }
    let credentials = credentials_of(&request, &sorted, &mut notes);
    let (method, body) = method_and_body(&request, &mut notes);
    note_page_origin(kind, page, &url, &request, &mut notes);
    let description = description_of(kind, &request, &mut notes);
    let case = ImportedCase {
        id: String::new(),
        url: request.url.clone(),
        method,
        headers: HeaderList(sorted.kept),
        credentials,
        body,
        timeout_ms: request.timeout_ms,
        description,
    };
    Pending { case, url, notes, merged: 1 }
}

/// A recorded request's headers sorted by what the case does with them.
struct SortedHeaders {
    /// Carried into the case; a repeated header is one combined value.
    kept: Vec<(String, String)>,
    /// Forbidden request headers, dropped.
    forbidden: Vec<String>,
    /// Added by the browser, DevTools or the cache, dropped.
    browser_added: Vec<String>,
    /// From `Cookie` headers and the source's own cookies, without repeats in a row.
    cookies: Vec<(String, String)>,
    /// An `Authorization` header was kept.
    authorization: bool,
}

/// Sorts `headers` into kept and dropped ones; `Cookie` headers join `cookies`.
fn sort_headers(headers: &[(String, String)], mut cookies: Vec<(String, String)>) -> SortedHeaders {
    let (mut forbidden, mut browser_added) = (Vec::new(), Vec::new());
    let mut kept: Vec<(String, String)> = Vec::new();
    let mut authorization = false;
    for (name, value) in headers {
        if name.eq_ignore_ascii_case("cookie") {
            cookies.extend(cookie_pairs(value));
            continue;
        }
        match dropped(name, value) {
            Some(Dropped::Forbidden) => forbidden.push(name.clone()),
            Some(Dropped::BrowserAdded) => browser_added.push(name.clone()),
            Some(Dropped::Pseudo) => {}
            None => {
                authorization |= name.eq_ignore_ascii_case("authorization");
                // A repeated header is one combined value, as `Headers.append` makes it.
                match kept.iter_mut().find(|(n, _)| n.eq_ignore_ascii_case(name)) {
                    Some((_, v)) => *v = format!("{v}, {value}"),
                    None => kept.push((name.clone(), value.clone())),
                }
            }
        }
    }
    cookies.dedup();
    SortedHeaders { kept, forbidden, browser_added, cookies, authorization }
}

/// Says which headers were dropped and why, and warns that a kept Authorization may be a secret.
fn note_dropped_headers(
    sorted: &SortedHeaders,
    request: &RecordedRequest,
    notes: &mut Vec<ImportNote>,
) {
    if !sorted.forbidden.is_empty() {
        notes.push(note_for(
            NoteLevel::Info,
            format!(
                "dropped {}: forbidden request headers, the browser sets them itself",
                list(&sorted.forbidden)
            ),
            request,
        ));
    }
    if !sorted.browser_added.is_empty() {
        notes.push(note_for(
            NoteLevel::Info,
            format!(
                "dropped {}: the browser (or DevTools, or its cache) adds them, not the page; set them in the case if your code does",
                list(&sorted.browser_added)
            ),
            request,
        ));
    }
    if sorted.authorization {
        notes.push(note_for(
            NoteLevel::Warning,
            "kept the Authorization header: its value may be a secret, check before sharing the suite".into(),
            request,
        ));
    }
}

/// The request's cookies become the suite's preset cookies for its origin (first value wins).
fn preset_cookies(
    request_cookies: &[(String, String)],
    url: &UrlSplit,
    request: &RecordedRequest,
    cookies: &mut Vec<PresetCookie>,
    notes: &mut Vec<ImportNote>,
) {
    let names: Vec<String> = request_cookies.iter().map(|(n, _)| n.clone()).collect();
    notes.push(note_for(
        NoteLevel::Warning,
        format!(
            "the Cookie header became preset cookies ({}) for {}: values may be secrets, check before sharing the suite",
            list(&names),
            url.origin
        ),
        request,
    ));
    for (name, value) in request_cookies {
        let cookie_url = format!("{}/", url.origin);
        if !cookies.iter().any(|c| c.url == cookie_url && &c.name == name) {
            cookies.push(PresetCookie {
                url: cookie_url,
                name: name.clone(),
                value: value.clone(),
                same_site: None,
                secure: None,
                http_only: None,
                partitioned: None,
            });
        }
    }
}

/// The credentials mode as written, else `include` when cookies or Authorization show it was used.
fn credentials_of(
    request: &RecordedRequest,
    sorted: &SortedHeaders,
    notes: &mut Vec<ImportNote>,
) -> Option<Credentials> {
    match request.credentials {
        Some(written) => Some(written),
        None if !sorted.cookies.is_empty() || sorted.authorization => {
            let why = if sorted.cookies.is_empty() { "an Authorization header" } else { "cookies" };
            notes.push(note_for(
                NoteLevel::Info,
                format!("credentials: include (inferred: the request carried {why})"),
                request,
            ));
            Some(Credentials::Include)
        }
        None => None,
    }
}

/// The method (GET when none is recorded) and the body, dropped where fetch() refuses one.
fn method_and_body(
    request: &RecordedRequest,
    notes: &mut Vec<ImportNote>,
) -> (String, Option<String>) {
    let method = if request.method.is_empty() { "GET".to_owned() } else { request.method.clone() };
    let mut body = request.body.clone();
    if body.is_some() && matches!(method.to_ascii_uppercase().as_str(), "GET" | "HEAD") {
        notes.push(note_for(
            NoteLevel::Warning,
            format!("dropped the body: fetch() refuses a body on {method}"),
            request,
        ));
        body = None;
    }
    (method, body)
}

/// Warns when the suite's page makes the request same-origin, or differs from the recorded page.
fn note_page_origin(
    kind: SourceKind,
    page: Option<&str>,
    url: &UrlSplit,
    request: &RecordedRequest,
    notes: &mut Vec<ImportNote>,
) {
    if let (Some(page), true) = (page, kind != SourceKind::Har) {
        if page == url.origin {
            notes.push(note_for(
                NoteLevel::Warning,
                format!("same origin as the page ({page}): no CORS check applies to it"),
                request,
            ));
        }
    }
    if let Some(recorded) = request_page_origin(request) {
        if page.is_some_and(|p| p != recorded) {
            notes.push(note_for(
                NoteLevel::Warning,
                format!(
                    "recorded from a page on {recorded}; the suite runs it from {}",
                    page.unwrap_or_default()
                ),
                request,
            ));
        }
    }
}

/// The case's description: what happened to the request in the recording.
fn description_of(
    kind: SourceKind,
    request: &RecordedRequest,
    notes: &mut Vec<ImportNote>,
) -> Option<String> {
    match (&request.failure, request.status) {
        (Some(failure), _) => {
            notes.push(note_for(
                NoteLevel::Warning,
                format!("failed in the recording: {failure}"),
                request,
            ));
            Some(format!("imported from {kind}; in the recording it failed: {failure}"))
        }
        (None, Some(status)) if status > 0 => {
            Some(format!("imported from {kind}; in the recording: status {status}"))
        }
        _ => None,
    }
}

/// Gives the cases their readable ids; their notes join the import's, under those ids.
fn identified_cases(pending: Vec<Pending>, notes: &mut Vec<ImportNote>) -> Vec<ImportedCase> {
    let ids = readable_ids(&pending);
    let mut cases = Vec::new();
    for (mut p, id) in pending.into_iter().zip(ids) {
        if p.merged > 1 {
            p.notes.push(ImportNote::info(format!(
                "{} identical requests merged into this case",
                p.merged
            )));
        }
        for mut note in p.notes {
            note.case = Some(id.clone());
            notes.push(note);
        }
        p.case.id = id;
        cases.push(p.case);
    }
    cases
}

/// The page's origin as the request itself tells it: the source's, `Origin`, or `Referer`.
fn request_page_origin(request: &RecordedRequest) -> Option<String> {
    if let Some(page) = &request.page_origin {
        return Some(page.clone());
    }
    let header = |name: &str| {
        request.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    };
    header("origin")
        .filter(|v| *v != "null")
        .and_then(origin_of)
        .or_else(|| header("referer").and_then(origin_of))
}

fn same_request(a: &ImportedCase, b: &ImportedCase) -> bool {
    a.method == b.method
        && a.url == b.url
        && a.headers == b.headers
        && a.body == b.body
        && a.credentials == b.credentials
}

/// `PUT /notes/1`; with the host when the suite reaches several; with the query when two
/// requests differ only there; numbered when still equal.
fn readable_ids(pending: &[Pending]) -> Vec<String> {
    let several_hosts = pending.iter().any(|p| p.url.host != pending[0].url.host);
    let base = |p: &Pending, query: bool| {
        let host = if several_hosts { p.url.host.as_str() } else { "" };
        let query = match (&p.url.query, query) {
            (Some(q), true) => format!("?{q}"),
            _ => String::new(),
        };
        format!("{} {host}{}{query}", p.case.method.to_ascii_uppercase(), p.url.path)
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    for p in pending {
        *counts.entry(base(p, false)).or_default() += 1;
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    pending
        .iter()
        .map(|p| {
            let short = base(p, false);
            let id =
                if counts.get(&short).copied().unwrap_or(0) > 1 { base(p, true) } else { short };
            let n = seen.entry(id.clone()).or_default();
            *n += 1;
            if *n == 1 {
                id
            } else {
                format!("{id} ({n})")
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(method: &str, url: &str, headers: &[(&str, &str)]) -> RecordedRequest {
        RecordedRequest {
            url: url.into(),
            method: method.into(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            ..RecordedRequest::default()
        }
    }

    #[test]
    fn urls_split_into_origin_path_and_query() {
        let u = split_url("HTTP://API.Test:80/notes/1?x=1#frag").unwrap();
        assert_eq!(u.origin, "http://api.test");
        assert_eq!(u.path, "/notes/1");
        assert_eq!(u.query.as_deref(), Some("x=1"));
        assert_eq!(split_url("https://a.test:8443").unwrap().origin, "https://a.test:8443");
        assert_eq!(split_url("https://a.test:8443").unwrap().path, "/");
        assert!(split_url("data:text/plain,x").is_none());
        assert!(split_url("/relative").is_none());
        assert!(split_url("http:///x").is_none());
    }

    #[test]
    fn headers_are_sorted_into_kept_dropped_and_cookies() {
        let (suite, notes) = build_suite(
            SourceKind::Curl,
            vec![request(
                "PUT",
                "http://api.test:9181/notes/1",
                &[
                    ("Host", "api.test"),
                    ("Origin", "http://app.test:8080"),
                    ("User-Agent", "Mozilla/5.0"),
                    ("Sec-Fetch-Mode", "cors"),
                    ("Content-Type", "application/json"),
                    ("Authorization", "Bearer t"),
                    ("Cookie", "sid=abc; theme=dark"),
                    ("Cache-Control", "no-cache"),
                    ("X-Api-Key", "k"),
                    (":authority", "api.test"),
                    // fetch's default, added by the browser.
                    ("Accept", "*/*"),
                ],
            )],
            None,
        );
        assert_eq!(suite.origin.as_deref(), Some("http://app.test:8080"));
        let case = &suite.cases[0];
        assert_eq!(case.id, "PUT /notes/1");
        let names: Vec<&str> = case.headers.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["Content-Type", "Authorization", "X-Api-Key"]);
        let (second, _) = build_suite(
            SourceKind::Curl,
            vec![request("GET", "http://api.test/", &[("Accept", "application/json")])],
            None,
        );
        assert_eq!(second.cases[0].headers.iter().count(), 1, "a page's own Accept is kept");
        assert_eq!(case.credentials, Some(Credentials::Include));
        assert_eq!(suite.cookies.len(), 2);
        assert_eq!(suite.cookies[0].url, "http://api.test:9181/");
        assert_eq!(
            (suite.cookies[0].name.as_str(), suite.cookies[0].value.as_str()),
            ("sid", "abc")
        );
        let text: Vec<String> = notes.iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        assert!(all.contains("dropped Host, Origin, Sec-Fetch-Mode: forbidden"), "{all}");
        assert!(all.contains("dropped User-Agent, Cache-Control, Accept: the browser"), "{all}");
        assert!(all.contains("preset cookies (sid, theme)"), "{all}");
        assert!(all.contains("inferred: the request carried cookies"), "{all}");
        assert!(notes.iter().all(|n| n.case.as_deref() == Some("PUT /notes/1")), "{all}");
    }

    #[test]
    fn written_credentials_win_and_nothing_is_inferred_without_cause() {
        let mut written = request("GET", "http://api.test/a", &[("Authorization", "x")]);
        written.credentials = Some(Credentials::Omit);
        let plain = request("GET", "http://api.test/b", &[]);
        let (suite, notes) = build_suite(SourceKind::Fetch, vec![written, plain], None);
        assert_eq!(suite.cases[0].credentials, Some(Credentials::Omit));
        assert_eq!(suite.cases[1].credentials, None);
        assert!(!notes.iter().any(|n| n.message.contains("inferred")));
    }

    #[test]
    fn duplicates_merge_and_ids_stay_unique_and_readable() {
        let (suite, notes) = build_suite(
            SourceKind::Har,
            vec![
                request("GET", "http://api.test/notes?page=1", &[]),
                request("GET", "http://api.test/notes?page=1", &[]),
                request("GET", "http://api.test/notes?page=2", &[]),
                request("GET", "http://api.test/notes?page=2", &[("X-A", "1")]),
                request("DELETE", "http://other.test/notes/1", &[]),
            ],
            Some("http://app.test".into()),
        );
        let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "GET api.test/notes?page=1",
                "GET api.test/notes?page=2",
                "GET api.test/notes?page=2 (2)",
                "DELETE other.test/notes/1"
            ]
        );
        assert!(notes.iter().any(|n| n.message.contains("2 identical requests merged")
            && n.case.as_deref() == Some("GET api.test/notes?page=1")));
    }

    #[test]
    fn failures_bodies_on_get_and_bad_urls_are_noted() {
        let mut failed = request("GET", "http://api.test/x", &[]);
        failed.failure = Some("net::ERR_FAILED".into());
        failed.body = Some("b".into());
        let (suite, notes) =
            build_suite(SourceKind::Har, vec![failed, request("GET", "ftp://x/", &[])], None);
        assert_eq!(suite.cases.len(), 1);
        assert_eq!(suite.cases[0].body, None);
        let all: Vec<String> = notes.iter().map(ToString::to_string).collect();
        assert!(
            all.iter().any(|n| n.contains("failed in the recording: net::ERR_FAILED")),
            "{all:?}"
        );
        assert!(all.iter().any(|n| n.contains("refuses a body on GET")), "{all:?}");
        assert!(all.iter().any(|n| n.starts_with("error: left out: `ftp://x/`")), "{all:?}");
    }
}
