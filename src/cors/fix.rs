//! What the server must send instead: in plain words, and as configuration for the
//! serverless gateway, tower-http's `CorsLayer`, Express `cors` and Starlette's `CORSMiddleware`.

use serde::{Deserialize, Serialize};

use super::exchange::{Exchange, WireResponse};
use super::failure::CheckFailure;
use super::reason::{CorsError, FailedResponse, ReasonFamily};
use super::request::CorsRequest;
use super::walk::Blocked;
use crate::fetch::credentials::Credentials;
use crate::fetch::{header, method};

/// How to fix one failure.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fix {
    /// One or two sentences: which header, with which value, on which response, what to stop sending.
    pub summary: String,
    /// Headers the failing response must carry, with their values.
    pub send: Vec<(String, String)>,
    /// What to stop sending or doing.
    pub stop: Vec<String>,
    /// The same policy as configuration of common stacks; empty when the fix is not a configuration.
    pub snippets: Vec<Snippet>,
}

/// A configuration snippet for one stack.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snippet {
    /// `serverless`, `tower-http`, `express` or `starlette`.
    pub stack: String,
    pub code: String,
}

/// The CORS policy that lets this request through.
struct Policy {
    /// The exact origin to allow.
    origin: String,
    credentials: bool,
    /// Methods beyond GET, HEAD and POST.
    methods: Vec<String>,
    /// CORS-unsafe header names, lower-case.
    headers: Vec<String>,
}

impl Policy {
    fn for_request(request: &CorsRequest) -> Self {
        let pairs = request.headers.iter().map(|(n, v)| (n.as_str(), v.as_str()));
        Policy {
            origin: request.origin.clone(),
            credentials: request.credentials == Credentials::Include,
            methods: (!method::is_cors_safelisted(&request.method))
                .then(|| request.method.clone())
                .into_iter()
                .collect(),
            headers: header::cors_unsafe_request_header_names(pairs, false),
        }
    }

    /// The policy as configuration of each stack the fix speaks of.
    fn snippets(&self, note: &Notes) -> Vec<Snippet> {
        Snippet::stacks([
            self.serverless_snippet(note),
            self.tower_http_snippet(note),
            self.express_snippet(note),
            self.starlette_snippet(note),
        ])
    }

    /// API Gateway's HTTP API CORS (as sst writes it): the gateway answers preflights itself.
    fn serverless_snippet(&self, note: &Notes) -> String {
        let origin = &self.origin;
        let mut serverless = format!(
            "// sst.config.ts: API Gateway HTTP API\ncors: {{\n  allowOrigins: [\"{origin}\"],\n"
        );
        if self.credentials {
            serverless.push_str("  allowCredentials: true,\n");
        }
        if !self.methods.is_empty() {
            serverless.push_str(&format!("  allowMethods: [{}],\n", quoted(&self.methods)));
        }
        if !self.headers.is_empty() {
            serverless.push_str(&format!("  allowHeaders: [{}],\n", quoted(&self.headers)));
        }
        serverless.push_str("},\n// and remove Access-Control-* headers from the function's responses:\n// the gateway answers preflights and sets them itself.");
        if note.preflight_status {
            serverless.push_str("\n// Keep the authorizer off OPTIONS: with CORS configured the gateway answers preflights before any route.");
        }
        serverless
    }

    /// tower-http's `CorsLayer`, which must wrap authentication to answer OPTIONS first.
    fn tower_http_snippet(&self, note: &Notes) -> String {
        let origin = &self.origin;
        let mut tower = format!("use tower_http::cors::CorsLayer;\n\nlet cors = CorsLayer::new()\n    .allow_origin(\"{origin}\".parse::<http::HeaderValue>()?)");
        if self.credentials {
            tower.push_str("\n    .allow_credentials(true)");
        }
        if !self.methods.is_empty() {
            let methods: Vec<String> = self
                .methods
                .iter()
                .map(|m| format!("http::Method::from_bytes(b\"{m}\")?"))
                .collect();
            tower.push_str(&format!("\n    .allow_methods([{}])", methods.join(", ")));
        }
        if !self.headers.is_empty() {
            let names: Vec<String> = self
                .headers
                .iter()
                .map(|h| format!("http::HeaderName::from_static(\"{h}\")"))
                .collect();
            tower.push_str(&format!("\n    .allow_headers([{}])", names.join(", ")));
        }
        tower.push(';');
        tower.push_str(if note.preflight_status {
            "\n// Add it last (.layer(cors) after auth layers) so it answers OPTIONS before authentication."
        } else {
            "\napp = app.layer(cors);"
        });
        tower
    }

