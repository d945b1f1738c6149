//! Cookies: which ones the browser sent with a case's request, which it withheld and
//! which of the response's `Set-Cookie` lines it refused to store, and why, in Chromium's
//! DevTools vocabulary ([`CookieBlock`]).
//!
//! Chromium says so itself (DevTools' `associatedCookies` and `blockedCookies`, read by
//! `devtools`); elsewhere [`infer`] applies each browser's default rules (sites from the
//! public suffix list, `SameSite`, `Secure`, third-party cookie blocking and partitioning).

mod annotate;
mod infer;
mod site;
mod warning;

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::names::named_enum;
use crate::result::ReasonSource;

pub use annotate::{annotate, SeenOnTheWire};
pub use infer::{CookieJar, CookiePolicy, SetCookieLine};
pub use site::{registrable_domain, Site, UrlParts};
pub use warning::{credentialed_without_cookie, warn_without_cookie};

named_enum! {
    /// Why a browser did not send a cookie or did not store one: the union of DevTools'
    /// [`Network.CookieBlockedReason`](https://chromedevtools.github.io/devtools-protocol/tot/Network/#type-CookieBlockedReason)
    /// and [`Network.SetCookieBlockedReason`](https://chromedevtools.github.io/devtools-protocol/tot/Network/#type-SetCookieBlockedReason).
    pub enum CookieBlock {
        /// `Secure` cookie, request not over https.
        SecureOnly = "SecureOnly",
        NotOnPath = "NotOnPath",
        DomainMismatch = "DomainMismatch",
        /// `SameSite=Strict` in a cross-site request.
        SameSiteStrict = "SameSiteStrict",
        /// `SameSite=Lax` in a cross-site request that is not a top-level navigation.
        SameSiteLax = "SameSiteLax",
        /// No `SameSite`: Chromium treats it as `Lax`.
        SameSiteUnspecifiedTreatedAsLax = "SameSiteUnspecifiedTreatedAsLax",
        /// `SameSite=None` without `Secure`.
        SameSiteNoneInsecure = "SameSiteNoneInsecure",
        /// The browser's third-party cookie setting (blocked by default in headless Chromium, WebKit).
        UserPreferences = "UserPreferences",
        /// Third-party cookies phased out (Chrome's deprecation).
        ThirdPartyPhaseout = "ThirdPartyPhaseout",
        ThirdPartyBlockedInFirstPartySet = "ThirdPartyBlockedInFirstPartySet",
        UnknownError = "UnknownError",
        /// Same registrable domain, different scheme, `Strict`.
        SchemefulSameSiteStrict = "SchemefulSameSiteStrict",
        SchemefulSameSiteLax = "SchemefulSameSiteLax",
        SchemefulSameSiteUnspecifiedTreatedAsLax = "SchemefulSameSiteUnspecifiedTreatedAsLax",
        SamePartyFromCrossPartyContext = "SamePartyFromCrossPartyContext",
        SamePartyConflictsWithOtherAttributes = "SamePartyConflictsWithOtherAttributes",
        NameValuePairExceedsMaxSize = "NameValuePairExceedsMaxSize",
        PortMismatch = "PortMismatch",
        SchemeMismatch = "SchemeMismatch",
        /// A request in an anonymous (credentialless) context.
        AnonymousContext = "AnonymousContext",
        SyntaxError = "SyntaxError",
        SchemeNotSupported = "SchemeNotSupported",
        OverwriteSecure = "OverwriteSecure",
        InvalidDomain = "InvalidDomain",
        InvalidPrefix = "InvalidPrefix",
        DisallowedCharacter = "DisallowedCharacter",
        NoCookieContent = "NoCookieContent",
    }
}

impl CookieBlock {
    /// What it means, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            CookieBlock::SecureOnly => "a Secure cookie needs an https URL",
            CookieBlock::SameSiteStrict | CookieBlock::SchemefulSameSiteStrict => {
                "SameSite=Strict: only requests from the cookie's own site"
            }
            CookieBlock::SameSiteLax | CookieBlock::SchemefulSameSiteLax => {
                "SameSite=Lax: cross-site only on top-level navigations, never on fetch()"
            }
            CookieBlock::SameSiteUnspecifiedTreatedAsLax
            | CookieBlock::SchemefulSameSiteUnspecifiedTreatedAsLax => {
                "no SameSite attribute: Chromium treats it as Lax, so a cross-site fetch() goes without it"
            }
            CookieBlock::SameSiteNoneInsecure => "SameSite=None needs Secure",
            CookieBlock::UserPreferences | CookieBlock::ThirdPartyPhaseout => {
                "third-party cookies are blocked: the API is cross-site to the page"
            }
            _ => "the browser refused the cookie",
        }
    }
}

/// A cookie reason: a DevTools name this harness knows, or a newer one kept verbatim.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CookieReason {
    Known(CookieBlock),
    Unrecognized(String),
}

impl CookieReason {
    pub fn parse(name: &str) -> CookieReason {
        CookieBlock::from_name(name)
            .map_or_else(|| CookieReason::Unrecognized(name.to_owned()), CookieReason::Known)
    }

