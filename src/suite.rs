//! The suite file: a list of requests to make and what to expect of each.
//!
//! Suites are JSON (schema: `schema/suite.schema.json`). Parsing is strict: unknown
//! fields, wrong types and duplicate ids are refused with a message naming the case
//! and the field, and a bad case is kept as [`CaseEntry::Malformed`] so that the others still run.

use std::collections::HashMap;
use std::fmt;

use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::expect::Expectation;

/// Default per-case timeout.
pub const DEFAULT_TIMEOUT_MS: u32 = 5_000;
/// Longest timeout a case may ask for (ten minutes).
pub const MAX_TIMEOUT_MS: u32 = 600_000;

pub use crate::fetch::credentials::Credentials;

/// Request headers in the order the suite lists them (a JSON object of strings).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HeaderList(pub Vec<(String, String)>);

impl HeaderList {
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.0.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for HeaderList {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (name, value) in &self.0 {
            map.serialize_entry(name, value)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for HeaderList {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct HeaderVisitor;
        impl<'de> Visitor<'de> for HeaderVisitor {
            type Value = HeaderList;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object of header names to string values")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<HeaderList, A::Error> {
                let mut headers = Vec::new();
                while let Some(entry) = map.next_entry::<String, String>()? {
                    headers.push(entry);
                }
                Ok(HeaderList(headers))
            }
        }
        deserializer.deserialize_map(HeaderVisitor)
    }
}

/// Settings every case inherits unless it sets its own.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    #[serde(default = "default_timeout")]
    pub timeout_ms: u32,
    #[serde(default)]
    pub credentials: Credentials,
    /// Add a unique query parameter so no verdict rests on the browser's preflight cache.
    #[serde(default = "default_true")]
    pub cache_bust: bool,
    /// Find out why a blocked request was blocked (extra requests: see `crate::engine`).
    #[serde(default = "default_true")]
    pub diagnose: bool,
    /// Let the probe endpoint's replay and the page's retries repeat methods other than GET,
    /// HEAD and OPTIONS (they may change data on the server); off unless the suite says so.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay_unsafe: bool,
    /// Headers sent with every case (a case's own header of the same name wins).
    #[serde(default, skip_serializing_if = "HeaderList::is_empty")]
    pub headers: HeaderList,
}

fn default_timeout() -> u32 {
    DEFAULT_TIMEOUT_MS
}
fn default_true() -> bool {
    true
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            timeout_ms: DEFAULT_TIMEOUT_MS,
            credentials: Credentials::default(),
            cache_bust: true,
            diagnose: true,
            replay_unsafe: false,
            headers: HeaderList::default(),
        }
    }
}

/// One request, with every default already applied.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Case {
    pub id: String,
    pub url: String,
    /// As written; `fetch()` normalises it.
    pub method: String,
    pub headers: HeaderList,
    pub credentials: Credentials,
    pub body: Option<String>,
    pub timeout_ms: u32,
    pub cache_bust: bool,
    /// Find out why it was blocked, with extra requests (retries or the probe endpoint's replay).
    pub diagnose: bool,
    /// May those extra requests repeat this case's method when it is not GET, HEAD or OPTIONS?
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub replay_unsafe: bool,
    pub expect: Option<Expectation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Case {
    /// A GET of `url` with default settings.
    pub fn new(id: impl Into<String>, url: impl Into<String>) -> Self {
        Case {
            id: id.into(),
            url: url.into(),
            method: "GET".to_owned(),
            headers: HeaderList::default(),
            credentials: Credentials::default(),
            body: None,
            timeout_ms: DEFAULT_TIMEOUT_MS,
            cache_bust: true,
            diagnose: true,
            replay_unsafe: false,
            expect: None,
            description: None,
        }
    }
}

/// A case exactly as the file writes it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: String,
    url: String,
    method: Option<String>,
    headers: Option<HeaderList>,
    credentials: Option<Credentials>,
    body: Option<String>,
    timeout_ms: Option<u32>,
    cache_bust: Option<bool>,
    diagnose: Option<bool>,
    expect: Option<Expectation>,
    description: Option<String>,
}

/// The top level exactly as the file writes it; cases are checked one by one.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSuite {
    #[serde(rename = "$schema")]
    _schema: Option<String>,
    name: Option<String>,
    description: Option<String>,
    #[serde(default)]
    defaults: Defaults,
    concurrency: Option<usize>,
    /// One page origin (what `import` writes: the recording's page); joins `origins`.
    origin: Option<String>,
    #[serde(default)]
    origins: Vec<String>,
    #[serde(default)]
    cookies: Vec<PresetCookie>,
    /// The same as `defaults.replay_unsafe`, where people look for it.
    #[serde(default)]
    replay_unsafe: bool,
    cases: Vec<serde_json::Value>,
}

