//! `cors-harness bench`: what the harness costs over the browser's own `fetch()`.
//!
//! In one browser session and one page (`www/bench.html`), the same generated suite runs
//! through (a) the harness engine and (b) a minimal hand-written `fetch()` loop with the
//! same concurrency, timeouts, cache-busting parameter, body read and blocked/unreachable
//! probe, interleaved round by round so drift hits both alike. Figures are ratios against
//! that baseline, measured in the same run.

use std::io::Write;
use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use fantoccini::Client;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::driver::Engine;
use crate::fixtures::{FixtureArgs, FixtureUrls, Fixtures};
use crate::run::DriverArgs;
use crate::session::SessionPost;
use crate::web::{PageServer, WebBundle};
use crate::Failure;

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Browsers to measure.
    #[arg(long, value_enum, default_value = "both")]
    pub browser: BenchBrowsers,
    /// Suite sizes (cases).
    #[arg(long, value_delimiter = ',', default_values_t = [100, 1_000, 10_000])]
    pub sizes: Vec<usize>,
    /// Concurrency levels.
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8])]
    pub concurrency: Vec<usize>,
    /// Rounds per size and concurrency (each runs both, alternating which goes first);
    /// sizes of 10,000 and more get one round.
    #[arg(long, default_value_t = 2)]
    pub rounds: usize,
    /// Skip the whole-command wall time of an 80-case suite with three 5-second timeouts.
    #[arg(long)]
    pub skip_cli_run: bool,
    /// Also profile one harness run of this many cases in Chromium (DevTools CPU profile)
    /// and print where the time goes.
    #[arg(long, value_name = "CASES")]
    pub profile: Option<usize>,
    #[command(flatten)]
    pub drivers: DriverArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum BenchBrowsers {
    Chromium,
    Firefox,
    Both,
}

/// One measured run, as the bench page reports it.
#[derive(Deserialize)]
struct Measured {
    /// Per case: `fetch()` start to settled, ms.
    fetch_ms: Vec<f64>,
    outcomes: serde_json::Map<String, Value>,
    wall_ms: f64,
    memory: Memory,
}

#[derive(Clone, Copy, Deserialize)]
struct Memory {
    wasm_bytes: Option<u64>,
    js_heap_bytes: Option<u64>,
}

/// Both modes at one size and concurrency.
struct Row {
    size: usize,
    concurrency: usize,
    raw_wall_ms: f64,
    harness_wall_ms: f64,
    overhead_median_ms: f64,
    overhead_p95_ms: f64,
    outcomes: String,
    memory: Memory,
}

/// A generated case: mostly simple GETs, some preflighted, blocked and unreachable ones.
pub fn generated_case(urls: &FixtureUrls, i: usize, timeout_ms: u32) -> Value {
    match i % 10 {
        0..=5 => {
            json!({ "id": format!("c{i}"), "url": format!("{}/cors/permissive/notes/{i}", urls.a), "timeout_ms": timeout_ms })
        }
        6 => {
            json!({ "id": format!("c{i}"), "url": format!("{}/cors/permissive/notes/{i}", urls.a), "method": "PUT",
                     "headers": { "X-Custom": "1" }, "timeout_ms": timeout_ms })
        }
        7 | 8 => {
            json!({ "id": format!("c{i}"), "url": format!("{}/cors/none/notes/{i}", urls.a), "timeout_ms": timeout_ms })
        }
        _ => {
            json!({ "id": format!("c{i}"), "url": format!("{}/notes/{i}", urls.dead), "timeout_ms": timeout_ms })
        }
    }
}

pub async fn run(args: BenchArgs) -> Result<bool, Failure> {
    if args.sizes.is_empty() || args.concurrency.contains(&0) || args.rounds == 0 {
        return Err(Failure::Usage(
            "--sizes, --concurrency (>= 1) and --rounds (>= 1) need values".into(),
        ));
    }
    let bundle = WebBundle::prepare().map_err(Failure::Infra)?;
    let fixture_args = FixtureArgs {
        host: crate::DEFAULT_HOST,
        base_port: crate::demo::free_base_port().map_err(Failure::Infra)?,
        page_origins: vec![],
        ..FixtureArgs::default()
    };
    let fixtures = Fixtures::start(&fixture_args).await.map_err(Failure::Infra)?;
    let server = PageServer::start(
        ([127, 0, 0, 1], 0).into(),
        bundle.router(None, None, &Default::default()),
        None,
    )
    .await
    .map_err(Failure::Infra)?;
    let (wasm_gz, glue_gz) = package_size().map_err(Failure::Infra)?;
    println!("cors-harness bench: page {} · fixtures {}", server.origin, fixtures.urls.a);
    println!(
        "package: wasm {wasm_gz} + JS glue {glue_gz} = {} bytes gzipped ({:.1} KiB)\n",
        wasm_gz + glue_gz,
        (wasm_gz + glue_gz) as f64 / 1024.0
    );
    let engines = match args.browser {
        BenchBrowsers::Chromium => vec![Engine::Chromium],
        BenchBrowsers::Firefox => vec![Engine::Firefox],
        BenchBrowsers::Both => vec![Engine::Chromium, Engine::Firefox],
    };
    let mut outcome = Ok(());
    for engine in engines {
        if let Err(e) = bench_engine(engine, &args, &server.origin, &fixtures.urls).await {
            outcome = Err(e);
            break;
        }
    }
    if outcome.is_ok() && !args.skip_cli_run {
        outcome = cli_wall_time(&fixtures.urls).await;
    }
    server.stop().await;
    fixtures.stop().await;
    outcome.map_err(Failure::Infra)?;
    Ok(true)
}

