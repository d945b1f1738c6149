//! `cors-harness demo`: the fixtures, the page, a built-in suite in headless Chromium,
//! and the verdict table. The serverless story comes first, and ends where users lose the
//! most time: CORS fixed, and the session cookie still does not arrive.
//!
//! The page runs as the app's own https site ([`APP_ORIGIN`]) calling the gateway on its
//! own domain ([`CROSS_SITE_API`]) and the same API on the app's site ([`SAME_SITE_API`]):
//! names and certificates are told to the browser for this session only (no privileged
//! port, no system trust store, no /etc/hosts), as `run --origin --resolve --ca-cert` does.

use serde_json::{json, Value};

use crate::driver::Engine;
use crate::fixtures::{FixtureArgs, FixtureUrls, Fixtures};
use crate::origin::PageOrigin;
use crate::run::{write_output, DriverArgs, Format, Group, Matrix, Watch};
use crate::session::LoadedSuite;
use crate::stage::OriginArgs;
use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct DemoArgs {
    /// Run the demo in this browser engine.
    #[arg(long, value_enum, default_value = "chromium")]
    pub browser: Engine,
    #[command(flatten)]
    pub drivers: DriverArgs,
    /// First of the eight consecutive ports of the demo's fixtures (default: 9181 if free,
    /// else the first free range found).
    #[arg(long)]
    pub base_port: Option<u16>,
    /// Where the demo's page runs from (default: https://app.notes.test, the app's own
    /// site, served on a free loopback port); the fixtures allow it.
    #[command(flatten)]
    pub origin: OriginArgs,
}

/// The page's origin unless `--origin` says otherwise: the app's site.
pub const APP_ORIGIN: &str = "https://app.notes.test";
/// The gateway's own domain: another site than the app's.
pub const CROSS_SITE_API: &str = "api.gateway.test";
/// The same API served from the app's own site (the fix).
pub const SAME_SITE_API: &str = "api.notes.test";

/// Where the https fixtures answer for both API names.
pub struct SessionApis {
    /// `https://api.gateway.test:PORT`
    pub cross_site: String,
    /// `https://api.notes.test:PORT`
    pub same_site: String,
}

impl SessionApis {
    /// Both names on the https fixture `port` (the fixtures' certificate names them).
    pub fn on_port(port: u16) -> SessionApis {
        SessionApis {
            cross_site: format!("https://{CROSS_SITE_API}:{port}"),
            same_site: format!("https://{SAME_SITE_API}:{port}"),
        }
    }
}

/// The demo suite with the story's last chapter: the gateway fixed (the app's exact origin,
/// `Access-Control-Allow-Credentials: true`), and the session cookie, held for both API
/// sites as if the user had logged in on each, still withheld from the cross-site one.
pub fn suite_with_session_cookie(
    urls: &FixtureUrls,
    apis: &SessionApis,
    secure_page: bool,
) -> Value {
    let cross = |path: &str| format!("{}{path}", apis.cross_site);
    let same = |path: &str| format!("{}{path}", apis.same_site);
    let chapter = [
        json!({ "id": "fixed gateway: log in (Set-Cookie)", "url": cross("/serverless/fixed/login"),
                "method": "POST", "credentials": "include", "headers": { "Content-Type": "application/json" },
                "body": "{\"user\":\"demo\"}", "expect": { "status": 200 } }),
        json!({ "id": "fixed gateway: cookie (credentials: include)", "url": cross("/serverless/fixed/notes"),
                "credentials": "include", "expect": { "status": 401 } }),
        json!({ "id": "the fix: API on the app's site (api.)", "url": same("/serverless/fixed/notes"),
                "credentials": "include", "expect": { "status": 200, "cookies_sent": ["session"] } }),
    ];
    let session = |api: &str| {
        json!({ "url": format!("https://{api}/"), "name": "session", "value": "s3cr3t",
                "same_site": "Lax", "secure": true, "http_only": true })
    };
    // An https page calls the https fixtures (WebKit refuses http even on loopback from it).
    let https = FixtureUrls {
        a: urls.https_a.clone().unwrap_or_else(|| urls.a.clone()),
        b: urls.https_b.clone().unwrap_or_else(|| urls.b.clone()),
        dead: https_twin(urls, &urls.dead),
        ..urls.clone()
    };
    let mut suite = suite(if secure_page { &https } else { urls });
    suite["description"] = json!("The serverless API of the SST guide first (with its last chapter: CORS fixed, the session cookie still withheld), then real CORS middleware and hand-broken servers.");
    suite["cookies"] = json!([session(CROSS_SITE_API), session(SAME_SITE_API)]);
    if let Some(cases) = suite["cases"].as_array_mut() {
        if secure_page {
            // Over https a server that never answers never finishes the TLS handshake, and
            // the runner's certificate check would wait for it: one that answers too late.
            for case in cases.iter_mut().filter(|c| c["id"] == "server never answers") {
                *case = json!({ "id": "server answers too late", "url": format!("{}/broken/slow/4000", https.a),
                                "timeout_ms": 1500, "expect": "timeout" });
            }
        }
        let after_serverless = cases
            .iter()
            .take_while(|c| c["id"].as_str().is_some_and(|id| id.starts_with("serverless:")))
            .count();
        cases.splice(after_serverless..after_serverless, chapter);
    }
    suite
}

