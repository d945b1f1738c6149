//! The warning for the request CORS let through without its session: credentials were
//! included and allowed, yet no cookie went, because the browser withheld the ones it held
//! or refused to store the ones the response set.

use crate::cors::{Warning, WarningCode};
use crate::fetch::credentials::Credentials;
use crate::result::{CaseResult, Outcome};

use super::{BlockedCookie, CookieReason, CookieReport};

/// `credentialed-without-cookie` for an allowed `credentials: "include"` request that
/// carried no cookie although cookies were in play (the browser held some for the URL and
/// withheld them, or refused to store the response's): the message names each cookie with
/// its reasons and says how to get them through. `None` when a cookie went, when none was
/// held or set (a fresh profile), or when the request was not credentialed and allowed.
pub fn credentialed_without_cookie(
    credentials: Credentials,
    outcome: Outcome,
    cookies: &CookieReport,
) -> Option<Warning> {
    // A cookie of another path or host was never meant for this request.
    let meant_for_it =
        |c: &BlockedCookie| !c.all_reasons().iter().all(CookieReason::is_for_another_url);
    let in_play = cookies.withheld.iter().any(meant_for_it) || !cookies.not_stored.is_empty();
    if credentials != Credentials::Include
        || outcome != Outcome::Allowed
        || !cookies.sent.is_empty()
        || !in_play
    {
        return None;
    }
    let list = |cookies: &[BlockedCookie]| {
        cookies.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
    };
    let mut message =
        String::from("CORS allowed this credentialed request, but it carried no cookie");
    if !cookies.withheld.is_empty() {
        message.push_str(&format!(". Withheld: {}", list(&cookies.withheld)));
    }
    if !cookies.not_stored.is_empty() {
        message.push_str(&format!(". Set-Cookie not stored: {}", list(&cookies.not_stored)));
    }
    let mut why: Vec<&str> = Vec::new();
    for reason in
        cookies.withheld.iter().chain(&cookies.not_stored).flat_map(BlockedCookie::all_reasons)
    {
        if !why.contains(&reason.describe()) {
            why.push(reason.describe());
        }
    }
    message.push_str(&format!(". Why: {}", why.join("; ")));
    let fixes = cookies.fixes();
    if fixes.is_empty() {
        message.push_str(". Fix: see why the browser refused each cookie above");
    } else {
        message.push_str(&format!(". Fix: {}", fixes.join("; ")));
    }
    if cookies.likely {
        message.push_str(" (inferred by the harness from the browser's default rules: likely)");
    }
    Some(Warning::new(WarningCode::CredentialedWithoutCookie, message))
}

