//! The harness's own account of cookies, for browsers that do not give one (and to check
//! Chromium's): a small cookie jar that follows each browser's default rules, case by case.
//!
//! Defaults modelled (read from the browsers' sources and checked on this project's
//! fixtures): headless Chromium blocks third-party cookies (`UserPreferences`) but keeps
//! `Partitioned` (CHIPS) ones, and treats a cookie without `SameSite` as `Lax`; Firefox
//! keeps a cross-site response's cookies in a jar partitioned by the top-level site (Total
//! Cookie Protection), so a first-party cookie is not sent cross-site; WebKit blocks
//! third-party cookies outright. A `fetch()` is never a top-level navigation, so
//! cross-site `Lax` and `Strict` cookies never go with it.

use crate::browser_name::Family;
use crate::fetch::credentials::Credentials;
use crate::result::ReasonSource;
use crate::suite::{PresetCookie, SameSite};

use super::site::UrlParts;
use super::{BlockedCookie, CookieBlock, CookieReason, CookieReport};

/// A browser's default cookie policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CookiePolicy {
    /// Third-party cookies blocked, `Partitioned` allowed, no `SameSite` means `Lax`.
    Chromium,
    /// Total Cookie Protection: cross-site cookies live in a jar per top-level site.
    Firefox,
    /// Third-party cookies not stored (a host under an unknown top-level domain is its own
    /// site then), but those it holds are sent by `SameSite` alone; no `Partitioned`.
    WebKit,
}

impl CookiePolicy {
    pub fn of(family: Family) -> CookiePolicy {
        match family {
            Family::Firefox => CookiePolicy::Firefox,
            Family::WebKit => CookiePolicy::WebKit,
            Family::Chromium | Family::Other => CookiePolicy::Chromium,
        }
    }
}

/// One `Set-Cookie` line, the attributes that decide whether it is stored and sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetCookieLine {
    pub name: String,
    pub same_site: Option<SameSite>,
    pub secure: bool,
    pub partitioned: bool,
    pub path: Option<String>,
    /// `Domain=` (without a leading dot), when given.
    pub domain: Option<String>,
}

impl SetCookieLine {
    /// Parses a `Set-Cookie` value; `None` when it has no `name=` pair.
    pub fn parse(line: &str) -> Option<SetCookieLine> {
        let mut parts = line.split(';');
        let (name, _) = parts.next()?.split_once('=')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        let mut cookie = SetCookieLine {
            name: name.to_owned(),
            same_site: None,
            secure: false,
            partitioned: false,
            path: None,
            domain: None,
        };
        for attribute in parts {
            let (key, value) = attribute.split_once('=').unwrap_or((attribute, ""));
            let value = value.trim();
            match key.trim().to_ascii_lowercase().as_str() {
                "secure" => cookie.secure = true,
                "partitioned" => cookie.partitioned = true,
                "path" if value.starts_with('/') => cookie.path = Some(value.to_owned()),
                "domain" if !value.is_empty() => {
                    cookie.domain = Some(value.trim_start_matches('.').to_ascii_lowercase())
                }
                "samesite" => {
                    cookie.same_site = match value.to_ascii_lowercase().as_str() {
                        "strict" => Some(SameSite::Strict),
                        "lax" => Some(SameSite::Lax),
                        "none" => Some(SameSite::None),
                        _ => None,
                    }
                }
                _ => {}
            }
        }
        Some(cookie)
    }
}

/// A cookie the jar holds.
#[derive(Clone, Debug)]
struct Held {
    name: String,
    host: String,
    /// `Domain=` cookies match subdomains too.
    host_only: bool,
    path: String,
    same_site: Option<SameSite>,
    secure: bool,
    /// Partitioned by the page's top-level site (CHIPS, or Firefox's partitioned jar).
    partitioned: bool,
}

/// The cookies a browser holds in one run, as the harness models them.
#[derive(Clone, Debug)]
pub struct CookieJar {
    policy: CookiePolicy,
    /// The page's origin (`None` for `null`: no request is same-origin or same-site).
    page: Option<UrlParts>,
    held: Vec<Held>,
}

