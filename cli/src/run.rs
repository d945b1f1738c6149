//! `cors-harness run`: a suite file in real headless browsers, a verdict table, an exit code.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;

use cors_harness::report::{self, comparison_table, JunitReporter, Reporter};
use cors_harness::SuiteReport;
use indicatif::{ProgressBar, ProgressStyle};

use crate::driver::{Driver, Engine};
use crate::session::{self, LoadedSuite};
use crate::web::{PageServer, WebBundle};
use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct RunArgs {
    /// The suite file (JSON; see schema/suite.schema.json).
    pub suite: PathBuf,
    /// Which browser engine(s) to run the suite in.
    #[arg(long, value_enum, default_value = "chromium")]
    pub browser: BrowserChoice,
    /// The page's origin, e.g. http://127.0.0.1:47080 (binds that host and port; default a free port on 127.0.0.1).
    #[arg(long)]
    pub origin: Option<String>,
    #[command(flatten)]
    pub drivers: DriverArgs,
    /// Cases in flight at once (default: the suite's `concurrency`, else 1).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Output format: the table, the results JSON, or JUnit XML.
    #[arg(long, value_enum, default_value = "table")]
    pub format: Format,
    /// Write the output there instead of standard output (the table is still printed).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Whose reason `reason` reports: the browser's own where the runner can read it
    /// (Chromium's DevTools, Firefox's console), else the harness's; or the harness's only,
    /// to measure how well it agrees.
    #[arg(long, value_enum, default_value = "browser")]
    pub reason_source: ReasonSourceChoice,
    #[command(flatten)]
    pub probe: crate::ProbeEndpointArgs,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ReasonSourceChoice {
    /// The browser's word wins; the harness's is kept beside it and disagreements are flagged.
    #[default]
    Browser,
    /// Only what the harness inferred (the browser's logs are not read).
    Harness,
}

/// Where the WebDriver endpoints come from.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct DriverArgs {
    /// Use this WebDriver endpoint or Selenium Grid instead of starting a driver.
    #[arg(long, value_name = "URL")]
    pub webdriver: Option<String>,
    /// chromedriver to start (default: found on PATH).
    #[arg(long, value_name = "PATH")]
    pub chromedriver: Option<PathBuf>,
    /// geckodriver to start (default: found on PATH or in ~/.cargo/bin).
    #[arg(long, value_name = "PATH")]
    pub geckodriver: Option<PathBuf>,
    /// WebKitWebDriver to start (default: found on PATH).
    #[arg(long, value_name = "PATH")]
    pub webkitdriver: Option<PathBuf>,
}

