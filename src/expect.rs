//! Expectations: what a suite says the browser should do with a case.

use std::fmt;

use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::outcome::Outcome;
use crate::reason::{KnownReason, Reason};

/// What an expectation is checked against (a result; the trait keeps this module below it).
pub trait Observed {
    fn outcome(&self) -> Outcome;
    /// The status of an allowed response.
    fn status(&self) -> Option<u16>;
    fn reason(&self) -> Option<&Reason>;
    /// Can JavaScript read response header `name` (any case)?
    fn can_read(&self, name: &str) -> bool;
    /// `Ok` when the browser sent cookie `name` with the request, else why not (withheld
    /// with the browser's reason, not held at all, or no cookie report).
    fn cookie_sent(&self, _name: &str) -> Result<(), String> {
        Err("no cookie report for this result".to_owned())
    }
}

/// `"expect": "allowed"`, or `{ "outcome": ..., "status": 200, "reason": ..., "readable_headers": [...] }`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    pub outcome: Outcome,
    /// The status of an allowed response.
    pub status: Option<u16>,
    /// Chromium's name for a blocked request's reason (a `corsError` or a `blockedReason`).
    pub reason: Option<Reason>,
    /// Response headers JavaScript must be able to read (any case).
    pub readable_headers: Vec<String>,
    /// Cookies the browser must have sent with the request.
    pub cookies_sent: Vec<String>,
}

impl Expectation {
    /// Expect just an outcome.
    pub fn outcome(outcome: Outcome) -> Self {
        Expectation {
            outcome,
            status: None,
            reason: None,
            readable_headers: Vec::new(),
            cookies_sent: Vec::new(),
        }
    }

    fn is_outcome_only(&self) -> bool {
        self.status.is_none()
            && self.reason.is_none()
            && self.readable_headers.is_empty()
            && self.cookies_sent.is_empty()
    }

    /// `Ok` when the result meets every part of the expectation, else why not.
    pub fn check(&self, result: &impl Observed) -> Result<(), String> {
        if result.outcome() != self.outcome {
            return Err(format!("expected {}, got {}", self.outcome, result.outcome()));
        }
        let mut misses = Vec::new();
        if let Some(status) = self.status {
            if result.status() != Some(status) {
                misses.push(format!(
                    "expected status {status}, got {}",
                    result.status().map_or("none".to_owned(), |s| s.to_string())
                ));
            }
        }
        if let Some(reason) = &self.reason {
            match result.reason() {
                Some(got) if got == reason => {}
                Some(got) => misses.push(format!("expected reason {reason}, got {got}")),
                None => misses.push(format!(
                    "expected reason {reason}, but no reason is known for this result"
                )),
            }
        }
        let unreadable: Vec<&str> = self
            .readable_headers
            .iter()
            .filter(|name| !result.can_read(name))
            .map(String::as_str)
            .collect();
        if !unreadable.is_empty() {
            misses.push(format!(
                "expected readable header(s) {} (not exposed to JavaScript)",
                unreadable.join(", ")
            ));
        }
        for name in &self.cookies_sent {
            if let Err(why) = result.cookie_sent(name) {
                misses.push(format!("expected cookie {name} to be sent: {why}"));
            }
        }
        if misses.is_empty() {
            Ok(())
        } else {
            Err(misses.join("; "))
        }
    }
}

impl From<Outcome> for Expectation {
    fn from(outcome: Outcome) -> Self {
        Expectation::outcome(outcome)
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.outcome)?;
        if let Some(status) = self.status {
            write!(f, " {status}")?;
        }
        if let Some(reason) = &self.reason {
            write!(f, " ({reason})")?;
        }
        if !self.readable_headers.is_empty() {
            write!(f, " reading {}", self.readable_headers.join(", "))?;
        }
        if !self.cookies_sent.is_empty() {
            write!(f, " sending cookie(s) {}", self.cookies_sent.join(", "))?;
        }
        Ok(())
    }
}

/// The object form, exactly as a suite writes it.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Detailed {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    outcome: Option<Outcome>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<u16>,
    /// A known name only: a typo would silently never match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<KnownReason>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    readable_headers: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    cookies_sent: Vec<String>,
}

impl TryFrom<Detailed> for Expectation {
    type Error = String;

