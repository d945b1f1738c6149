//! `cors-harness audit`: can another site read your API with your users' cookies?
//!
//! From the legitimate origins (`--origin`) it derives attacker origins
//! ([`cors_harness::audit::origins`]), serves the harness page **as** each of them (the
//! stage of `run --origin`), and from each, in a fresh profile of each browser, makes a
//! credentialed `fetch()` of every target (plus the user's preflighted request, and an
//! uncredentialed one for public data). One suite runs at every origin, so one session
//! covers every target. The legitimate origins run too, as the control.

use std::io::IsTerminal;
use std::path::PathBuf;

use cors_harness::audit::{
    self, Allowed, AttackerOrigin, Audit, AuditReport, CredentialsSent, InformationKind,
    Observation, Probe,
};
use cors_harness::fetch::{header, method};
use cors_harness::suite::PresetCookie;
use cors_harness::{CaseResult, SuiteReport};
use serde_json::{json, Value};

use crate::driver::Engine;
use crate::run::{BrowserChoice, DriverArgs, Matrix, Watch};
use crate::session::LoadedSuite;
use crate::stage::OriginArgs;
use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct AuditArgs {
    /// The API URL(s) to audit (several share each browser session).
    #[arg(required = true, num_args = 1..)]
    pub urls: Vec<String>,
    /// The legitimate origin(s) (--origin, repeatable), --resolve, --ca-cert and address
    /// spaces: as `run`. Attacker origins are derived from the legitimate ones.
    #[command(flatten)]
    pub origin: OriginArgs,
    /// The user's cookie for the API, as a Set-Cookie line
    /// ('session=abc; SameSite=None; Secure; HttpOnly; Partitioned'); repeatable.
    #[arg(long = "cookie", value_name = "COOKIE")]
    pub cookies: Vec<String>,
    /// The method of the request to audit besides a simple GET (a preflighted one when not GET/HEAD/POST).
    #[arg(short = 'X', long = "method", value_name = "METHOD")]
    pub method: Option<String>,
    /// A request header, as curl writes it; a non-safelisted one makes the request preflighted. Repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    pub headers: Vec<String>,
    /// Another attacker origin to try (classified against the legitimate ones); repeatable.
    #[arg(long = "attacker-origin", value_name = "ORIGIN")]
    pub attacker_origins: Vec<String>,
    /// Which browser engine(s) to run the attacker pages in.
    #[arg(long, value_enum, default_value = "chromium")]
    pub browser: BrowserChoice,
    #[command(flatten)]
    pub drivers: DriverArgs,
    /// Browser sessions at once (default: the local cores, or a Grid's free slots).
    #[arg(long, value_name = "N")]
    pub parallel: Option<usize>,
    /// The findings as a table for people, or JSON (one object per target and browser;
    /// an array of them when there are several).
    #[arg(long, value_enum, default_value = "table")]
    pub format: AuditFormat,
    /// Write the output there (the table is still printed).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    Table,
    Json,
}

/// The requests made at every origin, for each target.
struct Requests {
    /// Header pairs of the simple request (safelisted ones only).
    simple_headers: Vec<(String, String)>,
    /// The simple request's method (the user's when it is GET, HEAD or POST).
    simple_method: String,
    /// The user's request when it needs a preflight.
    preflighted: Option<(String, Vec<(String, String)>)>,
}

impl Requests {
    fn of(args: &AuditArgs) -> Result<Requests, Failure> {
        let headers = crate::check::parse_headers(&args.headers)?;
        let user_method = args.method.clone().unwrap_or_else(|| "GET".to_owned());
        if !cors_harness::fetch::is_token(&user_method) {
            return Err(Failure::Usage(format!("--method {user_method:?} is not a method name")));
        }
        let safelisted =
            |(n, v): &(String, String)| header::is_cors_safelisted_request_header(n, v);
        let simple = method::is_cors_safelisted(&user_method) && headers.iter().all(safelisted);
        Ok(if simple {
            Requests { simple_headers: headers, simple_method: user_method, preflighted: None }
        } else {
            Requests {
                simple_headers: headers.iter().filter(|h| safelisted(h)).cloned().collect(),
                simple_method: "GET".to_owned(),
                preflighted: Some((user_method, headers)),
            }
        })
    }

