//! The browser's own word on each request in Firefox: its console messages
//! "Cross-Origin Request Blocked: ... (Reason: ...)", as WebDriver BiDi's
//! `log.entryAdded` delivers them, mapped back to the keys of Firefox's
//! `security.properties` and merged into results.

use std::collections::HashMap;

use crate::browser_name::Family;
use crate::cors::FirefoxKey;
use crate::devtools::flag_disagreement;
use crate::reason::BrowserReason;
use crate::result::{CaseResult, Outcome, ReasonSource};

const BLOCKED_PREFIX: &str =
    "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ";

/// One "Cross-Origin Request Blocked" message, read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BlockedMessage {
    /// The URL of the request (or redirect hop, or preflight) that failed.
    pub url: String,
    /// Firefox's key, e.g. `CORSNotSupportingCredentials`.
    pub key: FirefoxKey,
    /// The value Firefox names in the message (origin sent, token, header), if any.
    pub parameter: Option<String>,
}

/// Reads one console message; `None` for anything but a CORS block.
pub fn parse(message: &str) -> Option<BlockedMessage> {
    let rest = message.strip_prefix(BLOCKED_PREFIX)?;
    let (url, reason) = rest.rsplit_once(" (Reason: ")?;
    let url = url.trim_end_matches('.').trim_start_matches('‘').trim_end_matches('’').to_owned();
    let reason = reason.rsplit_once(')').map_or(reason, |(text, _)| text);
    let (key, parameter) = FirefoxKey::from_text(reason)?;
    Some(BlockedMessage { url, key, parameter })
}

/// The blocked messages of a run, by URL.
#[derive(Clone, Debug, Default)]
pub struct ConsoleLog {
    by_url: HashMap<String, Vec<BlockedMessage>>,
}

impl ConsoleLog {
    /// Adds one console message's text; anything but a CORS block is skipped.
    pub fn add(&mut self, text: &str) {
        if let Some(message) = parse(text) {
            self.by_url.entry(message.url.clone()).or_default().push(message);
        }
    }

    pub fn is_empty(&self) -> bool {
        self.by_url.is_empty()
    }

    /// Firefox's specific key for a failure at `url`: after a failed preflight it also
    /// logs the generic one, which alone does not prove CORS (a refused connection says it).
    pub fn reason_for(&self, url: &str) -> Option<&BlockedMessage> {
        let messages = self.by_url.get(url)?;
        messages.iter().find(|m| m.key != FirefoxKey::DidNotSucceed).or_else(|| messages.first())
    }
}

/// Merges Firefox's word into a result: its key becomes `firefox_reason` (and
/// `browser_reason`), the harness's is kept, and a difference is flagged.
pub fn apply(result: &mut CaseResult, log: &ConsoleLog) {
    if result.outcome != Outcome::Blocked {
        return;
    }
    // The failure may be logged for a later hop of the redirect chain.
    let mut urls = vec![result.url.clone()];
    if let Some(exchange) = &result.exchange {
        urls.extend(exchange.steps.iter().map(|s| s.request.url.clone()));
    }
    let specific =
        urls.iter().filter_map(|u| log.reason_for(u)).find(|m| m.key != FirefoxKey::DidNotSucceed);
    let Some(message) = specific.or_else(|| urls.iter().find_map(|u| log.reason_for(u))) else {
        return;
    };
    result.browser_reason = Some(BrowserReason::Firefox(message.key));
    result.firefox_reason = Some(message.key);
    // Firefox's word is about `firefox_reason`; `reason` (Chromium's vocabulary) stays the harness's.
    if result.reason.is_none() {
        result.reason_source = Some(ReasonSource::Browser);
    }
    flag_disagreement(result, Family::Firefox);
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "http://127.0.0.1:9181/cors/exact/notes?__cors_harness=1";

    fn blocked(reason: &str) -> String {
        format!("{BLOCKED_PREFIX}{URL}. (Reason: {reason}).")
    }

    #[test]
    fn every_key_round_trips() {
        for &key in FirefoxKey::ALL {
            let text = key.template().replace(crate::cors::firefox_key::PARAMETER, "x-custom");
            let parsed = parse(&blocked(&text)).unwrap_or_else(|| panic!("{key}"));
            assert_eq!(parsed.key, key);
            assert_eq!(parsed.url, URL);
        }
    }

    #[test]
    fn real_messages() {
        let missing = format!(
            "{BLOCKED_PREFIX}{URL}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404."
        );
        assert_eq!(parse(&missing).unwrap().key, FirefoxKey::MissingAllowOrigin);
        let credentials = format!(
            "{BLOCKED_PREFIX}‘{URL}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."
        );
        let parsed = parse(&credentials).unwrap();
        assert_eq!((parsed.key, parsed.url.as_str()), (FirefoxKey::NotSupportingCredentials, URL));
        let mismatch =
            blocked("CORS header ‘Access-Control-Allow-Origin’ does not match ‘http://a.test/’");
        assert_eq!(parse(&mismatch).unwrap().parameter.as_deref(), Some("http://a.test/"));
        assert_eq!(parse("Some other console line"), None);
        assert_eq!(parse(&blocked("something new")), None);
    }

    #[test]
    fn the_specific_key_wins_over_the_generic_one() {
        let mut log = ConsoleLog::default();
        log.add(&blocked("CORS preflight response did not succeed"));
        log.add(&format!(
            "{BLOCKED_PREFIX}{URL}. (Reason: CORS request did not succeed). Status code: (null)."
        ));
        assert_eq!(log.reason_for(URL).unwrap().key, FirefoxKey::PreflightDidNotSucceed);
        let mut generic = ConsoleLog::default();
        generic.add(&blocked("CORS request did not succeed"));
        assert_eq!(generic.reason_for(URL).unwrap().key, FirefoxKey::DidNotSucceed);
    }
}
