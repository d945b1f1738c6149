//! `cors-harness run`: a suite file in real headless browsers, a verdict table, an exit code.

use std::io::IsTerminal;
use std::path::PathBuf;

use cors_harness::report::{self, comparison_table, JunitReporter, Reporter};
use cors_harness::SuiteReport;
use indicatif::{ProgressBar, ProgressStyle};

use crate::driver::{Driver, Engine};
use crate::session::{self, LoadedSuite};
use crate::stage::{OriginArgs, PageContent, Stage};
use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct RunArgs {
    /// The suite file (JSON; see schema/suite.schema.json).
    pub suite: PathBuf,
    /// Which browser engine(s) to run the suite in.
    #[arg(long, value_enum, default_value = "chromium")]
    pub browser: BrowserChoice,
    #[command(flatten)]
    pub origin: OriginArgs,
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
    /// The endpoint for `engine`: `--webdriver`, or a local driver started with `env`.
    pub(crate) fn driver_for(
        &self,
        engine: Engine,
        env: &[(String, String)],
    ) -> anyhow::Result<Driver> {
        if let Some(url) = &self.webdriver {
            return Ok(Driver::remote(url));
        }
        let path = match engine {
            Engine::Chromium => self.chromedriver.as_deref(),
            Engine::Firefox => self.geckodriver.as_deref(),
            Engine::Webkit => self.webkitdriver.as_deref(),
        };
        Driver::start(engine, path, env)
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
        &args.origin,
        &args.drivers,
        args.concurrency,
        args.reason_source,
        args.probe,
    )
    .await?;
    write_output(&reports, args.format, args.out.as_ref())?;
    Ok(reports.iter().all(SuiteReport::all_passed))
}

/// Serves the page as each origin of `origin` (a loopback page when none), runs the suite
/// in each engine of `browser`, and stops the pages: what `run` and `check` share.
pub async fn serve_and_run(
    suite: &LoadedSuite,
    browser: BrowserChoice,
    origin: &OriginArgs,
    drivers: &DriverArgs,
    concurrency: Option<usize>,
    reason_source: ReasonSourceChoice,
    probe: crate::ProbeEndpointArgs,
) -> Result<Vec<SuiteReport>, Failure> {
    let origins = origin.page_origins(&suite.origins).map_err(Failure::Usage)?;
    let engines = browser.engines();
    let probe = !probe.no_probe_endpoint;
    let mut stage =
        Stage::start(origin, &origins, &suite.urls, |_| PageContent { default_suite: None, probe })
            .await
            .map_err(Failure::Infra)?;
    let outcome = match stage.prepare_for(&engines).await {
        Ok(()) => run_matrix(&engines, drivers, &stage, suite, concurrency, reason_source).await,
        Err(e) => Err(e),
    };
    stage.stop().await;
    outcome.map_err(Failure::Infra)
}

/// Runs the suite from each page of `stage` in each engine, one fresh session (and
/// profile) each, with progress on standard error. Reports come engine by engine, and
/// within an engine in the order of the origins.
pub async fn run_matrix(
    engines: &[Engine],
    drivers: &DriverArgs,
    stage: &Stage,
    suite: &LoadedSuite,
    concurrency: Option<usize>,
    reason_source: ReasonSourceChoice,
) -> anyhow::Result<Vec<SuiteReport>> {
    for (server, why) in &stage.untrusted {
        eprintln!(
            "note: {server} is not trusted ({why}): its cases will be unreachable, as in a browser"
        );
    }
    let mut reports = Vec::new();
    let mut session_number = 0;
    for &engine in engines {
        for (page_index, page) in stage.pages.iter().enumerate() {
            session_number += 1;
            let driver = drivers.driver_for(engine, &stage.driver_env(engine))?;
            let capabilities = stage.capabilities(engine, page_index, session_number)?;
            let bar = progress_bar(engine, &page.serialized, stage.pages.len() > 1, suite.total);
            let session =
                session::Session { engine, driver: &driver, capabilities, page_url: &page.url };
            let report =
                session::run_suite(&session, suite, concurrency, reason_source, |p| match &bar {
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
                })
                .await;
            if let Some(bar) = bar {
                bar.finish_and_clear();
            }
            drop(driver);
            let mut report = report?;
            for result in &mut report.results {
                result.origin = Some(report.origin.clone());
            }
            reports.push(report);
        }
    }
    Ok(reports)
}

fn progress_bar(
    engine: Engine,
    origin: &str,
    show_origin: bool,
    total: usize,
) -> Option<ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(total as u64);
    let style = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} {wide_msg}").ok()?;
    bar.set_style(style.progress_chars("=> "));
    bar.set_prefix(if show_origin {
        format!("{} {origin}", engine.name())
    } else {
        engine.name().to_owned()
    });
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
