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
