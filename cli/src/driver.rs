//! Browsers driven through WebDriver: starting a local driver (and Xvfb for WebKit),
//! or using an existing endpoint such as a Selenium Grid.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use serde_json::{json, Map, Value};

/// A browser engine the runner can drive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Engine {
    Chromium,
    Firefox,
    /// Safari's engine on Linux: WebKitGTK's MiniBrowser through `WebKitWebDriver`.
    Webkit,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Chromium => "chromium",
            Engine::Firefox => "firefox",
            Engine::Webkit => "webkit",
        }
    }

    /// The driver's executable name and where Debian and `cargo install` put it.
    fn driver(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Engine::Chromium => ("chromedriver", &["/usr/bin/chromedriver"]),
            Engine::Firefox => ("geckodriver", &[]),
            Engine::Webkit => ("WebKitWebDriver", &["/usr/bin/WebKitWebDriver"]),
        }
    }

    /// Where to get what is missing.
    pub fn install_hint(self) -> &'static str {
        match self {
            Engine::Chromium => "apt-get install chromium chromium-driver (or scripts/setup.sh chromium)",
            Engine::Firefox => "apt-get install firefox-esr and cargo install geckodriver (or scripts/setup.sh firefox)",
            Engine::Webkit => "apt-get install webkit2gtk-driver xvfb (or scripts/setup.sh webkit)",
        }
    }

    /// New-session capabilities: headless, a fresh profile, no background traffic.
    /// Chromium also records its Network events, for the browser's own CORS reasons.
    pub fn capabilities(self) -> Map<String, Value> {
        let caps = match self {
            Engine::Chromium => {
                let mut options = json!({
                    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                             "--disable-background-networking", "--disable-component-update", "--disable-sync",
                             "--no-first-run", "--disable-quic", "--disable-extensions"]
                });
                if let Some(binary) = first_existing(&["/usr/bin/chromium"]) {
                    options["binary"] = json!(binary);
                }
                json!({
                    "browserName": "chrome",
                    "goog:chromeOptions": options,
                    "goog:loggingPrefs": { "performance": "ALL", "browser": "ALL" },
                })
            }
            Engine::Firefox => {
                let mut options = json!({
                    "args": ["-headless"],
                    "prefs": {
                        "network.captive-portal-service.enabled": false,
                        "network.connectivity-service.enabled": false,
                        "app.update.enabled": false,
                        "browser.safebrowsing.update.enabled": false,
                        "datareporting.policy.dataSubmissionEnabled": false,
                        "toolkit.telemetry.enabled": false
                    }
                });
                if let Some(binary) = which("firefox-esr").or_else(|| which("firefox")) {
                    options["binary"] = json!(binary);
                }
                // webSocketUrl: WebDriver BiDi, whose log.entryAdded carries Firefox's CORS messages.
                json!({ "browserName": "firefox", "moz:firefoxOptions": options, "webSocketUrl": true })
            }
            Engine::Webkit => json!({
                "browserName": "MiniBrowser",
                "webkitgtk:browserOptions": {
                    "binary": first_existing(&[
                        "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                        "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
                        "/usr/libexec/webkit2gtk-4.1/MiniBrowser",
                    ]).unwrap_or_else(|| "MiniBrowser".into()),
                    "args": ["--automation"]
                }
            }),
        };
        match caps {
            Value::Object(map) => map,
            _ => Map::new(),
        }
    }
}

/// A WebDriver endpoint: a driver this process started, or one given by URL.
pub struct Driver {
    pub url: String,
    child: Option<Child>,
    xvfb: Option<Child>,
    /// Where the started driver's own output goes (shown when it fails).
    log: Option<PathBuf>,
    program: Option<PathBuf>,
}

impl Driver {
    /// An existing endpoint (`--webdriver URL`): nothing to start or stop.
    pub fn remote(url: &str) -> Driver {
        Driver {
            url: url.trim_end_matches('/').to_owned(),
            child: None,
            xvfb: None,
            log: None,
            program: None,
        }
    }

