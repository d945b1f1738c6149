//! The world a browser session sees: the harness page served **as** the user's origin
//! (`--origin https://app.example.com`, `http://app.test:3000`, `null`), names mapped with
//! `--resolve`, APIs' certificates trusted as `--ca-cert` says and nothing more, and address
//! spaces for Local Network Access. Nothing touches the system: the browser is told, by
//! its own command line, preferences or capabilities, for this session only.
//!
//! How each engine is told:
//!
//! | | names and ports | the page's certificate | APIs' certificates |
//! |---|---|---|---|
//! | Chromium | `--host-resolver-rules` (`MAP host:port addr:port`) | `--ignore-certificate-errors-spki-list` (one key for all the run's certificates) | the same list, with each API leaf the runner verified |
//! | Firefox | this forward proxy (`network.proxy.*`) | the run's CA in a fresh profile's NSS store (`certutil`) | every `--ca-cert` in that store |
//! | WebKitGTK | this forward proxy (`http_proxy`/`https_proxy` of the driver) | `webkitgtk:browserOptions.certificates` (the leaf, per host) | each API leaf the runner verified, per host |
//!
//! No privileged port is bound: a page at `https://app.example.com` (port 443) is served
//! on a free loopback port, and the browser is told that `app.example.com:443` leads there.

use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{bail, Context};
use serde_json::{json, Map, Value};

use crate::driver::Engine;
use crate::names::{NameMap, Resolve};
use crate::origin::PageOrigin;
use crate::proxy::ForwardProxy;
use crate::replay::{ReplayNetwork, ReplayService};
use crate::tls::{ApiTrust, RunCa, TrustedServer};
use crate::web::{PageOptions, PageServer, WebBundle};

/// An address space in Local Network Access's terms (Chromium's `--ip-address-space-overrides`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AddressSpace {
    /// A website on the internet.
    Public,
    /// An intranet address (private ranges).
    Local,
    /// This machine.
    Loopback,
}

impl AddressSpace {
    fn as_str(self) -> &'static str {
        match self {
            AddressSpace::Public => "public",
            AddressSpace::Local => "local",
            AddressSpace::Loopback => "loopback",
        }
    }
}

/// `--ip-address-space ADDR:PORT=public|local|loopback`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpaceOverride {
    pub addr: SocketAddr,
    pub space: AddressSpace,
}

impl std::str::FromStr for SpaceOverride {
    type Err = String;
    fn from_str(input: &str) -> Result<Self, String> {
        let usage = || {
            format!("--ip-address-space {input:?}: expected ADDR:PORT=public|local|loopback, e.g. 127.0.0.1:47402=public")
        };
        let (addr, space) = input.split_once('=').ok_or_else(usage)?;
        let addr: SocketAddr = addr.trim().parse().map_err(|_| usage())?;
        let space =
            <AddressSpace as clap::ValueEnum>::from_str(space.trim(), true).map_err(|_| usage())?;
        Ok(SpaceOverride { addr, space })
    }
}

/// Where and as whom the page runs; shared by `run`, `serve`, `demo` and the commands built on them.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct OriginArgs {
    /// The page's origin: https://app.example.com, http://app.example.test:3000, http://127.0.0.1:47080
    /// or null (a sandboxed page). Repeat for a matrix; each origin gets a fresh browser profile.
    #[arg(long = "origin", value_name = "ORIGIN")]
    pub origins: Vec<String>,
    /// HOST:PORT:ADDR, as curl's: the browser and the probe endpoint connect to ADDR for HOST:PORT.
    #[arg(long = "resolve", value_name = "HOST:PORT:ADDR")]
    pub resolves: Vec<Resolve>,
    /// Trust this CA (PEM) for the APIs of this run, besides the system's roots. Repeatable.
    #[arg(long = "ca-cert", value_name = "FILE")]
    pub ca_certs: Vec<PathBuf>,
    /// Treat the page as a website in this address space (Local Network Access).
    #[arg(long, value_enum, value_name = "SPACE")]
    pub page_address_space: Option<AddressSpace>,
    /// ADDR:PORT=public|local|loopback: treat an API's server as being in that address space.
    #[arg(long = "ip-address-space", value_name = "ADDR:PORT=SPACE")]
    pub ip_address_spaces: Vec<SpaceOverride>,
}

