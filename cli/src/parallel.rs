//! The run matrix as jobs (suite × page origin × engine), run as parallel WebDriver
//! sessions: each job its own session and so its own fresh profile, at most `--parallel`
//! at once, results in the order a sequential run gives. A job whose session dies (node
//! lost, browser or driver crashed) is retried once in a new session; if that dies too,
//! its cases are reported as an infrastructure error and the other jobs' results stand.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use cors_harness::SuiteReport;
use futures_util::future::join_all;
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use tokio::sync::Semaphore;

use crate::driver::Engine;
use crate::run::{DriverArgs, Watch};
use crate::session::{self, LoadedSuite};
use crate::stage::Stage;

/// One cell of the matrix: indices into the suites and pages, and the engine.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Job {
    pub suite: usize,
    pub page: usize,
    pub engine: Engine,
}

/// Every job, in the order a sequential run takes them (and reports are merged in):
/// suite by suite, each page origin in turn, the engines side by side.
pub fn matrix(suites: usize, pages: usize, engines: &[Engine]) -> Vec<Job> {
    (0..suites)
        .flat_map(|suite| {
            (0..pages).flat_map(move |page| {
                engines.iter().map(move |&engine| Job { suite, page, engine })
            })
        })
        .collect()
}

/// A job that still had no report after its retry.
#[derive(Debug)]
pub struct FailedJob {
    pub job: Job,
    /// The suite's name as the report would give it, and the origin.
    pub suite_name: String,
    pub page_url: String,
    /// The ids of the cases left without a result.
    pub case_ids: Vec<String>,
    pub error: anyhow::Error,
}

impl FailedJob {
    /// One line for standard error.
    pub fn describe(&self) -> String {
        format!(
            "{} at {}, suite {:?}: the session failed twice, {} case(s) have no result: {:#}",
            self.job.engine.name(),
            self.page_url,
            self.suite_name,
            self.case_ids.len(),
            self.error
        )
    }

    /// The job in the results JSON: a report without results, naming the error.
    pub fn to_json(&self) -> Value {
        json!({
            "suite": self.suite_name,
            "origin": self.page_url.trim_end_matches('/'),
            "browser": self.job.engine.name(),
            "results": [],
            "infrastructure_error": format!("{:#}", self.error),
            "not_run": self.case_ids,
        })
    }
}

/// What every job shares.
pub struct Plan<'a> {
    pub suites: &'a [LoadedSuite],
    /// The pages, one per origin, and what browsers need to reach and trust them.
    pub stage: &'a Stage,
    pub drivers: &'a DriverArgs,
    pub concurrency: Option<usize>,
    pub watch: Watch,
}

/// Runs `jobs`, at most `parallel` at once; one entry per job, in the order of `jobs`.
pub async fn run_jobs(
    plan: &Plan<'_>,
    jobs: &[Job],
    parallel: usize,
) -> Vec<Result<SuiteReport, FailedJob>> {
    let slots = Arc::new(Semaphore::new(parallel.max(1)));
    let bars = Bars::new();
    join_all(jobs.iter().map(|&job| {
        let slots = slots.clone();
        let bars = &bars;
        async move {
            // The semaphore is never closed, so acquiring only waits.
            let _slot = slots.acquire().await;
            run_with_retry(plan, job, bars).await
        }
    }))
    .await
}

async fn run_with_retry(plan: &Plan<'_>, job: Job, bars: &Bars) -> Result<SuiteReport, FailedJob> {
    let suite = &plan.suites[job.suite];
    let page_url = &plan.stage.pages[job.page].serialized;
    let mut error = None;
    for attempt in 1..=2 {
        match run_job(plan, job, bars).await {
            Ok(report) => return Ok(report),
            Err(e) if attempt == 1 => {
                bars.println(format!(
                    "warning: {} at {page_url} ({}): {e:#}; retrying once in a new session",
                    job.engine.name(),
                    suite.source
                ));
                error = Some(e);
            }
            Err(e) => error = Some(e),
        }
    }
    Err(FailedJob {
        job,
        suite_name: suite.name.clone(),
        page_url: page_url.clone(),
        case_ids: suite.ids.clone(),
        error: error.unwrap_or_else(|| anyhow::anyhow!("no attempt ran")),
    })
}

/// One session: its own driver (a local one is started per job) and so a fresh profile.
async fn run_job(plan: &Plan<'_>, job: Job, bars: &Bars) -> anyhow::Result<SuiteReport> {
    static SESSIONS: AtomicUsize = AtomicUsize::new(0);
    let suite = &plan.suites[job.suite];
    let page = &plan.stage.pages[job.page];
    let number = SESSIONS.fetch_add(1, Ordering::Relaxed);
    let capabilities = plan.stage.capabilities(job.engine, job.page, number)?;
    // Starting a local driver waits on its port: off the async threads.
    let drivers = plan.drivers.clone();
    let env = plan.stage.driver_env(job.engine);
    let driver = tokio::task::spawn_blocking(move || drivers.driver_for(job.engine, &env))
        .await
        .context("the driver's start-up task failed")??;
    let label = if plan.stage.pages.len() > 1 {
        format!("{} {}", job.engine.name(), page.serialized)
    } else {
        job.engine.name().to_owned()
    };
    let bar = bars.start(&label, suite.total);
    let session =
        session::Session { engine: job.engine, driver: &driver, capabilities, page_url: &page.url };
    let report =
        session::run_suite(&session, suite, plan.concurrency, plan.watch, |p| match &bar {
            Some(bar) => {
                bar.set_position(p.done as u64);
                bar.set_message(format!("{}: {}", p.result.id, p.result.outcome));
            }
            None => {
                eprintln!("[{}/{}] {label} {}: {}", p.done, p.total, p.result.id, p.result.outcome)
            }
        })
        .await;
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let mut report = report?;
    for result in &mut report.results {
        result.origin = Some(report.origin.clone());
    }
    Ok(report)
}