    pub fn as_str(&self) -> &str {
        match self {
            CookieReason::Known(block) => block.as_str(),
            CookieReason::Unrecognized(name) => name,
        }
    }

    /// The cookie belongs to another path or host: the browser lists it (DevTools'
    /// `associatedCookies` does) but it was never meant for this request.
    pub fn is_for_another_url(&self) -> bool {
        matches!(self, CookieReason::Known(CookieBlock::NotOnPath | CookieBlock::DomainMismatch))
    }

    pub fn describe(&self) -> &str {
        match self {
            CookieReason::Known(block) => block.describe(),
            CookieReason::Unrecognized(_) => "a reason this version of the harness does not know",
        }
    }
}

impl From<CookieBlock> for CookieReason {
    fn from(block: CookieBlock) -> Self {
        CookieReason::Known(block)
    }
}

impl fmt::Display for CookieReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for CookieReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CookieReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| CookieReason::parse(&name))
    }
}

/// A cookie that was withheld or not stored, and why (`reason` is the first of `reasons`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedCookie {
    pub name: String,
    pub reason: CookieReason,
    /// Every reason the browser gave, when it gave more than one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reasons: Vec<CookieReason>,
}

impl BlockedCookie {
    /// `None` without any reason.
    pub fn new(name: impl Into<String>, reasons: Vec<CookieReason>) -> Option<BlockedCookie> {
        let reason = reasons.first()?.clone();
        let reasons = if reasons.len() > 1 { reasons } else { Vec::new() };
        Some(BlockedCookie { name: name.into(), reason, reasons })
    }

    /// Every reason (one when the browser gave one).
    pub fn all_reasons(&self) -> &[CookieReason] {
        if self.reasons.is_empty() {
            std::slice::from_ref(&self.reason)
        } else {
            &self.reasons
        }
    }
}

impl fmt::Display for BlockedCookie {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let reasons: Vec<&str> = self.all_reasons().iter().map(CookieReason::as_str).collect();
        write!(f, "{} ({})", self.name, reasons.join(", "))
    }
}

/// What happened to cookies in one case's exchange.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CookieReport {
    /// Names of the cookies attached to the actual request.
    pub sent: Vec<String>,
    /// Cookies the browser held for the URL and did not send.
    pub withheld: Vec<BlockedCookie>,
    /// Cookies of the response's `Set-Cookie` lines the browser refused to store.
    pub not_stored: Vec<BlockedCookie>,
    /// Who says so: the browser (Chromium's DevTools), or the harness's inference.
    pub source: ReasonSource,
    /// The harness inferred (some of) it from the rules: likely, not certain.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub likely: bool,
    /// Where the harness's inference differs from what the browser reported.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disagreement: Option<String>,
}

impl CookieReport {
    /// An empty report from `source`.
    pub fn new(source: ReasonSource) -> CookieReport {
        CookieReport {
            sent: Vec::new(),
            withheld: Vec::new(),
            not_stored: Vec::new(),
            source,
            likely: source == ReasonSource::Harness,
            disagreement: None,
        }
    }

    /// Nothing sent, withheld or refused.
    pub fn is_empty(&self) -> bool {
        self.sent.is_empty() && self.withheld.is_empty() && self.not_stored.is_empty()
    }