impl CookieJar {
    /// A fresh profile with the suite's preset cookies (first-party, unpartitioned unless
    /// `partitioned`), for a page at `page_origin`.
    pub fn new(policy: CookiePolicy, page_origin: &str, presets: &[PresetCookie]) -> CookieJar {
        let mut jar = CookieJar { policy, page: UrlParts::parse(page_origin), held: Vec::new() };
        for preset in presets {
            let Some(url) = UrlParts::parse(&preset.url) else { continue };
            let secure = preset.secure.unwrap_or(false);
            // Chromium refuses SameSite=None without Secure (and so do the presets it is given).
            if policy == CookiePolicy::Chromium
                && preset.same_site == Some(SameSite::None)
                && !secure
            {
                continue;
            }
            jar.held.push(Held {
                name: preset.name.clone(),
                host: url.host.clone(),
                host_only: true,
                path: default_path(&url.path),
                same_site: preset.same_site,
                secure,
                // WebKitGTK's WebDriver has no partition: a partitioned preset is a plain cookie.
                partitioned: preset.partitioned.unwrap_or(false) && policy != CookiePolicy::WebKit,
            });
        }
        jar
    }

    /// Does `credentials` let cookies go with (and come back from) a request to `url`?
    fn credentialed(&self, url: &UrlParts, credentials: Credentials) -> bool {
        match credentials {
            Credentials::Omit => false,
            Credentials::Include => true,
            Credentials::SameOrigin => self.page.as_ref().is_some_and(|p| p.same_origin(url)),
        }
    }

    /// Is `url` cross-site to the page? And is it so only by scheme?
    fn cross_site(&self, url: &UrlParts) -> (bool, bool) {
        match &self.page {
            Some(page) => {
                let (a, b) = (page.site(), url.site());
                (a != b, a.differs_only_in_scheme(&b))
            }
            None => (true, false),
        }
    }

    /// Is a response from `url` third-party when it sets a cookie? WebKitGTK's cookie jar
    /// (libsoup) asks the list for the base domain, and under a top-level domain it does not
    /// know (`.test`) every host is its own.
    fn cross_site_for_storing(&self, url: &UrlParts) -> (bool, bool) {
        match &self.page {
            Some(page) if self.policy == CookiePolicy::WebKit => {
                let (a, b) = (page.site_known_suffixes_only(), url.site_known_suffixes_only());
                (a != b, a.differs_only_in_scheme(&b))
            }
            Some(page) => {
                let (a, b) = (page.site(), url.site());
                (a != b, a.differs_only_in_scheme(&b))
            }
            None => (true, false),
        }
    }

    /// Why a cookie with these attributes would not go with a request to `url` (nor be
    /// stored from its response, past the third-party check), in Chromium's order.
    fn reasons(
        &self,
        url: &UrlParts,
        same_site: Option<SameSite>,
        secure: bool,
        partitioned: bool,
        sending: bool,
    ) -> Vec<CookieReason> {
        let mut reasons: Vec<CookieReason> = Vec::new();
        if secure && !url.is_secure() {
            reasons.push(CookieBlock::SecureOnly.into());
        }
        let (cross, by_scheme) = self.cross_site(url);
        if cross {
            // Chromium 156 names every cross-site SameSite refusal by its schemeful variant.
            let schemeful = by_scheme || self.policy == CookiePolicy::Chromium;
            let lax_by_default = self.policy == CookiePolicy::Chromium;
            let samesite = match (same_site, schemeful) {
                (Some(SameSite::Strict), false) => Some(CookieBlock::SameSiteStrict),
                (Some(SameSite::Strict), true) => Some(CookieBlock::SchemefulSameSiteStrict),
                (Some(SameSite::Lax), false) => Some(CookieBlock::SameSiteLax),
                (Some(SameSite::Lax), true) => Some(CookieBlock::SchemefulSameSiteLax),
                (None, false) if lax_by_default => {
                    Some(CookieBlock::SameSiteUnspecifiedTreatedAsLax)
                }
                (None, true) if lax_by_default => {
                    Some(CookieBlock::SchemefulSameSiteUnspecifiedTreatedAsLax)
                }
                _ => None,
            };
            reasons.extend(samesite.map(CookieReason::from));
            // Third-party cookies: blocked unless partitioned by the top-level site. WebKitGTK
            // only refuses to store them: one it holds goes with a cross-site request.
            let sent_anyway = sending && self.policy == CookiePolicy::WebKit;
            if !partitioned && !sent_anyway {
                reasons.push(CookieBlock::UserPreferences.into());
            }
        }
        reasons
    }

