//! The probe endpoint: replays a case's exchange from the server side, so the page can
//! see what the browser hides from it (statuses, headers, Locations) and name the check
//! that failed with the evaluator in `cors_harness::cors`.
//!
//! Not an open proxy: it is mounted only on a loopback page server unless told
//! otherwise, every call needs the per-session secret the page got with its HTML, it
//! replays only URLs of the suite the page registered in that session, it caps time and
//! body size, and it never sends cookies (it has none, and drops forbidden headers).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::Router;
use cors_harness::cors::allow_list;
use cors_harness::cors::exchange::{REPLAY_PATH, REPLAY_SCOPE_PATH, SECRET_HEADER};
use cors_harness::cors::url::NativeUrls;
use cors_harness::cors::{
    self, ReplayRequest, ReplayScope, Rules, Transport, WireRequest, WireResponse,
};
use cors_harness::fetch::header as fetch_header;
use cors_harness::net_error::{NetError, NetErrorCode};
use cors_harness::plan::CACHE_BUST_PARAM;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// Where the endpoint lives on the page's origin.
pub const BASE_PATH: &str = "/__cors-harness/probe";
/// Sessions kept at once (one per page load); the oldest goes first.
const MAX_SESSIONS: usize = 256;
/// URLs one session may register (a benchmark suite has 10,000 cases).
const MAX_SCOPE_URLS: usize = 100_000;
/// Longest wait for one message of a replay.
const MAX_TIMEOUT: Duration = Duration::from_secs(30);
/// A response head larger than this is refused (bodies are never read: only headers matter).
const MAX_HEAD_BYTES: usize = 256 * 1024;
/// Largest request body replayed, and largest call to the endpoint.
const MAX_REQUEST_BYTES: usize = 1024 * 1024;
/// Longest a whole replay (every hop) may take.
const MAX_REPLAY: Duration = Duration::from_secs(60);
/// Replays in flight at once.
const MAX_CONCURRENT_REPLAYS: usize = 16;

/// The sessions and the HTTP client behind the endpoint.
#[derive(Clone)]
pub struct ReplayService {
    sessions: Arc<Mutex<Sessions>>,
    replays: Arc<tokio::sync::Semaphore>,
    /// The name the runner mapped to this page server (`--origin https://app.example.com`).
    page_host: Option<Arc<str>>,
    /// How replays reach servers: `--resolve` and the trust `--ca-cert` gives https
    /// (`None`: the system's).
    network: Option<Arc<ReplayNetwork>>,
}

/// Where replays connect and what certificates they accept.
pub struct ReplayNetwork {
    pub names: crate::names::NameMap,
    pub tls: Arc<rustls::ClientConfig>,
}

impl ReplayNetwork {
    /// The system's resolver and trust roots (a page served without `--resolve`/`--ca-cert`).
    /// Read once per process: loading the roots reads every file of the system's store.
    fn system() -> Result<Arc<ReplayNetwork>, NetError> {
        static SYSTEM: std::sync::OnceLock<Result<Arc<ReplayNetwork>, String>> =
            std::sync::OnceLock::new();
        SYSTEM
            .get_or_init(|| {
                let trust = crate::tls::ApiTrust::load(&[]).map_err(|e| format!("{e:#}"))?;
                let names = crate::names::NameMap::default();
                Ok(Arc::new(ReplayNetwork { names, tls: trust.client_config() }))
            })
            .clone()
            .map_err(|e| NetError::with_detail(NetErrorCode::SslProtocolError, e))
    }
}

impl Default for ReplayService {
    fn default() -> Self {
        ReplayService {
            sessions: Arc::default(),
            replays: Arc::new(tokio::sync::Semaphore::new(MAX_CONCURRENT_REPLAYS)),
            page_host: None,
            network: None,
        }
    }
}

