//! The results' `reason`: why the browser refused a request, in Chromium's vocabulary.
//!
//! A CORS failure is named by its [`CorsError`] (`WildcardOriginNotAllowed`); a request
//! refused for another policy (mixed content, CSP, CORP, ...) by the DevTools
//! [`BlockedReason`] (`mixed-content`). A browser newer than this harness may send a name
//! it does not know: the result keeps it verbatim ([`Reason::Unrecognized`]), but a suite
//! may only expect a known one ([`Reason::known`]).

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::cors::{CorsError, FirefoxKey};
use crate::names::named_enum;

named_enum! {
    /// Why Chromium refused a request for a policy other than CORS: DevTools'
    /// [`Network.BlockedReason`](https://chromedevtools.github.io/devtools-protocol/tot/Network/#type-BlockedReason).
    pub enum BlockedReason {
        Other = "other",
        /// Content Security Policy (`connect-src`).
        Csp = "csp",
        /// An `http:` request from an `https:` page.
        MixedContent = "mixed-content",
        Origin = "origin",
        /// Blocked by DevTools itself (request blocking).
        Inspector = "inspector",
        /// Subresource Integrity.
        Integrity = "integrity",
        /// The ad/subresource filter.
        SubresourceFilter = "subresource-filter",
        /// `X-Content-Type-Options: nosniff` with a wrong type.
        ContentType = "content-type",
        CoepFrameResourceNeedsCoepHeader = "coep-frame-resource-needs-coep-header",
        CoopSandboxedIframeCannotNavigateToCoopPage = "coop-sandboxed-iframe-cannot-navigate-to-coop-page",
        /// `Cross-Origin-Resource-Policy: same-origin` on a cross-origin response.
        CorpNotSameOrigin = "corp-not-same-origin",
        CorpNotSameOriginAfterDefaultedToSameOriginByCoep = "corp-not-same-origin-after-defaulted-to-same-origin-by-coep",
        CorpNotSameOriginAfterDefaultedToSameOriginByDip = "corp-not-same-origin-after-defaulted-to-same-origin-by-dip",
        CorpNotSameOriginAfterDefaultedToSameOriginByCoepAndDip = "corp-not-same-origin-after-defaulted-to-same-origin-by-coep-and-dip",
        /// `Cross-Origin-Resource-Policy: same-site` on a cross-site response.
        CorpNotSameSite = "corp-not-same-site",
        SriMessageSignatureMismatch = "sri-message-signature-mismatch",
    }
}

impl BlockedReason {
    /// What the refusal means, in one line.
    pub fn describe(self) -> &'static str {
        match self {
            BlockedReason::MixedContent => {
                "an https page may not fetch http URLs (mixed content): only localhost and 127.0.0.1 are exempt"
            }
            BlockedReason::Csp => "the page's Content Security Policy (connect-src) does not allow the URL",
            BlockedReason::Inspector => "DevTools' request blocking refused it",
            BlockedReason::Integrity | BlockedReason::SriMessageSignatureMismatch => {
                "the response failed the integrity check"
            }
            BlockedReason::SubresourceFilter => "the browser's subresource filter refused it",
            BlockedReason::ContentType => {
                "X-Content-Type-Options: nosniff with a content type the request may not use"
            }
            BlockedReason::CorpNotSameOrigin
            | BlockedReason::CorpNotSameOriginAfterDefaultedToSameOriginByCoep
            | BlockedReason::CorpNotSameOriginAfterDefaultedToSameOriginByDip
            | BlockedReason::CorpNotSameOriginAfterDefaultedToSameOriginByCoepAndDip
            | BlockedReason::CorpNotSameSite => {
                "the response's Cross-Origin-Resource-Policy (or the page's COEP) refuses this page"
            }
            BlockedReason::CoepFrameResourceNeedsCoepHeader
            | BlockedReason::CoopSandboxedIframeCannotNavigateToCoopPage => {
                "the page's cross-origin isolation policy refused it"
            }
            BlockedReason::Origin | BlockedReason::Other => "the browser refused it",
        }
    }
}