    /// One line for the table: `sent a, b; withheld c (SameSiteLax); not stored d (UserPreferences)`.
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.sent.is_empty() {
            parts.push(format!("sent {}", self.sent.join(", ")));
        }
        let list = |cookies: &[BlockedCookie]| {
            cookies.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
        };
        if !self.withheld.is_empty() {
            parts.push(format!("withheld {}", list(&self.withheld)));
        }
        if !self.not_stored.is_empty() {
            parts.push(format!("not stored {}", list(&self.not_stored)));
        }
        if parts.is_empty() {
            "no cookies".to_owned()
        } else {
            parts.join("; ")
        }
    }

    /// How to get the withheld and refused cookies through, one line per kind of reason;
    /// third-party blocking first, since no attribute gets past it.
    pub fn fixes(&self) -> Vec<&'static str> {
        let mut fixes = Vec::new();
        let mut reasons: Vec<&CookieReason> = self
            .withheld
            .iter()
            .chain(&self.not_stored)
            .flat_map(BlockedCookie::all_reasons)
            .collect();
        reasons.sort_by_key(|r| {
            !matches!(
                r,
                CookieReason::Known(CookieBlock::UserPreferences | CookieBlock::ThirdPartyPhaseout)
            )
        });
        // With third-party blocking, its fix already names the same-site API and the token.
        let third_party = reasons.first().is_some_and(|r| {
            matches!(
                r,
                CookieReason::Known(CookieBlock::UserPreferences | CookieBlock::ThirdPartyPhaseout)
            )
        });
        for reason in reasons {
            let CookieReason::Known(block) = reason else { continue };
            let fix = match block {
                CookieBlock::UserPreferences | CookieBlock::ThirdPartyPhaseout => {
                    "the API is third-party to the page: serve it from the app's own site (an api. subdomain) so its cookies are same-site, set them `Partitioned` (CHIPS: Chromium and Firefox keep them per top-level site; WebKit does not), or send a token header (Authorization) instead of a cookie"
                }
                CookieBlock::SameSiteLax
                | CookieBlock::SameSiteStrict
                | CookieBlock::SameSiteUnspecifiedTreatedAsLax
                | CookieBlock::SchemefulSameSiteLax
                | CookieBlock::SchemefulSameSiteStrict
                | CookieBlock::SchemefulSameSiteUnspecifiedTreatedAsLax
                    if third_party =>
                {
                    "a cross-site fetch() carries only `SameSite=None; Secure` cookies (the cost: the cookie then goes with every cross-site request, so the API needs its own CSRF defence, and third-party cookie blocking still applies)"
                }
                CookieBlock::SameSiteLax
                | CookieBlock::SameSiteStrict
                | CookieBlock::SameSiteUnspecifiedTreatedAsLax
                | CookieBlock::SchemefulSameSiteLax
                | CookieBlock::SchemefulSameSiteStrict
                | CookieBlock::SchemefulSameSiteUnspecifiedTreatedAsLax => {
                    "a cross-site fetch() carries only `SameSite=None; Secure` cookies (the cost: the cookie then goes with every cross-site request, so the API needs its own CSRF defence, and browsers that block third-party cookies still refuse it); or serve the API from the app's own site (an api. subdomain) so the cookie is same-site, or send a token header (Authorization) instead of a cookie"
                }
                CookieBlock::SameSiteNoneInsecure => "`SameSite=None` needs `Secure` (and https)",
                CookieBlock::SecureOnly => "a `Secure` cookie goes over https only: call the API over https",
                _ => continue,
            };
            if !fixes.contains(&fix) {
                fixes.push(fix);
            }
        }
        fixes
    }

    /// Compares the harness's inference with this (the browser's) report; a sentence
    /// naming each difference, `None` when they agree.
    pub fn compare(&self, inferred: &CookieReport) -> Option<String> {
        let mut differences = Vec::new();
        let mut sent_b = self.sent.clone();
        let mut sent_h = inferred.sent.clone();
        sent_b.sort();
        sent_h.sort();
        if sent_b != sent_h {
            differences.push(format!(
                "sent [{}], the harness expected [{}]",
                self.sent.join(", "),
                inferred.sent.join(", ")
            ));
        }
        for (what, ours, theirs) in [
            ("withheld", &inferred.withheld, &self.withheld),
            ("not stored", &inferred.not_stored, &self.not_stored),
        ] {
            for cookie in theirs {
                match ours.iter().find(|c| c.name == cookie.name) {
                    Some(o) if o.reason == cookie.reason => {}
                    Some(o) => differences.push(format!(
                        "{what} {}: the browser says {}, the harness says {}",
                        cookie.name, cookie.reason, o.reason
                    )),
                    None => differences.push(format!(
                        "{what} {} ({}): the harness did not expect it",
                        cookie.name, cookie.reason
                    )),
                }
            }
        }
        (!differences.is_empty()).then(|| differences.join("; "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_keep_unknown_names_and_the_first_of_several() {
        assert_eq!(CookieReason::parse("SameSiteLax"), CookieBlock::SameSiteLax.into());
        assert_eq!(CookieReason::parse("SomeFutureReason").as_str(), "SomeFutureReason");
        let cookie = BlockedCookie::new(
            "sid",
            vec![CookieBlock::SameSiteLax.into(), CookieBlock::UserPreferences.into()],
        )
        .unwrap();
        let json = serde_json::to_value(&cookie).unwrap();
        assert_eq!(
            json,
            serde_json::json!({ "name": "sid", "reason": "SameSiteLax", "reasons": ["SameSiteLax", "UserPreferences"] })
        );
        let one = BlockedCookie::new("a", vec![CookieBlock::SecureOnly.into()]).unwrap();
        assert_eq!(
            serde_json::to_value(&one).unwrap(),
            serde_json::json!({ "name": "a", "reason": "SecureOnly" })
        );
        assert!(BlockedCookie::new("none", vec![]).is_none());
        let back: BlockedCookie = serde_json::from_value(json).unwrap();
        assert_eq!(back, cookie);
    }

    #[test]
    fn reports_compare_by_name_and_first_reason() {
        let mut browser = CookieReport::new(ReasonSource::Browser);
        browser.sent = vec!["a".into()];
        browser.withheld =
            BlockedCookie::new("b", vec![CookieBlock::SameSiteLax.into()]).into_iter().collect();
        let mut harness = browser.clone();
        harness.source = ReasonSource::Harness;
        assert_eq!(browser.compare(&harness), None);
        harness.withheld[0].reason = CookieBlock::UserPreferences.into();
        harness.sent.clear();
        assert_eq!(
            browser.compare(&harness).as_deref(),
            Some("sent [a], the harness expected []; withheld b: the browser says SameSiteLax, the harness says UserPreferences")
        );
        assert_eq!(browser.summary(), "sent a; withheld b (SameSiteLax)");
    }
}