/// Is this request addressed to the loopback page server by a loopback name? A page on
/// another site that rebinds its own host name to 127.0.0.1 is refused.
pub fn loopback_host(headers: &HeaderMap) -> bool {
    let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The calling page's own origin, as the browser sent it on this same-origin POST.
fn same_origin_caller(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().ok()?;
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let same = origin == format!("http://{host}") || origin == format!("https://{host}");
    same.then(|| origin.to_owned())
}

#[derive(Default)]
struct Sessions {
    order: VecDeque<String>,
    scopes: HashMap<String, Scope>,
}

/// What one session may replay: the suite's URLs (see [`scope_key`]) and their origins,
/// kept at registration so a replay need not parse the whole suite again.
#[derive(Default)]
struct Scope {
    urls: HashSet<String>,
    origins: HashSet<String>,
}

impl ReplayService {
    pub fn new() -> Self {
        ReplayService::default()
    }

    /// The same service replaying through `network` (the run's `--resolve` and `--ca-cert`).
    pub fn with_network(mut self, network: ReplayNetwork) -> Self {
        self.network = Some(Arc::new(network));
        self
    }

    /// The same service for a page the browser reaches by `host` (a name the runner mapped).
    pub fn with_page_host(mut self, host: Option<String>) -> Self {
        self.page_host = host.map(|h| Arc::from(h.to_ascii_lowercase()));
        self
    }

    /// Is this request addressed to the page server by the name the runner mapped to it?
    pub fn is_page_host(&self, headers: &HeaderMap) -> bool {
        let Some(ours) = self.page_host.as_deref() else { return false };
        let Some(host) = headers.get(header::HOST).and_then(|v| v.to_str().ok()) else {
            return false;
        };
        let name = host
            .rsplit_once(':')
            .filter(|(_, p)| p.parse::<u16>().is_ok())
            .map_or(host, |(n, _)| n);
        name.eq_ignore_ascii_case(ours)
    }

    /// A new session and its secret, for one page load.
    pub fn new_session(&self) -> String {
        let mut bytes = [0u8; 16];
        // Without OS randomness there is no session: the endpoint then refuses every call.
        if getrandom::fill(&mut bytes).is_err() {
            return String::new();
        }
        let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        if sessions.order.len() >= MAX_SESSIONS {
            if let Some(oldest) = sessions.order.pop_front() {
                sessions.scopes.remove(&oldest);
            }
        }
        sessions.order.push_back(secret.clone());
        sessions.scopes.insert(secret.clone(), Scope::default());
        secret
    }

    /// The endpoint's routes (under [`BASE_PATH`]).
    pub fn router(&self) -> Router {
        Router::new()
            .route(&format!("{BASE_PATH}{REPLAY_SCOPE_PATH}"), post(register_scope))
            .route(&format!("{BASE_PATH}{REPLAY_PATH}"), post(replay))
            .with_state(self.clone())
    }

    fn with_scope<T>(&self, secret: &str, f: impl FnOnce(&mut Scope) -> T) -> Option<T> {
        let mut sessions = self.sessions.lock().unwrap_or_else(|e| e.into_inner());
        sessions.scopes.get_mut(secret).filter(|_| !secret.is_empty()).map(f)
    }
}

/// A URL as the scope compares it: parsed, without the cache-busting parameter.
fn scope_key(url: &str) -> Option<url::Url> {
    let mut parsed = url::Url::parse(url).ok()?;
    let kept: Vec<(String, String)> = parsed
        .query_pairs()
        .filter(|(k, _)| k != CACHE_BUST_PARAM)
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if parsed.query().is_some() {
        if kept.is_empty() {
            parsed.set_query(None);
        } else {
            parsed.query_pairs_mut().clear().extend_pairs(kept);
        }
    }
    parsed.set_fragment(None);
    Some(parsed)
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, [(header::CONTENT_TYPE, "text/plain; charset=utf-8")], message.into()).into_response()
}

fn secret(headers: &HeaderMap) -> String {
    headers.get(SECRET_HEADER).and_then(|v| v.to_str().ok()).unwrap_or_default().to_owned()
}

async fn register_scope(
    State(service): State<ReplayService>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let ours = loopback_host(&headers) || service.is_page_host(&headers);
    if !ours || same_origin_caller(&headers).is_none() {
        return refuse(
            StatusCode::FORBIDDEN,
            "only the page on this loopback server may use the probe endpoint",
        );
    }
    let Ok(scope) = serde_json::from_slice::<ReplayScope>(&body) else {
        return refuse(StatusCode::BAD_REQUEST, "expected {\"urls\": [...]}");
    };
    let keys: Vec<url::Url> = scope.urls.iter().filter_map(|u| scope_key(u)).collect();
    let added = service.with_scope(&secret(&headers), |scope| {
        for key in keys {
            if scope.urls.len() >= MAX_SCOPE_URLS {
                return false;
            }
            scope.origins.insert(key.origin().ascii_serialization());
            scope.urls.insert(key.into());
        }
        true
    });
    match added {
        None => refuse(StatusCode::FORBIDDEN, "unknown session: reload the page"),
        Some(false) => refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("at most {MAX_SCOPE_URLS} URLs per session"),
        ),
        Some(true) => StatusCode::NO_CONTENT.into_response(),
    }
}

