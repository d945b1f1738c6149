//! Blocked or unreachable: the one place a rejected `fetch()` is classified.
//!
//! A script sees a CORS refusal and a dead server as the same `TypeError`. Three
//! witnesses can tell them apart; each reports a [`Finding`], and [`settle`] applies it.
//!
//! | witness (authority, lowest first) | `Blocked` when | `Unreachable` when | says nothing when |
//! |---|---|---|---|
//! | 1. the page's probes ([`of_probe`], the engine) | a `no-cors` probe got a response, a first-hop probe got a redirect, or a probe timed out after the quick rejection | every probe failed | — |
//! | 2. the replay ([`of_replay`], the probe endpoint) | the evaluator finds a CORS failure in the exchange | a later hop's server does not answer (refused, reset, empty, no such name) after earlier ones did | the exchange passes, is incomplete, or its first hop failed |
//! | 2'. instead, in a page a runner watches: the browser's own exchange ([`of_observed`], its network events) | a response came back (a CORS failure or another policy refused it) | a message of it failed on the network (refused, reset, a certificate refused, ...) | nothing of it was seen |
//! | 3. the browser's own log ([`of_browser_log`], Chromium's DevTools) | it names a `corsError` or a `blockedReason` (mixed content, CSP, ...) | it names a network error and no CORS reason (a certificate error among them) | the harness itself aborted the request, or the log has no failure |
//!
//! Precedence: a later witness overrides an earlier one whenever it is definite, since
//! each sees more of the real request: the probes are other requests, the replay is the
//! same request without the page's cookies, the log is the request itself. They report
//! in that order (the engine probes, then diagnoses; the runner reads the log last).
//! Only a rejection can be corrected: `allowed`, `timeout` and `invalid` stand.

use crate::cors::Verdict;
use crate::net_error::NetError;
use crate::reason::Reason;
use crate::result::{CaseResult, ErrorInfo, Outcome};

/// What one witness concluded about a rejected request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Finding {
    /// The server answered; the browser refused the exchange.
    Blocked,
    /// Nothing answered, or a network error (not a policy) ended the request.
    Unreachable,
    /// This witness cannot tell.
    Undecided,
}

/// How one of the engine's reachability probes ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProbeAnswer {
    /// An (opaque) response: the server answered.
    Answered,
    /// An opaque redirect (first-hop probe only): the first server answered with a redirect.
    Redirect,
    /// It rejected: the server never answered.
    Failed(ErrorInfo),
    /// No answer in time, after the request itself was rejected quickly: the server accepted the connection.
    TimedOut,
}

/// Witness 1: one of the page's probes. A failed probe is not proof by itself: the next
/// probe is tried, and when none answers the request is `unreachable` ([`UNANSWERED`]).
pub fn of_probe(answer: &ProbeAnswer) -> Finding {
    match answer {
        ProbeAnswer::Answered | ProbeAnswer::Redirect | ProbeAnswer::TimedOut => Finding::Blocked,
        ProbeAnswer::Failed(_) => Finding::Undecided,
    }
}

/// The outcome of a rejected request no probe found a server for.
pub const UNANSWERED: Outcome = Outcome::Unreachable;

/// The outcome of a rejected request in a page a runner watches, until the runner reads
/// the browser's events (the page sends no probes): no witness has seen a server yet.
pub const UNSETTLED_OBSERVED: Outcome = UNANSWERED;

/// Witness 2': the exchange the browser itself made, from its network events, read by the
/// evaluator. Unlike a replay it is the request itself: a network error in it is final.
pub fn of_observed(verdict: &Verdict, answered_steps: usize) -> Finding {
    match verdict {
        Verdict::Blocked(_) => Finding::Blocked,
        Verdict::NetworkError { .. } => Finding::Unreachable,
        // The evaluator passes it, but a response came back: another policy refused it.
        Verdict::Allowed { .. } | Verdict::Incomplete { .. } if answered_steps > 0 => {
            Finding::Blocked
        }
        Verdict::Allowed { .. } | Verdict::Incomplete { .. } => Finding::Undecided,
    }
}

/// Witness 2: the probe endpoint's replay, read by the evaluator. `answered_steps`: how
/// many messages of the exchange got a response.
pub fn of_replay(verdict: &Verdict, answered_steps: usize) -> Finding {
    match verdict {
        Verdict::Blocked(_) => Finding::Blocked,
        // The first hop answered (so the probes said blocked), a later one never did.
        Verdict::NetworkError { error } if answered_steps > 0 && error.is_dead_server() => {
            Finding::Unreachable
        }
        _ => Finding::Undecided,
    }
}

