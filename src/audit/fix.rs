//! The fix for each kind of finding: an exact allow-list of the legitimate origins (scheme
//! included, never `null`), `Vary: Origin`, and that policy as configuration for the stacks
//! [`crate::cors::fix`] gives snippets for.

use crate::cors::{Fix, Snippet};

use super::origins::AttackKind;

/// What the allow-list must let through besides simple requests.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowed {
    /// The legitimate origins, serialised (`https://app.example.com`).
    pub origins: Vec<String>,
    /// Methods beyond GET, HEAD and POST.
    pub methods: Vec<String>,
    /// CORS-unsafe request header names, lower-case.
    pub headers: Vec<String>,
}

/// The fix for a finding of `kind` found with `attacker`.
pub fn for_kind(kind: AttackKind, attacker: &str, allowed: &Allowed) -> Fix {
    let list = allowed.origins.join(", ");
    let why = match kind {
        AttackKind::ArbitraryOrigin => format!(
            "The server allows any origin with credentials (it let {attacker} read): stop reflecting `Origin`."
        ),
        AttackKind::NullOrigin => "The server allows `Origin: null` with credentials: never allow `null` (any sandboxed iframe, data: URL or local file sends it).".to_owned(),
        AttackKind::PrefixMatch => format!(
            "The server matches origins by prefix ({attacker} starts with a trusted origin): compare whole origins."
        ),
        AttackKind::SuffixMatch => format!(
            "The server matches origins by suffix or by a regex with an unescaped dot ({attacker} got through): compare whole origins (or escape dots and anchor both ends)."
        ),
        AttackKind::Subdomain => format!(
            "The server trusts every subdomain ({attacker} read it): any subdomain that is taken over or serves others' content can read your users' data; list the ones you run."
        ),
        AttackKind::InsecureScheme => format!(
            "The server trusts {attacker} over plain http: anyone on the user's network can inject that page; allow the https origin only (compare the scheme)."
        ),
    };
    Fix {
        summary: format!(
            "{why} Send `Access-Control-Allow-Origin` only when `Origin` is exactly one of {list}, echoing that origin, with `Vary: Origin`."
        ),
        send: vec![
            ("Access-Control-Allow-Origin".into(), format!("the request's Origin, only if it is one of {list}")),
            ("Access-Control-Allow-Credentials".into(), "true (with an allowed origin only)".into()),
            ("Vary".into(), "Origin".into()),
        ],
        stop: vec![stop_doing(kind, attacker)],
        snippets: snippets(allowed, true),
    }
}

/// `Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true`:
/// browsers refuse credentialed reads, so it is not exploitable, but it is not what was meant.
pub fn for_wildcard_with_credentials(allowed: &Allowed) -> Fix {
    let list = allowed.origins.join(", ");
    Fix {
        summary: format!(
            "`Access-Control-Allow-Origin: *` with `Access-Control-Allow-Credentials: true` is refused by browsers for credentialed requests (not exploitable). If the API is public, drop `Access-Control-Allow-Credentials`; if it needs cookies, allow {list} exactly, with `Vary: Origin`."
        ),
        send: vec![
            ("Access-Control-Allow-Origin".into(), format!("the request's Origin, only if it is one of {list}")),
            ("Vary".into(), "Origin".into()),
        ],
        stop: vec!["sending `*` together with `Access-Control-Allow-Credentials: true`".into()],
        snippets: snippets(allowed, true),
    }
}

fn stop_doing(kind: AttackKind, attacker: &str) -> String {
    match kind {
        AttackKind::ArbitraryOrigin => "echoing any `Origin` back".into(),
        AttackKind::NullOrigin => "allowing `null`".into(),
        AttackKind::PrefixMatch => {
            format!("startsWith()-style or unanchored matching ({attacker})")
        }
        AttackKind::SuffixMatch => {
            format!("endsWith()-style matching or regexes with unescaped dots ({attacker})")
        }
        AttackKind::Subdomain => format!("wildcard subdomain patterns ({attacker})"),
        AttackKind::InsecureScheme => format!("allowing http:// origins ({attacker})"),
    }
}

