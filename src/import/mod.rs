//! From DevTools to a suite: "Copy as fetch", "Copy as cURL" (bash and Windows `cmd`, one
//! or all) and HAR 1.2 recordings become suite cases, with notes saying what was dropped
//! and why.
//!
//! One file per input kind ([`curl`], [`fetch`], [`har`]) reads its format into
//! [`RecordedRequest`]s; [`rules`] turns those into the suite with the same rules for all:
//! forbidden and browser-added headers dropped, `Cookie` made a preset cookie,
//! credentials taken as written or inferred, readable ids, duplicates merged.
//! Bad input is an [`ImportError`] naming the line or entry; nothing here panics on input.

pub mod curl;
pub mod fetch;
pub mod har;
pub mod rules;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::suite::{Credentials, HeaderList, PresetCookie};

pub use rules::RecordedRequest;

/// Largest input accepted (HAR files with response bodies get big; 200 MB is refused).
pub const MAX_INPUT_BYTES: usize = 64 * 1024 * 1024;

/// What kind of DevTools output the text is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    /// An HTTP Archive (HAR 1.2) file.
    Har,
    /// One or more `curl` commands (bash or Windows `cmd` quoting).
    Curl,
    /// One or more `fetch(url, options)` calls.
    Fetch,
}

impl SourceKind {
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Har => "har",
            SourceKind::Curl => "curl",
            SourceKind::Fetch => "fetch",
        }
    }

    /// Guesses the kind from the text's start: JSON is a HAR, `curl` a command, `fetch(` a call.
    pub fn detect(text: &str) -> Option<SourceKind> {
        let start = text.trim_start_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
        if start.starts_with('{') {
            return Some(SourceKind::Har);
        }
        let word: String =
            start.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '.').collect();
        match word.to_ascii_lowercase().as_str() {
            "curl" | "curl.exe" => Some(SourceKind::Curl),
            "fetch" | "await" => Some(SourceKind::Fetch),
            _ => None,
        }
    }
}

impl fmt::Display for SourceKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for SourceKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.to_ascii_lowercase().as_str() {
            "har" => Ok(SourceKind::Har),
            "curl" => Ok(SourceKind::Curl),
            "fetch" => Ok(SourceKind::Fetch),
            other => Err(format!("unknown input kind `{other}` (expected har, curl or fetch)")),
        }
    }
}

/// How much a note matters.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoteLevel {
    Info,
    Warning,
    Error,
}

/// What the import did that the user should know: something dropped, inferred or left out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportNote {
    pub level: NoteLevel,
    pub message: String,
    /// The id of the case it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case: Option<String>,
    /// Index of the HAR entry (`log.entries[N]`) it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry: Option<usize>,
    /// 1-based line of the pasted text it concerns.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

impl ImportNote {
    pub fn new(level: NoteLevel, message: impl Into<String>) -> Self {
        ImportNote { level, message: message.into(), case: None, entry: None, line: None }
    }
    pub fn info(message: impl Into<String>) -> Self {
        ImportNote::new(NoteLevel::Info, message)
    }
    pub fn warning(message: impl Into<String>) -> Self {
        ImportNote::new(NoteLevel::Warning, message)
    }
    pub fn error(message: impl Into<String>) -> Self {
        ImportNote::new(NoteLevel::Error, message)
    }
}

impl fmt::Display for ImportNote {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.level {
            NoteLevel::Info => "info",
            NoteLevel::Warning => "warning",
            NoteLevel::Error => "error",
        };
        write!(f, "{level}: ")?;
        if let Some(case) = &self.case {
            write!(f, "{case}: ")?;
        } else if let Some(entry) = self.entry {
            write!(f, "entry {entry}: ")?;
        } else if let Some(line) = self.line {
            write!(f, "line {line}: ")?;
        }
        f.write_str(&self.message)
    }
}

/// Where in the input a problem is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Location {
    /// 1-based line of the pasted text.
    Line(usize),
    /// Index into the HAR's `log.entries`.
    Entry(usize),
}

/// Input that cannot be imported at all, naming where.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub struct ImportError {
    pub location: Option<Location>,
    pub message: String,
}