    /// Express's `cors` middleware, mounted before authentication.
    fn express_snippet(&self, note: &Notes) -> String {
        let origin = &self.origin;
        let mut express = format!(
            "const cors = require(\"cors\");\n\napp.use(cors({{\n  origin: \"{origin}\",\n"
        );
        if self.credentials {
            express.push_str("  credentials: true,\n");
        }
        if !self.methods.is_empty() {
            express.push_str(&format!("  methods: [{}],\n", quoted(&self.methods)));
        }
        if !self.headers.is_empty() {
            express.push_str(&format!("  allowedHeaders: [{}],\n", quoted(&self.headers)));
        }
        express.push_str("}));");
        if note.preflight_status {
            express.push_str(
                "\n// Before any authentication middleware, so OPTIONS is answered with 204.",
            );
        }
        express
    }

    /// Starlette's `CORSMiddleware`, added last so it is the outermost.
    fn starlette_snippet(&self, note: &Notes) -> String {
        let origin = &self.origin;
        let mut starlette = format!(
            "from starlette.middleware.cors import CORSMiddleware\n\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=[\"{origin}\"],\n"
        );
        if self.credentials {
            starlette.push_str("    allow_credentials=True,\n");
        }
        if !self.methods.is_empty() {
            starlette.push_str(&format!("    allow_methods=[{}],\n", quoted(&self.methods)));
        }
        if !self.headers.is_empty() {
            starlette.push_str(&format!("    allow_headers=[{}],\n", quoted(&self.headers)));
        }
        starlette.push(')');
        if note.preflight_status {
            starlette.push_str("\n# Added last, it is the outermost middleware and answers OPTIONS before authentication.");
        }
        starlette
    }
}

impl Snippet {
    /// The four stacks' snippets, in the order fixes list them.
    pub fn stacks([serverless, tower, express, starlette]: [String; 4]) -> Vec<Snippet> {
        [
            ("serverless", serverless),
            ("tower-http", tower),
            ("express", express),
            ("starlette", starlette),
        ]
        .into_iter()
        .map(|(stack, code)| Snippet { stack: stack.to_owned(), code })
        .collect()
    }
}

/// `"a", "b"`: a list of strings as JavaScript, TypeScript and Python all write it.
fn quoted(items: &[String]) -> String {
    items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", ")
}

struct Notes {
    preflight_status: bool,
}

/// The fix for a blocked walk: the failing response is the exchange's last, and the
/// `Origin` it was sent with says whether a redirect tainted it.
pub fn for_blocked(request: &CorsRequest, blocked: &Blocked, exchange: &Exchange) -> Fix {
    let last = exchange.steps.last();
    let origin_sent =
        last.and_then(|s| s.request.header("origin")).unwrap_or(request.origin.as_str());
    let response = last.and_then(|s| s.response.clone()).unwrap_or_default();
    let failure =
        CheckFailure::new(blocked.reason, blocked.firefox_reason, blocked.failed_parameter.clone());
    for_failure(request, origin_sent, &failure, blocked.response, &response)
}

/// The fix for `failure`, found on response `at` of `request`'s exchange, which was sent
/// with `Origin: origin_sent` (`null` after a redirect tainted it).
pub fn for_failure(
    request: &CorsRequest,
    origin_sent: &str,
    failure: &CheckFailure,
    at: FailedResponse,
    response: &WireResponse,
) -> Fix {
    let policy = Policy::for_request(request);
    let on = at.to_string();
    let origin_failure =
        matches!(failure.error.family(), ReasonFamily::Origin | ReasonFamily::Credentials);
    if origin_sent == "null" && origin_failure {
        return tainted_origin_fix(&policy, failure, &on);
    }
    let ask = Ask { policy: &policy, on: &on, origin: origin_sent, failure, at, response };
    let mut draft = Draft { send: Vec::new(), stop: Vec::new(), snippets: true };
    let summary = match failure.error.family() {
        ReasonFamily::Origin | ReasonFamily::Credentials => origin_summary(&ask, &mut draft),
        ReasonFamily::Preflight | ReasonFamily::Method | ReasonFamily::Header => {
            preflight_summary(&ask, &mut draft)
        }
        _ => other_summary(&ask, &mut draft),
    };
    let notes = Notes { preflight_status: failure.error == CorsError::PreflightInvalidStatus };
    let snippets = if draft.snippets { policy.snippets(&notes) } else { Vec::new() };
    Fix { summary, send: draft.send, stop: draft.stop, snippets }
}