/// [SameSite] of a preset cookie.
///
/// [SameSite]: https://developer.mozilla.org/en-US/docs/Web/HTTP/Reference/Headers/Set-Cookie#samesitesamesite-value
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum SameSite {
    #[serde(alias = "strict")]
    Strict,
    #[serde(alias = "lax")]
    Lax,
    #[serde(alias = "none")]
    None,
}

/// A cookie the browser holds before the suite runs (e.g. imported from a recorded `Cookie` header).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PresetCookie {
    /// The URL the cookie is set for (its host and path scope it).
    pub url: String,
    pub name: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub same_site: Option<SameSite>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secure: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_only: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub partitioned: Option<bool>,
}

impl PresetCookie {
    /// What a browser would refuse to set, as (field, message).
    fn check(&self) -> Result<(), (&'static str, String)> {
        let url = crate::cookies::UrlParts::parse(&self.url);
        if url.is_none() {
            return Err(("url", format!("{:?} is not an http(s) URL", self.url)));
        }
        if self.name.is_empty()
            || self.name.contains(|c: char| c.is_ascii_control() || " \t;=,\"".contains(c))
        {
            return Err((
                "name",
                format!("{:?} is not a cookie name (no spaces, `;`, `=`, `,`, quotes)", self.name),
            ));
        }
        if self.value.contains(|c: char| c.is_ascii_control() || c == ';') {
            return Err((
                "value",
                "a cookie value may not contain `;` or control characters".into(),
            ));
        }
        let secure = self.secure == Some(true);
        if self.same_site == Some(SameSite::None) && !secure {
            return Err((
                "secure",
                "SameSite=None needs `secure: true` (browsers refuse it otherwise)".into(),
            ));
        }
        if self.partitioned == Some(true) && !secure {
            return Err(("secure", "a partitioned cookie needs `secure: true`".into()));
        }
        if secure && url.is_some_and(|u| u.scheme != "https") {
            return Err(("url", "a secure cookie must be set for an https URL".into()));
        }
        Ok(())
    }
}

/// A problem in a suite file, naming the case and the field at fault.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SuiteProblem {
    /// Position in `cases`, for problems inside a case.
    pub index: Option<usize>,
    /// The case's id, when it has a readable one.
    pub id: Option<String>,
    /// Path of the field at fault, e.g. `headers.X-Total` or `timeout_ms`.
    pub field: Option<String>,
    pub message: String,
}

impl fmt::Display for SuiteProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.id, self.index) {
            (Some(id), Some(index)) => write!(f, "case \"{id}\" (cases[{index}])")?,
            (None, Some(index)) => write!(f, "cases[{index}]")?,
            _ => write!(f, "suite")?,
        }
        if let Some(field) = &self.field {
            write!(f, ", field `{field}`")?;
        }
        write!(f, ": {}", self.message)
    }
}

/// A suite that cannot run at all (not JSON, or a bad top level).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid suite: {}", .problems.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
pub struct SuiteError {
    pub problems: Vec<SuiteProblem>,
}

/// A case that parsed, or the problem that keeps it from running.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CaseEntry {
    Valid(Case),
    /// Reported as an `invalid` result with a `SuiteError`; the other cases still run.
    Malformed(SuiteProblem),
}

impl CaseEntry {
    /// The id a result reports: the case's id, or `cases[N]` where it has none.
    pub fn id(&self) -> String {
        match self {
            CaseEntry::Valid(case) => case.id.clone(),
            CaseEntry::Malformed(problem) => problem
                .id
                .clone()
                .unwrap_or_else(|| format!("cases[{}]", problem.index.unwrap_or(0))),
        }
    }
}

/// A parsed suite.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Suite {
    pub name: String,
    pub description: Option<String>,
    pub defaults: Defaults,
    /// How many cases may be in flight at once (1: one at a time, in file order).
    pub concurrency: usize,
    /// The page origins the runner serves the page as (`https://app.example.com`, `null`);
    /// empty: wherever the page is.
    pub origins: Vec<String>,
    /// Cookies the browser should hold before the suite runs.
    pub cookies: Vec<PresetCookie>,
    pub cases: Vec<CaseEntry>,
}

