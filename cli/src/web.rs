//! The harness page and its wasm package, embedded in the binary when it is built
//! (see `cli/build.rs`), served with the page's Content-Security-Policy.

use std::net::SocketAddr;
use std::sync::Arc;

use anyhow::Context;
use axum::extract::Request;
use axum::http::{header, HeaderMap, HeaderValue, StatusCode, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::replay::{loopback_host, ReplayService, BASE_PATH};

include!(concat!(env!("OUT_DIR"), "/assets.rs"));

/// The policy the page ships with (also in its `<meta>`): no inline script, no eval
/// beyond WebAssembly, fetches to anywhere (that is the point).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src *; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
/// What a page that runs as an opaque origin (`--origin null`) adds to that policy.
const SANDBOX_DIRECTIVE: &str = "sandbox allow-scripts";

/// An embedded file of the page (`index.html`, `pkg/cors_harness_bg.wasm`, ...).
pub fn asset(path: &str) -> Option<&'static [u8]> {
    ASSETS.iter().find(|(name, _)| *name == path).map(|(_, bytes)| *bytes)
}

/// The media type the page's files are served with.
fn content_type(path: &str) -> &'static str {
    match path.rsplit_once('.').map_or("", |(_, ext)| ext) {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "wasm" => "application/wasm",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ts" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The page's embedded files as a router.
pub struct WebBundle;

impl WebBundle {
    /// The page and its package, as embedded at build time.
    pub fn prepare() -> anyhow::Result<WebBundle> {
        asset("index.html").context("this binary was built without the harness page")?;
        Ok(WebBundle)
    }

    /// The page's routes; `default_suite` is offered to the page as `default-suite.json`.
    /// With `probe`, each page load gets a probe-endpoint session (see [`crate::replay`]).
    pub fn router(
        &self,
        default_suite: Option<String>,
        probe: Option<ReplayService>,
        options: &PageOptions,
    ) -> Router {
        let mut router = Router::new();
        if let Some(probe) = probe.filter(|_| !options.sandboxed) {
            let probe = probe.with_page_host(options.own_host.clone());
            let routes = probe.router();
            let page = move |headers: axum::http::HeaderMap| {
                let probe = probe.clone();
                async move {
                    let ours = loopback_host(&headers) || probe.is_page_host(&headers);
                    index_with_session(&probe, ours)
                }
            };
            router =
                router.route("/", get(page.clone())).route("/index.html", get(page)).merge(routes);
        }
        if let Some(suite) = default_suite {
            router = router.route(
                "/default-suite.json",
                get(move || async move { ([(header::CONTENT_TYPE, "application/json")], suite) }),
            );
        }
        if options.sandboxed {
            // The page's own HTML carries its policy in a `<meta>` too: both must name the server.
            router = router
                .route("/", get(sandboxed_index))
                .route("/index.html", get(sandboxed_index))
                .fallback(embedded)
                .layer(middleware::from_fn(sandboxed_policy))
                // The sandboxed page loads its module scripts and wasm in cors mode, as `null`.
                .layer(SetResponseHeaderLayer::overriding(
                    header::ACCESS_CONTROL_ALLOW_ORIGIN,
                    HeaderValue::from_static("*"),
                ));
        } else {
            router = router.fallback(embedded).layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ));
        }
        router
            .layer(SetResponseHeaderLayer::overriding(
                header::CACHE_CONTROL,
                HeaderValue::from_static("no-store"),
            ))
            .layer(SetResponseHeaderLayer::overriding(
                header::X_CONTENT_TYPE_OPTIONS,
                HeaderValue::from_static("nosniff"),
            ))
    }
}

/// How one page server presents the page.
#[derive(Clone, Debug, Default)]
pub struct PageOptions {
    /// Serve the page as a sandboxed document (an opaque origin, `null`).
    pub sandboxed: bool,
    /// The host name the browser reaches this server by, when the runner mapped one to it.
    pub own_host: Option<String>,
}

/// The page's policy with `'self'` spelled out as `own` (`http://127.0.0.1:PORT`) besides it.
/// WebKit matches `'self'` against the document's origin, which a sandboxed document has
/// opaque, so there `'self'` matches nothing and the page's own scripts, styles and wasm
/// are refused (WebCore's `ContentSecurityPolicy::updateSourceSelf` takes the scheme, host
/// and port of the opaque origin: all empty). Chromium and Firefox use the document's URL.
fn policy_naming_self(policy: &str, own: Option<&str>) -> String {
    match own {
        Some(own) => policy.replace("'self'", &format!("'self' {own}")),
        None => policy.to_owned(),
    }
}

/// The sandboxed page's own scheme, host and port as a CSP source, from the `Host` it was
/// asked for (none when that is not a plain `host[:port]`, so nothing can be injected).
fn own_source(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    let plain = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'));
    // Opaque-origin pages are served over http on loopback (see `crate::stage`).
    plain.then(|| format!("http://{host}"))
}

/// Every response of a sandboxed page gets the policy naming its server, plus `sandbox`.
async fn sandboxed_policy(request: Request, next: Next) -> Response {
    let own = own_source(request.headers());
    let mut response = next.run(request).await;
    let policy = format!(
        "{}; {SANDBOX_DIRECTIVE}",
        policy_naming_self(CONTENT_SECURITY_POLICY, own.as_deref())
    );
    if let Ok(value) = HeaderValue::from_str(&policy) {
        response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, value);
    }
    response
}

