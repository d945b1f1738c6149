//! `cors-harness run`: a suite file in real headless browsers, a verdict table, an exit code.

use std::io::IsTerminal;
use std::path::PathBuf;

use cors_harness::report::{self, comparison_table, ErroredRun, JunitReporter, Reporter};
use cors_harness::SuiteReport;

use crate::driver::{Driver, Engine};
use crate::parallel::{self, FailedJob, Job, Plan};
use crate::session::LoadedSuite;
use crate::stage::{OriginArgs, PageContent, Stage};
use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct RunArgs {
    /// The suite file(s) (JSON; see schema/suite.schema.json); each runs in every browser.
    #[arg(required = true, num_args = 1..)]
    pub suites: Vec<PathBuf>,
    /// Which browser engine(s) to run the suite in (comma-separated: chromium,firefox).
    #[arg(long, value_enum, value_delimiter = ',', default_value = "chromium")]
    pub browser: Vec<BrowserChoice>,
    #[command(flatten)]
    pub origin: OriginArgs,
    #[command(flatten)]
    pub drivers: DriverArgs,
    /// Cases in flight at once (default: the suite's `concurrency`, else 1).
    #[arg(long)]
    pub concurrency: Option<usize>,
    /// Browser sessions at once, one per browser, origin and suite (default: a Grid's free
    /// slots with --webdriver, else the local cores).
    #[arg(long, value_name = "N")]
    pub parallel: Option<usize>,
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
    /// Where each request's exchange (the headers the evaluator reads) comes from.
    #[arg(long, value_enum, default_value = "browser")]
    pub exchange: ExchangeChoice,
    #[command(flatten)]
    pub probe: crate::ProbeEndpointArgs,
}

/// What the runner reads from the browser while a suite runs (by default: every reason
/// and exchange it offers).
#[derive(Clone, Copy, Debug, Default)]
pub struct Watch {
    pub reason_source: ReasonSourceChoice,
    pub exchange: ExchangeChoice,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum ExchangeChoice {
    /// The browser's own network events (Chromium's DevTools, Firefox's WebDriver BiDi):
    /// the very request, cookies included, and nothing sent twice. WebKit, which offers
    /// no network events, replays.
    #[default]
    Browser,
    /// The page explains each request as it does without a runner: it replays it through
    /// the probe endpoint (GET, HEAD and OPTIONS only, unless the suite says
    /// "replay_unsafe": true), or narrows it by retries with --no-probe-endpoint.
    Replay,
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
    /// The endpoint for `engine`: `--webdriver`, or a local driver started with `env` added.
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
    /// The engines of `choices`, each once, in the order given.
    pub(crate) fn engines(choices: &[BrowserChoice]) -> Vec<Engine> {
        let mut engines = Vec::new();
        for choice in choices {
            let more: &[Engine] = match choice {
                BrowserChoice::Chromium => &[Engine::Chromium],
                BrowserChoice::Firefox => &[Engine::Firefox],
                BrowserChoice::Webkit => &[Engine::Webkit],
                BrowserChoice::All => &[Engine::Chromium, Engine::Firefox, Engine::Webkit],
            };
            for &engine in more {
                if !engines.contains(&engine) {
                    engines.push(engine);
                }
            }
        }
        engines
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Table,
    Json,
    Junit,
}

pub async fn run(args: RunArgs) -> Result<bool, Failure> {
    let mut suites = Vec::new();
    for path in &args.suites {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Failure::Usage(format!("cannot read {}: {e}", path.display())))?;
        suites.push(LoadedSuite::new(text, &path.display().to_string())?);
    }
    if args.concurrency == Some(0) {
        return Err(Failure::Usage("--concurrency must be at least 1".into()));
    }
    if args.parallel == Some(0) {
        return Err(Failure::Usage("--parallel must be at least 1".into()));
    }
    let sessions = args.parallel;
    let engines = BrowserChoice::engines(&args.browser);
    let run = Matrix {
        suites: &suites,
        engines: &engines,
        origin: &args.origin,
        drivers: &args.drivers,
        concurrency: args.concurrency,
        watch: Watch { reason_source: args.reason_source, exchange: args.exchange },
        probe: args.probe,
        parallel: sessions,
        default_suite: None,
    };
    let (jobs, outcomes) = run.run().await?;
    finish(&jobs, outcomes, args.format, args.out.as_ref())
}

/// A run's matrix: suites × page origins × engines, each cell its own browser session.
pub struct Matrix<'a> {
    pub suites: &'a [LoadedSuite],
    pub engines: &'a [Engine],
    pub origin: &'a OriginArgs,
    pub drivers: &'a DriverArgs,
    pub concurrency: Option<usize>,
    /// What the runner reads from the browser.
    pub watch: Watch,
    pub probe: crate::ProbeEndpointArgs,
    /// Sessions at once (default: a Grid's free slots, or the local cores).
    pub parallel: Option<usize>,
    /// Offered to the page as `default-suite.json` (the demo).
    pub default_suite: Option<String>,
}