/// A result's `reason`: a known name, or one this harness does not know yet (kept verbatim).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Reason {
    /// A CORS failure (or Local Network Access), Chromium's `corsError`.
    Cors(CorsError),
    /// Another policy, DevTools' `blockedReason`.
    Blocked(BlockedReason),
    /// A name from a newer browser, kept as it came.
    Unrecognized(String),
}

impl Reason {
    /// Reads any name; an unknown one is kept as [`Reason::Unrecognized`].
    pub fn parse(name: &str) -> Reason {
        Reason::known(name).unwrap_or_else(|_| Reason::Unrecognized(name.to_owned()))
    }

    /// Reads a name this harness knows, or says why not (for suites: a typo never matches).
    pub fn known(name: &str) -> Result<Reason, UnknownReason> {
        if let Some(error) = CorsError::from_name(name) {
            return Ok(Reason::Cors(error));
        }
        if let Some(blocked) = BlockedReason::from_name(name) {
            return Ok(Reason::Blocked(blocked));
        }
        Err(UnknownReason { name: name.to_owned() })
    }

    /// Every known name: Chromium's `corsError` names, then DevTools' `blockedReason`s.
    pub fn known_names() -> impl Iterator<Item = &'static str> {
        CorsError::NAMES.iter().chain(BlockedReason::NAMES).copied()
    }

    /// The name, exactly as the JSON spells it.
    pub fn as_str(&self) -> &str {
        match self {
            Reason::Cors(error) => error.as_str(),
            Reason::Blocked(blocked) => blocked.as_str(),
            Reason::Unrecognized(name) => name,
        }
    }

    /// The CORS failure, when it is one.
    pub fn cors_error(&self) -> Option<CorsError> {
        match self {
            Reason::Cors(error) => Some(*error),
            _ => None,
        }
    }

    /// What the reason means, in one line.
    pub fn describe(&self) -> &str {
        match self {
            Reason::Cors(error) => error.describe(),
            Reason::Blocked(blocked) => blocked.describe(),
            Reason::Unrecognized(_) => "a reason this version of the harness does not know",
        }
    }
}

impl From<CorsError> for Reason {
    fn from(error: CorsError) -> Self {
        Reason::Cors(error)
    }
}

impl From<BlockedReason> for Reason {
    fn from(blocked: BlockedReason) -> Self {
        Reason::Blocked(blocked)
    }
}

impl PartialEq<CorsError> for Reason {
    fn eq(&self, other: &CorsError) -> bool {
        self.cors_error() == Some(*other)
    }
}

impl PartialEq<&str> for Reason {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Reason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Lenient, as results need: an unknown name is kept (see [`KnownReason`] for suites).
impl<'de> Deserialize<'de> for Reason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|name| Reason::parse(&name))
    }
}

/// A [`Reason`] that must be a known name: what a suite's `expect.reason` deserializes as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownReason(pub Reason);

impl Serialize for KnownReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for KnownReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Reason::known(&name).map(KnownReason).map_err(serde::de::Error::custom)
    }
}

/// A name that is neither a `corsError` nor a `blockedReason` this harness knows.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown reason `{name}`{}: expected one of Chromium's corsError names (e.g. WildcardOriginNotAllowed, LocalNetworkAccessPermissionDenied) or a DevTools blockedReason (e.g. mixed-content)", self.suggestion().map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default())]
pub struct UnknownReason {
    pub name: String,
}

impl UnknownReason {
    /// The known name closest to the one given, when it is close enough to be a typo.
    pub fn suggestion(&self) -> Option<&'static str> {
        let wanted = self.name.to_ascii_lowercase();
        Reason::known_names()
            .map(|known| (edit_distance(&wanted, &known.to_ascii_lowercase()), known))
            .filter(|(distance, known)| *distance <= 1 + known.len() / 4)
            .min_by_key(|(distance, _)| *distance)
            .map(|(_, known)| known)
    }
}