/// The exact allow-list as configuration; every stack here sends `Vary: Origin` itself
/// when the list has entries (tower-http, `cors`, Starlette; API Gateway per response).
pub fn snippets(allowed: &Allowed, credentials: bool) -> Vec<Snippet> {
    let js = |items: &[String]| items.iter().map(|i| format!("\"{i}\"")).collect::<Vec<_>>();
    let origins = js(&allowed.origins).join(", ");
    let methods = js(&allowed.methods).join(", ");
    let headers = js(&allowed.headers).join(", ");
    let line = |cond: bool, text: String| if cond { text } else { String::new() };
    let has_methods = !allowed.methods.is_empty();
    let has_headers = !allowed.headers.is_empty();

    let serverless = format!(
        "// sst.config.ts: API Gateway HTTP API, an exact list (no \"*\", no \"null\")\ncors: {{\n  allowOrigins: [{origins}],\n{}{}{}}},",
        line(credentials, "  allowCredentials: true,\n".into()),
        line(has_methods, format!("  allowMethods: [{methods}],\n")),
        line(has_headers, format!("  allowHeaders: [{headers}],\n")),
    );
    let tower_origins: Vec<String> = allowed
        .origins
        .iter()
        .map(|o| format!("        HeaderValue::from_static(\"{o}\"),"))
        .collect();
    let tower = format!(
        "use http::HeaderValue;\nuse tower_http::cors::{{AllowOrigin, CorsLayer}};\n\n// An exact list: CorsLayer compares whole origins and adds Vary: Origin.\nlet cors = CorsLayer::new()\n    .allow_origin(AllowOrigin::list([\n{}\n    ])){}{}{};",
        tower_origins.join("\n"),
        line(credentials, "\n    .allow_credentials(true)".into()),
        line(
            has_methods,
            format!(
                "\n    .allow_methods([{}])",
                allowed
                    .methods
                    .iter()
                    .map(|m| format!("http::Method::from_bytes(b\"{m}\")?"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ),
        line(
            has_headers,
            format!(
                "\n    .allow_headers([{}])",
                allowed
                    .headers
                    .iter()
                    .map(|h| format!("http::HeaderName::from_static(\"{h}\")"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        ),
    );
    let express = format!(
        "const cors = require(\"cors\");\n\n// An array is compared exactly (a RegExp or `origin: true` is how these holes start).\napp.use(cors({{\n  origin: [{origins}],\n{}{}{}}}));",
        line(credentials, "  credentials: true,\n".into()),
        line(has_methods, format!("  methods: [{methods}],\n")),
        line(has_headers, format!("  allowedHeaders: [{headers}],\n")),
    );
    let starlette = format!(
        "from starlette.middleware.cors import CORSMiddleware\n\n# allow_origins is exact; avoid allow_origin_regex unless it is anchored and escaped.\napp.add_middleware(\n    CORSMiddleware,\n    allow_origins=[{origins}],\n{}{}{})",
        line(credentials, "    allow_credentials=True,\n".into()),
        line(has_methods, format!("    allow_methods=[{methods}],\n")),
        line(has_headers, format!("    allow_headers=[{headers}],\n")),
    );
    Snippet::stacks([serverless, tower, express, starlette])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Allowed {
        Allowed {
            origins: vec!["https://app.example.com".into(), "https://admin.example.com".into()],
            methods: vec!["PUT".into()],
            headers: vec!["x-api-key".into()],
        }
    }

    #[test]
    fn every_kind_gets_an_exact_list_with_vary_and_four_stacks() {
        for kind in AttackKind::ALL {
            let fix = for_kind(kind, "https://attacker.test", &allowed());
            assert!(fix.summary.contains("https://app.example.com, https://admin.example.com"));
            assert!(fix.summary.contains("Vary: Origin"), "{kind}");
            assert!(fix.send.iter().any(|(n, v)| n == "Vary" && v == "Origin"));
            let stacks: Vec<&str> = fix.snippets.iter().map(|s| s.stack.as_str()).collect();
            assert_eq!(stacks, ["serverless", "tower-http", "express", "starlette"]);
            for s in &fix.snippets {
                assert!(s.code.contains("\"https://admin.example.com\""), "{}", s.code);
                assert!(!s.code.contains("\"null\"") || s.stack == "serverless", "{}", s.code);
                assert!(s.code.to_lowercase().contains("credentials"), "{}", s.code);
            }
        }
        assert!(for_kind(AttackKind::NullOrigin, "null", &allowed())
            .summary
            .contains("never allow `null`"));
        let fix = for_kind(AttackKind::InsecureScheme, "http://app.example.com", &allowed());
        assert!(fix.summary.contains("plain http"));
    }

    #[test]
    fn methods_and_headers_reach_the_snippets() {
        let snippets = snippets(&allowed(), true);
        let express = &snippets[2].code;
        assert!(
            express.contains("methods: [\"PUT\"]")
                && express.contains("allowedHeaders: [\"x-api-key\"]"),
            "{express}"
        );
        let none = snippets_without_extras();
        assert!(!none[3].code.contains("allow_methods"), "{}", none[3].code);
    }

    fn snippets_without_extras() -> Vec<Snippet> {
        snippets(&Allowed { origins: vec!["https://a.test".into()], ..Allowed::default() }, false)
    }

    #[test]
    fn wildcard_with_credentials_is_refused_not_exploitable() {
        let fix = for_wildcard_with_credentials(&allowed());
        assert!(fix.summary.contains("refused by browsers"));
        assert!(fix.summary.contains("not exploitable"));
    }
}
