//! Findings from what the browser did at each attacker origin: exploitable only when the
//! browser let the attacker's page read the response of a credentialed request.

use serde::{Deserialize, Serialize, Serializer};

use crate::cors::{CorsError, FirefoxKey, Fix};
use crate::outcome::Outcome;
use crate::result::CaseResult;

use super::fix::{self, Allowed};
use super::origins::{site_of, AttackKind, AttackerOrigin, TupleOrigin};

/// Did the browser attach the user's cookie? From the cookie report of the result, when
/// the runner gives one; `unknown` without it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CredentialsSent {
    Yes,
    No,
    Unknown,
}

/// `true`, `false` or `"unknown"`.
impl Serialize for CredentialsSent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            CredentialsSent::Yes => serializer.serialize_bool(true),
            CredentialsSent::No => serializer.serialize_bool(false),
            CredentialsSent::Unknown => serializer.serialize_str("unknown"),
        }
    }
}

impl<'de> Deserialize<'de> for CredentialsSent {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::Bool(true) => CredentialsSent::Yes,
            serde_json::Value::Bool(false) => CredentialsSent::No,
            _ => CredentialsSent::Unknown,
        })
    }
}

/// What the attacker's script could read.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Readable {
    pub status: Option<u16>,
    /// Names of the response headers JavaScript could read (safelisted and exposed).
    pub headers: Vec<String>,
    /// Characters of the body the page read (the result keeps an excerpt of up to 300).
    pub body_length: usize,
}

/// One request as the browser handled it, reduced to what the audit needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Observation {
    pub method: String,
    pub outcome: Outcome,
    /// Chromium's name for a refusal (`WildcardOriginNotAllowed`, ...), when known.
    pub reason: Option<String>,
    /// Allowed only.
    pub readable: Option<Readable>,
    /// The cookie names the browser sent, from the result's cookie report.
    pub cookies_sent: Option<Vec<String>>,
    /// Refused because `Access-Control-Allow-Origin` was `*` on a credentialed request.
    pub wildcard_refused: bool,
    /// The response said `Access-Control-Allow-Credentials: true` (from the exchange, when known).
    pub allow_credentials: Option<bool>,
}

impl Observation {
    /// From a result, and its cookie report's `sent` names when it has one.
    pub fn of(result: &CaseResult, cookies_sent: Option<Vec<String>>) -> Observation {
        let readable = (result.outcome == Outcome::Allowed).then(|| Readable {
            status: result.status,
            headers: result
                .headers
                .as_ref()
                .map(|h| h.keys().cloned().collect())
                .unwrap_or_default(),
            body_length: result.body.as_ref().map_or(0, |b| b.chars().count()),
        });
        let wildcard = |e: &CorsError| {
            matches!(
                e,
                CorsError::WildcardOriginNotAllowed | CorsError::PreflightWildcardOriginNotAllowed
            )
        };
        let reason = result.reason.as_ref().map(|r| r.as_str().to_owned());
        let wildcard_refused = result.outcome == Outcome::Blocked
            && (reason.as_deref().is_some_and(|r| r.contains("WildcardOriginNotAllowed"))
                || result.harness_reason.as_ref().is_some_and(wildcard)
                || result.diagnosis.as_ref().and_then(|d| d.reason.as_ref()).is_some_and(wildcard)
                || result.firefox_reason == Some(FirefoxKey::NotSupportingCredentials));
        let allow_credentials = result
            .exchange
            .as_ref()
            .and_then(|e| e.steps.last())
            .and_then(|s| s.response.as_ref())
            .map(|r| r.lines("access-control-allow-credentials").any(|v| v == "true"));
        Observation {
            method: result.method.clone(),
            outcome: result.outcome,
            reason,
            readable,
            cookies_sent,
            wildcard_refused,
            allow_credentials,
        }
    }

    fn is_allowed(&self) -> bool {
        self.outcome == Outcome::Allowed
    }
}