impl ImportError {
    pub fn new(message: impl Into<String>) -> Self {
        ImportError { location: None, message: message.into() }
    }
    pub fn at_line(line: usize, message: impl Into<String>) -> Self {
        ImportError { location: Some(Location::Line(line)), message: message.into() }
    }
    pub fn at_entry(entry: usize, message: impl Into<String>) -> Self {
        ImportError { location: Some(Location::Entry(entry)), message: message.into() }
    }
    pub fn line(&self) -> Option<usize> {
        match self.location {
            Some(Location::Line(line)) => Some(line),
            _ => None,
        }
    }
    pub fn entry(&self) -> Option<usize> {
        match self.location {
            Some(Location::Entry(entry)) => Some(entry),
            _ => None,
        }
    }
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Some(Location::Line(line)) => write!(f, "line {line}: {}", self.message),
            Some(Location::Entry(entry)) => {
                write!(f, "HAR entry {entry} (log.entries[{entry}]): {}", self.message)
            }
            None => f.write_str(&self.message),
        }
    }
}

/// One case of an imported suite, as the suite file writes it (only what is set).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportedCase {
    pub id: String,
    pub url: String,
    pub method: String,
    #[serde(skip_serializing_if = "HeaderList::is_empty")]
    pub headers: HeaderList,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub credentials: Option<Credentials>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_ms: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// An imported suite in the suite file's JSON shape (`schema/suite.schema.json`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ImportedSuite {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The page's origin (the suite's `origin`: the runner serves the page as it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub cookies: Vec<PresetCookie>,
    pub cases: Vec<ImportedCase>,
}

impl ImportedSuite {
    /// The suite file's text.
    pub fn to_json(&self) -> String {
        // Strings, numbers and maps with string keys only: serialisation cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }
}

/// A suite and what the import has to say about it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Imported {
    pub suite: ImportedSuite,
    pub notes: Vec<ImportNote>,
}

