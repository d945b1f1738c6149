//! The harness page and its wasm package, built from this repository and served
//! with the page's Content-Security-Policy.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{bail, Context};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

use crate::replay::{loopback_host, ReplayService, BASE_PATH};

/// The policy the page ships with (also in its `<meta>`): no inline script, no eval
/// beyond WebAssembly, fetches to anywhere (that is the point).
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; connect-src *; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The repository the binary was built from (override with `CORS_HARNESS_ROOT`).
pub fn repo_root() -> PathBuf {
    std::env::var_os("CORS_HARNESS_ROOT")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".."))
}

/// `www/` and the freshly built wasm package beside it.
pub struct WebBundle {
    pub www: PathBuf,
    pub pkg: PathBuf,
}

impl WebBundle {
    /// Builds the wasm package (release, when stale) and returns where the page lives.
    pub fn prepare() -> anyhow::Result<WebBundle> {
        let root = repo_root();
        let www = root.join("www");
        if !www.join("index.html").is_file() {
            bail!(
                "the harness page is missing at {} (set CORS_HARNESS_ROOT to the repository)",
                www.display()
            );
        }
        let target_dir =
            std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| root.join("target"), PathBuf::from);
        let status = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()))
            .current_dir(&root)
            .args([
                "build",
                "--quiet",
                "--release",
                "--lib",
                "-p",
                "cors-harness",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CARGO_TARGET_DIR", &target_dir)
            .status()
            .context("cannot run cargo to build the wasm engine")?;
        if !status.success() {
            bail!("building the wasm engine failed (is the wasm32 target installed? run scripts/setup.sh wasm)");
        }
        let wasm = target_dir.join("wasm32-unknown-unknown/release/cors_harness.wasm");
        let pkg = target_dir.join("cors-harness-web/pkg");
        let glue = pkg.join("cors_harness_bg.wasm");
        // Several runners may start at once (parallel tests): one writes the package at a time.
        std::fs::create_dir_all(&pkg)?;
        let lock = std::fs::File::create(target_dir.join("cors-harness-web/.lock"))?;
        lock.lock().context("cannot lock the page's package directory")?;
        if modified(&glue) < modified(&wasm) {
            let status = Command::new("wasm-bindgen")
                .args(["--target", "web", "--no-typescript", "--out-dir"])
                .arg(&pkg)
                .arg(&wasm)
                .status()
                .context("cannot run wasm-bindgen (run scripts/setup.sh wasm to install the locked version)")?;
            if !status.success() {
                bail!("wasm-bindgen failed on {}", wasm.display());
            }
            // Size: binaryen's wasm-opt when `scripts/setup.sh node` installed it.
            let status = Command::new("bash")
                .arg(root.join("scripts/optimize-wasm.sh"))
                .arg(&glue)
                .status()
                .context("cannot run scripts/optimize-wasm.sh")?;
            if !status.success() {
                bail!("wasm-opt failed on {}", glue.display());
            }
        }
        // The page's own modules (render.js, controller.js, harness.css) are in www/; /pkg
        // holds only the wasm-bindgen output, as in `wasm-pack build --out-dir www/pkg`.
        Ok(WebBundle { www, pkg })
    }

    /// The page's routes; `default_suite` is offered to the page as `default-suite.json`.
    /// With `probe`, each page load gets a probe-endpoint session (see [`crate::replay`]).
    pub fn router(&self, default_suite: Option<String>, probe: Option<ReplayService>) -> Router {
        let mut router = Router::new().nest_service("/pkg", ServeDir::new(&self.pkg));
        if let Some(probe) = probe {
            let routes = probe.router();
            let index = self.www.join("index.html");
            let page = move |headers: axum::http::HeaderMap| {
                let probe = probe.clone();
                let index = index.clone();
                async move { index_with_session(&index, &probe, loopback_host(&headers)) }
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
        router
            .fallback_service(ServeDir::new(&self.www))
            .layer(SetResponseHeaderLayer::overriding(
                header::CONTENT_SECURITY_POLICY,
                HeaderValue::from_static(CONTENT_SECURITY_POLICY),
            ))
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

/// The page's HTML with a new probe-endpoint session in its `cors-harness-probe` meta tag
/// (none when the page is asked for by a name other than a loopback one).
fn index_with_session(index: &Path, probe: &ReplayService, loopback: bool) -> Response {
    match std::fs::read_to_string(index) {
        Ok(html) if !loopback => {
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        Ok(html) => {
            let meta = format!(
                r#"<meta name="cors-harness-probe" content="{BASE_PATH} {}">"#,
                probe.new_session()
            );
            let html = html.replacen(r#"<meta name="cors-harness-probe" content="">"#, &meta, 1);
            ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
        }
        Err(e) => {
            (StatusCode::INTERNAL_SERVER_ERROR, format!("cannot read {}: {e}", index.display()))
                .into_response()
        }
    }
}

fn modified(path: &Path) -> Option<SystemTime> {
    path.metadata().and_then(|m| m.modified()).ok()
}

/// A page server running in the background until stopped.
pub struct PageServer {
    pub origin: String,
    stop: watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl PageServer {
    /// Binds `addr` (port 0: a free port) and serves `router` there.
    pub async fn start(addr: SocketAddr, router: Router) -> anyhow::Result<PageServer> {
        let listener = TcpListener::bind(addr).await.with_context(|| {
            format!(
                "cannot listen on {addr} for the page (port busy? choose another --origin/--addr)"
            )
        })?;
        let bound = listener.local_addr()?;
        let (stop, mut stopped) = watch::channel(false);
        let task = tokio::spawn(async move {
            let shutdown = async move {
                let _ = stopped.wait_for(|s| *s).await;
            };
            let _ = axum::serve(listener, router).with_graceful_shutdown(shutdown).await;
        });
        Ok(PageServer { origin: format!("http://{bound}"), stop, task })
    }

    pub async fn stop(self) {
        let _ = self.stop.send(true);
        let _ = self.task.await;
    }
}