impl OriginArgs {
    /// The origins to run from: the command line's, else the suite's, else a loopback page.
    pub fn page_origins(
        &self,
        suite_origins: &[String],
    ) -> Result<Vec<Option<PageOrigin>>, String> {
        let named: &[String] = if self.origins.is_empty() { suite_origins } else { &self.origins };
        if named.is_empty() {
            return Ok(vec![None]);
        }
        let mut origins = Vec::new();
        for text in named {
            let origin = PageOrigin::parse(text)?;
            if !origins.contains(&Some(origin.clone())) {
                origins.push(Some(origin));
            }
        }
        Ok(origins)
    }
}

/// What one page (one origin) needs from the run.
pub struct StagedPage {
    /// The URL the browser opens.
    pub url: String,
    /// The page's origin as browsers serialise it (`null` for an opaque one).
    pub serialized: String,
    server: PageServer,
    /// The server's real address (Local Network Access overrides name it).
    pub addr: SocketAddr,
}

impl StagedPage {
    /// The page `server` serves as `origin`; a named origin's host and port now lead to it.
    fn new(origin: Option<&PageOrigin>, server: PageServer, names: &mut NameMap) -> StagedPage {
        let addr = server.addr;
        let (url, serialized) = match origin {
            Some(o @ PageOrigin::Tuple { .. }) => {
                if direct_bind(o).is_none() {
                    names.insert(o.host().unwrap_or_default(), o.port().unwrap_or(443), addr);
                }
                (o.page_url().unwrap_or_default(), o.to_string())
            }
            Some(PageOrigin::Opaque) => (format!("{}/", server.origin), "null".to_owned()),
            None => (format!("{}/", server.origin), server.origin.clone()),
        };
        StagedPage { url, serialized, server, addr }
    }
}

/// A fresh directory for the run's certificates and profiles (removed at the end).
fn run_dir() -> anyhow::Result<PathBuf> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("cors-harness-run-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(dir)
}

/// Where a page of `origin` listens: its own address when it is this machine's, else a free port.
fn page_bind(origin: &PageOrigin) -> SocketAddr {
    direct_bind(origin).unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)))
}

/// The page's TLS configuration, and its certificate's file for the browsers that trust per host.
fn page_certificate(
    origin: &PageOrigin,
    ca: &RunCa,
    dir: &Path,
) -> anyhow::Result<(Arc<rustls::ServerConfig>, (String, PathBuf))> {
    let host = origin.host().unwrap_or_default().to_owned();
    let leaf = ca.leaf(std::slice::from_ref(&host))?;
    let file = dir.join(format!("page-{}-{}.pem", sanitize(&host), origin.port().unwrap_or(443)));
    std::fs::write(&file, &leaf.cert_pem)?;
    Ok((leaf.server_config()?, (host, file)))
}

/// Everything set up for the pages of one run, stopped together.
pub struct Stage {
    pub pages: Vec<StagedPage>,
    pub names: NameMap,
    pub trust: ApiTrust,
    /// API servers whose certificates the runner verified (handed to the browsers).
    pub trusted: Vec<TrustedServer>,
    /// Why an https server of the suite is not trusted, by `host:port`.
    pub untrusted: Vec<(String, String)>,
    ca: Option<RunCa>,
    run_ca_file: Option<PathBuf>,
    page_leaf_files: Vec<(String, PathBuf)>,
    proxy: Option<ForwardProxy>,
    page_space: Option<AddressSpace>,
    spaces: Vec<SpaceOverride>,
    dir: PathBuf,
}

/// What the page server of one origin offers besides the page.
pub struct PageContent {
    pub default_suite: Option<String>,
    pub probe: bool,
}