    /// The cookies that go with a request to `request_url`, and those withheld with why.
    pub fn request(&self, request_url: &str, credentials: Credentials) -> CookieReport {
        let mut report = CookieReport::new(ReasonSource::Harness);
        let Some(url) = UrlParts::parse(request_url) else { return report };
        if !self.credentialed(&url, credentials) {
            return report;
        }
        for cookie in &self.held {
            let host_matches = if cookie.host_only {
                cookie.host == url.host
            } else {
                url.host == cookie.host || url.host.ends_with(&format!(".{}", cookie.host))
            };
            if !host_matches || !path_matches(&url.path, &cookie.path) {
                continue;
            }
            let reasons =
                self.reasons(&url, cookie.same_site, cookie.secure, cookie.partitioned, true);
            match BlockedCookie::new(cookie.name.clone(), reasons) {
                Some(blocked) => report.withheld.push(blocked),
                None => report.sent.push(cookie.name.clone()),
            }
        }
        report
    }

    /// The response's `Set-Cookie` lines: stores those the browser would keep (Firefox keeps
    /// cross-site ones in the page's partition), returns those it would refuse.
    pub fn response(
        &mut self,
        response_url: &str,
        credentials: Credentials,
        set_cookie_lines: &[&str],
    ) -> Vec<BlockedCookie> {
        let Some(url) = UrlParts::parse(response_url) else { return Vec::new() };
        if !self.credentialed(&url, credentials) {
            return Vec::new();
        }
        let (cross, _) = self.cross_site_for_storing(&url);
        let mut refused = Vec::new();
        for line in set_cookie_lines {
            let Some(cookie) = SetCookieLine::parse(line) else { continue };
            let partitioned = match self.policy {
                CookiePolicy::Chromium => cookie.partitioned && cookie.secure,
                CookiePolicy::Firefox => cookie.partitioned || cross,
                CookiePolicy::WebKit => false,
            };
            let mut reasons = Vec::new();
            // A third-party cookie the browser blocks is refused before any other check
            // (Chromium's network layer asks its cookie settings first).
            if cross && !partitioned && self.policy != CookiePolicy::Firefox {
                refused.extend(BlockedCookie::new(
                    cookie.name.clone(),
                    vec![CookieBlock::UserPreferences.into()],
                ));
                continue;
            }
            if cookie.same_site == Some(SameSite::None)
                && !cookie.secure
                && self.policy == CookiePolicy::Chromium
            {
                reasons.push(CookieBlock::SameSiteNoneInsecure.into());
            }
            reasons.extend(self.reasons(&url, cookie.same_site, cookie.secure, partitioned, false));
            match BlockedCookie::new(cookie.name.clone(), reasons) {
                Some(blocked) => refused.push(blocked),
                None => {
                    self.held.retain(|h| !(h.name == cookie.name && h.partitioned == partitioned));
                    self.held.push(Held {
                        name: cookie.name,
                        host: cookie.domain.clone().unwrap_or_else(|| url.host.clone()),
                        host_only: cookie.domain.is_none(),
                        path: cookie.path.unwrap_or_else(|| default_path(&url.path)),
                        same_site: cookie.same_site,
                        secure: cookie.secure,
                        partitioned,
                    });
                }
            }
        }
        refused
    }
}

/// RFC 6265's default-path: the directory of the request path.
fn default_path(path: &str) -> String {
    match path.rfind('/') {
        Some(0) | None => "/".to_owned(),
        Some(i) => path[..i].to_owned(),
    }
}