/// Everything the browser did at one attacker origin (or the legitimate one).
#[derive(Clone, Debug)]
pub struct Probe {
    pub origin: String,
    /// The credentialed simple request (`credentials: "include"`).
    pub credentialed: Observation,
    /// The user's non-simple request (`--method`, `-H`), credentialed, when there is one.
    pub preflighted: Option<Observation>,
    /// The same simple request with `credentials: "omit"` (public data check).
    pub uncredentialed: Option<Observation>,
}

/// The credentialed non-simple request at one attacker origin.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreflightedFinding {
    pub method: String,
    pub exploitable: bool,
    pub outcome: Outcome,
    pub reason: Option<String>,
    pub readable: Option<Readable>,
}

/// What the browser let one attacker origin do.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    pub kind: AttackKind,
    pub attacker_origin: String,
    /// The legitimate origin it imitates.
    pub imitates: String,
    /// The matching mistake it tests.
    pub trick: String,
    /// The browser let the attacker's page read a credentialed response.
    pub exploitable: bool,
    pub credentials_sent: CredentialsSent,
    pub readable: Option<Readable>,
    /// The credentialed simple request's outcome.
    pub outcome: Outcome,
    pub reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflighted: Option<PreflightedFinding>,
    /// Exploitable findings only.
    pub fix: Option<Fix>,
}

/// Something worth knowing that no attacker can exploit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum InformationKind {
    /// Any site reads it without credentials (`Access-Control-Allow-Origin: *`, say).
    Public,
    /// `*` with `Access-Control-Allow-Credentials: true`: browsers refuse credentialed reads.
    WildcardWithCredentials,
    /// What the legitimate origin itself gets with credentials (the control).
    LegitimateOrigin,
    /// An attacker origin the browser could not be run at.
    NotRun,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Information {
    pub kind: InformationKind,
    pub origin: String,
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fix: Option<Fix>,
}

/// One target in one browser.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditReport {
    pub target: String,
    /// The legitimate origins.
    pub origins: Vec<String>,
    pub browser: String,
    pub findings: Vec<Finding>,
    pub information: Vec<Information>,
}

impl AuditReport {
    /// The kinds of the exploitable findings, each once, in the vocabulary's order.
    pub fn exploitable_kinds(&self) -> Vec<AttackKind> {
        let mut kinds: Vec<AttackKind> =
            self.findings.iter().filter(|f| f.exploitable).map(|f| f.kind).collect();
        kinds.sort();
        kinds.dedup();
        kinds
    }

    pub fn has_exploitable(&self) -> bool {
        self.findings.iter().any(|f| f.exploitable)
    }
}

/// What the audit needs besides the probes.
pub struct Audit<'a> {
    pub target: &'a str,
    pub browser: &'a str,
    pub allowed: &'a Allowed,
    /// Names of the cookies the user preset (`--cookie`); empty: any cookie counts.
    pub cookie_names: &'a [String],
}