/// Imports `text` as `from`, or as the kind [`SourceKind::detect`] sees.
pub fn import(text: &str, from: Option<SourceKind>) -> Result<Imported, ImportError> {
    if text.len() > MAX_INPUT_BYTES {
        return Err(ImportError::new(format!(
            "the input is {} MB; at most {} MB is imported (save a HAR without response bodies, or only the requests you need)",
            text.len() / (1024 * 1024),
            MAX_INPUT_BYTES / (1024 * 1024)
        )));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let kind = match from.or_else(|| SourceKind::detect(text)) {
        Some(kind) => kind,
        None if text.trim().is_empty() => return Err(ImportError::new("the input is empty")),
        None => {
            return Err(ImportError::at_line(
                1,
                "not a HAR file, a curl command or a fetch() call; say which with --from har|curl|fetch",
            ))
        }
    };
    let (requests, mut notes, page) = match kind {
        SourceKind::Har => {
            let har = har::read(text)?;
            (har.requests, har.notes, har.origin)
        }
        SourceKind::Curl => {
            let (requests, notes) = curl::read(text)?;
            (requests, notes, None)
        }
        SourceKind::Fetch => {
            let (requests, notes) = fetch::read(text)?;
            (requests, notes, None)
        }
    };
    let (suite, more) = rules::build_suite(kind, requests, page);
    notes.extend(more);
    Ok(Imported { suite, notes })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::suite::{CaseEntry, Suite};

    const SAMPLES: [(&str, &str, SourceKind); 6] = [
        (
            "chromium-fetch.js",
            include_str!("../../tests/import/chromium-fetch.js"),
            SourceKind::Fetch,
        ),
        (
            "firefox-fetch.js",
            include_str!("../../tests/import/firefox-fetch.js"),
            SourceKind::Fetch,
        ),
        (
            "chromium-curl-bash.sh",
            include_str!("../../tests/import/chromium-curl-bash.sh"),
            SourceKind::Curl,
        ),
        (
            "chromium-curl-cmd.txt",
            include_str!("../../tests/import/chromium-curl-cmd.txt"),
            SourceKind::Curl,
        ),
        ("firefox-curl.sh", include_str!("../../tests/import/firefox-curl.sh"), SourceKind::Curl),
        (
            "chromium-fetch-node.js",
            include_str!("../../tests/import/chromium-fetch-node.js"),
            SourceKind::Fetch,
        ),
    ];

    #[test]
    fn every_sample_imports_to_the_same_requests() {
        for (name, text, kind) in SAMPLES {
            assert_eq!(SourceKind::detect(text), Some(kind), "{name}");
            let imported = import(text, None).unwrap_or_else(|e| panic!("{name}: {e}"));
            let suite = &imported.suite;
            assert_eq!(suite.origin.as_deref(), Some("http://127.0.0.1:9180"), "{name}");
            let put = suite
                .cases
                .iter()
                .find(|c| c.id == "PUT /cors/reflect-credentials/notes/1")
                .unwrap_or_else(|| panic!("{name}: {:#?}", suite.cases));
            assert_eq!(put.method, "PUT");
            assert_eq!(put.credentials, Some(Credentials::Include), "{name}");
            let headers: Vec<(&str, &str)> = put.headers.iter().collect();
            for (n, _) in &headers {
                assert!(
                    !crate::fetch::header::is_forbidden_request_header(n, "")
                        && !n.eq_ignore_ascii_case("user-agent"),
                    "{name}: {n} kept"
                );
            }
            assert!(headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("authorization")
                && *v == "Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig"));
            assert!(headers
                .iter()
                .any(|(n, v)| n.eq_ignore_ascii_case("content-type") && *v == "application/json"));
            let body = put.body.as_deref().unwrap_or_default();
            if name == "chromium-fetch-node.js" {
                assert_eq!(body, "{\"title\":\"x\"}");
                continue;
            }
            assert!(body.starts_with("{\"title\":\"It"), "{name}: {body}");
            assert!(body.ends_with("\"tags\":[\"a\",\"b\"]}"), "{name}: {body}");
            if name != "chromium-fetch.js" && name != "firefox-fetch.js" {
                assert_eq!(suite.cookies.len(), 2, "{name}");
                assert_eq!(suite.cookies[0].value, "s%3A42.abc", "{name}");
                assert_eq!(suite.cookies[0].url, "http://127.0.0.1:9181/", "{name}");
            }
            let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(
                ids,
                [
                    "GET /cors/permissive/notes",
                    "PUT /cors/reflect-credentials/notes/1",
                    "PUT /cors/exact/notes/1",
                    "GET /cors/none/notes"
                ],
                "{name}"
            );
            assert_eq!(suite.cases[3].url, "http://127.0.0.1:9181/cors/none/notes?page=2&q=a%20b");
            assert_eq!(suite.cases[2].body.as_deref(), Some("{\"title\":\"x\"}"), "{name}");
            // The written suite is a valid suite file.
            let parsed = Suite::parse(&suite.to_json()).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert!(parsed.cases.iter().all(|c| matches!(c, CaseEntry::Valid(_))), "{name}");
            assert_eq!(parsed.origins, suite.origin.iter().cloned().collect::<Vec<_>>());
        }
    }

    #[test]
    fn har_samples_give_one_case_per_cross_origin_fetch() {
        for text in [
            include_str!("../../tests/import/chromium.har"),
            include_str!("../../tests/import/firefox.har"),
        ] {
            let imported = import(text, None).unwrap();
            let ids: Vec<&str> = imported.suite.cases.iter().map(|c| c.id.as_str()).collect();
            assert_eq!(
                ids,
                [
                    "GET /cors/permissive/notes",
                    "PUT /cors/reflect-credentials/notes/1",
                    "PUT /cors/exact/notes/1",
                    "GET /cors/none/notes",
                    "GET /redirect/302/wildcard"
                ]
            );
            assert_eq!(imported.suite.origin.as_deref(), Some("http://127.0.0.1:9180"));
            let put = &imported.suite.cases[1];
            assert_eq!(
                put.body.as_deref(),
                Some("{\"title\":\"It's a note\",\"tags\":[\"a\",\"b\"]}")
            );
            let names: Vec<&str> = put.headers.iter().map(|(n, _)| n).collect();
            assert_eq!(names, ["Accept", "Authorization", "Content-Type"]);
            assert_eq!(imported.suite.cookies.len(), 1);
            assert!(imported.notes[0].message.contains("left out 1 same-origin, 2 preflights, 1 navigations, 1 redirect hops, 2 other resources"), "{}", imported.notes[0]);
        }
    }

    #[test]
    fn recordings_of_real_browsers_give_the_page_s_requests() {
        // Recorded by cli/tests/import.rs (Playwright in Chromium, the BiDi recorder in
        // Firefox); the BiDi recorder leaves out the PUT that never got a response.
        for (text, page, refused_put) in [
            (include_str!("../../tests/import/recorded-chromium.har"), 9359, true),
            (include_str!("../../tests/import/recorded-firefox.har"), 9369, false),
        ] {
            let imported = import(text, None).unwrap();
            let suite = &imported.suite;
            assert_eq!(suite.origin, Some(format!("http://127.0.0.1:{page}")));
            let ids: Vec<&str> = suite.cases.iter().map(|c| c.id.as_str()).collect();
            let mut expected = vec![
                "GET /cors/permissive/notes",
                "PUT /cors/reflect-credentials/notes/1",
                "PUT /cors/exact/notes/1",
                "GET /cors/none/notes",
                "GET /redirect/302/wildcard",
                "POST /cors/permissive/notes",
            ];
            if !refused_put {
                expected.remove(2);
            }
            assert_eq!(ids, expected);
            let put = &suite.cases[1];
            let headers: Vec<(&str, &str)> = put.headers.iter().collect();
            assert_eq!(headers.len(), 3, "{headers:?}");
            for header in [
                ("Authorization", "Bearer recorded-token"),
                ("Content-Type", "application/json"),
                ("X-Api-Key", "key-123"),
            ] {
                assert!(headers.contains(&header), "{headers:?}");
            }
            assert_eq!(put.body.as_deref(), Some(r#"{"title":"Recorded note","done":true}"#));
            assert_eq!(put.credentials, Some(Credentials::Include));
            let summary = &imported.notes[0].message;
            assert!(summary.contains("2 same-origin") && summary.contains("1 redirect hops"));
            if refused_put {
                let refused = suite.cases[2].description.as_deref().unwrap_or_default();
                assert!(refused.contains("it failed: net::ERR_FAILED"), "{refused}");
            }
        }
    }

    #[test]
    fn quoting_edge_cases_survive_each_dialect() {
        let bash = import(include_str!("../../tests/import/chromium-curl-bash.sh"), None).unwrap();
        let cmd = import(include_str!("../../tests/import/chromium-curl-cmd.txt"), None).unwrap();
        let firefox = import(include_str!("../../tests/import/firefox-curl.sh"), None).unwrap();
        let expected =
            "{\"title\":\"It's a note!\\nline \\\"two\\\" 100%off\",\"tags\":[\"a\",\"b\"]}";
        for imported in [&bash, &cmd, &firefox] {
            assert_eq!(imported.suite.cases[1].body.as_deref(), Some(expected));
        }
        let ua = bash.suite.cases[0].headers.iter().find(|(n, _)| *n == "sec-ch-ua");
        assert_eq!(ua, None, "Sec-CH-UA is forbidden (Sec- prefix)");
    }

    #[test]
    fn notes_say_what_was_dropped_inferred_and_secret() {
        let imported =
            import(include_str!("../../tests/import/chromium-fetch-node.js"), None).unwrap();
        let text: Vec<String> = imported.notes.iter().map(ToString::to_string).collect();
        let all = text.join("\n");
        assert!(all.contains("dropped sec-fetch-mode, Referer: forbidden"), "{all}");
        assert!(all.contains("dropped Referrer-Policy: the browser"), "{all}");
        assert!(all.contains("preset cookies (sid, theme)"), "{all}");
        assert!(
            all.contains("credentials: include (inferred: the request carried cookies)"),
            "{all}"
        );
        assert!(all.contains("Authorization header: its value may be a secret"), "{all}");
        let json = serde_json::to_value(&imported.notes[0]).unwrap();
        assert_eq!(json["level"], "info");
        assert_eq!(json["case"], "PUT /cors/reflect-credentials/notes/1");
        assert_eq!(json["line"], 1);
    }

    #[test]
    fn refuses_what_it_cannot_read_with_a_clear_error() {
        assert_eq!(import("   ", None).unwrap_err().to_string(), "the input is empty");
        let err = import("GET /notes HTTP/1.1", None).unwrap_err();
        assert!(err.to_string().contains("--from har|curl|fetch"), "{err}");
        let big = " ".repeat(MAX_INPUT_BYTES + 1);
        assert!(import(&big, Some(SourceKind::Har))
            .unwrap_err()
            .to_string()
            .contains("at most 64 MB"));
        let err = import("fetch('http://a.test/')", Some(SourceKind::Curl)).unwrap_err();
        assert!(err.to_string().contains("no curl command"), "{err}");
        assert_eq!("HAR".parse::<SourceKind>(), Ok(SourceKind::Har));
        assert!("xml".parse::<SourceKind>().is_err());
    }
}
