//! One suite in one browser: open the page through WebDriver, run the suite in the
//! page with the wasm engine, follow its progress, and collect the report.

use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use axum::http::Method;
use cors_harness::browser_name::Family;
use cors_harness::cookies;
use cors_harness::devtools::{self, NetworkLog};
use cors_harness::firefox_console;
use cors_harness::network_events;
use cors_harness::suite::{CaseEntry, Suite};
use cors_harness::{CaseResult, SuiteReport, Summary};
use fantoccini::wd::WebDriverCompatibleCommand;
use fantoccini::{Client, ClientBuilder};
use serde_json::{json, Value};

use crate::bidi::Bidi;
use crate::driver::{Driver, Engine};
use crate::run::{ExchangeChoice, ReasonSourceChoice, Watch};
use crate::Failure;

/// A POST to a session endpoint WebDriver does not standardise: chromedriver's `se/log`
/// (the `performance` log, which also works through a Selenium Grid) or `goog/cdp/execute`.
#[derive(Debug)]
pub struct SessionPost {
    /// Below `session/{id}/`.
    pub path: &'static str,
    pub body: Value,
}

impl WebDriverCompatibleCommand for SessionPost {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/{}", session_id.unwrap_or_default(), self.path))
    }
    fn method_and_body(&self, _request_url: &url::Url) -> (Method, Option<String>) {
        (Method::POST, Some(self.body.to_string()))
    }
}

/// What the caller hears while a suite runs.
pub struct Progress<'a> {
    pub done: usize,
    pub total: usize,
    pub result: &'a CaseResult,
}

/// A suite ready to run: its text, and what the runner needs to know of it.
pub struct LoadedSuite {
    pub json: String,
    /// Where it came from (the file), for messages.
    pub source: String,
    /// Its `name`, as reports give it.
    pub name: String,
    /// Every case's id, in order (for cases left without a result).
    pub ids: Vec<String>,
    pub total: usize,
    pub longest_timeout_ms: u64,
    /// Every case's URL (the runner checks https servers' certificates before the browser starts).
    pub urls: Vec<String>,
    /// The suite's own `origins`.
    pub origins: Vec<String>,
    /// The parsed suite (its preset cookies, each case's credentials mode).
    pub suite: Suite,
}

impl LoadedSuite {
    /// Parses `json`; a suite that cannot run at all is a usage error.
    pub fn new(json: String, source: &str) -> Result<LoadedSuite, Failure> {
        let suite = Suite::parse(&json).map_err(|e| Failure::Usage(format!("{source}: {e}")))?;
        for entry in &suite.cases {
            if let CaseEntry::Malformed(problem) = entry {
                eprintln!(
                    "warning: {source}: {problem} (reported as invalid; the other cases run)"
                );
            }
        }
        let longest_timeout_ms = suite
            .cases
            .iter()
            .filter_map(|c| match c {
                CaseEntry::Valid(case) => Some(u64::from(case.timeout_ms)),
                CaseEntry::Malformed(_) => None,
            })
            .max()
            .unwrap_or(5_000);
        let urls = suite
            .cases
            .iter()
            .filter_map(|c| match c {
                CaseEntry::Valid(case) => Some(case.url.clone()),
                CaseEntry::Malformed(_) => None,
            })
            .collect();
        Ok(LoadedSuite {
            json,
            source: source.to_owned(),
            name: suite.name.clone(),
            ids: suite.cases.iter().map(CaseEntry::id).collect(),
            total: suite.cases.len(),
            longest_timeout_ms,
            urls,
            origins: suite.origins.clone(),
            suite,
        })
    }
}

/// One browser session: the engine, its driver, what it is started with, and the page.
pub struct Session<'a> {
    pub engine: Engine,
    pub driver: &'a Driver,
    /// New-session capabilities (the engine's defaults plus the run's stage).
    pub capabilities: serde_json::Map<String, Value>,
    pub page_url: &'a str,
}

impl Session<'_> {
    /// Starts the WebDriver session; a driver that dies says what it printed.
    pub async fn connect(&self) -> anyhow::Result<Client> {
        ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(self.capabilities.clone())
            .connect(&self.driver.url)
            .await
            .map_err(|e| self.driver.explain(anyhow::Error::new(e)))
            .with_context(|| {
                format!("cannot start a {} session at {}", self.engine.name(), self.driver.url)
            })
    }
}

