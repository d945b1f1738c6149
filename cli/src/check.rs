//! `cors-harness check`: one request, one question, a few lines of answer.
//!
//! It builds a one-case suite (through the importer's rules, so forbidden headers and
//! cookies are handled as in `import`) and runs it with `run`'s machinery.

use cors_harness::import::{self, rules, RecordedRequest, SourceKind};
use cors_harness::{CaseResult, Credentials, Outcome, SuiteReport};

use crate::run::{BrowserChoice, DriverArgs, Matrix, ReasonSourceChoice, Watch};
use crate::session::LoadedSuite;
use crate::Failure;

#[derive(clap::Args, Clone, Debug)]
pub struct CheckArgs {
    /// The URL to request.
    #[arg(required_unless_present = "curl")]
    pub url: Option<String>,
    /// The method (default GET, or POST with -d).
    #[arg(short = 'X', long = "request", value_name = "METHOD", conflicts_with = "curl")]
    pub method: Option<String>,
    /// A request header, as curl writes it; repeatable.
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE", conflicts_with = "curl")]
    pub headers: Vec<String>,
    /// The request body.
    #[arg(short = 'd', long = "data", value_name = "BODY", conflicts_with = "curl")]
    pub body: Option<String>,
    /// fetch()'s credentials mode (default: include when a cookie or Authorization is given, else same-origin).
    #[arg(long, value_enum)]
    pub credentials: Option<CredentialsChoice>,
    /// A pasted "Copy as cURL" command instead of URL and options.
    #[arg(long, value_name = "COMMAND", conflicts_with = "url")]
    pub curl: Option<String>,
    /// The page's origin (repeatable, one answer each), --resolve, --ca-cert, address spaces: as `run`.
    #[command(flatten)]
    pub origin: crate::stage::OriginArgs,
    /// Which browser engine(s) to ask.
    #[arg(long, value_enum, default_value = "chromium")]
    pub browser: BrowserChoice,
    #[command(flatten)]
    pub drivers: DriverArgs,
    /// Whose reason to report (see `run --help`).
    #[arg(long, value_enum, default_value = "browser")]
    pub reason_source: ReasonSourceChoice,
    #[command(flatten)]
    pub probe: crate::ProbeEndpointArgs,
    /// Print the results as JSON (one report per origin and browser).
    #[arg(long)]
    pub json: bool,
    /// Exit 0 when the verdict is this (a one-line CI assertion).
    #[arg(long, value_enum)]
    pub expect: Option<ExpectChoice>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum CredentialsChoice {
    Include,
    Omit,
    SameOrigin,
}

impl From<CredentialsChoice> for Credentials {
    fn from(choice: CredentialsChoice) -> Self {
        match choice {
            CredentialsChoice::Include => Credentials::Include,
            CredentialsChoice::Omit => Credentials::Omit,
            CredentialsChoice::SameOrigin => Credentials::SameOrigin,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum ExpectChoice {
    Allowed,
    Blocked,
}

/// `-H 'Name: value'` options, as curl writes them.
pub(crate) fn parse_headers(options: &[String]) -> Result<Vec<(String, String)>, Failure> {
    let mut headers = Vec::new();
    for header in options {
        let (name, value) = header.split_once(':').ok_or_else(|| {
            Failure::Usage(format!("-H `{header}`: write a header as `Name: value`"))
        })?;
        headers.push((name.trim().to_owned(), value.trim().to_owned()));
    }
    Ok(headers)
}

/// The one-case suite's JSON, from the URL and options or the pasted command.
fn suite_of(args: &CheckArgs) -> Result<String, Failure> {
    let (mut suite, notes) = match (&args.curl, &args.url) {
        (Some(command), _) => {
            let imported = import::import(command, Some(SourceKind::Curl))
                .map_err(|e| Failure::Usage(format!("--curl: {e}")))?;
            (imported.suite, imported.notes)
        }
        (None, Some(url)) => {
            let headers = parse_headers(&args.headers)?;
            let method = args
                .method
                .clone()
                .unwrap_or_else(|| if args.body.is_some() { "POST" } else { "GET" }.to_owned());
            let request = RecordedRequest {
                url: url.clone(),
                method,
                headers,
                body: args.body.clone(),
                ..RecordedRequest::default()
            };
            rules::build_suite(SourceKind::Curl, vec![request], None)
        }
        (None, None) => return Err(Failure::Usage("give a URL or --curl \"curl ...\"".into())),
    };
    for note in notes.iter().filter(|n| n.level != import::NoteLevel::Info) {
        eprintln!("{note}");
    }
    if suite.cases.len() != 1 {
        return Err(Failure::Usage(format!(
            "check asks one question: the command holds {} requests (use `import` and `run` for several)",
            suite.cases.len()
        )));
    }
    if let Some(credentials) = args.credentials {
        suite.cases[0].credentials = Some(credentials.into());
    }
    suite.name = "check".to_owned();
    Ok(suite.to_json())
}

pub async fn run(args: CheckArgs) -> Result<bool, Failure> {
    let json = suite_of(&args)?;
    let suite = LoadedSuite::new(json, "check")?;
    let suites = [suite];
    let engines = BrowserChoice::engines(std::slice::from_ref(&args.browser));
    let matrix = Matrix {
        suites: &suites,
        engines: &engines,
        origin: &args.origin,
        drivers: &args.drivers,
        concurrency: None,
        watch: Watch { reason_source: args.reason_source, ..Watch::default() },
        probe: args.probe,
        parallel: None,
        default_suite: None,
    };
    let reports = matrix.reports().await?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&reports).unwrap_or_default());
    } else {
        for report in &reports {
            for result in &report.results {
                print!("{}", answer(report, result));
            }
        }
    }
    let wanted = match args.expect {
        Some(ExpectChoice::Blocked) => Outcome::Blocked,
        Some(ExpectChoice::Allowed) | None => Outcome::Allowed,
    };
    let results = reports.iter().flat_map(|r| &r.results);
    let mut all = true;
    for result in results {
        all &= result.outcome == wanted;
    }
    Ok(all && !reports.is_empty())
}

/// The verdict, the reason and the fix in a few lines.
fn answer(report: &SuiteReport, result: &CaseResult) -> String {
    let mut text = format!(
        "{}: {} {} from {} in {}\n",
        result.outcome,
        result.method,
        result.url.split("__cors_harness=").next().unwrap_or_default().trim_end_matches(['?', '&']),
        report.origin,
        report.browser
    );
    let preflight = match result.preflight {
        Some(true) => "preflight: yes",
        Some(false) => "preflight: no",
        None => "preflight: -",
    };
    match result.outcome {
        Outcome::Allowed => {
            let status = result.status.map(|s| s.to_string()).unwrap_or_else(|| "-".into());
            text.push_str(&format!("  status {status}, {preflight}\n"));
        }
        _ => {
            let reason = result.reason.as_ref().map_or("unknown", |r| r.as_str());
            let firefox = result
                .firefox_reason
                .as_ref()
                .map(|r| format!(" (Firefox: {})", r.as_str()))
                .unwrap_or_default();
            let network = result
                .network_error
                .as_ref()
                .map(|e| format!("  network error: {e}\n"))
                .unwrap_or_default();
            text.push_str(&network);
            text.push_str(&format!("  reason: {reason}{firefox}, {preflight}\n"));
            if let Some(error) = &result.error {
                text.push_str(&format!("  error: {error}\n"));
            }
        }
    }
    if let Some(fix) = result.diagnosis.as_ref().and_then(|d| d.fix.as_ref()) {
        text.push_str(&format!("  fix: {}\n", fix.summary));
    }
    if !result.dropped_headers.is_empty() {
        text.push_str(&format!(
            "  dropped by the browser: {}\n",
            result.dropped_headers.join(", ")
        ));
    }
    for warning in &result.warnings {
        text.push_str(&format!("  warning {}: {}\n", warning.code, warning.message));
    }
    text
}