impl Audit<'_> {
    /// The report from each attacker origin's probe (`None`: not run, with the error), and
    /// the legitimate origins' own probes.
    pub fn report(
        &self,
        attackers: &[(AttackerOrigin, Result<Probe, String>)],
        legitimate: &[Probe],
    ) -> AuditReport {
        let mut findings = Vec::new();
        let mut information = Vec::new();
        for (attacker, probe) in attackers {
            match probe {
                Ok(probe) => {
                    findings.push(self.finding(attacker, probe));
                    information.extend(self.public_information(attacker, probe));
                }
                Err(error) => information.push(Information {
                    kind: InformationKind::NotRun,
                    origin: attacker.origin.clone(),
                    message: format!("not run in {}: {error}", self.browser),
                    fix: None,
                }),
            }
        }
        explain_in_site_suffixes(&mut findings);
        for probe in legitimate {
            let c = &probe.credentialed;
            let message = if c.is_allowed() {
                format!(
                    "{} reads it with credentials (status {}); cookie sent: {}",
                    probe.origin,
                    c.readable
                        .as_ref()
                        .and_then(|r| r.status)
                        .map_or("-".into(), |s| s.to_string()),
                    sent_word(self.credentials_sent(c))
                )
            } else {
                format!(
                    "{} cannot read it with credentials either ({}{}): the audit shows who else can",
                    probe.origin,
                    c.outcome,
                    c.reason.as_ref().map(|r| format!(", {r}")).unwrap_or_default()
                )
            };
            information.push(Information {
                kind: InformationKind::LegitimateOrigin,
                origin: probe.origin.clone(),
                message,
                fix: None,
            });
        }
        AuditReport {
            target: self.target.to_owned(),
            origins: self.allowed.origins.clone(),
            browser: self.browser.to_owned(),
            findings,
            information,
        }
    }

    fn credentials_sent(&self, observation: &Observation) -> CredentialsSent {
        match &observation.cookies_sent {
            None => CredentialsSent::Unknown,
            Some(sent) if self.cookie_names.is_empty() => {
                if sent.is_empty() {
                    CredentialsSent::No
                } else {
                    CredentialsSent::Yes
                }
            }
            Some(sent) => {
                if sent.iter().any(|s| self.cookie_names.contains(s)) {
                    CredentialsSent::Yes
                } else {
                    CredentialsSent::No
                }
            }
        }
    }

    fn finding(&self, attacker: &AttackerOrigin, probe: &Probe) -> Finding {
        let c = &probe.credentialed;
        let preflighted = probe.preflighted.as_ref().map(|p| PreflightedFinding {
            method: p.method.clone(),
            exploitable: p.is_allowed(),
            outcome: p.outcome,
            reason: p.reason.clone(),
            readable: p.readable.clone(),
        });
        // What was read: the simple request's response, else the preflighted one's.
        let read = if c.is_allowed() {
            Some(c)
        } else {
            probe.preflighted.as_ref().filter(|p| p.is_allowed())
        };
        let exploitable = read.is_some();
        Finding {
            kind: attacker.kind,
            attacker_origin: attacker.origin.clone(),
            imitates: attacker.imitates.clone(),
            trick: attacker.trick.clone(),
            exploitable,
            credentials_sent: self.credentials_sent(read.unwrap_or(c)),
            readable: read.and_then(|o| o.readable.clone()),
            outcome: c.outcome,
            reason: c.reason.clone(),
            preflighted,
            fix: exploitable.then(|| fix::for_kind(attacker.kind, &attacker.origin, self.allowed)),
        }
    }

    /// From the unrelated site: readable without credentials, and `*` with credentials.
    fn public_information(&self, attacker: &AttackerOrigin, probe: &Probe) -> Vec<Information> {
        let mut out = Vec::new();
        let Some(omit) =
            probe.uncredentialed.as_ref().filter(|_| attacker.kind == AttackKind::ArbitraryOrigin)
        else {
            return out;
        };
        if omit.is_allowed() {
            let read = omit.readable.as_ref();
            out.push(Information {
                kind: InformationKind::Public,
                origin: attacker.origin.clone(),
                message: format!(
                    "any site reads it without credentials (status {}, {} characters of body): fine for public data, not for anything per user",
                    read.and_then(|r| r.status).map_or("-".into(), |s| s.to_string()),
                    read.map_or(0, |r| r.body_length)
                ),
                fix: None,
            });
        }
        let c = &probe.credentialed;
        if c.wildcard_refused && c.allow_credentials == Some(true) {
            out.push(Information {
                kind: InformationKind::WildcardWithCredentials,
                origin: attacker.origin.clone(),
                message: "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`: refused by browsers for credentialed requests (not exploitable)".into(),
                fix: Some(fix::for_wildcard_with_credentials(self.allowed)),
            });
        }
        out
    }
}