/// RFC 6265's path-match.
fn path_matches(request: &str, cookie: &str) -> bool {
    request == cookie
        || (request.starts_with(cookie)
            && (cookie.ends_with('/') || request[cookie.len()..].starts_with('/')))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn preset(url: &str, name: &str, same_site: Option<SameSite>, secure: bool) -> PresetCookie {
        PresetCookie {
            url: url.into(),
            name: name.into(),
            value: "v".into(),
            same_site,
            secure: Some(secure),
            http_only: None,
            partitioned: None,
        }
    }

    fn names(report: &CookieReport) -> (Vec<&str>, Vec<String>) {
        (
            report.sent.iter().map(String::as_str).collect(),
            report.withheld.iter().map(ToString::to_string).collect(),
        )
    }

    #[test]
    fn same_site_apis_get_every_cookie_cross_site_ones_none_in_chromium() {
        let presets = [
            preset("https://api.example.test/", "lax", Some(SameSite::Lax), true),
            preset("https://api.example.test/", "strict", Some(SameSite::Strict), true),
            preset("https://api.example.test/", "none", Some(SameSite::None), true),
            preset("https://api.other.test/", "other_lax", Some(SameSite::Lax), true),
            preset("https://api.other.test/", "other_none", Some(SameSite::None), true),
            preset("https://api.other.test/", "other_default", None, false),
        ];
        let jar = CookieJar::new(CookiePolicy::Chromium, "https://app.example.test", &presets);
        let same =
            jar.request("https://api.example.test:9405/cookies/echo?x", Credentials::Include);
        assert_eq!(names(&same), (vec!["lax", "strict", "none"], vec![]));
        let cross = jar.request("https://api.other.test:9406/cookies/echo", Credentials::Include);
        assert_eq!(
            names(&cross),
            (
                vec![],
                vec![
                    "other_lax (SchemefulSameSiteLax, UserPreferences)".to_owned(),
                    "other_none (UserPreferences)".to_owned(),
                    "other_default (SchemefulSameSiteUnspecifiedTreatedAsLax, UserPreferences)"
                        .to_owned()
                ]
            )
        );
        let omitted = jar.request("https://api.example.test/", Credentials::Omit);
        assert!(omitted.is_empty());
        let not_same_origin = jar.request("https://api.example.test/", Credentials::SameOrigin);
        assert!(not_same_origin.is_empty(), "same-origin credentials: not this origin");
    }

    #[test]
    fn secure_cookies_need_https_and_schemes_matter() {
        let presets = [preset("http://api.example.test/", "s", Some(SameSite::Lax), true)];
        let jar = CookieJar::new(CookiePolicy::Chromium, "https://app.example.test", &presets);
        let report = jar.request("http://api.example.test/x", Credentials::Include);
        assert_eq!(names(&report).1, ["s (SecureOnly, SchemefulSameSiteLax, UserPreferences)"]);
    }

    #[test]
    fn set_cookie_on_cross_site_responses_per_browser() {
        let lines = [
            "plain=1; Path=/",
            "none=1; Path=/; SameSite=None; Secure",
            "chips=1; Path=/; SameSite=None; Secure; Partitioned",
            "insecure=1; SameSite=None",
        ];
        let url = "https://api.other.test:9406/cookies/set/x";
        let mut chromium = CookieJar::new(CookiePolicy::Chromium, "https://app.example.test", &[]);
        let refused: Vec<String> = chromium
            .response(url, Credentials::Include, &lines)
            .iter()
            .map(ToString::to_string)
            .collect();
        assert_eq!(
            refused,
            ["plain (UserPreferences)", "none (UserPreferences)", "insecure (UserPreferences)"],
            "as Chromium 156 reports them"
        );
        assert_eq!(
            chromium.request(url, Credentials::Include).sent,
            ["chips"],
            "CHIPS is sent back"
        );

        let mut firefox = CookieJar::new(CookiePolicy::Firefox, "https://app.example.test", &[]);
        assert!(firefox.response(url, Credentials::Include, &lines).is_empty(), "partitioned jar");
        assert_eq!(
            firefox.request(url, Credentials::Include).sent,
            ["plain", "none", "chips", "insecure"]
        );

        let mut webkit = CookieJar::new(CookiePolicy::WebKit, "https://app.example.com", &[]);
        assert_eq!(webkit.response(url, Credentials::Include, &lines).len(), 4);
        // A same-site response's cookie is stored and sent everywhere.
        let same = "https://api.example.com/cookies/set/lax";
        assert!(webkit
            .response(same, Credentials::Include, &["lax=1; Path=/; SameSite=Lax"])
            .is_empty());
        assert_eq!(
            webkit.request("https://api.example.com/cookies/echo", Credentials::Include).sent,
            ["lax"]
        );
        assert!(webkit.response(same, Credentials::Omit, &["x=1"]).is_empty());
        // WebKitGTK stores no cookie from another host under .test (its jar's base domain).
        let mut webkit_test = CookieJar::new(CookiePolicy::WebKit, "https://app.example.test", &[]);
        let refused = webkit_test.response(
            "https://api.example.test/x",
            Credentials::Include,
            &["a=1; Path=/"],
        );
        assert_eq!(refused[0].to_string(), "a (UserPreferences)");
    }

    #[test]
    fn paths_and_set_cookie_attributes() {
        assert!(path_matches("/a/b", "/a"));
        assert!(path_matches("/a/b", "/a/"));
        assert!(!path_matches("/ab", "/a"));
        assert_eq!(default_path("/cookies/set/x"), "/cookies/set");
        assert_eq!(default_path("/x"), "/");
        let line = SetCookieLine::parse(
            " sid = 1; Domain=.Example.test; secure; SameSite=strict; Partitioned",
        )
        .unwrap();
        assert_eq!(line.name, "sid");
        assert_eq!(line.domain.as_deref(), Some("example.test"));
        assert!(line.secure && line.partitioned);
        assert_eq!(line.same_site, Some(SameSite::Strict));
        assert!(SetCookieLine::parse("novalue").is_none());
    }
}