/// Progress bars on a terminal, one per running session; nothing otherwise.
struct Bars {
    multi: Option<MultiProgress>,
}

impl Bars {
    fn new() -> Bars {
        Bars { multi: std::io::stderr().is_terminal().then(MultiProgress::new) }
    }

    fn start(&self, label: &str, total: usize) -> Option<ProgressBar> {
        let multi = self.multi.as_ref()?;
        let style =
            ProgressStyle::with_template("{prefix:>9} [{bar:30}] {pos}/{len} {wide_msg}").ok()?;
        let bar = multi.add(ProgressBar::new(total as u64));
        bar.set_style(style.progress_chars("=> "));
        bar.set_prefix(label.to_owned());
        Some(bar)
    }

    fn println(&self, line: String) {
        match &self.multi {
            Some(multi) if multi.println(&line).is_ok() => {}
            _ => eprintln!("{line}"),
        }
    }
}

/// How many sessions to run at once when `--parallel` is not given: the free slots of a
/// Selenium Grid (its `/status`), one for a bare WebDriver endpoint, else the local cores.
pub async fn default_parallel(webdriver: Option<&str>) -> usize {
    match webdriver {
        Some(url) => match grid_status(url).await {
            Ok(status) => free_slots(&status).unwrap_or(1),
            Err(e) => {
                eprintln!("warning: cannot read {url}/status ({e:#}); one session at a time");
                1
            }
        },
        None => std::thread::available_parallelism().map_or(1, usize::from),
    }
}

/// The sessions a Grid can still start: per node that is up, its `maxSessions` less the
/// sessions running (a node's slots are per browser and outnumber what it runs at once).
/// `None` for an endpoint that is not a Grid.
pub fn free_slots(status: &Value) -> Option<usize> {
    let nodes = status["value"]["nodes"].as_array()?;
    let free = nodes
        .iter()
        .filter(|node| node["availability"] == "UP")
        .map(|node| {
            let slots = node["slots"].as_array().map_or(&[][..], Vec::as_slice);
            let busy = slots.iter().filter(|s| !s["session"].is_null()).count();
            let max = node["maxSessions"].as_u64().map_or(slots.len(), |m| m as usize);
            max.min(slots.len()).saturating_sub(busy)
        })
        .sum::<usize>();
    Some(free.max(1))
}

/// GET `{url}/status`, as JSON.
async fn grid_status(url: &str) -> anyhow::Result<Value> {
    use hyper_util::client::legacy::{connect::HttpConnector, Client};
    let client = Client::builder(hyper_util::rt::TokioExecutor::new())
        .build::<_, axum::body::Body>(HttpConnector::new());
    let uri: axum::http::Uri =
        format!("{}/status", url.trim_end_matches('/')).parse().context("a bad --webdriver URL")?;
    let response = tokio::time::timeout(Duration::from_secs(10), client.get(uri))
        .await
        .context("no answer within 10 s")??;
    let body = axum::body::to_bytes(axum::body::Body::new(response.into_body()), 1 << 22).await?;
    serde_json::from_slice(&body).context("/status is not JSON")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_matrix_runs_suites_then_origins_then_engines() {
        let jobs = matrix(2, 2, &[Engine::Chromium, Engine::Firefox]);
        let order: Vec<(usize, usize, Engine)> =
            jobs.iter().map(|j| (j.suite, j.page, j.engine)).collect();
        assert_eq!(
            order,
            [
                (0, 0, Engine::Chromium),
                (0, 0, Engine::Firefox),
                (0, 1, Engine::Chromium),
                (0, 1, Engine::Firefox),
                (1, 0, Engine::Chromium),
                (1, 0, Engine::Firefox),
                (1, 1, Engine::Chromium),
                (1, 1, Engine::Firefox),
            ]
        );
    }

    #[test]
    fn free_slots_count_sessions_a_node_can_still_run() {
        let slot =
            |busy: bool| json!({ "session": if busy { json!({"id": 1}) } else { Value::Null } });
        let status = json!({ "value": { "ready": true, "nodes": [
            // Two browsers × two slots, but two sessions at once, one running: one free.
            { "availability": "UP", "maxSessions": 2, "slots": [slot(true), slot(false), slot(false), slot(false)] },
            // Down: nothing.
            { "availability": "DOWN", "maxSessions": 2, "slots": [slot(false), slot(false)] },
            { "availability": "UP", "maxSessions": 1, "slots": [slot(false)] },
        ] } });
        assert_eq!(free_slots(&status), Some(2));
        assert_eq!(
            free_slots(&json!({ "value": { "ready": true, "message": "ChromeDriver ready" } })),
            None
        );
        let full = json!({ "value": { "nodes": [{ "availability": "UP", "maxSessions": 1, "slots": [slot(true)] }] } });
        assert_eq!(free_slots(&full), Some(1), "never zero: the Grid queues");
    }
}
