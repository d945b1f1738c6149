//! The evaluator's answer: the walk's verdict and exchange, explained by
//! the fix for a blocked request and the warnings for
//! an allowed one. The walk decides; this module only adds the explanations.

use super::exchange::Exchange;
use super::fix::{self, Fix};
use super::request::{CorsRequest, Rules};
use super::url::ResolveUrl;
use super::walk::{self, Transport, Verdict};
use super::warning::{self, Warning};

/// The verdict, the exchange that led to it, and what explains it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Walked {
    pub verdict: Verdict,
    pub exchange: Exchange,
    /// Blocked only: what the server must send instead.
    pub fix: Option<Fix>,
    /// Fragile configuration in an exchange that was allowed.
    pub warnings: Vec<Warning>,
}

/// Walks `request` through the CORS protocol over `transport`, and explains the verdict.
pub async fn walk(
    request: &CorsRequest,
    rules: Rules,
    urls: &impl ResolveUrl,
    transport: &impl Transport,
) -> Walked {
    let (verdict, exchange) = walk::walk_exchange(request, rules, urls, transport).await;
    explain(request, verdict, exchange)
}

/// Re-reads a recorded exchange (what the browser does with exactly these responses),
/// and explains the verdict.
pub fn evaluate(
    request: &CorsRequest,
    rules: Rules,
    urls: &impl ResolveUrl,
    exchange: &Exchange,
) -> Walked {
    let (verdict, exchange) = walk::reread(request, rules, urls, exchange);
    explain(request, verdict, exchange)
}

fn explain(request: &CorsRequest, verdict: Verdict, exchange: Exchange) -> Walked {
    let fix = match &verdict {
        Verdict::Blocked(blocked) => Some(fix::for_blocked(request, blocked, &exchange)),
        _ => None,
    };
    let warnings = match verdict {
        Verdict::Allowed { .. } => warning::for_allowed(request, &exchange),
        _ => Vec::new(),
    };
    Walked { verdict, exchange, fix, warnings }
}