async fn replay(State(service): State<ReplayService>, headers: HeaderMap, body: Bytes) -> Response {
    if !loopback_host(&headers) && !service.is_page_host(&headers) {
        return refuse(
            StatusCode::FORBIDDEN,
            "only the page on this loopback server may use the probe endpoint",
        );
    }
    if body.len() > MAX_REQUEST_BYTES {
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, "request too large");
    }
    let Ok(ReplayRequest { mut request, family, timeout_ms }) =
        serde_json::from_slice::<ReplayRequest>(&body)
    else {
        return refuse(StatusCode::BAD_REQUEST, "expected a replay request");
    };
    let Some(key) = scope_key(&request.url) else {
        return refuse(StatusCode::BAD_REQUEST, "not an absolute URL");
    };
    let key = String::from(key);
    let origins = service.with_scope(&secret(&headers), |scope| {
        scope.urls.contains(&key).then(|| scope.origins.clone())
    });
    let allowed_origins = match origins {
        None => return refuse(StatusCode::FORBIDDEN, "unknown session: reload the page"),
        Some(Some(origins)) => origins,
        Some(None) => {
            return refuse(
                StatusCode::FORBIDDEN,
                format!("{key} is not in the suite loaded in this session"),
            )
        }
    };
    // The replay speaks for the page that asked: its Origin is the one replayed.
    if same_origin_caller(&headers).as_deref() != Some(request.origin.as_str()) {
        return refuse(StatusCode::FORBIDDEN, "the request's origin is not the calling page's");
    }
    // Nothing but a token may reach the request line or a header name; no control bytes in values.
    let method_ok = allow_list::is_token(&request.method)
        && !cors_harness::fetch::method::is_forbidden(&request.method);
    let headers_ok = request.headers.iter().all(|(name, value)| {
        allow_list::is_token(name) && !value.bytes().any(|b| matches!(b, b'\0' | b'\r' | b'\n'))
    });
    if !method_ok || !headers_ok {
        return refuse(StatusCode::BAD_REQUEST, "a method or header the browser would not send");
    }
    if !matches!(
        url::Url::parse(&request.url).map(|u| u.scheme().to_owned()).as_deref(),
        Ok("http" | "https")
    ) {
        return refuse(
            StatusCode::NOT_IMPLEMENTED,
            NetError::not_replayed("the probe endpoint replays http and https URLs only")
                .to_string(),
        );
    }
    // Never forward cookies or other forbidden headers, whatever the page sends.
    request.headers.retain(|(name, value)| !fetch_header::is_forbidden_request_header(name, value));
    if request.body.as_ref().is_some_and(|b| b.len() > MAX_REQUEST_BYTES) {
        request.body = None;
    }
    let Ok(_permit) = service.replays.clone().acquire_owned().await else {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "the probe endpoint is shutting down");
    };
    let transport = HttpTransport {
        timeout: Duration::from_millis(u64::from(timeout_ms)).min(MAX_TIMEOUT),
        allowed_origins,
        network: service.network.clone(),
    };
    let walk = cors::walk(&request, Rules::of(family), &NativeUrls, &transport);
    let Ok(walked) = tokio::time::timeout(MAX_REPLAY, walk).await else {
        return refuse(StatusCode::GATEWAY_TIMEOUT, "the replay took longer than 60 s");
    };
    match serde_json::to_string(&walked.exchange) {
        Ok(json) => ([(header::CONTENT_TYPE, "application/json")], json).into_response(),
        Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
    }
}

/// Sends each message as the browser puts it on the wire, over HTTP/1.1, and reads the
/// response head exactly as sent: header spelling and repeated lines matter to Firefox.
/// Never follows redirects, never sends cookies, reads no body.
/// Redirect hops go only to the suite's origins or to loopback.
struct HttpTransport {
    timeout: Duration,
    allowed_origins: HashSet<String>,
    network: Option<Arc<ReplayNetwork>>,
}

impl HttpTransport {
    fn may_send(&self, url: &str) -> bool {
        let Ok(url) = url::Url::parse(url) else { return false };
        let loopback = match url.host() {
            Some(url::Host::Domain(name)) => name.eq_ignore_ascii_case("localhost"),
            Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
            Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
            None => false,
        };
        loopback || self.allowed_origins.contains(&url.origin().ascii_serialization())
    }
}