impl Suite {
    /// A suite of ready-made cases.
    pub fn from_cases(name: impl Into<String>, cases: Vec<Case>) -> Self {
        Suite {
            name: name.into(),
            description: None,
            defaults: Defaults::default(),
            concurrency: 1,
            origins: Vec::new(),
            cookies: Vec::new(),
            cases: cases.into_iter().map(CaseEntry::Valid).collect(),
        }
    }

    /// Parses suite JSON. Top-level problems fail the whole suite; a problem inside a
    /// case only marks that case [`CaseEntry::Malformed`].
    pub fn parse(json: &str) -> Result<Suite, SuiteError> {
        let top = |field: Option<String>, message: String| SuiteError {
            problems: vec![SuiteProblem { index: None, id: None, field, message }],
        };
        let value: serde_json::Value =
            serde_json::from_str(json).map_err(|e| top(None, format!("not valid JSON: {e}")))?;
        let raw: RawSuite = serde_path_to_error::deserialize(value).map_err(|e| {
            let field = path_of(e.path());
            top(field, e.into_inner().to_string())
        })?;
        let concurrency = match raw.concurrency {
            Some(0) => return Err(top(Some("concurrency".into()), "must be at least 1".into())),
            Some(n) => n,
            None => 1,
        };
        if let Err(message) = check_timeout(raw.defaults.timeout_ms) {
            return Err(top(Some("defaults.timeout_ms".into()), message));
        }
        if let Some(origin) = &raw.origin {
            if let Err(message) = check_origin(origin) {
                return Err(top(Some("origin".into()), message));
            }
        }
        for (i, origin) in raw.origins.iter().enumerate() {
            if let Err(message) = check_origin(origin) {
                return Err(top(Some(format!("origins[{i}]")), message));
            }
        }
        let mut origins = raw.origins.clone();
        if let Some(origin) = raw.origin.clone().filter(|o| !origins.contains(o)) {
            origins.insert(0, origin);
        }
        for (i, cookie) in raw.cookies.iter().enumerate() {
            if let Err((field, message)) = cookie.check() {
                return Err(top(Some(format!("cookies[{i}].{field}")), message));
            }
        }
        let mut defaults = raw.defaults;
        defaults.replay_unsafe |= raw.replay_unsafe;
        let mut seen: HashMap<String, usize> = HashMap::new();
        let cases = raw
            .cases
            .into_iter()
            .enumerate()
            .map(|(index, value)| {
                let id = value.get("id").and_then(|v| v.as_str()).map(str::to_owned);
                let problem = |field: &str, message: String| {
                    CaseEntry::Malformed(SuiteProblem {
                        index: Some(index),
                        id: id.clone(),
                        field: (!field.is_empty()).then(|| field.to_owned()),
                        message,
                    })
                };
                // Ids are unique across the file, malformed cases included.
                if let Some(id) = &id {
                    if let Some(first) = seen.get(id) {
                        return problem(
                            "id",
                            format!("duplicate id (first used by cases[{first}])"),
                        );
                    }
                    seen.insert(id.clone(), index);
                }
                let raw: RawCase = match serde_path_to_error::deserialize(value) {
                    Ok(raw) => raw,
                    Err(e) => {
                        let field = path_of(e.path()).unwrap_or_default();
                        return problem(&field, e.into_inner().to_string());
                    }
                };
                if raw.id.trim().is_empty() {
                    return problem("id", "must not be empty".into());
                }
                let timeout_ms = raw.timeout_ms.unwrap_or(defaults.timeout_ms);
                if let Err(message) = check_timeout(timeout_ms) {
                    return problem("timeout_ms", message);
                }
                CaseEntry::Valid(raw.into_case(&defaults, timeout_ms))
            })
            .collect();
        Ok(Suite {
            name: raw.name.unwrap_or_else(|| "unnamed suite".to_owned()),
            description: raw.description,
            defaults,
            concurrency,
            origins,
            cookies: raw.cookies,
            cases,
        })
    }
}

impl RawCase {
    fn into_case(self, defaults: &Defaults, timeout_ms: u32) -> Case {
        let own = self.headers.unwrap_or_default();
        // A case's header replaces a default header of the same name (names are case-insensitive).
        let mut headers: Vec<(String, String)> = defaults
            .headers
            .0
            .iter()
            .filter(|(name, _)| !own.0.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)))
            .cloned()
            .collect();
        headers.extend(own.0);
        Case {
            id: self.id,
            url: self.url,
            method: self.method.unwrap_or_else(|| "GET".to_owned()),
            headers: HeaderList(headers),
            credentials: self.credentials.unwrap_or(defaults.credentials),
            body: self.body,
            timeout_ms,
            cache_bust: self.cache_bust.unwrap_or(defaults.cache_bust),
            diagnose: self.diagnose.unwrap_or(defaults.diagnose),
            replay_unsafe: defaults.replay_unsafe,
            expect: self.expect,
            description: self.description,
        }
    }
}