/// `index.html` for a sandboxed page: its `<meta>` policy names the server as the header does.
async fn sandboxed_index(headers: HeaderMap) -> Response {
    let Some(html) = asset("index.html").map(String::from_utf8_lossy) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    const META: &str = r#"<meta http-equiv="Content-Security-Policy" content=""#;
    let html = match html.split_once(META).and_then(|(head, rest)| {
        let (policy, tail) = rest.split_once('"')?;
        let own = own_source(&headers);
        Some(format!("{head}{META}{}\"{tail}", policy_naming_self(policy, own.as_deref())))
    }) {
        Some(rewritten) => rewritten,
        None => html.into_owned(),
    };
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// Serves an embedded file; `/` is `index.html`.
async fn embedded(uri: Uri) -> Response {
    let path = uri.path().trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    match asset(path) {
        Some(bytes) => ([(header::CONTENT_TYPE, content_type(path))], bytes).into_response(),
        None => (StatusCode::NOT_FOUND, "not found").into_response(),
    }
}

/// The page's HTML with a new probe-endpoint session in its `cors-harness-probe` meta tag
/// (none when the page is asked for by a name other than a loopback one).
fn index_with_session(probe: &ReplayService, loopback: bool) -> Response {
    let Some(html) = asset("index.html").map(String::from_utf8_lossy) else {
        return (StatusCode::NOT_FOUND, "not found").into_response();
    };
    let html = if loopback {
        let meta = format!(
            r#"<meta name="cors-harness-probe" content="{BASE_PATH} {}">"#,
            probe.new_session()
        );
        html.replacen(r#"<meta name="cors-harness-probe" content="">"#, &meta, 1)
    } else {
        html.into_owned()
    };
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// A page server running in the background until stopped.
pub struct PageServer {
    /// `http://127.0.0.1:PORT` (or `https://`): where it really listens.
    pub origin: String,
    pub addr: SocketAddr,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl PageServer {
    /// Binds `addr` (port 0: a free port) and serves `router` there, over TLS with `tls`.
    pub async fn start(
        addr: SocketAddr,
        router: Router,
        tls: Option<Arc<rustls::ServerConfig>>,
    ) -> anyhow::Result<PageServer> {
        let listener = TcpListener::bind(addr).await.with_context(|| {
            format!(
                "cannot listen on {addr} for the page (port busy? choose another --origin/--addr)"
            )
        })?;
        let bound = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let scheme = if tls.is_some() { "https" } else { "http" };
        let task = match tls {
            None => tokio::spawn(async move {
                let shutdown = async move {
                    let _ = stopped.wait_for(|s| *s).await;
                };
                let _ = axum::serve(listener, router).with_graceful_shutdown(shutdown).await;
            }),
            Some(config) => tokio::spawn(serve_tls(listener, router, config, stopped)),
        };
        Ok(PageServer { origin: format!("{scheme}://{bound}"), addr: bound, stop, task })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}

/// Accepts TLS connections until stopped and serves `router` on each (HTTP/1.1).
pub async fn serve_tls(
    listener: TcpListener,
    router: Router,
    config: Arc<rustls::ServerConfig>,
    mut stopped: watch::Receiver<bool>,
) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    loop {
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = stopped.wait_for(|s| *s) => break,
        };
        let Ok((tcp, _)) = accepted else { continue };
        let acceptor = acceptor.clone();
        let service = hyper_util::service::TowerToHyperService::new(router.clone());
        tokio::spawn(async move {
            // A browser that does not trust the certificate aborts the handshake: nothing to serve.
            let Ok(stream) = acceptor.accept(tcp).await else { return };
            let _ =
                hyper_util::server::conn::auto::Builder::new(hyper_util::rt::TokioExecutor::new())
                    .serve_connection_with_upgrades(hyper_util::rt::TokioIo::new(stream), service)
                    .await;
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sandboxed_page_names_its_own_server_beside_self() {
        let mut headers = HeaderMap::new();
        headers.insert(header::HOST, HeaderValue::from_static("127.0.0.1:9301"));
        let own = own_source(&headers);
        assert_eq!(own.as_deref(), Some("http://127.0.0.1:9301"));
        let policy = policy_naming_self(CONTENT_SECURITY_POLICY, own.as_deref());
        assert!(policy.starts_with("default-src 'self' http://127.0.0.1:9301; script-src 'self' http://127.0.0.1:9301 'wasm-unsafe-eval';"), "{policy}");
        assert!(policy.contains("style-src 'self' http://127.0.0.1:9301;"), "{policy}");
    }

    #[test]
    fn a_host_that_is_not_plain_adds_nothing_to_the_policy() {
        for host in ["a.test; script-src *", "a.test, *", "", "a b"] {
            let mut headers = HeaderMap::new();
            if let Ok(value) = HeaderValue::from_str(host) {
                headers.insert(header::HOST, value);
            }
            assert_eq!(own_source(&headers), None, "{host:?}");
        }
        assert_eq!(policy_naming_self(CONTENT_SECURITY_POLICY, None), CONTENT_SECURITY_POLICY);
    }
}