/// Runs a validated suite in the session's page.
pub async fn run_suite(
    session: &Session<'_>,
    suite: &LoadedSuite,
    concurrency: Option<usize>,
    watch: Watch,
    mut on_progress: impl FnMut(Progress<'_>),
) -> anyhow::Result<SuiteReport> {
    let client = session.connect().await?;
    let outcome = drive(
        &client,
        session.engine,
        session.page_url,
        suite,
        concurrency,
        watch,
        &mut on_progress,
    )
    .await;
    let _ = client.close().await;
    outcome
}

async fn drive(
    client: &Client,
    engine: Engine,
    page_url: &str,
    suite: &LoadedSuite,
    concurrency: Option<usize>,
    watch: Watch,
    on_progress: &mut impl FnMut(Progress<'_>),
) -> anyhow::Result<SuiteReport> {
    let reason_source = watch.reason_source;
    // Firefox says why it blocked a request only in its console, and which cookies went
    // with it in its network events; BiDi delivers both (and sets the preset cookies).
    let mut bidi_network = false;
    let bidi = match engine {
        Engine::Firefox => {
            let url =
                client.capabilities().and_then(|c| c.get("webSocketUrl")).and_then(Value::as_str);
            match url {
                Some(url) => match connect_bidi(url, reason_source).await {
                    Ok((bidi, network)) => {
                        bidi_network = network;
                        Some(bidi)
                    }
                    Err(e) => {
                        eprintln!("warning: no Firefox console reasons or cookie events ({e:#}); the harness's reasons stand");
                        None
                    }
                },
                None => {
                    eprintln!("warning: this WebDriver endpoint offers no BiDi (webSocketUrl); the harness's reasons stand");
                    None
                }
            }
        }
        _ => None,
    };
    crate::cookies::preset(
        client,
        engine,
        bidi.as_ref(),
        page_url,
        &suite.suite.cookies,
        &suite.urls,
    )
    .await?;
    client
        .goto(page_url)
        .await
        .with_context(|| format!("{} cannot open {page_url}", engine.name()))?;
    let ready = Instant::now();
    loop {
        let state = client
            .execute("return Boolean(window.corsHarness && window.corsHarness.ready) || (document.getElementById('run-status') || {}).textContent || false", vec![])
            .await?;
        if state == Value::Bool(true) {
            break;
        }
        if ready.elapsed() > Duration::from_secs(60) {
            bail!(
                "the harness page did not start in {} within 60 s (page status: {state})",
                engine.name()
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut log = NetworkLog::default();
    // The exchanges come from the browser's events when it offers them (a WebDriver
    // endpoint without chromedriver's performance log, or without BiDi, does not).
    let observed = watch.exchange == ExchangeChoice::Browser
        && match engine {
            // The page's own files have loaded: a log with the Network domain shows them.
            Engine::Chromium => {
                read_performance_log(client, &mut log).await && log.saw_any_request()
            }
            Engine::Firefox => bidi_network,
            Engine::Webkit => false,
        };
    let total = suite.total;
    let options = json!({ "concurrency": concurrency, "render": total <= 2_000, "observedByRunner": observed });
    client
        .execute(
            "return window.corsHarness.start(arguments[0], arguments[1])",
            vec![json!(suite.json), options],
        )
        .await?;

    let mut seen = 0;
    let mut last_progress = Instant::now();
    // A case can take its timeout twice (request, then probe); allow that and then some.
    let stall_limit = Duration::from_millis(suite.longest_timeout_ms * 3 + 60_000);
    let report = loop {
        tokio::time::sleep(Duration::from_millis(if seen < total { 100 } else { 20 })).await;
        let poll = client
            .execute("return window.corsHarness.poll(arguments[0])", vec![json!(seen)])
            .await?;
        if engine == Engine::Chromium {
            read_performance_log(client, &mut log).await;
        }
        for event in poll["events"].as_array().into_iter().flatten() {
            let mut result: CaseResult = serde_json::from_value(event["result"].clone())
                .context("a result the runner cannot read")?;
            if observed {
                settle_for_progress(&mut result, engine, &log, bidi.as_ref());
            }
            seen += 1;
            last_progress = Instant::now();
            on_progress(Progress { done: seen, total, result: &result });
        }
        if poll["finished"] == Value::Bool(true) {
            if let Some(error) = poll["error"].as_object() {
                bail!(
                    "the page refused the suite: {}",
                    error.get("message").and_then(Value::as_str).unwrap_or("?")
                );
            }
            break serde_json::from_value::<SuiteReport>(poll["report"].clone())
                .context("a report the runner cannot read")?;
        }
        if last_progress.elapsed() > stall_limit {
            bail!(
                "{} made no progress for {} s: the browser may have crashed or hung",
                engine.name(),
                stall_limit.as_secs()
            );
        }
    };
    let mut report = report;
    let family = match engine {
        Engine::Chromium => Family::Chromium,
        Engine::Firefox => Family::Firefox,
        Engine::Webkit => Family::WebKit,
    };
    if bidi.is_some() || engine == Engine::Chromium {
        // Console messages and network events can trail the last result by a moment.
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    if engine == Engine::Chromium {
        read_performance_log(client, &mut log).await;
    }
    // Firefox's network events, indexed once for the exchanges and the cookie report.
    let events = bidi.as_ref().map(|b| b.events_of(&network_events::firefox::EVENTS));
    let traces = events.as_deref().map(network_events::firefox::Traces::new);
    if observed {
        network_events::apply_observed(&mut report, &suite.suite, family, |result| match &traces {
            Some(traces) => traces.seen(&result.url, &result.method),
            None => log.seen(&result.url, &result.method),
        });
    }
    if engine == Engine::Chromium && reason_source == ReasonSourceChoice::Browser {
        devtools::apply_to_report(&mut report, &log);
    }
    if let Some(bidi) = &bidi {
        if reason_source == ReasonSourceChoice::Browser {
            let log = bidi.console_log();
            for result in &mut report.results {
                firefox_console::apply(result, &log);
            }
        }
    }
    cookies::annotate(&mut report.results, &suite.suite, &report.origin, family, |result| {
        match engine {
            Engine::Chromium => log.seen_of(&result.url, &result.method),
            Engine::Firefox => {
                traces.as_ref().and_then(|t| t.on_the_wire(&result.url, &result.method))
            }
            Engine::Webkit => None,
        }
    });
    // Judged again: an expectation may be about cookies.
    for result in &mut report.results {
        let expect = result.expect.take();
        result.judge(expect);
    }
    report.summary = Summary::of(&report.results);
    // The session knows the real version: WebKitGTK's user agent poses as Safari, and an
    // insecure page sees only Chromium's reduced one (156.0.0.0).
    let version =
        client.capabilities().and_then(|c| c.get("browserVersion")).and_then(Value::as_str);
    if let Some(version) = version {
        report.browser = format!("{} {version}", engine.product());
    }
    Ok(report)
}

/// A rejected request of a watched page is blocked or unreachable only once the runner
/// reads the browser's events; the progress line says which from what has arrived so far
/// (the report reads them all at the end).
fn settle_for_progress(
    result: &mut CaseResult,
    engine: Engine,
    log: &NetworkLog,
    bidi: Option<&Bidi>,
) {
    if result.outcome != cors_harness::rejection::UNSETTLED_OBSERVED {
        return;
    }
    match (engine, bidi) {
        (Engine::Chromium, _) => devtools::apply(result, log),
        (Engine::Firefox, Some(bidi)) if bidi.saw_response_for(&result.url) => {
            result.outcome = cors_harness::Outcome::Blocked;
        }
        _ => {}
    }
}

/// The session's BiDi connection, subscribed to the network events (for the exchanges and
/// cookies) and the console (for reasons) before the page opens, so no event of the run is
/// missed; and whether the network events are on (an endpoint may refuse them alone).
async fn connect_bidi(
    url: &str,
    reason_source: ReasonSourceChoice,
) -> anyhow::Result<(Bidi, bool)> {
    let bidi = Bidi::connect(url).await?;
    let network = match bidi.subscribe(&network_events::firefox::EVENTS).await {
        Ok(()) => true,
        Err(e) => {
            eprintln!("warning: no Firefox network events ({e:#}): the page replays requests to explain them, and cookies are inferred");
            false
        }
    };
    if reason_source == ReasonSourceChoice::Browser {
        if let Err(e) = bidi.subscribe(&["log.entryAdded"]).await {
            eprintln!("warning: no Firefox console reasons ({e:#}); the harness's reasons stand");
        }
    }
    Ok((bidi, network))
}

/// Fetches (and so empties) chromedriver's performance log; `false` when the driver has
/// none (it adds nothing then).
async fn read_performance_log(client: &Client, log: &mut NetworkLog) -> bool {
    match client
        .issue_cmd(SessionPost { path: "se/log", body: json!({ "type": "performance" }) })
        .await
    {
        Ok(Value::Array(entries)) => {
            log.add_entries(&entries);
            true
        }
        _ => false,
    }
}