impl Transport for HttpTransport {
    async fn send(&self, request: &WireRequest) -> Result<WireResponse, NetError> {
        if !self.may_send(&request.url) {
            return Err(NetError::not_replayed(format!(
                "{} is outside the suite's origins",
                request.url
            )));
        }
        let network = match &self.network {
            Some(network) => network.clone(),
            None => ReplayNetwork::system()?,
        };
        match tokio::time::timeout(self.timeout, exchange_http1(request, &network)).await {
            Ok(result) => result,
            Err(_) => Err(NetErrorCode::TimedOut.into()),
        }
    }
}

/// A connection to a server, plain or TLS.
trait Wire: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send {}
impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Unpin + Send> Wire for T {}

/// Connects to the URL's server (as `--resolve` says), over TLS for https with SNI and the
/// run's trust: a certificate the browser would not accept fails the replay as it fails there.
async fn connect(url: &url::Url, network: &ReplayNetwork) -> Result<Box<dyn Wire>, NetError> {
    let host = url.host_str().unwrap_or_default().trim_start_matches('[').trim_end_matches(']');
    let port = url.port_or_known_default().unwrap_or(80);
    let addrs = network
        .names
        .lookup(host, port)
        .await
        .map_err(|e| NetError::with_detail(NetErrorCode::NameNotResolved, e))?;
    let stream = match TcpStream::connect(addrs.as_slice()).await {
        Ok(stream) => stream,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Err(NetErrorCode::ConnectionRefused.into())
        }
        Err(e) => return Err(NetError::with_detail(NetErrorCode::ConnectionFailed, e)),
    };
    match url.scheme() {
        "http" => Ok(Box::new(stream)),
        "https" => {
            let name = rustls::pki_types::ServerName::try_from(host.to_owned())
                .map_err(|e| NetError::with_detail(NetErrorCode::InvalidUrl, e))?;
            let connector = tokio_rustls::TlsConnector::from(network.tls.clone());
            match connector.connect(name, stream).await {
                Ok(tls) => Ok(Box::new(tls)),
                Err(e) => Err(tls_error(&e)),
            }
        }
        other => Err(NetError::not_replayed(format!("the probe endpoint does not speak {other}"))),
    }
}

/// Chromium's name for a failed TLS handshake, as close as rustls tells.
fn tls_error(error: &std::io::Error) -> NetError {
    use rustls::{CertificateError, Error};
    let code = match error.get_ref().and_then(|e| e.downcast_ref::<Error>()) {
        Some(Error::InvalidCertificate(cert)) => match cert {
            CertificateError::Expired
            | CertificateError::ExpiredContext { .. }
            | CertificateError::NotValidYet
            | CertificateError::NotValidYetContext { .. } => NetErrorCode::CertDateInvalid,
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                NetErrorCode::CertCommonNameInvalid
            }
            CertificateError::Revoked => NetErrorCode::CertRevoked,
            CertificateError::UnknownIssuer => NetErrorCode::CertAuthorityInvalid,
            _ => NetErrorCode::CertInvalid,
        },
        Some(_) => NetErrorCode::SslProtocolError,
        None => NetErrorCode::ConnectionReset,
    };
    NetError::with_detail(code, error)
}