impl Stage {
    /// Starts a page server for each origin (and the proxy when an engine needs one), and
    /// checks the certificates of the suite's https servers.
    pub async fn start(
        args: &OriginArgs,
        origins: &[Option<PageOrigin>],
        suite_urls: &[String],
        content: impl Fn(&Option<PageOrigin>) -> PageContent,
    ) -> anyhow::Result<Stage> {
        let bundle = WebBundle::prepare()?;
        let dir = run_dir()?;
        let trust = ApiTrust::load(&args.ca_certs)?;
        let mut names = NameMap::new(&args.resolves);
        let needs_ca = origins.iter().flatten().any(PageOrigin::is_secure);
        let ca =
            if needs_ca { Some(RunCa::new("cors-harness page CA (this run only)")?) } else { None };
        let mut run_ca_file = None;
        if let Some(ca) = &ca {
            let file = dir.join("run-ca.pem");
            std::fs::write(&file, ca.ca_pem())?;
            run_ca_file = Some(file);
        }
        let mut pages = Vec::new();
        let mut page_leaf_files = Vec::new();
        for origin in origins {
            let served = content(origin);
            let probe = served.probe.then(|| {
                ReplayService::new().with_network(ReplayNetwork {
                    names: NameMap::new(&args.resolves),
                    tls: trust.client_config(),
                })
            });
            let (bind, tls) = match (origin, &ca) {
                (Some(o), Some(ca)) if o.is_secure() => {
                    let (tls, leaf) = page_certificate(o, ca, &dir)?;
                    page_leaf_files.push(leaf);
                    (page_bind(o), Some(tls))
                }
                (Some(o), _) => (page_bind(o), None),
                (None, _) => (SocketAddr::from(([127, 0, 0, 1], 0)), None),
            };
            let options = PageOptions {
                sandboxed: origin.as_ref() == Some(&PageOrigin::Opaque),
                own_host: origin.as_ref().and_then(|o| o.host().map(str::to_owned)),
            };
            let router = bundle.router(served.default_suite, probe, &options);
            let server = PageServer::start(bind, router, tls).await?;
            pages.push(StagedPage::new(origin.as_ref(), server, &mut names));
        }
        let resolves = NameMap::new(&args.resolves);
        let (trusted, untrusted) = check_servers(&trust, &names, &resolves, suite_urls).await;
        Ok(Stage {
            pages,
            names,
            trust,
            trusted,
            untrusted,
            ca,
            run_ca_file,
            page_leaf_files,
            proxy: None,
            page_space: args.page_address_space,
            spaces: args.ip_address_spaces.clone(),
            dir,
        })
    }

    /// Starts the name-mapping proxy if an engine of this run needs one.
    pub async fn prepare_for(&mut self, engines: &[Engine]) -> anyhow::Result<()> {
        let needs_proxy = !self.names.entries().is_empty()
            && engines.iter().any(|e| matches!(e, Engine::Firefox | Engine::Webkit));
        if needs_proxy && self.proxy.is_none() {
            self.proxy = Some(ForwardProxy::start(self.names.clone()).await?);
        }
        Ok(())
    }

    /// The hash of the key behind every certificate of the run's pages.
    fn page_spki(&self) -> Option<String> {
        self.ca.as_ref().map(RunCa::leaf_spki_hash)
    }

    /// New-session capabilities for `engine` and the page at `page`: the engine's defaults
    /// plus what this stage needs. `session` names a fresh directory for a Firefox profile.
    pub fn capabilities(
        &self,
        engine: Engine,
        page: usize,
        session: usize,
    ) -> anyhow::Result<Map<String, Value>> {
        let mut caps = engine.capabilities();
        let page = self.pages.get(page).context("no such page")?;
        match engine {
            Engine::Chromium => {
                let index = self.pages.iter().position(|p| std::ptr::eq(p, page)).unwrap_or(0);
                push_args(&mut caps, "goog:chromeOptions", &self.chromium_flags(index));
            }
            Engine::Firefox => {
                // The profile travels in the capabilities (a base64 zip), not as a path on
                // this machine: a Grid node elsewhere gets the run's certificates too.
                let profile = zip_profile(&self.firefox_profile(session)?)?;
                if let Some(options) =
                    caps.get_mut("moz:firefoxOptions").and_then(Value::as_object_mut)
                {
                    options.insert("profile".into(), Value::String(profile));
                }
                let mut prefs = Map::new();
                if let Some(proxy) = &self.proxy {
                    prefs.insert("network.proxy.type".into(), json!(1));
                    for kind in ["http", "ssl"] {
                        prefs.insert(
                            format!("network.proxy.{kind}"),
                            json!(proxy.addr.ip().to_string()),
                        );
                        prefs
                            .insert(format!("network.proxy.{kind}_port"), json!(proxy.addr.port()));
                    }
                    // Loopback addresses stay direct (Firefox's default, said for the reader).
                    prefs.insert("network.proxy.allow_hijacking_localhost".into(), json!(false));
                }
                if self.page_space == Some(AddressSpace::Public) {
                    prefs.insert(
                        "network.lna.address_space.public.override".into(),
                        json!(page.addr.to_string()),
                    );
                }
                if let Some(options) =
                    caps.get_mut("moz:firefoxOptions").and_then(Value::as_object_mut)
                {
                    let all = options.entry("prefs").or_insert_with(|| json!({}));
                    if let Some(all) = all.as_object_mut() {
                        all.extend(prefs);
                    }
                }
            }
            Engine::Webkit => {
                let mut certificates: Vec<Value> = self
                    .page_leaf_files
                    .iter()
                    .map(|(host, file)| json!({ "host": host, "certificateFile": file }))
                    .collect();
                for (i, server) in self.trusted.iter().enumerate() {
                    let file = self.dir.join(format!("api-{i}-{}.pem", sanitize(&server.host)));
                    std::fs::write(&file, &server.leaf_pem)?;
                    certificates.push(json!({ "host": server.host, "certificateFile": file }));
                }
                if let Some(options) =
                    caps.get_mut("webkitgtk:browserOptions").and_then(Value::as_object_mut)
                {
                    if !certificates.is_empty() {
                        options.insert("certificates".into(), Value::Array(certificates));
                    }
                }
            }
        }
        Ok(caps)
    }