/// What Chromium's log says happened to the page's own request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BrowserSaw {
    /// It did not fail (or the log has no failure for it).
    NoFailure,
    /// The page aborted it (the harness's own timeout).
    Canceled,
    /// Refused for CORS (`corsError`) or another policy (`blockedReason`).
    Refused(Reason),
    /// A network error without a policy reason (`errorText` alone).
    NetworkError(Option<NetError>),
}

/// Witness 3: the browser's own log.
pub fn of_browser_log(saw: &BrowserSaw) -> Finding {
    match saw {
        BrowserSaw::Refused(_) => Finding::Blocked,
        BrowserSaw::NetworkError(_) => Finding::Unreachable,
        BrowserSaw::NoFailure | BrowserSaw::Canceled => Finding::Undecided,
    }
}

/// The outcome after a witness's finding: a definite finding decides a rejection; every
/// other outcome stands.
pub fn settle(outcome: Outcome, finding: &Finding) -> Outcome {
    match (outcome, finding) {
        (Outcome::Blocked | Outcome::Unreachable, Finding::Blocked) => Outcome::Blocked,
        (Outcome::Blocked | Outcome::Unreachable, Finding::Unreachable) => Outcome::Unreachable,
        (outcome, _) => outcome,
    }
}

/// Applies a finding to a result; a result that is no longer blocked keeps no reason.
pub fn settle_result(result: &mut CaseResult, finding: &Finding) {
    result.outcome = settle(result.outcome, finding);
    if result.outcome != Outcome::Blocked {
        result.reason = None;
        result.reason_source = None;
        result.failed_parameter = None;
        result.firefox_reason = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cors::{CorsError, FailedResponse, FirefoxKey};
    use crate::net_error::NetErrorCode;
    use crate::reason::BlockedReason;

    fn blocked_verdict() -> Verdict {
        Verdict::Blocked(crate::cors::Blocked {
            reason: CorsError::AllowOriginMismatch,
            firefox_reason: FirefoxKey::AllowOriginNotMatchingOrigin,
            failed_parameter: String::new(),
            response: FailedResponse::Actual { hop: 0 },
        })
    }

    #[test]
    fn each_witness_reads_its_evidence() {
        assert_eq!(of_probe(&ProbeAnswer::Answered), Finding::Blocked);
        assert_eq!(of_probe(&ProbeAnswer::TimedOut), Finding::Blocked);
        assert_eq!(
            of_probe(&ProbeAnswer::Failed(ErrorInfo::new("TypeError", "x"))),
            Finding::Undecided
        );

        assert_eq!(of_replay(&blocked_verdict(), 1), Finding::Blocked);
        let refused = Verdict::NetworkError { error: NetErrorCode::ConnectionRefused.into() };
        assert_eq!(of_replay(&refused, 1), Finding::Unreachable, "a later hop is dead");
        assert_eq!(of_replay(&refused, 0), Finding::Undecided, "the probes already knew");
        let slow = Verdict::NetworkError { error: NetErrorCode::TimedOut.into() };
        assert_eq!(of_replay(&slow, 2), Finding::Undecided, "slow is not dead");
        assert_eq!(of_replay(&Verdict::Allowed { status: 200 }, 1), Finding::Undecided);

        let mixed = BrowserSaw::Refused(BlockedReason::MixedContent.into());
        assert_eq!(of_browser_log(&mixed), Finding::Blocked);
        let cert = BrowserSaw::NetworkError(Some(NetErrorCode::CertAuthorityInvalid.into()));
        assert_eq!(of_browser_log(&cert), Finding::Unreachable);
        assert_eq!(of_browser_log(&BrowserSaw::Canceled), Finding::Undecided);
    }

    #[test]
    fn a_later_witness_overrides_and_only_rejections_change() {
        // Probes said blocked, the replay found a dead later hop, the log a CORS error.
        let mut outcome = Outcome::Blocked;
        outcome = settle(outcome, &Finding::Unreachable);
        assert_eq!(outcome, Outcome::Unreachable);
        outcome = settle(outcome, &Finding::Blocked);
        assert_eq!(outcome, Outcome::Blocked);
        assert_eq!(settle(outcome, &Finding::Undecided), Outcome::Blocked);
        for standing in [Outcome::Allowed, Outcome::Timeout, Outcome::Invalid] {
            assert_eq!(settle(standing, &Finding::Blocked), standing);
            assert_eq!(settle(standing, &Finding::Unreachable), standing);
        }
    }
}