/// The failure's circumstances, for the steps of [`for_failure`].
#[derive(Clone, Copy)]
struct Ask<'a> {
    policy: &'a Policy,
    /// The failing response, in words ("the preflight response").
    on: &'a str,
    /// The `Origin` the request carried (`null` after a tainting redirect).
    origin: &'a str,
    failure: &'a CheckFailure,
    at: FailedResponse,
    response: &'a WireResponse,
}

/// The fix as it is written: headers to send and things to stop.
struct Draft {
    send: Vec<(String, String)>,
    stop: Vec<String>,
    /// Is the fix a CORS configuration (so the stacks' snippets apply)?
    snippets: bool,
}

fn allow_origin_pair(value: &str) -> (String, String) {
    ("Access-Control-Allow-Origin".to_owned(), value.to_owned())
}

fn acac_pair() -> (String, String) {
    ("Access-Control-Allow-Credentials".to_owned(), "true".to_owned())
}

/// After a redirect to another origin the browser sends `Origin: null`; allowing `null`
/// would also let sandboxed documents in.
fn tainted_origin_fix(policy: &Policy, failure: &CheckFailure, on: &str) -> Fix {
    let mut send = Vec::new();
    let instead = if policy.credentials {
        "request the final URL directly (a request with credentials cannot pass a cross-origin redirect chain)".to_owned()
    } else {
        send.push(allow_origin_pair("*"));
        "request the final URL directly, or answer this response with Access-Control-Allow-Origin: * (it carries no credentials)".to_owned()
    };
    let summary = format!(
        "{on} is refused ({}): after a redirect to another origin the browser sends Origin: null. Do not allow null (sandboxed documents send it too): {instead}.",
        failure.error.describe()
    );
    Fix { summary, send, stop: vec!["redirecting across origins".to_owned()], snippets: Vec::new() }
}

/// `Access-Control-Allow-Origin` and `-Credentials` on the failing response.
fn origin_summary(ask: &Ask<'_>, draft: &mut Draft) -> String {
    match ask.failure.error {
        CorsError::WildcardOriginNotAllowed | CorsError::PreflightWildcardOriginNotAllowed => {
            wildcard_origin_with_credentials(ask, draft)
        }
        CorsError::MissingAllowOriginHeader | CorsError::PreflightMissingAllowOriginHeader => {
            missing_allow_origin(ask, draft)
        }
        CorsError::MultipleAllowOriginValues | CorsError::PreflightMultipleAllowOriginValues => {
            multiple_allow_origin_values(ask, draft)
        }
        CorsError::InvalidAllowOriginValue | CorsError::PreflightInvalidAllowOriginValue => {
            invalid_allow_origin_value(ask, draft)
        }
        CorsError::AllowOriginMismatch | CorsError::PreflightAllowOriginMismatch => {
            allow_origin_mismatch(ask, draft)
        }
        CorsError::InvalidAllowCredentials | CorsError::PreflightInvalidAllowCredentials => {
            invalid_allow_credentials(ask, draft)
        }
        _ => other_summary(ask, draft),
    }
}

/// `*` with credentials: browsers never accept it, so echo the origin with credentials allowed.
fn wildcard_origin_with_credentials(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { on, origin: expected_origin, .. } = *ask;
    draft.send.push(allow_origin_pair(expected_origin));
    draft.send.push(acac_pair());
    draft.send.push(("Vary".to_owned(), "Origin".to_owned()));
    draft.stop.push("Access-Control-Allow-Origin: *".to_owned());
    format!(
        "On {on}, send Access-Control-Allow-Origin: {expected_origin} (the request's origin, checked against an allow-list) \
         with Access-Control-Allow-Credentials: true and Vary: Origin, instead of *: browsers never accept * for a request with credentials. \
         Or send the request without credentials if it needs no cookies."
    )
}

/// No `Access-Control-Allow-Origin`: often an error or authentication answer before the CORS layer.
fn missing_allow_origin(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { policy, on, origin: expected_origin, response, .. } = *ask;
    let credentials = policy.credentials;
    draft.send.push(allow_origin_pair(expected_origin));
    if credentials {
        draft.send.push(acac_pair());
    }
    let status = if response.is_ok() || response.is_redirect() {
        String::new()
    } else {
        format!(
            " It answered {}: if an error handler or authentication answers before the CORS layer, move the CORS layer in front of it.",
            response.status
        )
    };
    format!(
        "On {on}, send Access-Control-Allow-Origin: {expected_origin}{}.{status}",
        if credentials { " and Access-Control-Allow-Credentials: true" } else { "" }
    )
}