/// `null`, or `http(s)://host[:port]` without a path: what a page's origin can be.
fn check_origin(origin: &str) -> Result<(), String> {
    if origin == "null" {
        return Ok(());
    }
    let rest = origin
        .strip_prefix("https://")
        .or_else(|| origin.strip_prefix("http://"))
        .ok_or_else(|| format!("{origin:?} is not an origin: write https://host[:port], http://host[:port] or null"))?;
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
        return Err(format!("{origin:?} is not an origin (scheme, host and port only)"));
    }
    Ok(())
}

fn check_timeout(timeout_ms: u32) -> Result<(), String> {
    if (1..=MAX_TIMEOUT_MS).contains(&timeout_ms) {
        Ok(())
    } else {
        Err(format!("must be between 1 and {MAX_TIMEOUT_MS} milliseconds, not {timeout_ms}"))
    }
}

/// `headers.X-A` style path, or `None` for the value itself.
fn path_of(path: &serde_path_to_error::Path) -> Option<String> {
    let text = path.to_string();
    (text != ".").then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::result::Outcome;

    fn malformed(suite: &Suite, index: usize) -> &SuiteProblem {
        match &suite.cases[index] {
            CaseEntry::Malformed(problem) => problem,
            CaseEntry::Valid(case) => panic!("case {} parsed", case.id),
        }
    }

    #[test]
    fn parses_the_documented_example_with_defaults() {
        let suite = Suite::parse(
            r#"{
              "name": "notes api",
              "defaults": { "timeout_ms": 4000, "credentials": "same-origin", "cache_bust": true,
                            "headers": { "Accept": "application/json" } },
              "cases": [
                { "id": "notes-list-cookie", "url": "https://api.example.com/notes", "method": "GET",
                  "headers": { "Authorization": "Bearer abc", "accept": "text/plain" }, "credentials": "include",
                  "body": "optional string", "timeout_ms": 5000, "expect": "allowed" },
                { "id": "plain", "url": "https://api.example.com/" }
              ]
            }"#,
        )
        .unwrap();
        assert_eq!(suite.name, "notes api");
        let CaseEntry::Valid(first) = &suite.cases[0] else { panic!("malformed") };
        assert_eq!(first.credentials, Credentials::Include);
        assert_eq!(first.timeout_ms, 5000);
        assert_eq!(
            first.headers.0,
            [
                ("Authorization".to_owned(), "Bearer abc".to_owned()),
                ("accept".to_owned(), "text/plain".to_owned())
            ],
            "the case's accept replaces the default Accept"
        );
        assert_eq!(first.expect.as_ref().map(|e| e.outcome), Some(Outcome::Allowed));
        let CaseEntry::Valid(second) = &suite.cases[1] else { panic!("malformed") };
        assert_eq!(second.method, "GET");
        assert_eq!(second.timeout_ms, 4000);
        assert_eq!(second.credentials, Credentials::SameOrigin);
        assert_eq!(second.headers.0.len(), 1);
        assert!(second.cache_bust);
        assert_eq!(suite.concurrency, 1);
    }

    #[test]
    fn bad_cases_name_case_and_field_and_do_not_stop_the_others() {
        let suite = Suite::parse(
            r#"{ "cases": [
                { "id": "a", "url": "http://x/", "headrs": {} },
                { "id": "b", "url": "http://x/", "headers": { "X-N": 5 } },
                { "id": "c", "url": 7 },
                { "id": "a", "url": "http://x/" },
                { "url": "http://x/" },
                { "id": "t", "url": "http://x/", "timeout_ms": 0 },
                { "id": "e", "url": "http://x/", "expect": "alowed" },
                { "id": "ok", "url": "http://x/" }
            ] }"#,
        )
        .unwrap();
        let p = malformed(&suite, 0);
        assert_eq!(p.id.as_deref(), Some("a"));
        assert!(p.message.contains("unknown field `headrs`"), "{p}");
        let p = malformed(&suite, 1);
        assert_eq!(p.field.as_deref(), Some("headers.X-N"), "{p}");
        assert!(
            p.to_string().starts_with("case \"b\" (cases[1]), field `headers.X-N`: invalid type"),
            "{p}"
        );
        assert_eq!(malformed(&suite, 2).field.as_deref(), Some("url"));
        let p = malformed(&suite, 3);
        assert!(p.message.contains("duplicate id (first used by cases[0])"), "{p}");
        assert_eq!(CaseEntry::Malformed(malformed(&suite, 4).clone()).id(), "cases[4]");
        assert!(malformed(&suite, 4).message.contains("missing field `id`"));
        assert_eq!(malformed(&suite, 5).field.as_deref(), Some("timeout_ms"));
        assert_eq!(malformed(&suite, 6).field.as_deref(), Some("expect"));
        assert!(matches!(suite.cases[7], CaseEntry::Valid(_)));
        assert!(matches!(suite.cases[0], CaseEntry::Malformed(_)), "the first `a` was malformed");
    }

    #[test]
    fn an_unknown_expected_reason_names_case_and_field() {
        let suite = Suite::parse(
            r#"{ "cases": [
                { "id": "typo", "url": "http://x/", "expect": { "reason": "WildcardOriginNotAlowed" } },
                { "id": "lna", "url": "http://x/", "expect": { "reason": "LocalNetworkAccessPermissionDenied" } },
                { "id": "mixed", "url": "http://x/", "expect": { "outcome": "blocked", "reason": "mixed-content" } }
            ] }"#,
        )
        .unwrap();
        let p = malformed(&suite, 0);
        assert_eq!(
            (p.id.as_deref(), p.field.as_deref()),
            (Some("typo"), Some("expect.reason")),
            "{p}"
        );
        assert!(
            p.to_string().contains("unknown reason `WildcardOriginNotAlowed` (did you mean `WildcardOriginNotAllowed`?)"),
            "{p}"
        );
        assert!(matches!(suite.cases[1], CaseEntry::Valid(_)));
        assert!(matches!(suite.cases[2], CaseEntry::Valid(_)));
    }

    #[test]
    fn preset_cookies_are_checked_naming_the_field() {
        let ok = Suite::parse(r#"{ "cases": [], "cookies": [
            { "url": "https://api.example.test/", "name": "sid", "value": "1", "same_site": "none", "secure": true, "partitioned": true },
            { "url": "http://api.example.test/", "name": "lax", "value": "", "same_site": "Lax" } ] }"#)
        .unwrap();
        assert_eq!(ok.cookies[0].same_site, Some(SameSite::None));
        for (cookies, field) in [
            (r#"{ "url": "api.example.test", "name": "a", "value": "1" }"#, "cookies[0].url"),
            (r#"{ "url": "https://a.test/", "name": "a b", "value": "1" }"#, "cookies[0].name"),
            (r#"{ "url": "https://a.test/", "name": "a", "value": "1;2" }"#, "cookies[0].value"),
            (
                r#"{ "url": "https://a.test/", "name": "a", "value": "1", "same_site": "None" }"#,
                "cookies[0].secure",
            ),
            (
                r#"{ "url": "https://a.test/", "name": "a", "value": "1", "secure": true, "partitioned": true }, { "url": "https://a.test/", "name": "b", "value": "1", "partitioned": true }"#,
                "cookies[1].secure",
            ),
            (
                r#"{ "url": "http://a.test/", "name": "a", "value": "1", "secure": true }"#,
                "cookies[0].url",
            ),
            (
                r#"{ "url": "https://a.test/", "name": "a", "value": "1", "same_site": "Relaxed" }"#,
                "cookies[0].same_site",
            ),
            (
                r#"{ "url": "https://a.test/", "name": "a", "value": "1", "httponly": true }"#,
                "cookies[0].httponly",
            ),
        ] {
            let err =
                Suite::parse(&format!(r#"{{ "cases": [], "cookies": [{cookies}] }}"#)).unwrap_err();
            assert_eq!(err.problems[0].field.as_deref(), Some(field), "{err}");
        }
    }

    #[test]
    fn top_level_problems_fail_the_suite() {
        let err = Suite::parse("{").unwrap_err();
        assert!(err.to_string().contains("not valid JSON"), "{err}");
        let err = Suite::parse(r#"{ "cases": [], "extra": 1 }"#).unwrap_err();
        assert!(err.to_string().contains("unknown field `extra`"), "{err}");
        let err = Suite::parse(r#"{ "cases": [], "defaults": { "credentials": "always" } }"#)
            .unwrap_err();
        assert_eq!(err.problems[0].field.as_deref(), Some("defaults.credentials"), "{err}");
        let err = Suite::parse(r#"{ "cases": [], "concurrency": 0 }"#).unwrap_err();
        assert_eq!(err.problems[0].field.as_deref(), Some("concurrency"));
        assert!(Suite::parse(r#"{ "name": "x" }"#)
            .unwrap_err()
            .to_string()
            .contains("missing field `cases`"));
    }
}