impl Matrix<'_> {
    /// Serves the page as each origin (a loopback page when none is named: `--origin`, else
    /// the suites' `origins`), runs every job, stops the pages. The jobs and their outcomes.
    pub async fn run(&self) -> Result<(Vec<Job>, Vec<Result<SuiteReport, FailedJob>>), Failure> {
        let mut suite_origins: Vec<String> = Vec::new();
        for origin in self.suites.iter().flat_map(|s| &s.origins) {
            if !suite_origins.contains(origin) {
                suite_origins.push(origin.clone());
            }
        }
        let origins = self.origin.page_origins(&suite_origins).map_err(Failure::Usage)?;
        let urls: Vec<String> = self.suites.iter().flat_map(|s| s.urls.iter().cloned()).collect();
        let probe = !self.probe.no_probe_endpoint;
        let default_suite = self.default_suite.clone();
        let mut stage = Stage::start(self.origin, &origins, &urls, |_| PageContent {
            default_suite: default_suite.clone(),
            probe,
        })
        .await
        .map_err(Failure::Infra)?;
        if let Err(e) = stage.prepare_for(self.engines).await {
            stage.stop().await;
            return Err(Failure::Infra(e));
        }
        for (server, why) in &stage.untrusted {
            eprintln!("note: {server} is not trusted ({why}): its cases will be unreachable, as in a browser");
        }
        let jobs = parallel::matrix(self.suites.len(), stage.pages.len(), self.engines);
        let sessions = match self.parallel {
            Some(n) => n,
            None => parallel::default_parallel(self.drivers.webdriver.as_deref()).await,
        };
        let plan = Plan {
            suites: self.suites,
            stage: &stage,
            drivers: self.drivers,
            concurrency: self.concurrency,
            watch: self.watch,
        };
        let outcomes = parallel::run_jobs(&plan, &jobs, sessions.min(jobs.len())).await;
        stage.stop().await;
        Ok((jobs, outcomes))
    }

    /// The reports of every job that ran; the first failure's error when one did not.
    pub async fn reports(&self) -> Result<Vec<SuiteReport>, Failure> {
        let (_, outcomes) = self.run().await?;
        outcomes.into_iter().map(|o| o.map_err(|failed| Failure::Infra(failed.error))).collect()
    }
}

/// Writes the output of a run of `jobs`; an infrastructure error (exit 2) when a session
/// failed, after the other sessions' results are out.
fn finish(
    jobs: &[Job],
    outcomes: Vec<Result<SuiteReport, FailedJob>>,
    format: Format,
    out: Option<&PathBuf>,
) -> Result<bool, Failure> {
    let failed: Vec<&FailedJob> = outcomes.iter().filter_map(|o| o.as_ref().err()).collect();
    if failed.len() == outcomes.len() {
        let errors: Vec<String> = failed.iter().map(|f| format!("{:#}", f.error)).collect();
        return Err(Failure::Infra(anyhow::anyhow!(errors.join("\n"))));
    }
    let all_passed = outcomes.iter().flatten().all(SuiteReport::all_passed);
    let mut groups: Vec<Group> = Vec::new();
    let mut previous = None;
    for (job, outcome) in jobs.iter().zip(outcomes) {
        if previous != Some(job.suite) {
            groups.push(Group::default());
            previous = Some(job.suite);
        }
        if let Some(group) = groups.last_mut() {
            match outcome {
                Ok(report) => group.reports.push(report),
                Err(failed) => group.failed.push(failed),
            }
        }
    }
    write_output(&groups, format, out)?;
    let failed: Vec<String> =
        groups.iter().flat_map(|g| &g.failed).map(FailedJob::describe).collect();
    if failed.is_empty() {
        return Ok(all_passed);
    }
    for line in &failed {
        eprintln!("error: {line}");
    }
    Err(Failure::Infra(anyhow::anyhow!(
        "{} browser session(s) failed after a retry; the other results stand",
        failed.len()
    )))
}