/// Several `Access-Control-Allow-Origin` values: usually two layers each adding one.
fn multiple_allow_origin_values(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { on, origin: expected_origin, failure, .. } = *ask;
    draft.send.push(allow_origin_pair(expected_origin));
    draft.stop.push(format!("Access-Control-Allow-Origin: {}", failure.failed_parameter));
    format!(
        "On {on}, send exactly one Access-Control-Allow-Origin line with one origin ({expected_origin}); it now carries \"{}\". \
         Two layers (for example a proxy and the application) probably both add it: keep one. To allow several origins, \
         compare the request's Origin with an allow-list and echo the match.",
        failure.failed_parameter
    )
}

/// An `Access-Control-Allow-Origin` that is neither a serialised origin nor `*`.
fn invalid_allow_origin_value(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { on, origin: expected_origin, failure, .. } = *ask;
    draft.send.push(allow_origin_pair(expected_origin));
    draft.stop.push(format!("Access-Control-Allow-Origin: {}", failure.failed_parameter));
    format!(
        "On {on}, Access-Control-Allow-Origin must be a serialised origin such as {expected_origin} \
         (scheme, host and port, no path, no wildcard parts) or *; it is \"{}\".",
        failure.failed_parameter
    )
}

/// Another origin than the request's, compared byte for byte (a trailing slash counts).
fn allow_origin_mismatch(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { on, origin: expected_origin, failure, .. } = *ask;
    draft.send.push(allow_origin_pair(expected_origin));
    draft.stop.push(format!("Access-Control-Allow-Origin: {}", failure.failed_parameter));
    let hint = if failure.failed_parameter.trim_end_matches('/') == expected_origin {
        " Drop the trailing slash: the comparison is byte for byte."
    } else {
        ""
    };
    format!(
        "On {on}, Access-Control-Allow-Origin is \"{}\" but the request's origin is {expected_origin}: send {expected_origin} \
         (echo the request's Origin when it is on your allow-list, with Vary: Origin).{hint}",
        failure.failed_parameter
    )
}

/// `Access-Control-Allow-Credentials` missing or not exactly `true` for a request with credentials.
fn invalid_allow_credentials(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { on, failure, .. } = *ask;
    draft.send.push(acac_pair());
    if !failure.failed_parameter.is_empty() {
        draft.stop.push(format!("Access-Control-Allow-Credentials: {}", failure.failed_parameter));
    }
    format!(
        "On {on}, send Access-Control-Allow-Credentials: true (exactly, lower-case){}: the request has credentials.",
        if failure.failed_parameter.is_empty() {
            String::new()
        } else {
            format!(" instead of \"{}\"", failure.failed_parameter)
        }
    )
}

/// The preflight's status, redirect, `-Allow-Methods` and `-Allow-Headers`.
fn preflight_summary(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { policy, on, failure, response, .. } = *ask;
    let credentials = policy.credentials;
    let Draft { send, stop, snippets } = draft;
    match failure.error {
        CorsError::PreflightInvalidStatus => {
            stop.push(format!("answering the preflight with {}", response.status));
            format!(
                "The preflight (OPTIONS) was answered {}: answer it with 204 (or 200) and the CORS headers. \
                 Authentication, routing or method handling runs before the CORS layer: let OPTIONS through without credentials.",
                response.status
            )
        }
        CorsError::PreflightDisallowedRedirect => {
            *snippets = false;
            let target = response.combined("location").unwrap_or_default();
            stop.push(format!("redirecting OPTIONS to {target}"));
            format!(
                "The preflight was answered {} to {target}: browsers never follow a redirect for a preflight. \
                 Request the final URL directly (trailing slash, http to https, host name), or answer OPTIONS without redirecting.",
                response.status
            )
        }
        CorsError::InvalidAllowMethodsPreflightResponse => {
            let methods = if policy.methods.is_empty() {
                "GET, POST".to_owned()
            } else {
                policy.methods.join(", ")
            };
            send.push(("Access-Control-Allow-Methods".to_owned(), methods.clone()));
            format!("On {on}, Access-Control-Allow-Methods must be a comma-separated list of method names (e.g. {methods}); it cannot be parsed now.")
        }
        CorsError::InvalidAllowHeadersPreflightResponse => {
            let headers = if policy.headers.is_empty() {
                "content-type".to_owned()
            } else {
                policy.headers.join(", ")
            };
            send.push(("Access-Control-Allow-Headers".to_owned(), headers.clone()));
            format!("On {on}, Access-Control-Allow-Headers must be a comma-separated list of header names (e.g. {headers}); it cannot be parsed now.")
        }
        CorsError::MethodDisallowedByPreflightResponse => {
            let method = &failure.failed_parameter;
            send.push(("Access-Control-Allow-Methods".to_owned(), method.clone()));
            let star =
                if credentials { " (* does not count for a request with credentials)" } else { "" };
            format!("On {on}, list {method} in Access-Control-Allow-Methods{star}: methods are compared case-sensitively.")
        }
        CorsError::HeaderDisallowedByPreflightResponse => {
            let name = &failure.failed_parameter;
            send.push(("Access-Control-Allow-Headers".to_owned(), policy.headers.join(", ")));
            let star =
                if credentials { " (* does not count for a request with credentials)" } else { "" };
            format!("On {on}, list {name} in Access-Control-Allow-Headers{star}, with every other custom header the request sends ({}).", policy.headers.join(", "))
        }
        _ => other_summary(ask, draft),
    }
}