    /// What the fixes must allow besides simple requests.
    fn allowed(&self, origins: &[String]) -> Allowed {
        let (methods, headers) = match &self.preflighted {
            Some((m, h)) => (
                (!method::is_cors_safelisted(m)).then(|| m.to_uppercase()).into_iter().collect(),
                header::cors_unsafe_request_header_names(
                    h.iter().map(|(n, v)| (n.as_str(), v.as_str())),
                    false,
                ),
            ),
            None => (Vec::new(), Vec::new()),
        };
        Allowed { origins: origins.to_vec(), methods, headers }
    }
}

fn headers_json(headers: &[(String, String)]) -> Value {
    Value::Object(headers.iter().map(|(n, v)| (n.clone(), json!(v))).collect())
}

/// The one suite every origin runs: per target, the credentialed simple request, the
/// uncredentialed one and the preflighted one.
fn suite(urls: &[String], requests: &Requests, cookies: &[PresetCookie]) -> Value {
    let mut cases = Vec::new();
    for (i, url) in urls.iter().enumerate() {
        // The probe endpoint replays only what is safe to repeat against the user's API.
        let replay = matches!(requests.simple_method.to_uppercase().as_str(), "GET" | "HEAD");
        for (id, credentials) in [("credentialed", "include"), ("uncredentialed", "omit")] {
            cases.push(json!({
                "id": format!("t{i}-{id}"),
                "url": url,
                "method": requests.simple_method,
                "headers": headers_json(&requests.simple_headers),
                "credentials": credentials,
                "diagnose": replay,
            }));
        }
        if let Some((method, headers)) = &requests.preflighted {
            cases.push(json!({
                "id": format!("t{i}-preflighted"),
                "url": url,
                "method": method,
                "headers": headers_json(headers),
                "credentials": "include",
                "diagnose": false,
            }));
        }
    }
    json!({
        "name": "audit",
        "description": "cors-harness audit: the same requests from every attacker origin",
        "concurrency": 4,
        "defaults": { "timeout_ms": 10000 },
        "cookies": cookies,
        "cases": cases,
    })
}

