//! Warnings for exchanges that pass today but break with a small change on either side.

use serde::{Deserialize, Serialize};

use super::exchange::{Exchange, StepKind, WireResponse};
use super::request::CorsRequest;
use super::{allow_credentials, allow_headers, allow_origin, max_age};
use crate::fetch::credentials::Credentials;
use crate::names::named_enum;

named_enum! {
    /// What a [`Warning`] is about: a stable identifier, e.g. `wildcard-origin`.
    pub enum WarningCode {
        /// `Access-Control-Allow-Origin: *` passes only because the request has no credentials.
        WildcardOrigin = "wildcard-origin",
        /// `Authorization` passes only through `Access-Control-Allow-Headers: *`.
        AuthorizationViaWildcard = "authorization-via-wildcard",
        /// One origin allowed, but no `Vary: Origin` for shared caches.
        MissingVaryOrigin = "missing-vary-origin",
        /// `Access-Control-Max-Age` above what browsers honour.
        MaxAgeCapped = "max-age-capped",
        /// An `unreachable` verdict in a cross-origin isolated page, where the probes are weaker.
        CrossOriginIsolated = "cross-origin-isolated",
        /// An allowed `credentials: "include"` request that carried no cookie: the browser
        /// withheld the ones it held, or refused to store the response's (`crate::cookies`).
        CredentialedWithoutCookie = "credentialed-without-cookie",
    }
}

/// One fragile piece of configuration.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    pub code: WarningCode,
    pub message: String,
}

impl Warning {
    pub fn new(code: WarningCode, message: impl Into<String>) -> Self {
        Warning { code, message: message.into() }
    }
}

/// Warnings for an exchange the browser allowed.
pub fn for_allowed(request: &CorsRequest, exchange: &Exchange) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let cross_origin = exchange.steps.iter().any(|s| s.request.header("origin").is_some());
    let Some(response) = final_response(exchange) else { return warnings };
    if !cross_origin {
        return warnings;
    }
    let acao = response.combined(allow_origin::NAME);
    let acac = response.combined(allow_credentials::NAME);
    if acao.as_deref() == Some("*") && request.credentials != Credentials::Include {
        let credentials_note = if acac.as_deref() == Some("true") {
            " Access-Control-Allow-Credentials: true does nothing beside *: this is the serverless-API mistake."
        } else {
            ""
        };
        warnings.push(Warning::new(
            WarningCode::WildcardOrigin,
            format!(
                "Allowed only because the request carries no credentials: with credentials: \"include\" \
                 (cookies) Access-Control-Allow-Origin: * is refused (WildcardOriginNotAllowed).{credentials_note} \
                 If the front end ever sends cookies, reflect an allowed origin ({}) with Access-Control-Allow-Credentials: true.",
                request.origin
            ),
        ));
    }
    if authorization_via_wildcard(request, exchange) {
        warnings.push(Warning::new(
            WarningCode::AuthorizationViaWildcard,
            "Authorization passes only through Access-Control-Allow-Headers: *, which the Fetch standard says \
             must not cover it; Chromium and Firefox still allow it with a deprecation warning and plan to stop. \
             List authorization explicitly."
                .to_owned(),
        ));
    }
    if let Some(value) = acao.as_deref().filter(|v| *v != "*") {
        let vary = response.combined("vary").unwrap_or_default().to_ascii_lowercase();
        let varies = vary.split(',').any(|v| matches!(v.trim(), "origin" | "*"));
        if !varies {
            warnings.push(Warning::new(
                WarningCode::MissingVaryOrigin,
                format!(
                    "Access-Control-Allow-Origin names one origin ({value}) but the response has no Vary: Origin: \
                     if the server picks the value per request, a shared cache can serve one origin's answer to another."
                ),
            ));
        }
    }
    for step in exchange.steps.iter().filter(|s| s.request.kind == StepKind::Preflight) {
        let Some(seconds) = step.response.as_ref().and_then(max_age::seconds) else { continue };
        if seconds > max_age::CHROMIUM_CAP_SECONDS {
            warnings.push(Warning::new(
                WarningCode::MaxAgeCapped,
                format!(
                    "Access-Control-Max-Age: {seconds} is more than browsers honour: Chromium caps it at {} s, \
                     Firefox at {} s. Changes to the CORS policy reach browsers only as their cache expires.",
                    max_age::CHROMIUM_CAP_SECONDS,
                    max_age::FIREFOX_CAP_SECONDS
                ),
            ));
        }
    }
    warnings
}

/// The response JavaScript reads: the last actual one.
fn final_response(exchange: &Exchange) -> Option<&WireResponse> {
    exchange.steps.iter().rev().find(|s| s.request.kind == StepKind::Actual)?.response.as_ref()
}

/// Whether `*` let `Authorization` through any preflight of the exchange.
fn authorization_via_wildcard(request: &CorsRequest, exchange: &Exchange) -> bool {
    if !request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization")) {
        return false;
    }
    let include = request.credentials == Credentials::Include;
    let names = ["authorization".to_owned()];
    exchange.steps.iter().filter(|s| s.request.kind == StepKind::Preflight).any(|s| {
        s.response.as_ref().is_some_and(|r| {
            allow_headers::parse(r).is_ok_and(|allowed| {
                allow_headers::authorization_only_via_wildcard(&allowed, &names, include)
            })
        })
    })
}
