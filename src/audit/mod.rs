//! Audit: can another site read an API with the user's cookies?
//!
//! Pure logic, no browser: the attacker origins derived from the legitimate ones
//! ([`origins`]), `--cookie` as a preset cookie ([`cookie`]), findings from what the
//! browser did at each ([`report`]) and their fixes ([`fix`]). The runner (`cors-harness
//! audit`) serves a page at every attacker origin and makes the requests in real browsers.

pub mod cookie;
pub mod fix;
pub mod origins;
pub mod report;

pub use cookie::parse_cookie;
pub use fix::Allowed;
pub use origins::{attacker_origins, AttackKind, AttackerOrigin, TupleOrigin};
pub use report::{
    Audit, AuditReport, CredentialsSent, Finding, Information, InformationKind, Observation, Probe,
    Readable,
};