    /// Adds what the driver itself printed (the last lines) to `error`.
    pub fn explain(&self, error: anyhow::Error) -> anyhow::Error {
        let (Some(log), Some(program)) = (&self.log, &self.program) else { return error };
        let text = std::fs::read_to_string(log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(20).collect();
        if tail.is_empty() {
            return error;
        }
        let lines: Vec<&str> = tail.into_iter().rev().collect();
        error.context(format!("{} said:\n  {}", program.display(), lines.join("\n  ")))
    }

    /// Starts the engine's driver on a free loopback port (`path` overrides the lookup),
    /// with `env` added to its environment (WebKit's proxy, say).
    pub fn start(
        engine: Engine,
        path: Option<&Path>,
        env: &[(String, String)],
    ) -> anyhow::Result<Driver> {
        let (name, known) = engine.driver();
        let program = match path {
            Some(path) => path.to_path_buf(),
            None => which(name).or_else(|| first_existing(known).map(PathBuf::from)).with_context(
                || {
                    format!(
                        "{name} not found for {}: install it ({})",
                        engine.name(),
                        engine.install_hint()
                    )
                },
            )?,
        };
        let xvfb =
            if engine == Engine::Webkit && std::env::var_os("DISPLAY").is_none() {
                Some(start_xvfb().with_context(|| {
                    format!("WebKit needs a display: {}", engine.install_hint())
                })?)
            } else {
                None
            };
        let port = free_port()?;
        let mut command = Command::new(&program);
        match engine {
            Engine::Chromium | Engine::Webkit => command.arg(format!("--port={port}")),
            // Its own BiDi port too: the default (9222) would collide between parallel runs.
            Engine::Firefox => command.args([
                "--port",
                &port.to_string(),
                "--host",
                "127.0.0.1",
                "--websocket-port",
                &free_port()?.to_string(),
            ]),
        };
        if let Some((_, display)) = xvfb.as_ref() {
            command.env("DISPLAY", display);
        }
        command.envs(env.iter().map(|(k, v)| (k, v)));
        // The driver's own words go to a file, shown when it fails (never to /dev/null).
        let log = std::env::temp_dir()
            .join(format!("cors-harness-{name}-{}-{port}.log", std::process::id()));
        let log_file = std::fs::File::create(&log)
            .with_context(|| format!("cannot create the driver's log {}", log.display()))?;
        // Owned by the driver from here, so a driver that fails to start takes Xvfb with it.
        let mut driver = Driver {
            url: format!("http://127.0.0.1:{port}"),
            child: None,
            xvfb: xvfb.map(|(c, _)| c),
            log: Some(log.clone()),
            program: Some(program.clone()),
        };
        let child = command
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().context("the driver's log")?)
            .stderr(log_file)
            .spawn()
            .with_context(|| {
                format!("cannot start {} ({})", program.display(), engine.install_hint())
            })?;
        driver.child = Some(child);
        if let Err(e) = driver.wait_until_listening(port, name) {
            return Err(driver.explain(e));
        }
        Ok(driver)
    }

    fn wait_until_listening(&mut self, port: u16, name: &str) -> anyhow::Result<()> {
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if std::net::TcpStream::connect(("127.0.0.1", port)).is_ok() {
                return Ok(());
            }
            if let Some(status) = self.child.as_mut().and_then(|c| c.try_wait().ok().flatten()) {
                bail!("{name} exited at start ({status})");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        bail!("{name} did not start listening on port {port} within 20 s")
    }
}

impl Drop for Driver {
    /// Stops what this process started, by its own handle (its PID), never by name.
    fn drop(&mut self) {
        for child in [self.child.as_mut(), self.xvfb.as_mut()].into_iter().flatten() {
            let _ = child.kill();
            let _ = child.wait();
        }
        if let Some(log) = &self.log {
            let _ = std::fs::remove_file(log);
        }
    }
}

/// Starts Xvfb on the first free display from :90 and returns it with its `DISPLAY`.
fn start_xvfb() -> anyhow::Result<(Child, String)> {
    let xvfb = which("Xvfb").context("Xvfb not found")?;
    for number in 90..140 {
        if display_in_use(number) {
            continue;
        }
        let display = format!(":{number}");
        let mut child = Command::new(&xvfb)
            .args([display.as_str(), "-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start Xvfb")?;
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if Path::new(&format!("/tmp/.X11-unix/X{number}")).exists() {
                return Ok((child, display));
            }
            if child.try_wait().ok().flatten().is_some() {
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    bail!("Xvfb could not start on any display from :90 to :139")
}

/// Is display `:number` held by a live X server? A lock naming a dead process is stale (an
/// Xvfb stopped by SIGKILL leaves its lock and socket; the X server replaces both), as X
/// servers themselves decide: without this, 50 killed sessions used up :90 to :139.
fn display_in_use(number: u32) -> bool {
    match std::fs::read_to_string(format!("/tmp/.X{number}-lock")) {
        Ok(text) => match text.trim().parse::<u32>() {
            Ok(pid) => Path::new(&format!("/proc/{pid}")).exists(),
            Err(_) => true,
        },
        Err(_) => Path::new(&format!("/tmp/.X11-unix/X{number}")).exists(),
    }
}

fn free_port() -> anyhow::Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0").context("no free port")?.local_addr()?.port())
}

/// `name` on `PATH` (and in `~/.cargo/bin`, where `cargo install` puts drivers).
pub fn which(name: &str) -> Option<PathBuf> {
    let mut dirs: Vec<PathBuf> =
        std::env::var_os("PATH").map(|p| std::env::split_paths(&p).collect()).unwrap_or_default();
    if let Some(home) = std::env::var_os("HOME") {
        dirs.push(Path::new(&home).join(".cargo/bin"));
    }
    dirs.into_iter().map(|d| d.join(name)).find(|p| p.is_file())
}

fn first_existing(paths: &[&str]) -> Option<String> {
    paths.iter().find(|p| Path::new(p).exists()).map(|p| (*p).to_owned())
}