async fn bench_engine(
    engine: Engine,
    args: &BenchArgs,
    origin: &str,
    urls: &FixtureUrls,
) -> anyhow::Result<()> {
    let driver = args.drivers.driver_for(engine, &[])?;
    let mut caps = engine.capabilities();
    // No DevTools Network log: it records an initiator stack for every request, which
    // costs more for the harness's deeper (wasm) stacks than for the loop's; users run without it.
    caps.remove("goog:loggingPrefs");
    if engine == Engine::Chromium {
        // gc() before reading memory, and unrounded heap figures.
        if let Some(list) = caps
            .get_mut("goog:chromeOptions")
            .and_then(|o| o.get_mut("args"))
            .and_then(Value::as_array_mut)
        {
            list.push(json!("--js-flags=--expose-gc"));
            list.push(json!("--enable-precise-memory-info"));
        }
    }
    let page = format!("{origin}/bench.html");
    let session =
        crate::session::Session { engine, driver: &driver, capabilities: caps, page_url: &page };
    let client = session.connect().await?;
    let outcome = measure(&client, engine, args, origin, urls).await;
    let _ = client.close().await;
    outcome
}

async fn measure(
    client: &Client,
    engine: Engine,
    args: &BenchArgs,
    origin: &str,
    urls: &FixtureUrls,
) -> anyhow::Result<()> {
    client.goto(&format!("{origin}/bench.html")).await?;
    let deadline = Instant::now() + Duration::from_secs(60);
    while client.execute("return Boolean(window.bench && window.bench.ready)", vec![]).await?
        != Value::Bool(true)
    {
        if Instant::now() > deadline {
            bail!("the bench page did not start in {}", engine.name());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let ready_ms =
        client.execute("return window.bench.ready_ms", vec![]).await?.as_f64().unwrap_or_default();
    let browser = client
        .execute("return window.bench.browser", vec![])
        .await?
        .as_str()
        .map_or_else(|| engine.name().to_owned(), str::to_owned);
    println!("{browser}: page start {ready_ms:.0} ms (navigation to engine ready)");
    // Warm up both paths (JIT, connections) before measuring.
    let warm: Vec<Value> = (0..50).map(|i| generated_case(urls, i, 5_000)).collect();
    for mode in ["raw", "harness"] {
        run_mode(client, mode, &warm, 4).await?;
    }

    let mut rows = Vec::new();
    for &size in &args.sizes {
        let cases: Vec<Value> = (0..size).map(|i| generated_case(urls, i, 5_000)).collect();
        for &concurrency in &args.concurrency {
            let rounds = if size >= 10_000 { 1 } else { args.rounds };
            let (mut raw_walls, mut harness_walls, mut overheads) =
                (Vec::new(), Vec::new(), Vec::new());
            let mut last: Option<Measured> = None;
            for round in 0..rounds {
                let order = if round % 2 == 0 { ["raw", "harness"] } else { ["harness", "raw"] };
                let mut raw = None;
                let mut harness = None;
                for mode in order {
                    let measured = run_mode(client, mode, &cases, concurrency).await?;
                    if mode == "raw" {
                        raw = Some(measured)
                    } else {
                        harness = Some(measured)
                    }
                }
                let (raw, harness) = (raw.context("raw run")?, harness.context("harness run")?);
                overheads.extend(raw.fetch_ms.iter().zip(&harness.fetch_ms).map(|(r, h)| h - r));
                raw_walls.push(raw.wall_ms);
                harness_walls.push(harness.wall_ms);
                if raw.outcomes != harness.outcomes {
                    eprintln!(
                        "warning: outcomes differ: raw {:?}, harness {:?}",
                        raw.outcomes, harness.outcomes
                    );
                }
                last = Some(harness);
            }
            let harness = last.context("a measured run")?;
            rows.push(Row {
                size,
                concurrency,
                raw_wall_ms: median(&mut raw_walls),
                harness_wall_ms: median(&mut harness_walls),
                overhead_median_ms: median(&mut overheads.clone()),
                overhead_p95_ms: percentile(&mut overheads, 0.95),
                outcomes: harness
                    .outcomes
                    .iter()
                    .map(|(k, v)| format!("{k} {v}"))
                    .collect::<Vec<_>>()
                    .join(", "),
                memory: harness.memory,
            });
        }
    }
    print_rows(&rows);
    if let (Some(size), Engine::Chromium) = (args.profile, engine) {
        profile(client, urls, size).await?;
    }
    Ok(())
}

/// Self time per function during one sequential harness run, from a DevTools CPU profile.
async fn profile(client: &Client, urls: &FixtureUrls, size: usize) -> anyhow::Result<()> {
    let cdp = |cmd: &str, params: Value| SessionPost {
        path: "goog/cdp/execute",
        body: json!({ "cmd": cmd, "params": params }),
    };
    client.issue_cmd(cdp("Profiler.enable", json!({}))).await?;
    client.issue_cmd(cdp("Profiler.setSamplingInterval", json!({ "interval": 100 }))).await?;
    let cases: Vec<Value> = (0..size).map(|i| generated_case(urls, i, 5_000)).collect();
    let mut totals = std::collections::HashMap::<String, f64>::new();
    let mut all = 0.0;
    for mode in ["raw", "harness"] {
        client.issue_cmd(cdp("Profiler.start", json!({}))).await?;
        let measured = run_mode(client, mode, &cases, 1).await?;
        let stopped = client.issue_cmd(cdp("Profiler.stop", json!({}))).await?;
        let profile = &stopped["profile"];
        let nodes = profile["nodes"].as_array().cloned().unwrap_or_default();
        let samples = profile["samples"].as_array().map_or(0, Vec::len).max(1) as f64;
        let ms_per_hit = measured.wall_ms / samples;
        let mut own = std::collections::HashMap::<String, f64>::new();
        for node in &nodes {
            let frame = &node["callFrame"];
            let name =
                frame["functionName"].as_str().filter(|n| !n.is_empty()).unwrap_or("(anonymous)");
            let file = frame["url"].as_str().unwrap_or("").rsplit('/').next().unwrap_or("");
            let hits = node["hitCount"].as_f64().unwrap_or(0.0);
            *own.entry(format!("{name} {file}")).or_default() += hits * ms_per_hit;
        }
        if mode == "harness" {
            totals = own;
            all = measured.wall_ms;
        } else {
            let mut top: Vec<(String, f64)> = own.into_iter().collect();
            top.sort_by(|a, b| b.1.total_cmp(&a.1));
            println!(
                "profile of the raw loop, {size} cases, {:.0} ms: {}",
                measured.wall_ms,
                top.iter()
                    .take(4)
                    .map(|(n, ms)| format!("{n} {ms:.0} ms"))
                    .collect::<Vec<_>>()
                    .join(" · ")
            );
        }
    }
    let mut top: Vec<(String, f64)> = totals.into_iter().collect();
    top.sort_by(|a, b| b.1.total_cmp(&a.1));
    println!("profile of the harness, {size} cases sequentially, {all:.0} ms (self time, sampled every 0.1 ms):");
    for (name, ms) in top.iter().take(15) {
        println!("  {ms:>8.1} ms  {name}");
    }
    client.issue_cmd(cdp("Profiler.disable", json!({}))).await?;
    println!();
    Ok(())
}

async fn run_mode(
    client: &Client,
    mode: &str,
    cases: &[Value],
    concurrency: usize,
) -> anyhow::Result<Measured> {
    client
        .execute(
            "return window.bench.start(arguments[0], arguments[1], arguments[2])",
            vec![json!(mode), json!(cases), json!(concurrency)],
        )
        .await?;
    let deadline = Instant::now() + Duration::from_secs(1_800);
    loop {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let poll = client.execute("return window.bench.poll()", vec![]).await?;
        if poll["running"] == Value::Bool(false) {
            if let Some(error) = poll["error"].as_str() {
                bail!("the {mode} run failed in the page: {error}");
            }
            return serde_json::from_value(poll["result"].clone())
                .context("a result the bench cannot read");
        }
        if Instant::now() > deadline {
            bail!("the {mode} run took more than 30 minutes");
        }
    }
}

fn print_rows(rows: &[Row]) {
    println!(
        "{:>7} {:>5} {:>10} {:>11} {:>7} {:>16} {:>13} {:>10} {:>10}  outcomes",
        "cases",
        "conc",
        "raw ms",
        "harness ms",
        "ratio",
        "overhead/case ms",
        "p95 ms",
        "wasm MiB",
        "JS MiB"
    );
    let mib =
        |b: Option<u64>| b.map_or("-".to_owned(), |b| format!("{:.1}", b as f64 / 1_048_576.0));
    for r in rows {
        println!(
            "{:>7} {:>5} {:>10.0} {:>11.0} {:>7.3} {:>16.3} {:>13.3} {:>10} {:>10}  {}",
            r.size,
            r.concurrency,
            r.raw_wall_ms,
            r.harness_wall_ms,
            r.harness_wall_ms / r.raw_wall_ms,
            r.overhead_median_ms,
            r.overhead_p95_ms,
            mib(r.memory.wasm_bytes),
            mib(r.memory.js_heap_bytes),
            r.outcomes
        );
    }
    // Linearity: the largest size against ten times the one ten times smaller.
    for r in rows {
        if let Some(small) =
            rows.iter().find(|s| s.size * 10 == r.size && s.concurrency == r.concurrency)
        {
            println!(
                "linearity at concurrency {}: {} cases took {:.2}x ten times {} cases (harness), {:.2}x (raw)",
                r.concurrency,
                r.size,
                r.harness_wall_ms / (10.0 * small.harness_wall_ms),
                small.size,
                r.raw_wall_ms / (10.0 * small.raw_wall_ms)
            );
            if let (Some(big), Some(little)) = (r.memory.js_heap_bytes, small.memory.js_heap_bytes)
            {
                let per_case = (big as f64 - little as f64) / (r.size - small.size) as f64;
                println!("  JS heap growth after the run: {per_case:.0} bytes per extra case (the results themselves are kept)");
            }
        }
    }
    println!();
}

/// The whole command, browser start included, on an 80-case mixed suite with three
/// 5-second timeouts: concurrently (about the longest timeout) and one at a time.
async fn cli_wall_time(urls: &FixtureUrls) -> anyhow::Result<()> {
    let mut cases: Vec<Value> = (0..77).map(|i| generated_case(urls, i, 5_000)).collect();
    for i in 0..3 {
        cases.push(json!({ "id": format!("hangs-{i}"), "url": format!("{}/slow/{i}", urls.hangs), "timeout_ms": 5_000 }));
    }
    let suite = json!({ "name": "80 mixed cases, three 5 s timeouts", "defaults": { "diagnose": false }, "cases": cases });
    let path: PathBuf =
        std::env::temp_dir().join(format!("cors-harness-bench-{}.json", std::process::id()));
    std::fs::File::create(&path)?.write_all(suite.to_string().as_bytes())?;
    let exe = std::env::current_exe()?;
    println!("whole command, browser start included (cors-harness run, 80 cases, three 5 s timeouts, Chromium):");
    for concurrency in [80, 8, 1] {
        let started = Instant::now();
        let output = Command::new(&exe)
            .args([
                "run",
                &path.display().to_string(),
                "--browser",
                "chromium",
                "--concurrency",
                &concurrency.to_string(),
                "--format",
                "json",
                "--out",
                "/dev/null",
            ])
            .output()?;
        let seconds = started.elapsed().as_secs_f64();
        if !output.status.success() && output.status.code() != Some(1) {
            bail!("cors-harness run failed: {}", String::from_utf8_lossy(&output.stderr));
        }
        println!("  concurrency {concurrency:>2}: {seconds:.1} s");
    }
    let _ = std::fs::remove_file(&path);
    Ok(())
}

/// The gzipped sizes of the page's wasm and JS glue.
/// Gzipped sizes of the embedded wasm and its glue.
fn package_size() -> anyhow::Result<(u64, u64)> {
    let gz = |name: &str| -> anyhow::Result<u64> {
        let bytes = crate::web::asset(name).with_context(|| format!("{name} is not embedded"))?;
        let mut child = Command::new("gzip")
            .args(["-9", "-c"])
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .context("gzip")?;
        let mut stdin = child.stdin.take().context("gzip's input")?;
        let input = bytes.to_vec();
        let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
        let output = child.wait_with_output().context("gzip")?;
        writer.join().map_err(|_| anyhow::anyhow!("gzip's input"))?.context("gzip's input")?;
        Ok(output.stdout.len() as u64)
    };
    Ok((gz("pkg/cors_harness_bg.wasm")?, gz("pkg/cors_harness.js")?))
}

fn median(values: &mut [f64]) -> f64 {
    percentile(values, 0.5)
}

fn percentile(values: &mut [f64], p: f64) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let rank = ((values.len() - 1) as f64 * p).round() as usize;
    values[rank]
}