/// `http://127.0.0.1:PORT` as `https://localhost:PORT`, when the fixtures serve https.
fn https_twin(urls: &FixtureUrls, http: &str) -> String {
    match (&urls.https_a, http.rsplit_once(':')) {
        (Some(_), Some((_, port))) => format!("https://localhost:{port}"),
        _ => http.to_owned(),
    }
}

/// The demo suite against running fixtures (loopback http only: `serve`'s default suite).
pub fn suite(urls: &FixtureUrls) -> Value {
    let a = |path: &str| format!("{}{path}", urls.a);
    let b = |path: &str| format!("{}{path}", urls.b);
    json!({
        "name": "cors-harness demo",
        "description": "The serverless API of the SST guide first, then real CORS middleware and hand-broken servers.",
        "defaults": { "timeout_ms": 3000 },
        "cases": [
            { "id": "serverless: token in a header", "url": a("/serverless/gateway/notes"),
              "headers": { "Authorization": "Bearer abc" }, "credentials": "omit", "expect": { "status": 200 } },
            { "id": "serverless: cookie (credentials: include)", "url": a("/serverless/gateway/notes"),
              "credentials": "include", "expect": "blocked" },
            { "id": "serverless: cookie + token", "url": a("/serverless/gateway/notes"),
              "credentials": "include", "headers": { "Authorization": "Bearer abc" }, "expect": "blocked" },
            { "id": "serverless: handler alone, token", "url": a("/serverless/lambda/notes"),
              "headers": { "Authorization": "Bearer abc" }, "expect": "blocked" },
            { "id": "serverless: behind an authorizer", "url": a("/serverless/authorizer/notes"),
              "headers": { "Authorization": "Bearer abc" }, "expect": "blocked" },
            { "id": "tower-http exact origin", "url": a("/cors/exact/notes"),
              "method": "POST", "headers": { "Content-Type": "application/json" }, "body": "{}", "expect": "allowed" },
            { "id": "tower-http mirror + credentials", "url": a("/cors/reflect-credentials/notes"),
              "credentials": "include", "expect": { "status": 200, "readable_headers": ["x-total-count"] } },
            { "id": "tower-http methods: PUT not allowed", "url": a("/cors/methods/notes"),
              "method": "PUT", "body": "{}", "expect": "blocked" },
            { "id": "tower-http headers: X-Api-Key not allowed", "url": a("/cors/headers/notes"),
              "headers": { "X-Api-Key": "k" }, "expect": "blocked" },
            { "id": "no CORS at all", "url": a("/cors/none/notes"), "expect": "blocked" },
            { "id": "two Allow-Origin values", "url": a("/broken/two-acao"), "expect": "blocked" },
            { "id": "origin with a trailing slash", "url": a("/broken/trailing-slash"), "expect": "blocked" },
            { "id": "Allow-Credentials: True", "url": a("/broken/acac-capital"),
              "credentials": "include", "expect": "blocked" },
            { "id": "preflight answered 500", "url": a("/broken/preflight-status/500"),
              "headers": { "X-Custom": "1" }, "expect": "blocked" },
            { "id": "redirect to a wildcard server", "url": a("/redirect/302/wildcard"), "expect": "allowed" },
            { "id": "redirect, then a fixed origin", "url": a("/redirect/302/fixed-origin"), "expect": "blocked" },
            { "id": "origin B, permissive", "url": b("/cors/permissive/notes"), "expect": "allowed" },
            { "id": "nothing listens", "url": format!("{}/notes", urls.dead), "expect": "unreachable" },
            { "id": "server never answers", "url": format!("{}/notes", urls.hangs), "timeout_ms": 1500, "expect": "timeout" },
            { "id": "relative URL", "url": "/notes", "expect": "invalid" },
            { "id": "Cookie header (dropped)", "url": a("/cors/permissive/notes"),
              "headers": { "Cookie": "session=1" }, "expect": "allowed" }
        ]
    })
}