pub async fn run(args: AuditArgs) -> Result<bool, Failure> {
    if args.origin.origins.is_empty() {
        return Err(Failure::Usage(
            "audit needs the legitimate origin: --origin https://app.example.com".into(),
        ));
    }
    if args.parallel == Some(0) {
        return Err(Failure::Usage("--parallel must be at least 1".into()));
    }
    for url in &args.urls {
        match url::Url::parse(url) {
            Ok(u) if matches!(u.scheme(), "http" | "https") => {}
            _ => return Err(Failure::Usage(format!("{url:?} is not an http(s) URL"))),
        }
    }
    let attackers = audit::attacker_origins(&args.origin.origins, &args.attacker_origins)
        .map_err(Failure::Usage)?;
    let legitimate: Vec<String> = args
        .origin
        .origins
        .iter()
        .filter_map(|o| audit::TupleOrigin::parse(o).ok().map(|o| o.to_string()))
        .collect();
    let mut cookies = Vec::new();
    let mut cookie_names = Vec::new();
    for text in &args.cookies {
        for url in &args.urls {
            let cookie = audit::parse_cookie(text, url).map_err(Failure::Usage)?;
            if !cookie_names.contains(&cookie.name) {
                cookie_names.push(cookie.name.clone());
            }
            if !cookies.contains(&cookie) {
                cookies.push(cookie);
            }
        }
    }
    let requests = Requests::of(&args)?;
    let to_people = args.format == AuditFormat::Table || args.out.is_some();
    let list = attacker_list(&attackers, &legitimate);
    if to_people {
        print!("{list}");
    } else {
        eprint!("{list}");
    }

    let suite_json = suite(&args.urls, &requests, &cookies).to_string();
    let suites = [LoadedSuite::new(suite_json, "audit")?];
    let mut origin = args.origin.clone();
    origin.origins = attackers.iter().map(|a| a.origin.clone()).chain(legitimate.clone()).collect();
    let engines = BrowserChoice::engines(std::slice::from_ref(&args.browser));
    let matrix = Matrix {
        suites: &suites,
        engines: &engines,
        origin: &origin,
        drivers: &args.drivers,
        concurrency: None,
        watch: Watch::default(),
        probe: crate::ProbeEndpointArgs::default(),
        parallel: args.parallel,
        default_suite: None,
    };
    let (jobs, outcomes) = matrix.run().await?;
    if outcomes.iter().all(Result::is_err) {
        let errors: Vec<String> =
            outcomes.iter().filter_map(|o| o.as_ref().err()).map(|f| f.describe()).collect();
        return Err(Failure::Infra(anyhow::anyhow!(errors.join("\n"))));
    }

    let allowed = requests.allowed(&legitimate);
    let mut reports = Vec::new();
    let mut failed_sessions = 0;
    for &engine in &engines {
        let runs: Vec<(usize, Result<&SuiteReport, String>)> = jobs
            .iter()
            .zip(&outcomes)
            .filter(|(job, _)| job.engine == engine)
            .map(|(job, outcome)| {
                (job.page, outcome.as_ref().map_err(|f| format!("{:#}", f.error)))
            })
            .collect();
        failed_sessions += runs.iter().filter(|(_, r)| r.is_err()).count();
        let browser = runs
            .iter()
            .find_map(|(_, r)| r.as_ref().ok().map(|r| r.browser.clone()))
            .unwrap_or_else(|| engine_label(engine));
        for (i, url) in args.urls.iter().enumerate() {
            let probe_at = |page: usize, origin: &str| -> Result<Probe, String> {
                let (_, run) = runs.iter().find(|(p, _)| *p == page).ok_or("no session")?;
                let report = run.as_ref().map_err(Clone::clone)?;
                probe(report, i, origin).ok_or_else(|| "no result".to_owned())
            };
            let attacker_probes: Vec<(AttackerOrigin, Result<Probe, String>)> = attackers
                .iter()
                .enumerate()
                .map(|(page, a)| (a.clone(), probe_at(page, &a.origin)))
                .collect();
            let control: Vec<Probe> = legitimate
                .iter()
                .enumerate()
                .filter_map(|(k, o)| probe_at(attackers.len() + k, o).ok())
                .collect();
            let audit = Audit {
                target: url,
                browser: &browser,
                allowed: &allowed,
                cookie_names: &cookie_names,
            };
            reports.push(audit.report(&attacker_probes, &control));
        }
    }
    write(&reports, args.format, args.out.as_ref())?;
    let exploitable = reports.iter().any(AuditReport::has_exploitable);
    if failed_sessions > 0 && !exploitable {
        return Err(Failure::Infra(anyhow::anyhow!(
            "{failed_sessions} browser session(s) failed (listed as not-run above): the audit is incomplete"
        )));
    }
    Ok(!exploitable)
}

fn engine_label(engine: Engine) -> String {
    engine.name().to_owned()
}

/// The results of target `i` in one origin's report.
fn probe(report: &SuiteReport, i: usize, origin: &str) -> Option<Probe> {
    let find = |id: &str| report.results.iter().find(|r| r.id == format!("t{i}-{id}"));
    let observe = |r: &CaseResult| Observation::of(r, cookies_sent(r));
    Some(Probe {
        origin: origin.to_owned(),
        credentialed: observe(find("credentialed")?),
        preflighted: find("preflighted").map(observe),
        uncredentialed: find("uncredentialed").map(observe),
    })
}

/// `cookies.sent` of the result's cookie report, when the runner made one.
fn cookies_sent(result: &CaseResult) -> Option<Vec<String>> {
    let value = serde_json::to_value(result).ok()?;
    let sent = value.get("cookies")?.get("sent")?.as_array()?;
    Some(sent.iter().filter_map(|s| s.as_str().map(str::to_owned)).collect())
}

fn sent_word(sent: CredentialsSent) -> &'static str {
    match sent {
        CredentialsSent::Yes => "yes",
        CredentialsSent::No => "no",
        CredentialsSent::Unknown => "unknown (no cookie report)",
    }
}

fn attacker_list(attackers: &[AttackerOrigin], legitimate: &[String]) -> String {
    let mut text = format!(
        "legitimate origin(s): {}\nattacker origins ({}):\n",
        legitimate.join(", "),
        attackers.len()
    );
    for a in attackers {
        text.push_str(&format!("  {:<17} {:<44} {}\n", a.kind.as_str(), a.origin, a.trick));
    }
    text
}