/// Puts the warning on `result` (replacing an earlier one: the report may have changed),
/// from its cookie report; a result without a report loses the warning.
pub fn warn_without_cookie(result: &mut CaseResult, credentials: Credentials) {
    result.warnings.retain(|w| w.code != WarningCode::CredentialedWithoutCookie);
    let warning = result
        .cookies
        .as_ref()
        .and_then(|cookies| credentialed_without_cookie(credentials, result.outcome, cookies));
    result.warnings.extend(warning);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cookies::CookieBlock;
    use crate::result::ReasonSource;

    fn report(sent: &[&str], withheld: &[(&str, &[CookieBlock])]) -> CookieReport {
        let mut report = CookieReport::new(ReasonSource::Browser);
        report.sent = sent.iter().map(|s| (*s).to_owned()).collect();
        for (name, reasons) in withheld {
            report
                .withheld
                .extend(BlockedCookie::new(*name, reasons.iter().map(|r| (*r).into()).collect()));
        }
        report
    }

    #[test]
    fn names_the_withheld_cookie_its_reasons_and_the_fix() {
        let withheld =
            report(&[], &[("session", &[CookieBlock::SameSiteLax, CookieBlock::UserPreferences])]);
        let warning =
            credentialed_without_cookie(Credentials::Include, Outcome::Allowed, &withheld)
                .expect("a warning");
        assert_eq!(warning.code, WarningCode::CredentialedWithoutCookie);
        assert_eq!(warning.code.as_str(), "credentialed-without-cookie");
        let m = &warning.message;
        assert!(
            m.contains("Withheld: session (SameSiteLax, UserPreferences). Why: SameSite=Lax"),
            "{m}"
        );
        assert!(m.contains("third-party cookies are blocked"), "{m}");
        assert!(m.contains("Fix: the API is third-party to the page: serve it from the app's own site (an api. subdomain)"), "{m}");
        assert!(m.contains("`SameSite=None; Secure`"), "{m}");
        assert!(!m.contains("likely"), "{m}");
    }

    #[test]
    fn samesite_alone_still_points_to_the_same_site_api() {
        let lax = report(&[], &[("session", &[CookieBlock::SameSiteLax])]);
        let warning = credentialed_without_cookie(Credentials::Include, Outcome::Allowed, &lax)
            .expect("a warning");
        let m = &warning.message;
        assert!(
            m.contains("Fix: a cross-site fetch() carries only `SameSite=None; Secure`"),
            "{m}"
        );
        assert!(m.contains("or serve the API from the app's own site (an api. subdomain)"), "{m}");
        assert!(!m.contains("Partitioned"), "not a third-party block: {m}");
    }

    #[test]
    fn names_a_refused_set_cookie_and_says_when_inferred() {
        let mut refused = report(&[], &[]);
        refused
            .not_stored
            .extend(BlockedCookie::new("sid", vec![CookieBlock::UserPreferences.into()]));
        refused.likely = true;
        let warning = credentialed_without_cookie(Credentials::Include, Outcome::Allowed, &refused)
            .expect("a warning");
        assert!(warning.message.contains("Set-Cookie not stored: sid (UserPreferences). Why: third-party cookies are blocked"), "{}", warning.message);
        assert!(warning.message.contains("Partitioned"), "{}", warning.message);
        assert!(warning.message.ends_with("likely)"), "{}", warning.message);
    }

    #[test]
    fn quiet_when_a_cookie_went_or_none_was_in_play_or_not_credentialed_and_allowed() {
        let lax = [("session", &[CookieBlock::SameSiteLax][..])];
        let cases = [
            (Credentials::Include, Outcome::Allowed, report(&["csrf"], &lax)),
            (Credentials::Include, Outcome::Allowed, report(&[], &[])),
            (Credentials::SameOrigin, Outcome::Allowed, report(&[], &lax)),
            (Credentials::Omit, Outcome::Allowed, report(&[], &lax)),
            (Credentials::Include, Outcome::Blocked, report(&[], &lax)),
            // Chromium lists cookies of other paths and hosts too: not meant for this request.
            (
                Credentials::Include,
                Outcome::Allowed,
                report(
                    &[],
                    &[
                        ("admin", &[CookieBlock::NotOnPath]),
                        ("other", &[CookieBlock::DomainMismatch]),
                    ],
                ),
            ),
        ];
        for (credentials, outcome, cookies) in cases {
            assert_eq!(
                credentialed_without_cookie(credentials, outcome, &cookies),
                None,
                "{credentials:?} {outcome:?} {cookies:?}"
            );
        }
    }

    #[test]
    fn replaces_an_earlier_warning_on_the_result() {
        let mut result =
            CaseResult::new("c".into(), "GET".into(), "https://api.test/".into(), Outcome::Allowed);
        result.cookies = Some(report(&[], &[("a", &[CookieBlock::UserPreferences])]));
        warn_without_cookie(&mut result, Credentials::Include);
        warn_without_cookie(&mut result, Credentials::Include);
        assert_eq!(result.warnings.len(), 1);
        result.cookies = Some(report(&["a"], &[]));
        warn_without_cookie(&mut result, Credentials::Include);
        assert!(result.warnings.is_empty());
    }
}