    /// Chromium's command-line flags for the page at `page`: name mapping, the certificates
    /// this run trusts (by key), and Local Network Access's address spaces.
    pub fn chromium_flags(&self, page: usize) -> Vec<String> {
        let mut args = Vec::new();
        if let Some(rules) = self.names.chromium_rules() {
            args.push(format!("--host-resolver-rules={rules}"));
        }
        let mut spki: Vec<String> = self.page_spki().into_iter().collect();
        spki.extend(self.trusted.iter().map(|t| t.spki_hash.clone()));
        spki.sort();
        spki.dedup();
        if !spki.is_empty() {
            args.push(format!("--ignore-certificate-errors-spki-list={}", spki.join(",")));
        }
        if let Some(page) = self.pages.get(page) {
            let spaces = self.space_overrides(page);
            if !spaces.is_empty() {
                args.push(format!("--ip-address-space-overrides={}", spaces.join(",")));
            }
        }
        args
    }

    /// The environment a locally started driver needs (WebKit reads its proxy from it).
    pub fn driver_env(&self, engine: Engine) -> Vec<(String, String)> {
        match (&self.proxy, engine) {
            (Some(proxy), Engine::Webkit) => vec![
                ("http_proxy".into(), proxy.url()),
                ("https_proxy".into(), proxy.url()),
                ("no_proxy".into(), "127.0.0.1,localhost,::1".into()),
            ],
            _ => Vec::new(),
        }
    }

    fn space_overrides(&self, page: &StagedPage) -> Vec<String> {
        let mut spaces = Vec::new();
        if let Some(space) = self.page_space {
            spaces.push(format!("{}={}", page.addr, space.as_str()));
        }
        spaces.extend(self.spaces.iter().map(|s| format!("{}={}", s.addr, s.space.as_str())));
        spaces
    }

    /// A fresh Firefox profile whose NSS store trusts the run's CA and every `--ca-cert`.
    fn firefox_profile(&self, session: usize) -> anyhow::Result<PathBuf> {
        let profile = self.dir.join(format!("firefox-{session}"));
        if profile.exists() {
            std::fs::remove_dir_all(&profile)?;
        }
        std::fs::create_dir_all(&profile)?;
        let cas: Vec<&Path> = self
            .run_ca_file
            .iter()
            .map(PathBuf::as_path)
            .chain(self.trust.ca_files.iter().map(PathBuf::as_path))
            .collect();
        if cas.is_empty() {
            return Ok(profile);
        }
        let certutil = crate::driver::which("certutil").context(
            "certutil not found: Firefox needs it to trust the run's certificates (apt-get install libnss3-tools, or scripts/setup.sh firefox)",
        )?;
        let db = format!("sql:{}", profile.display());
        run(Command::new(&certutil).args(["-N", "--empty-password", "-d", &db]))?;
        for (i, ca) in cas.iter().enumerate() {
            run(Command::new(&certutil)
                .args(["-A", "-t", "C,,", "-n", &format!("cors-harness-{i}"), "-d", &db, "-i"])
                .arg(ca))?;
        }
        Ok(profile)
    }