impl DriverArgs {
    pub(crate) fn driver_for(&self, engine: Engine) -> anyhow::Result<Driver> {
        if let Some(url) = &self.webdriver {
            return Ok(Driver::remote(url));
        }
        let path = match engine {
            Engine::Chromium => self.chromedriver.as_deref(),
            Engine::Firefox => self.geckodriver.as_deref(),
            Engine::Webkit => self.webkitdriver.as_deref(),
        };
        Driver::start(engine, path)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BrowserChoice {
    Chromium,
    Firefox,
    Webkit,
    /// All three, side by side.
    All,
}

impl BrowserChoice {
    pub(crate) fn engines(self) -> Vec<Engine> {
        match self {
            BrowserChoice::Chromium => vec![Engine::Chromium],
            BrowserChoice::Firefox => vec![Engine::Firefox],
            BrowserChoice::Webkit => vec![Engine::Webkit],
            BrowserChoice::All => vec![Engine::Chromium, Engine::Firefox, Engine::Webkit],
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Junit,
}

pub async fn run(args: RunArgs) -> Result<bool, Failure> {
    let text = std::fs::read_to_string(&args.suite)
        .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", args.suite.display())))?;
    let suite = LoadedSuite::new(text, &args.suite.display().to_string())?;
    if args.concurrency == Some(0) {
        return Err(Failure::Usage("--concurrency must be at least 1".into()));
    }
    let reports = serve_and_run(
        &suite,
        args.browser,
        args.origin.as_deref(),
        &args.drivers,
        args.concurrency,
        args.reason_source,
        args.probe,
    )
    .await?;
    write_output(&reports, args.format, args.out.as_ref())?;
    Ok(reports.iter().all(SuiteReport::all_passed))
}

/// Serves the page on `origin` (a free port when `None`), runs the suite in each engine of
/// `browser`, and stops the page: what `run` and `check` share.
pub async fn serve_and_run(
    suite: &LoadedSuite,
    browser: BrowserChoice,
    origin: Option<&str>,
    drivers: &DriverArgs,
    concurrency: Option<usize>,
    reason_source: ReasonSourceChoice,
    probe: crate::ProbeEndpointArgs,
) -> Result<Vec<SuiteReport>, Failure> {
    let (bind, page_url) = page_address(origin).await.map_err(Failure::Usage)?;
    let bundle = WebBundle::prepare().map_err(Failure::Infra)?;
    let probe = probe.service(bind);
    let server =
        PageServer::start(bind, bundle.router(None, probe)).await.map_err(Failure::Infra)?;
    let page_url = page_url.unwrap_or_else(|| format!("{}/", server.origin));
    let outcome =
        run_engines(&browser.engines(), drivers, &page_url, suite, concurrency, reason_source)
            .await;
    server.stop().await;
    outcome.map_err(Failure::Infra)
}

/// Runs the suite in each engine in turn, with progress on standard error.
pub async fn run_engines(
    engines: &[Engine],
    drivers: &DriverArgs,
    page_url: &str,
    suite: &LoadedSuite,
    concurrency: Option<usize>,
    reason_source: ReasonSourceChoice,
) -> anyhow::Result<Vec<SuiteReport>> {
    let mut reports = Vec::new();
    for &engine in engines {
        let driver = drivers.driver_for(engine)?;
        let bar = progress_bar(engine, suite.total);
        let report =
            session::run_suite(engine, &driver, page_url, suite, concurrency, reason_source, |p| {
                match &bar {
                    Some(bar) => {
                        bar.set_position(p.done as u64);
                        bar.set_message(format!("{}: {}", p.result.id, p.result.outcome));
                    }
                    None => eprintln!(
                        "[{}/{}] {} {}: {}",
                        p.done,
                        p.total,
                        p.engine.name(),
                        p.result.id,
                        p.result.outcome
                    ),
                }
            })
            .await;
        if let Some(bar) = bar {
            bar.finish_and_clear();
        }
        drop(driver);
        reports.push(report?);
    }
    Ok(reports)
}

fn progress_bar(engine: Engine, total: usize) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    let style =
        ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {wide_msg}").ok()?;
    bar.set_style(style.progress_chars("=> "));
    bar.set_prefix(engine.name());
    Some(bar)
}

/// Prints the table (or the comparison) and writes the chosen format.
pub fn write_output(
    reports: &[SuiteReport],
    format: Format,
    out: Option<&PathBuf>,
) -> Result<(), Failure> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let table = match reports {
        [one] => report::TableReporter { color }.render(one),
        many => {
            let mut text = comparison_table(many, color);
            for r in many {
                text.push_str(&format!(
                    "{}: {}\n",
                    r.browser,
                    report::closing_line(r.summary.passed, r.summary.failed)
                ));
            }
            let passed: usize = many.iter().map(|r| r.summary.passed).sum();
            let failed: usize = many.iter().map(|r| r.summary.failed).sum();
            text.push_str(&report::closing_line(passed, failed));
            text.push('\n');
            text
        }
    };
    let rendered = match format {
        Format::Table => None,
        Format::Json => Some(match reports {
            [one] => report::JsonReporter.render(one),
            many => serde_json::to_string_pretty(many).unwrap_or_default() + "\n",
        }),
        Format::Junit => Some(JunitReporter::render_all(reports)),
    };
    match (rendered, out) {
        (None, None) => print!("{table}"),
        (None, Some(path)) => {
            print!("{table}");
            write_file(path, &strip_ansi(&table))?;
        }
        (Some(text), Some(path)) => {
            print!("{table}");
            write_file(path, &text)?;
        }
        (Some(text), None) => {
            // The data goes to standard output; people still get the table.
            eprint!("{table}");
            print!("{text}");
        }
    }
    Ok(())
}

fn write_file(path: &PathBuf, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text)
        .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))
}

fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\x1b' {
            for c in chars.by_ref() {
                if c == 'm' {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Where to bind the page and the URL browsers open, from `--origin`.
pub async fn page_address(origin: Option<&str>) -> Result<(SocketAddr, Option<String>), String> {
    let Some(origin) = origin else {
        return Ok((SocketAddr::from(([127, 0, 0, 1], 0)), None));
    };
    let rest = origin.strip_prefix("http://").ok_or_else(|| {
        format!("--origin must be an http:// origin such as http://127.0.0.1:47080, not {origin}")
    })?;
    let host_port = rest.trim_end_matches('/');
    if host_port.contains('/') || host_port.is_empty() {
        return Err(format!(
            "--origin must be an origin (scheme, host, port) without a path: {origin}"
        ));
    }
    let with_port = if host_port.rsplit_once(':').is_some_and(|(_, p)| p.parse::<u16>().is_ok()) {
        host_port.to_owned()
    } else {
        format!("{host_port}:80")
    };
    let addr = tokio::net::lookup_host(&with_port)
        .await
        .map_err(|e| format!("cannot resolve --origin {origin}: {e}"))?
        .next()
        .ok_or_else(|| format!("--origin {origin} resolves to no address"))?;
    Ok((addr, Some(format!("http://{host_port}/"))))
}