fn sent_word(sent: CredentialsSent) -> &'static str {
    match sent {
        CredentialsSent::Yes => "yes",
        CredentialsSent::No => "no",
        CredentialsSent::Unknown => "unknown",
    }
}

/// `https://evilapp.example.com` is a suffix trick and a subdomain at once: when a sibling
/// subdomain of the same site read the response too, the server trusts the whole site and
/// the finding is a `subdomain` one.
fn explain_in_site_suffixes(findings: &mut [Finding]) {
    let host = |origin: &str| TupleOrigin::parse(origin).ok().map(|o| o.host);
    let trusted_sites: Vec<String> = findings
        .iter()
        .filter(|f| f.exploitable && f.kind == AttackKind::Subdomain)
        .filter_map(|f| host(&f.attacker_origin).map(|h| site_of(&h)))
        .collect();
    for finding in
        findings.iter_mut().filter(|f| f.exploitable && f.kind == AttackKind::SuffixMatch)
    {
        let Some(h) = host(&finding.attacker_origin) else { continue };
        let site = site_of(&h);
        if h != site && trusted_sites.contains(&site) {
            finding.kind = AttackKind::Subdomain;
            finding.trick.push_str(" (a subdomain of a site whose every subdomain is trusted)");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::origins::attacker_origins;

    fn seen(outcome: Outcome) -> Observation {
        Observation {
            method: "GET".into(),
            outcome,
            reason: (outcome == Outcome::Blocked).then(|| "AllowOriginMismatch".to_owned()),
            readable: (outcome == Outcome::Allowed).then(|| Readable {
                status: Some(200),
                headers: vec!["content-type".into()],
                body_length: 120,
            }),
            cookies_sent: None,
            wildcard_refused: false,
            allow_credentials: None,
        }
    }

    fn allowed() -> Allowed {
        Allowed { origins: vec!["https://app.example.com".into()], ..Allowed::default() }
    }

    /// Audits a server that lets `reads` (origin → readable) through.
    fn audit(reads: impl Fn(&str) -> bool) -> AuditReport {
        let attackers = attacker_origins(&["https://app.example.com".into()], &[]).unwrap();
        let probes: Vec<_> = attackers
            .into_iter()
            .map(|a| {
                let outcome = if reads(&a.origin) { Outcome::Allowed } else { Outcome::Blocked };
                let probe = Probe {
                    origin: a.origin.clone(),
                    credentialed: seen(outcome),
                    preflighted: None,
                    uncredentialed: Some(seen(Outcome::Blocked)),
                };
                (a, Ok(probe))
            })
            .collect();
        let a = allowed();
        Audit {
            target: "https://api.example.com/me",
            browser: "Chromium",
            allowed: &a,
            cookie_names: &[],
        }
        .report(&probes, &[])
    }

    #[test]
    fn each_misconfiguration_yields_its_kinds() {
        use AttackKind::*;
        assert_eq!(audit(|_| true).exploitable_kinds(), AttackKind::ALL.to_vec());
        assert_eq!(audit(|o| o == "null").exploitable_kinds(), vec![NullOrigin]);
        assert_eq!(
            audit(|o| o.starts_with("https://app.example.com")).exploitable_kinds(),
            vec![PrefixMatch]
        );
        assert_eq!(
            audit(|o| o.ends_with("example.com")).exploitable_kinds(),
            vec![SuffixMatch, Subdomain, InsecureScheme]
        );
        // Every https subdomain: evilapp.example.com is explained by the subdomain trust.
        let report = audit(|o| o.starts_with("https://") && o.ends_with(".example.com"));
        assert_eq!(report.exploitable_kinds(), vec![Subdomain]);
        assert!(report
            .findings
            .iter()
            .any(|f| f.attacker_origin == "https://evilapp.example.com" && f.kind == Subdomain));
        // Only names ending in app.example.com: a suffix match.
        assert_eq!(
            audit(|o| o.ends_with("app.example.com")).exploitable_kinds(),
            vec![SuffixMatch, InsecureScheme]
        );
        assert!(audit(|_| false).exploitable_kinds().is_empty());
        assert!(!audit(|_| false).has_exploitable());
    }

    #[test]
    fn findings_say_what_was_read_and_carry_a_fix() {
        let report = audit(|o| o == "null");
        let null = report.findings.iter().find(|f| f.kind == AttackKind::NullOrigin).unwrap();
        assert!(null.exploitable);
        assert_eq!(null.readable.as_ref().unwrap().body_length, 120);
        assert_eq!(null.credentials_sent, CredentialsSent::Unknown);
        assert!(null.fix.as_ref().unwrap().summary.contains("never allow `null`"));
        let other = report.findings.iter().find(|f| f.kind == AttackKind::PrefixMatch).unwrap();
        assert!(!other.exploitable && other.fix.is_none() && other.readable.is_none());
        let json = serde_json::to_value(&report).unwrap();
        assert_eq!(json["findings"][1]["kind"], "null-origin");
        assert_eq!(json["findings"][1]["credentials_sent"], "unknown");
    }

    #[test]
    fn public_and_wildcard_with_credentials_are_information() {
        let attackers = attacker_origins(&["https://app.example.com".into()], &[]).unwrap();
        let unrelated = attackers[0].clone();
        let mut refused = seen(Outcome::Blocked);
        refused.reason = Some("WildcardOriginNotAllowed".into());
        refused.wildcard_refused = true;
        refused.allow_credentials = Some(true);
        let probe = Probe {
            origin: unrelated.origin.clone(),
            credentialed: refused,
            preflighted: None,
            uncredentialed: Some(seen(Outcome::Allowed)),
        };
        let a = allowed();
        let report = Audit { target: "t", browser: "b", allowed: &a, cookie_names: &[] }
            .report(&[(unrelated, Ok(probe))], &[]);
        assert!(!report.has_exploitable());
        let kinds: Vec<_> = report.information.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, [InformationKind::Public, InformationKind::WildcardWithCredentials]);
        assert!(report.information[1].fix.is_some());
    }

    #[test]
    fn the_cookie_report_decides_credentials_sent() {
        let a = allowed();
        let names = ["session".to_owned()];
        let audit = Audit { target: "t", browser: "b", allowed: &a, cookie_names: &names };
        let mut o = seen(Outcome::Allowed);
        o.cookies_sent = Some(vec!["session".into()]);
        assert_eq!(audit.credentials_sent(&o), CredentialsSent::Yes);
        o.cookies_sent = Some(vec!["other".into()]);
        assert_eq!(audit.credentials_sent(&o), CredentialsSent::No);
        o.cookies_sent = None;
        assert_eq!(audit.credentials_sent(&o), CredentialsSent::Unknown);
        assert_eq!(serde_json::to_value(CredentialsSent::Yes).unwrap(), true);
    }

    #[test]
    fn a_preflighted_read_is_exploitable_too() {
        let attackers = attacker_origins(&["https://app.example.com".into()], &[]).unwrap();
        let mut put = seen(Outcome::Allowed);
        put.method = "PUT".into();
        let probe = Probe {
            origin: attackers[0].origin.clone(),
            credentialed: seen(Outcome::Blocked),
            preflighted: Some(put),
            uncredentialed: None,
        };
        let a = allowed();
        let report = Audit { target: "t", browser: "b", allowed: &a, cookie_names: &[] }.report(
            &[(attackers[0].clone(), Ok(probe)), (attackers[1].clone(), Err("boom".into()))],
            &[],
        );
        assert_eq!(report.exploitable_kinds(), vec![AttackKind::ArbitraryOrigin]);
        assert_eq!(report.findings[0].outcome, Outcome::Blocked);
        assert_eq!(report.information[0].kind, InformationKind::NotRun);
    }
}