    /// A status or readable headers imply `allowed`, a reason implies `blocked`; cookies
    /// alone imply `allowed` (the response is what the cookie was for).
    fn try_from(d: Detailed) -> Result<Self, String> {
        let implied = if d.status.is_some() || !d.readable_headers.is_empty() {
            Some(Outcome::Allowed)
        } else if d.reason.is_some() {
            Some(Outcome::Blocked)
        } else {
            None
        };
        let implied = implied
            .or((d.outcome.is_none() && !d.cookies_sent.is_empty()).then_some(Outcome::Allowed));
        let outcome = match (d.outcome, implied) {
            (Some(given), Some(implied)) if given != implied => {
                let part = if implied == Outcome::Allowed {
                    "`status` and `readable_headers` only apply to `allowed`"
                } else {
                    "`reason` only applies to `blocked`"
                };
                return Err(format!("outcome `{given}` contradicts the other fields: {part}"));
            }
            (Some(given), _) => given,
            (None, Some(implied)) => implied,
            (None, None) => return Err("an expectation needs at least `outcome`".to_owned()),
        };
        Ok(Expectation {
            outcome,
            status: d.status,
            reason: d.reason.map(|known| known.0),
            readable_headers: d.readable_headers,
            cookies_sent: d.cookies_sent,
        })
    }
}

impl Serialize for Expectation {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        if self.is_outcome_only() {
            return self.outcome.serialize(serializer);
        }
        Detailed {
            outcome: Some(self.outcome),
            status: self.status,
            reason: self.reason.clone().map(KnownReason),
            readable_headers: self.readable_headers.clone(),
            cookies_sent: self.cookies_sent.clone(),
        }
        .serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Expectation {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExpectVisitor;

        impl<'de> Visitor<'de> for ExpectVisitor {
            type Value = Expectation;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an outcome name or an object with `outcome`, `status`, `reason`, `readable_headers`, `cookies_sent`")
            }

            fn visit_str<E: de::Error>(self, name: &str) -> Result<Expectation, E> {
                Outcome::deserialize(de::value::StrDeserializer::<E>::new(name))
                    .map(Expectation::outcome)
            }

            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Expectation, A::Error> {
                let detailed = Detailed::deserialize(de::value::MapAccessDeserializer::new(map))?;
                Expectation::try_from(detailed).map_err(de::Error::custom)
            }
        }

        deserializer.deserialize_any(ExpectVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: serde_json::Value) -> Result<Expectation, String> {
        serde_json::from_value(value).map_err(|e| e.to_string())
    }

    #[test]
    fn short_and_long_forms_round_trip() {
        let short = parse(json!("blocked")).unwrap();
        assert_eq!(short, Expectation::outcome(Outcome::Blocked));
        assert_eq!(serde_json::to_value(&short).unwrap(), json!("blocked"));

        let long = parse(json!({"status": 200, "readable_headers": ["X-Total-Count"]})).unwrap();
        assert_eq!(long.outcome, Outcome::Allowed, "status implies allowed");
        assert_eq!(
            serde_json::to_value(&long).unwrap(),
            json!({"outcome": "allowed", "status": 200, "readable_headers": ["X-Total-Count"]})
        );
        assert_eq!(
            parse(json!({"reason": "WildcardOriginNotAllowed"})).unwrap().outcome,
            Outcome::Blocked
        );
    }

    #[test]
    fn rejects_bad_expectations_with_a_reason() {
        assert!(parse(json!("alowed")).unwrap_err().contains("unknown variant `alowed`"));
        assert!(parse(json!({})).unwrap_err().contains("needs at least `outcome`"));
        assert!(parse(json!({"outcome": "blocked", "status": 200}))
            .unwrap_err()
            .contains("contradicts"));
        assert!(parse(json!({"outcome": "allowed", "statuss": 200}))
            .unwrap_err()
            .contains("unknown field `statuss`"));
        assert!(parse(json!(5)).is_err());
        let typo = parse(json!({"reason": "AllowOriginMissmatch"})).unwrap_err();
        assert!(typo.contains("did you mean `AllowOriginMismatch`?"), "{typo}");
    }

    #[test]
    fn reasons_are_typed_and_match_exactly() {
        let expect = parse(json!({"reason": "mixed-content"})).unwrap();
        assert_eq!(
            expect.reason,
            Some(Reason::Blocked(crate::reason::BlockedReason::MixedContent))
        );
        assert_eq!(
            serde_json::to_value(&expect).unwrap(),
            json!({"outcome": "blocked", "reason": "mixed-content"})
        );
    }
}