/// Levenshtein distance over bytes (names are ASCII).
fn edit_distance(a: &str, b: &str) -> usize {
    let b = b.as_bytes();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.bytes().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = diagonal + usize::from(ca != cb);
            diagonal = row[j + 1];
            row[j + 1] = substitution.min(row[j] + 1).min(row[j + 1] + 1);
        }
    }
    row[b.len()]
}

/// The browser's own word on a blocked request (a result's `browser_reason`): Chromium's
/// reason or Firefox's key, each in its own vocabulary, serialized as the bare name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserReason {
    Chromium(Reason),
    Firefox(FirefoxKey),
}

impl BrowserReason {
    pub fn as_str(&self) -> &str {
        match self {
            BrowserReason::Chromium(reason) => reason.as_str(),
            BrowserReason::Firefox(key) => key.as_str(),
        }
    }
}

impl fmt::Display for BrowserReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for BrowserReason {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Firefox's keys (`CORS...`) and Chromium's names (`Cors...`, `Preflight...`) never collide.
impl<'de> Deserialize<'de> for BrowserReason {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        Ok(match FirefoxKey::from_name(&name) {
            Some(key) => BrowserReason::Firefox(key),
            None => BrowserReason::Chromium(Reason::parse(&name)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_name_round_trips_and_unknown_ones_are_kept() {
        for name in Reason::known_names() {
            let reason: Reason = serde_json::from_str(&format!("\"{name}\"")).unwrap();
            assert!(!matches!(reason, Reason::Unrecognized(_)), "{name}");
            assert_eq!(serde_json::to_string(&reason).unwrap(), format!("\"{name}\""));
        }
        let future: Reason = serde_json::from_str("\"SomeFutureCorsError\"").unwrap();
        assert_eq!(future, Reason::Unrecognized("SomeFutureCorsError".into()));
        assert_eq!(serde_json::to_string(&future).unwrap(), "\"SomeFutureCorsError\"");
        assert_eq!(Reason::parse("mixed-content"), Reason::Blocked(BlockedReason::MixedContent));
        let mut names: Vec<&str> = Reason::known_names().collect();
        let count = names.len();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), count, "the two vocabularies share no name");
    }

    #[test]
    fn a_suite_may_only_expect_known_names_and_hears_the_closest() {
        let err = serde_json::from_str::<KnownReason>("\"WildcardOriginNotAlowed\"")
            .unwrap_err()
            .to_string();
        assert!(err.contains("unknown reason `WildcardOriginNotAlowed`"), "{err}");
        assert!(err.contains("did you mean `WildcardOriginNotAllowed`?"), "{err}");
        let far = UnknownReason { name: "Nope".into() };
        assert_eq!(far.suggestion(), None);
        assert_eq!(
            UnknownReason { name: "mixed_content".into() }.suggestion(),
            Some("mixed-content")
        );
        assert!(
            serde_json::from_str::<KnownReason>("\"LocalNetworkAccessPermissionDenied\"").is_ok()
        );
    }

    #[test]
    fn browser_reasons_keep_their_vocabulary() {
        for (json, expected) in [
            (
                "\"CORSNotSupportingCredentials\"",
                BrowserReason::Firefox(FirefoxKey::NotSupportingCredentials),
            ),
            (
                "\"WildcardOriginNotAllowed\"",
                BrowserReason::Chromium(CorsError::WildcardOriginNotAllowed.into()),
            ),
            ("\"mixed-content\"", BrowserReason::Chromium(BlockedReason::MixedContent.into())),
        ] {
            let read: BrowserReason = serde_json::from_str(json).unwrap();
            assert_eq!(read, expected);
            assert_eq!(serde_json::to_string(&read).unwrap(), json);
        }
    }
}