async fn exchange_http1(
    request: &WireRequest,
    network: &ReplayNetwork,
) -> Result<WireResponse, NetError> {
    let url = url::Url::parse(&request.url)
        .map_err(|e| NetError::with_detail(NetErrorCode::InvalidUrl, e))?;
    let mut stream = connect(&url, network).await?;
    let host = match url.port() {
        Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
        None => url.host_str().unwrap_or_default().to_owned(),
    };
    let target = &url[url::Position::BeforePath..url::Position::AfterQuery];
    let mut head = format!("{} {target} HTTP/1.1\r\nHost: {host}\r\n", request.method);
    for (name, value) in &request.headers {
        if name.contains(['\r', '\n', ':']) || value.contains(['\r', '\n']) {
            return Err(NetError::with_detail(
                NetErrorCode::InvalidArgument,
                format!("header {name:?}"),
            ));
        }
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    let body = request.body.as_deref().unwrap_or("");
    if request.body.is_some() || !matches!(request.method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        head.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    head.push_str("Connection: close\r\n\r\n");
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        stream.write_all(body.as_bytes()).await
    };
    write.await.map_err(|e| NetError::with_detail(NetErrorCode::ConnectionReset, e))?;
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let read = match stream.read(&mut chunk).await {
            Ok(n) => n,
            Err(e) => return Err(NetError::with_detail(NetErrorCode::ConnectionReset, e)),
        };
        if read == 0 {
            return Err(if buffer.is_empty() {
                NetErrorCode::EmptyResponse.into()
            } else {
                NetError::with_detail(
                    NetErrorCode::InvalidHttpResponse,
                    "the connection closed inside the response head",
                )
            });
        }
        buffer.extend_from_slice(&chunk[..read]);
        let mut headers = [httparse::EMPTY_HEADER; 512];
        let mut response = httparse::Response::new(&mut headers);
        match response.parse(&buffer) {
            Ok(httparse::Status::Complete(_)) => {
                let status = response.code.unwrap_or_default();
                // An interim 1xx (e.g. 103 Early Hints) is not the answer: keep reading.
                if (100..200).contains(&status) {
                    let consumed = match response.parse(&buffer) {
                        Ok(httparse::Status::Complete(n)) => n,
                        _ => buffer.len(),
                    };
                    buffer.drain(..consumed);
                    continue;
                }
                let headers = response
                    .headers
                    .iter()
                    .map(|h| {
                        (h.name.to_owned(), String::from_utf8_lossy(h.value).trim().to_owned())
                    })
                    .collect();
                return Ok(WireResponse { status, headers });
            }
            Ok(httparse::Status::Partial) if buffer.len() <= MAX_HEAD_BYTES => {}
            Ok(httparse::Status::Partial) => return Err(NetErrorCode::ResponseHeadersTooBig.into()),
            Err(e) => return Err(NetError::with_detail(NetErrorCode::InvalidHttpResponse, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_ignores_the_cache_busting_parameter() {
        assert_eq!(
            scope_key("http://127.0.0.1:9181/x?a=1&__cors_harness=abc1")
                .map(String::from)
                .as_deref(),
            Some("http://127.0.0.1:9181/x?a=1")
        );
        assert_eq!(
            scope_key("http://127.0.0.1:9181/x?__cors_harness=abc1").map(String::from).as_deref(),
            Some("http://127.0.0.1:9181/x")
        );
        assert_eq!(
            scope_key("http://127.0.0.1:9181/x").map(String::from).as_deref(),
            Some("http://127.0.0.1:9181/x")
        );
        assert_eq!(scope_key("/relative"), None);
    }

    fn headers(pairs: &[(&str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                axum::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                value.parse().unwrap(),
            );
        }
        map
    }

    #[test]
    fn only_the_page_on_a_loopback_name_may_call() {
        for host in ["127.0.0.1:8080", "localhost:9", "[::1]:80", "LOCALHOST"] {
            assert!(loopback_host(&headers(&[("host", host)])), "{host}");
        }
        for host in ["evil.example:8080", "10.0.0.1:80", "127.0.0.1.evil.example"] {
            assert!(!loopback_host(&headers(&[("host", host)])), "{host}: DNS rebinding");
        }
        assert!(!loopback_host(&HeaderMap::new()));
        let page = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://127.0.0.1:8080")]);
        assert_eq!(same_origin_caller(&page).as_deref(), Some("http://127.0.0.1:8080"));
        let other = headers(&[("host", "127.0.0.1:8080"), ("origin", "http://evil.example")]);
        assert_eq!(same_origin_caller(&other), None);
        assert_eq!(
            same_origin_caller(&headers(&[("host", "127.0.0.1:8080")])),
            None,
            "no Origin, no replay"
        );
    }

    #[test]
    fn redirect_hops_stay_on_the_suites_origins_or_loopback() {
        let transport = HttpTransport {
            timeout: Duration::from_secs(1),
            allowed_origins: ["http://api.example".to_owned()].into_iter().collect(),
            network: None,
        };
        assert!(transport.may_send("http://api.example/x"));
        assert!(transport.may_send("http://127.0.0.1:9/x"));
        assert!(transport.may_send("http://localhost/x"));
        assert!(!transport.may_send("http://169.254.169.254/latest/meta-data"));
        assert!(!transport.may_send("http://internal.example/"));
    }

    #[test]
    fn sessions_are_bounded_and_secret() {
        let service = ReplayService::new();
        let first = service.new_session();
        assert_eq!(first.len(), 32);
        assert_ne!(first, service.new_session());
        for _ in 0..MAX_SESSIONS {
            service.new_session();
        }
        assert!(service.with_scope(&first, |_| ()).is_none(), "the oldest session is gone");
        assert!(service.with_scope("", |_| ()).is_none());
    }
}