    pub async fn stop(self) {
        for page in self.pages {
            page.server.stop().await;
        }
        if let Some(proxy) = self.proxy {
            proxy.stop().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// A profile directory as geckodriver takes it in `moz:firefoxOptions.profile`: a zip, base64.
fn zip_profile(dir: &Path) -> anyhow::Result<String> {
    use base64::Engine as _;
    use std::io::Write as _;
    let mut archive = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for entry in std::fs::read_dir(dir).with_context(|| format!("cannot read {}", dir.display()))? {
        let path = entry?.path();
        if !path.is_file() {
            continue;
        }
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        archive.start_file(name, options).context("cannot zip the Firefox profile")?;
        archive.write_all(&std::fs::read(&path)?)?;
    }
    let bytes = archive.finish().context("cannot zip the Firefox profile")?.into_inner();
    Ok(base64::engine::general_purpose::STANDARD.encode(bytes))
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let output = command.output().with_context(|| format!("cannot run {command:?}"))?;
    if !output.status.success() {
        bail!("{command:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim());
    }
    Ok(())
}

/// An http(s) origin whose host is this machine's address (or `localhost`) is served on
/// that very address and port; a name is mapped instead.
fn direct_bind(origin: &PageOrigin) -> Option<SocketAddr> {
    let host = origin.host()?;
    let port = origin.port()?;
    let ip: IpAddr = if host.eq_ignore_ascii_case("localhost") {
        IpAddr::from([127, 0, 0, 1])
    } else {
        host.parse().ok()?
    };
    Some(SocketAddr::new(ip, port))
}

fn push_args(caps: &mut Map<String, Value>, options: &str, args: &[String]) {
    if let Some(list) = caps
        .get_mut(options)
        .and_then(Value::as_object_mut)
        .map(|o| o.entry("args").or_insert_with(|| json!([])))
        .and_then(Value::as_array_mut)
    {
        list.extend(args.iter().cloned().map(Value::String));
    }
}

fn sanitize(host: &str) -> String {
    host.chars()
        .map(|c| if c.is_ascii_alphanumeric() || c == '.' || c == '-' { c } else { '_' })
        .collect()
}

/// Verifies each https server of the suite with the run's trust, and every `--resolve`
/// target that speaks TLS (a redirect may lead there); only the suite's are reported when
/// they fail.
async fn check_servers(
    trust: &ApiTrust,
    names: &NameMap,
    resolves: &NameMap,
    suite_urls: &[String],
) -> (Vec<TrustedServer>, Vec<(String, String)>) {
    let mut targets: Vec<(String, u16, bool)> = Vec::new();
    for text in suite_urls {
        let Ok(url) = url::Url::parse(text) else { continue };
        if url.scheme() != "https" {
            continue;
        }
        let (Some(host), Some(port)) = (url.host_str(), url.port_or_known_default()) else {
            continue;
        };
        targets.push((host.trim_start_matches('[').trim_end_matches(']').to_owned(), port, true));
    }
    // The `--resolve` targets only: the run's own page servers need no check.
    for (host, port, _) in resolves.entries() {
        if !targets.iter().any(|(h, p, _)| *h == host && *p == port) {
            targets.push((host, port, false));
        }
    }
    targets.sort();
    targets.dedup();
    let checks = targets.into_iter().map(|(host, port, reported)| async move {
        let lookup = tokio::time::timeout(Duration::from_secs(3), names.lookup(&host, port));
        let checked = match lookup.await {
            Ok(Ok(addrs)) if !addrs.is_empty() => trust.check(&host, port, addrs[0]).await,
            _ => Err("the name does not resolve".to_owned()),
        };
        (checked.map_err(|why| (format!("{host}:{port}"), why)), reported)
    });
    let mut trusted = Vec::new();
    let mut untrusted = Vec::new();
    for (result, reported) in futures_util::future::join_all(checks).await {
        match result {
            Ok(server) => trusted.push(server),
            Err(problem) if reported => untrusted.push(problem),
            Err(_) => {}
        }
    }
    (trusted, untrusted)
}
