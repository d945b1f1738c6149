//! `cors-harness demo`: the fixtures, the page, a built-in suite in headless Chromium,
//! and the verdict table. The serverless story comes first.

use serde_json::{json, Value};

use crate::driver::Engine;
use crate::fixtures::{FixtureArgs, FixtureUrls, Fixtures};
use crate::origin::PageOrigin;
use crate::run::{
    write_output, DriverArgs, ExchangeChoice, Format, Group, Matrix, ReasonSourceChoice,
};
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
    /// Where the demo's page runs from (default: a loopback page); the fixtures allow it.
    #[command(flatten)]
    pub origin: OriginArgs,
}

/// The demo suite against running fixtures.
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
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| Failure::Infra(e.into()))?
            .port();
        origins = vec![Some(PageOrigin::Tuple { secure: false, host: "127.0.0.1".into(), port })];
    }
    let fixture_args = FixtureArgs {
        host: crate::DEFAULT_HOST,
        base_port: free_base_port().map_err(Failure::Infra)?,
        page_origins: origins.iter().flatten().map(ToString::to_string).collect(),
        ..FixtureArgs::default()
    };
    let fixtures = Fixtures::start(&fixture_args).await.map_err(Failure::Infra)?;
    let demo = suite(&fixtures.urls).to_string();
    let loaded = [LoadedSuite::new(demo.clone(), "demo suite")?];
    // The fixtures' exact-origin configuration names the page's origin(s).
    let origin = OriginArgs {
        origins: origins.iter().flatten().map(ToString::to_string).collect(),
        ..args.origin.clone()
    };
    let matrix = Matrix {
        suites: &loaded,
        engines: &[args.browser],
        origin: &origin,
        drivers: &args.drivers,
        concurrency: None,
        reason_source: ReasonSourceChoice::Browser,
        exchange: ExchangeChoice::Browser,
        probe: crate::ProbeEndpointArgs::default(),
        parallel: Some(1),
        default_suite: Some(demo),
    };
    eprintln!("fixtures {} to {}", fixtures.urls.a, fixtures.urls.dead);
    let outcome = matrix.reports().await;
    fixtures.stop().await;
    let reports = outcome?;
    let passed = reports.iter().all(cors_harness::SuiteReport::all_passed);
    write_output(&[Group { reports, failed: Vec::new() }], Format::Table, None)?;
    Ok(passed)
}

/// A base port with five free consecutive ports, trying the default first.
pub(crate) fn free_base_port() -> anyhow::Result<u16> {
    let default = crate::fixtures::DEFAULT_BASE_PORT;
    for base in std::iter::once(default).chain((20_000..40_000).step_by(97)) {
        let free =
            (0..5).all(|offset| std::net::TcpListener::bind(("127.0.0.1", base + offset)).is_ok());
        if free {
            return Ok(base);
        }
    }
    anyhow::bail!("no five consecutive free ports for the fixtures")
}