fn write(
    reports: &[AuditReport],
    format: AuditFormat,
    out: Option<&PathBuf>,
) -> Result<(), Failure> {
    let color = std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let table: String = reports.iter().map(|r| table(r, color)).collect::<Vec<_>>().join("\n");
    let json = || {
        let value = match reports {
            [one] => serde_json::to_value(one),
            many => serde_json::to_value(many),
        };
        value.map(|v| serde_json::to_string_pretty(&v).unwrap_or_default() + "\n")
    };
    let write_file = |path: &PathBuf, text: &str| {
        std::fs::write(path, text)
            .map_err(|e| Failure::Usage(format!("cannot write {}: {e}", path.display())))
    };
    match (format, out) {
        (AuditFormat::Table, None) => print!("{table}"),
        (AuditFormat::Table, Some(path)) => {
            print!("{table}");
            let plain: String =
                reports.iter().map(|r| self::table(r, false)).collect::<Vec<_>>().join("\n");
            write_file(path, &plain)?;
        }
        (AuditFormat::Json, out) => {
            let text = json().map_err(|e| Failure::Infra(e.into()))?;
            match out {
                Some(path) => {
                    print!("{table}");
                    write_file(path, &text)?;
                }
                None => {
                    eprint!("{table}");
                    print!("{text}");
                }
            }
        }
    }
    Ok(())
}

/// One target in one browser, for people.
fn table(report: &AuditReport, color: bool) -> String {
    let paint = |code: &str, text: &str| {
        if color {
            format!("\x1b[{code}m{text}\x1b[0m")
        } else {
            text.to_owned()
        }
    };
    let mut text = format!("\naudit of {} in {}\n", report.target, report.browser);
    for f in &report.findings {
        let verdict =
            if f.exploitable { paint("1;31", "EXPLOITABLE") } else { paint("32", "refused    ") };
        let detail = match &f.readable {
            Some(r) if f.exploitable => format!(
                "read: status {}, headers [{}], {} chars of body; cookie sent: {}",
                r.status.map_or("-".into(), |s| s.to_string()),
                r.headers.join(", "),
                r.body_length,
                sent_word(f.credentials_sent)
            ),
            _ => format!(
                "{}{}",
                f.outcome,
                f.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
            ),
        };
        let preflighted = f
            .preflighted
            .as_ref()
            .map(|p| format!("; {} with preflight: {}", p.method, p.outcome))
            .unwrap_or_default();
        text.push_str(&format!(
            "  {verdict}  {:<16} {:<42} {detail}{preflighted}\n",
            f.kind.as_str(),
            f.attacker_origin
        ));
    }
    for info in &report.information {
        let label = match info.kind {
            InformationKind::NotRun => paint("33", "not run"),
            _ => "info".to_owned(),
        };
        text.push_str(&format!("  {label}: {}\n", info.message));
    }
    let kinds = report.exploitable_kinds();
    if kinds.is_empty() {
        text.push_str(&paint(
            "32",
            "no exploitable finding: no attacker origin read it with credentials\n",
        ));
    } else {
        let names: Vec<&str> = kinds.iter().map(|k| k.as_str()).collect();
        text.push_str(&paint("1;31", &format!("exploitable: {}\n", names.join(", "))));
    }
    // One fix per kind (the first finding's), then the refused wildcard's.
    let mut fixes: Vec<&cors_harness::cors::Fix> = Vec::new();
    for kind in &kinds {
        let first = report.findings.iter().find(|f| f.kind == *kind).and_then(|f| f.fix.as_ref());
        fixes.extend(first);
    }
    fixes.extend(report.information.iter().filter_map(|i| i.fix.as_ref()));
    for fix in &fixes {
        text.push_str(&format!("  fix: {}\n", fix.summary));
    }
    if let Some(fix) = fixes.first() {
        for snippet in &fix.snippets {
            text.push_str(&format!("  --- {}\n", snippet.stack));
            for line in snippet.code.lines() {
                text.push_str(&format!("    {line}\n"));
            }
        }
    }
    text
}
