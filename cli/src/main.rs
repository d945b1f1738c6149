//! `cors-harness`: the command-line side of cors-harness.
//!
//! Native only. wasm32 builds of the workspace (`wasm-pack test` at the root) compile
//! this crate too, to an empty binary.
#![cfg_attr(target_arch = "wasm32", allow(unused))]

#[cfg(target_arch = "wasm32")]
fn main() {}

#[cfg(not(target_arch = "wasm32"))]
mod audit;
#[cfg(not(target_arch = "wasm32"))]
mod bench;
#[cfg(not(target_arch = "wasm32"))]
mod bidi;
#[cfg(not(target_arch = "wasm32"))]
mod check;
#[cfg(not(target_arch = "wasm32"))]
mod cookies;
#[cfg(not(target_arch = "wasm32"))]
mod demo;
#[cfg(not(target_arch = "wasm32"))]
mod driver;
#[cfg(not(target_arch = "wasm32"))]
mod fixtures;
#[cfg(not(target_arch = "wasm32"))]
mod import;
#[cfg(not(target_arch = "wasm32"))]
mod names;
#[cfg(not(target_arch = "wasm32"))]
mod origin;
#[cfg(not(target_arch = "wasm32"))]
mod parallel;
#[cfg(not(target_arch = "wasm32"))]
mod proxy;
#[cfg(not(target_arch = "wasm32"))]
mod replay;
#[cfg(not(target_arch = "wasm32"))]
mod run;
#[cfg(not(target_arch = "wasm32"))]
mod session;
#[cfg(not(target_arch = "wasm32"))]
mod stage;
#[cfg(not(target_arch = "wasm32"))]
mod tls;
#[cfg(not(target_arch = "wasm32"))]
mod web;
#[cfg(not(target_arch = "wasm32"))]
pub use native::*;

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use crate::{audit, bench, check, demo, fixtures, import, run, web};

    use std::net::{IpAddr, SocketAddr};
    use std::process::ExitCode;

    use clap::{Parser, Subcommand};

    #[derive(Parser)]
    #[command(
        name = "cors-harness",
        version,
        about = "Browser-side CORS test harness: what real browsers do with your API's requests, and why"
    )]
    struct Cli {
        #[command(subcommand)]
        command: Command,
    }

    #[derive(Subcommand)]
    enum Command {
        /// Start the fixtures, run the built-in demo suite in headless Chromium, print the verdicts.
        Demo(demo::DemoArgs),
        /// Serve the harness page and its wasm package: open it in any browser.
        Serve(ServeArgs),
        /// Run a suite file in real headless browsers; exit 0 when every expectation holds,
        /// 1 when one fails, 2 on usage or infrastructure errors.
        Run(run::RunArgs),
        /// Ask one question: one request in a real browser, the verdict, reason and fix in a
        /// few lines; exit 0 when allowed (or as --expect says), 1 otherwise, 2 on usage errors.
        Check(check::CheckArgs),
        /// Can another site read your API with your users' cookies? Attacker pages at derived
        /// origins in real browsers; exit 0 when none can, 1 when one can, 2 on usage or
        /// infrastructure errors.
        Audit(audit::AuditArgs),
        /// Turn DevTools' "Copy as fetch", "Copy as cURL" or a HAR file into a suite.
        Import(import::ImportArgs),
        /// Run the fixture servers in the foreground (Ctrl-C or SIGTERM stops them).
        Fixtures(fixtures::FixtureArgs),
        /// Measure the harness against a minimal fetch() loop in the same page (see BENCHMARKS.md).
        Bench(bench::BenchArgs),
    }

    #[derive(clap::Args)]
    struct ServeArgs {
        /// Address for the page (loopback by default).
        #[arg(long, default_value = "127.0.0.1:8080")]
        addr: SocketAddr,
        /// Also start the fixture servers (their exact-origin configuration allows this page).
        #[arg(long)]
        with_fixtures: bool,
        /// First of the fixtures' five ports, with --with-fixtures.
        #[arg(long, default_value_t = fixtures::DEFAULT_BASE_PORT)]
        fixtures_base_port: u16,
        #[command(flatten)]
        probe: ProbeEndpointArgs,
        /// Serve the page as these origins too (https://app.example.com, null, ...); the
        /// command prints how to open each in Chromium.
        #[command(flatten)]
        origin: crate::stage::OriginArgs,
    }

    /// The probe endpoint the page uses for exact reasons (see the README).
    #[derive(clap::Args, Clone, Copy, Debug, Default)]
    pub struct ProbeEndpointArgs {
        /// Offer no probe endpoint: the page narrows reasons by retries in the browser alone.
        /// (It is offered only on a loopback address in any case.)
        #[arg(long)]
        pub no_probe_endpoint: bool,
    }

    impl ProbeEndpointArgs {
        /// The endpoint for a page served on `addr`: loopback only, never a proxy for others.
        pub fn service(self, addr: SocketAddr) -> Option<crate::replay::ReplayService> {
            if self.no_probe_endpoint || !addr.ip().is_loopback() {
                return None;
            }
            Some(crate::replay::ReplayService::new())
        }
    }

    /// Why a command could not do its work (exit code 2); failed expectations are exit 1.
    #[derive(Debug)]
    pub enum Failure {
        /// The command line or the suite is wrong.
        Usage(String),
        /// A browser, driver, port or build problem.
        Infra(anyhow::Error),
    }

    pub fn main() -> ExitCode {
        let cli = Cli::parse();
        let runtime = match tokio::runtime::Runtime::new() {
            Ok(runtime) => runtime,
            Err(e) => {
                eprintln!("error: cannot start the async runtime: {e}");
                return ExitCode::from(2);
            }
        };
        let outcome = runtime.block_on(async {
            match cli.command {
                Command::Demo(args) => demo::run(args).await,
                Command::Serve(args) => serve(args).await.map(|()| true).map_err(Failure::Infra),
                Command::Run(args) => run::run(args).await,
                Command::Check(args) => check::run(args).await,
                Command::Audit(args) => audit::run(args).await,
                Command::Import(args) => import::run(args).await,
                Command::Bench(args) => bench::run(args).await,
                Command::Fixtures(args) => {
                    fixtures::run_foreground(args).await.map(|()| true).map_err(Failure::Infra)
                }
            }
        });
        match outcome {
            Ok(true) => ExitCode::SUCCESS,
            Ok(false) => ExitCode::from(1),
            Err(Failure::Usage(message)) => {
                eprintln!("error: {message}");
                ExitCode::from(2)
            }
            Err(Failure::Infra(error)) => {
                eprintln!("error: {error:#}");
                ExitCode::from(2)
            }
        }
    }

    async fn serve(args: ServeArgs) -> anyhow::Result<()> {
        let bundle = web::WebBundle::prepare()?;
        let origin = format!("http://{}", args.addr);
        let named = args.origin.page_origins(&[]).map_err(|e| anyhow::anyhow!(e))?;
        let mut page_origins = vec![origin.clone()];
        page_origins.extend(named.iter().flatten().map(ToString::to_string));
        let fixtures = if args.with_fixtures {
            let fixture_args = fixtures::FixtureArgs {
                host: DEFAULT_HOST,
                base_port: args.fixtures_base_port,
                page_origins,
                ..fixtures::FixtureArgs::default()
            };
            Some(fixtures::Fixtures::start(&fixture_args).await?)
        } else {
            None
        };
        let default_suite = fixtures.as_ref().map(|f| demo::suite(&f.urls).to_string());
        let probe = args.probe.service(args.addr);
        let with_probe = probe.is_some();
        let router = bundle.router(default_suite.clone(), probe, &web::PageOptions::default());
        let server = web::PageServer::start(args.addr, router, None).await?;
        println!("cors-harness page: {}/", server.origin);
        if !with_probe && !args.probe.no_probe_endpoint {
            println!(
                "no probe endpoint on a non-loopback address: the page narrows reasons by itself"
            );
        }
        let stage = if args.origin.origins.is_empty() {
            None
        } else {
            let no_probe = args.probe.no_probe_endpoint;
            let stage = crate::stage::Stage::start(&args.origin, &named, &[], |_| {
                crate::stage::PageContent { default_suite: default_suite.clone(), probe: !no_probe }
            })
            .await?;
            for (index, page) in stage.pages.iter().enumerate() {
                println!("as {}: open {} in Chromium started with:", page.serialized, page.url);
                let flags: Vec<String> =
                    stage.chromium_flags(index).into_iter().map(|f| format!("'{f}'")).collect();
                println!("  chromium --user-data-dir=$(mktemp -d) {}", flags.join(" "));
            }
            Some(stage)
        };
        if let Some(f) = &fixtures {
            println!("fixtures: {} (routes: {}/__fixtures)", f.urls.a, f.urls.a);
        }
        println!("Ctrl-C or SIGTERM stops it.");
        fixtures::shutdown_signal().await;
        server.stop().await;
        if let Some(stage) = stage {
            stage.stop().await;
        }
        if let Some(f) = fixtures {
            f.stop().await;
        }
        Ok(())
    }

    /// Loopback unless told otherwise.
    pub(crate) const DEFAULT_HOST: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
}