/// One suite from every origin in every browser asked for, in job order.
#[derive(Default)]
pub struct Group {
    pub reports: Vec<SuiteReport>,
    /// Sessions that failed twice; their cases have no result.
    pub failed: Vec<FailedJob>,
}

/// Prints the table (or the comparison, per suite and origin) and writes the chosen format.
/// A failed session's entry names its error and the cases left without a result.
pub fn write_output(
    groups: &[Group],
    format: Format,
    out: Option<&PathBuf>,
) -> Result<(), Failure> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let reports = || groups.iter().flat_map(|g| &g.reports);
    let failed = || groups.iter().flat_map(|g| &g.failed);
    let mut table = String::new();
    for group in groups {
        if !table.is_empty() {
            table.push('\n');
        }
        table.push_str(&group_table(&group.reports, color));
        for failed in &group.failed {
            table.push_str(&format!("INFRASTRUCTURE ERROR: {}\n", failed.describe()));
        }
    }
    if groups.len() > 1 {
        let passed: usize = reports().map(|r| r.summary.passed).sum();
        let failed: usize = reports().map(|r| r.summary.failed).sum();
        table.push_str(&format!("\nall: {}\n", report::closing_line(passed, failed)));
    }
    let rendered = match format {
        Format::Table => None,
        Format::Json => Some(match (groups, failed().count()) {
            ([Group { reports, .. }], 0) if reports.len() == 1 => {
                report::JsonReporter.render(&reports[0])
            }
            _ => {
                let values: Vec<serde_json::Value> = groups
                    .iter()
                    .flat_map(|g| {
                        let ok =
                            g.reports.iter().map(|r| serde_json::to_value(r).unwrap_or_default());
                        ok.chain(g.failed.iter().map(FailedJob::to_json))
                    })
                    .collect();
                serde_json::to_string_pretty(&values).unwrap_or_default() + "\n"
            }
        }),
        Format::Junit => {
            let ok: Vec<SuiteReport> = reports().cloned().collect();
            let errors: Vec<ErroredRun> = failed()
                .map(|f| ErroredRun {
                    suite: f.suite_name.clone(),
                    browser: f.job.engine.name().to_owned(),
                    case_ids: f.case_ids.clone(),
                    message: format!("{:#}", f.error),
                })
                .collect();
            Some(JunitReporter::render_with_errors(&ok, &errors))
        }
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

/// One suite at one origin: its table, or the browsers side by side.
fn group_table(reports: &[SuiteReport], color: bool) -> String {
    match reports {
        [] => String::new(),
        [one] => report::TableReporter { color }.render(one),
        many => {
            let mut text = comparison_table(many, color);
            let one_origin = many.iter().all(|r| r.origin == many[0].origin);
            for r in many {
                let label = if one_origin {
                    r.browser.clone()
                } else {
                    format!("{} @ {}", r.browser, r.origin)
                };
                text.push_str(&format!(
                    "{label}: {}\n",
                    report::closing_line(r.summary.passed, r.summary.failed)
                ));
            }
            let passed: usize = many.iter().map(|r| r.summary.passed).sum();
            let failed: usize = many.iter().map(|r| r.summary.failed).sum();
            text.push_str(&report::closing_line(passed, failed));
            text.push('\n');
            text
        }
    }
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