/// Redirects, Local Network Access, and what no header fixes.
fn other_summary(ask: &Ask<'_>, draft: &mut Draft) -> String {
    let Ask { on, failure, at, response, .. } = *ask;
    let Draft { stop, snippets, .. } = draft;
    match failure.error {
        CorsError::RedirectContainsCredentials => {
            *snippets = false;
            let target = response.combined("location").unwrap_or_default();
            stop.push(format!("redirecting to {target}"));
            format!("Redirect {} points at a URL with a user name or password ({target}): a CORS request may not follow it. Redirect to a URL without user:password@ and authenticate another way.",
                match at { FailedResponse::Redirect { hop } => hop, _ => 1 })
        }
        error if error.is_local_network_access() => {
            *snippets = false;
            format!(
                "{} (on {on}). This is Local Network Access, not the CORS headers: a public website may call a local or loopback server only with the user's permission (and, for some names, Access-Control-Allow-Private-Network: true on the preflight). Serve the API from a public address, or call it from a page in the same address space.",
                error.describe()
            )
        }
        // The scheme, the request's mode, a broken response: nothing a header fixes.
        _ => {
            *snippets = false;
            format!("{} (on {on}).", failure.error.describe())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cors::FirefoxKey;

    fn request(credentials: Credentials) -> CorsRequest {
        CorsRequest {
            origin: "http://page.test".into(),
            url: "http://api.test/x".into(),
            method: "PUT".into(),
            headers: vec![
                ("X-Api-Key".into(), "k".into()),
                ("Content-Type".into(), "application/json".into()),
            ],
            credentials,
            body: None,
        }
    }

    #[test]
    fn every_reason_gets_a_fix() {
        let response = WireResponse::new(302, &[("Location", "http://u:p@b.test/")]);
        for &error in CorsError::ALL {
            for credentials in [Credentials::Omit, Credentials::Include] {
                let failure = CheckFailure::new(error, FirefoxKey::DidNotSucceed, "x");
                let fix = for_failure(
                    &request(credentials),
                    "http://page.test",
                    &failure,
                    FailedResponse::Actual { hop: 0 },
                    &response,
                );
                assert!(fix.summary.len() > 20, "{error}: {}", fix.summary);
            }
        }
    }

    #[test]
    fn snippets_carry_the_policy_for_each_stack() {
        let failure = CheckFailure::new(
            CorsError::HeaderDisallowedByPreflightResponse,
            FirefoxKey::DidNotSucceed,
            "x-api-key",
        );
        let response = WireResponse::new(204, &[]);
        let fix = for_failure(
            &request(Credentials::Include),
            "http://page.test",
            &failure,
            FailedResponse::Preflight { hop: 0 },
            &response,
        );
        let code = |stack: &str| {
            fix.snippets.iter().find(|s| s.stack == stack).map(|s| s.code.clone()).unwrap()
        };
        assert!(
            code("serverless").contains(r#"allowHeaders: ["content-type", "x-api-key"]"#),
            "{}",
            code("serverless")
        );
        assert!(code("serverless").contains(r#"allowMethods: ["PUT"]"#));
        assert!(code("tower-http").contains(".allow_credentials(true)"));
        assert!(code("tower-http").contains(r#"HeaderName::from_static("x-api-key")"#));
        assert!(code("express").contains(r#"origin: "http://page.test""#));
        assert!(code("express").contains("credentials: true"));
        assert!(code("starlette").contains("allow_credentials=True"));
        assert!(code("starlette").contains(r#"allow_methods=["PUT"]"#));
        assert_eq!(
            fix.send,
            [("Access-Control-Allow-Headers".to_owned(), "content-type, x-api-key".to_owned())]
        );
    }
}