pub async fn run(args: DemoArgs) -> Result<bool, Failure> {
    // The page's origin first: the fixtures' exact-origin configuration must name it.
    let mut origins = args.origin.page_origins(&[]).map_err(Failure::Usage)?;
    if origins == [None] {
        origins = vec![Some(PageOrigin::parse(APP_ORIGIN).map_err(Failure::Usage)?)];
    }
    let tls_dir = std::env::temp_dir().join(format!("cors-harness-demo-{}", std::process::id()));
    let fixture_args = FixtureArgs {
        host: crate::DEFAULT_HOST,
        base_port: match args.base_port {
            Some(port) => port,
            None => free_base_port().map_err(Failure::Infra)?,
        },
        page_origins: origins.iter().flatten().map(ToString::to_string).collect(),
        tls_dir: Some(tls_dir.clone()),
        tls_names: vec![CROSS_SITE_API.to_owned(), SAME_SITE_API.to_owned()],
    };
    let fixtures = Fixtures::start(&fixture_args).await.map_err(Failure::Infra)?;
    let https_port = fixture_args.base_port + 5;
    let apis = SessionApis::on_port(https_port);
    let secure_page = origins.iter().flatten().any(PageOrigin::is_secure);
    let demo = suite_with_session_cookie(&fixtures.urls, &apis, secure_page).to_string();
    let loaded = [LoadedSuite::new(demo.clone(), "demo suite")?];
    // The fixtures' exact-origin configuration names the page's origin(s); both API names
    // lead to the https fixture, whose certificate the run's CA signed.
    let mut origin = OriginArgs {
        origins: origins.iter().flatten().map(ToString::to_string).collect(),
        ..args.origin.clone()
    };
    for api in [CROSS_SITE_API, SAME_SITE_API] {
        origin
            .resolves
            .push(format!("{api}:{https_port}:127.0.0.1").parse().map_err(Failure::Usage)?);
    }
    origin.ca_certs.push(tls_dir.join("ca.pem"));
    let matrix = Matrix {
        suites: &loaded,
        engines: &[args.browser],
        origin: &origin,
        drivers: &args.drivers,
        concurrency: None,
        watch: Watch::default(),
        probe: crate::ProbeEndpointArgs::default(),
        parallel: Some(1),
        default_suite: Some(demo),
    };
    eprintln!(
        "fixtures {} to {}; {} and {} on {}",
        fixtures.urls.a, fixtures.urls.dead, apis.cross_site, apis.same_site, https_port
    );
    let outcome = matrix.reports().await;
    fixtures.stop().await;
    let _ = std::fs::remove_dir_all(&tls_dir);
    let reports = outcome?;
    let passed = reports.iter().all(cors_harness::SuiteReport::all_passed);
    write_output(&[Group { reports, failed: Vec::new() }], Format::Table, None)?;
    Ok(passed)
}

/// A base port with eight free consecutive ports (the https fixtures too), trying the
/// default first.
pub(crate) fn free_base_port() -> anyhow::Result<u16> {
    let default = crate::fixtures::DEFAULT_BASE_PORT;
    for base in std::iter::once(default).chain((20_000..40_000).step_by(97)) {
        let free =
            (0..8).all(|offset| std::net::TcpListener::bind(("127.0.0.1", base + offset)).is_ok());
        if free {
            return Ok(base);
        }
    }
    anyhow::bail!("no eight consecutive free ports for the fixtures")
}
