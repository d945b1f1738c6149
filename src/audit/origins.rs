//! The origins an attacker can load a page at, derived from the origins a server is meant
//! to trust, and the kind of matching mistake each one tests.
//!
//! Derivations follow the misconfigurations scanners look for (CORScanner, Corsy,
//! PortSwigger's "Exploiting CORS misconfigurations"), kept to host names every browser
//! can actually load: `_` is one (Chromium, Firefox and WebKitGTK open
//! `https://app.example.com_.attacker.test`), a backtick is not (Chromium fails TLS on its
//! `%60` form, Firefox refuses the name), so no derived origin uses one.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The unrelated site attacker pages live on (a reserved `.test` name, RFC 6761).
pub const ATTACKER_SITE: &str = "attacker.test";

/// What kind of trust mistake lets an attacker's origin read the response.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttackKind {
    /// Any origin is allowed (typically the `Origin` header reflected).
    ArbitraryOrigin,
    /// `Origin: null` is allowed: any sandboxed iframe, `data:` URL or file can send it.
    NullOrigin,
    /// The allowed origin is matched as a prefix (`https://app.example.com.attacker.test`).
    PrefixMatch,
    /// The allowed origin is matched as a suffix (`https://attacker-example.com`) or by a
    /// regex with an unescaped dot (`https://app-example.com`).
    SuffixMatch,
    /// Every subdomain of the site is trusted (`https://attacker.example.com`).
    Subdomain,
    /// The `http://` twin of an https origin is trusted: anyone on the network can inject it.
    InsecureScheme,
}

impl AttackKind {
    pub const ALL: [AttackKind; 6] = [
        AttackKind::ArbitraryOrigin,
        AttackKind::NullOrigin,
        AttackKind::PrefixMatch,
        AttackKind::SuffixMatch,
        AttackKind::Subdomain,
        AttackKind::InsecureScheme,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttackKind::ArbitraryOrigin => "arbitrary-origin",
            AttackKind::NullOrigin => "null-origin",
            AttackKind::PrefixMatch => "prefix-match",
            AttackKind::SuffixMatch => "suffix-match",
            AttackKind::Subdomain => "subdomain",
            AttackKind::InsecureScheme => "insecure-scheme",
        }
    }
}

impl fmt::Display for AttackKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An origin the audit loads an attacker's page at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttackerOrigin {
    /// As browsers send it in `Origin` (`null` for a sandboxed page).
    pub origin: String,
    pub kind: AttackKind,
    /// The legitimate origin it imitates.
    pub imitates: String,
    /// The matcher it gets past, in a few words.
    pub trick: String,
}

/// A `scheme://host[:port]` origin taken apart.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TupleOrigin {
    pub secure: bool,
    /// Lower-case, as browsers serialise it.
    pub host: String,
    /// `None` for the scheme's default port.
    pub port: Option<u16>,
}

impl TupleOrigin {
    /// Parses an origin as users write it (`https://App.example.com`, `http://x:3000/`).
    pub fn parse(text: &str) -> Result<TupleOrigin, String> {
        let trimmed = text.trim();
        let (secure, rest) = if let Some(rest) = trimmed.strip_prefix("https://") {
            (true, rest)
        } else if let Some(rest) = trimmed.strip_prefix("http://") {
            (false, rest)
        } else {
            return Err(format!(
                "{text:?} is not an origin: write https://host[:port], http://host[:port] or null"
            ));
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        if rest.is_empty() || rest.contains(['/', '?', '#', '@', ' ']) {
            return Err(format!("{text:?} is not an origin (scheme, host and port only)"));
        }
        let (host, port) = match rest.rsplit_once(':') {
            Some((host, port)) if !host.ends_with(']') && host.contains('[') => {
                return Err(format!("{text:?}: bad IPv6 address {host}:{port}"))
            }
            Some((host, port)) if !port.contains(']') => {
                let port: u16 = port
                    .parse()
                    .map_err(|_| format!("{text:?}: the port {port:?} is not a number"))?;
                (host, Some(port))
            }
            _ => (rest, None),
        };
        let default = if secure { 443 } else { 80 };
        Ok(TupleOrigin {
            secure,
            host: host.to_ascii_lowercase(),
            port: port.filter(|p| *p != default),
        })
    }

    fn scheme(&self) -> &'static str {
        if self.secure {
            "https"
        } else {
            "http"
        }
    }

    /// The same scheme and port, another host.
    fn with_host(&self, host: &str) -> String {
        TupleOrigin { host: host.to_owned(), ..self.clone() }.to_string()
    }

    /// Is the host an IP address (no name tricks apply)?
    fn is_address(&self) -> bool {
        self.host.starts_with('[') || self.host.parse::<std::net::Ipv4Addr>().is_ok()
    }

    /// The registrable domain, approximately: the last two labels, or three under a
    /// two-letter country code with a generic second level (`example.co.uk`).
    pub fn site(&self) -> String {
        site_of(&self.host)
    }
}

impl fmt::Display for TupleOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.port {
            Some(port) => write!(f, "{}://{}:{port}", self.scheme(), self.host),
            None => write!(f, "{}://{}", self.scheme(), self.host),
        }
    }
}

/// See [`TupleOrigin::site`].
pub fn site_of(host: &str) -> String {
    let labels: Vec<&str> = host.split('.').filter(|l| !l.is_empty()).collect();
    let generic = ["co", "com", "org", "net", "gov", "ac", "edu", "ne", "or"];
    let keep = match labels.as_slice() {
        [.., second, tld] if tld.len() == 2 && generic.contains(second) && labels.len() > 2 => 3,
        _ => 2,
    };
    labels[labels.len().saturating_sub(keep)..].join(".")
}

/// The attacker origins for `legitimate` origins (deduplicated, none equal to a legitimate
/// one), then `extra` ones the user named, each classified against the legitimate ones.
pub fn attacker_origins(
    legitimate: &[String],
    extra: &[String],
) -> Result<Vec<AttackerOrigin>, String> {
    let mut parsed = Vec::new();
    for (i, text) in legitimate.iter().enumerate() {
        if text.trim() == "null" {
            return Err(format!(
                "--origin[{i}]: `null` cannot be a legitimate origin (anyone can send it)"
            ));
        }
        parsed.push(TupleOrigin::parse(text).map_err(|e| format!("--origin[{i}]: {e}"))?);
    }
    let mut out: Vec<AttackerOrigin> = Vec::new();
    let legit_serialized: Vec<String> = parsed.iter().map(ToString::to_string).collect();
    let mut push = |candidate: AttackerOrigin| {
        let taken = out.iter().any(|o| o.origin == candidate.origin)
            || legit_serialized.contains(&candidate.origin);
        if !taken {
            out.push(candidate);
        }
    };
    for origin in &parsed {
        for candidate in derive(origin) {
            push(candidate);
        }
    }
    for (i, text) in extra.iter().enumerate() {
        let origin = if text.trim() == "null" {
            "null".to_owned()
        } else {
            TupleOrigin::parse(text)
                .map_err(|e| format!("--attacker-origin[{i}]: {e}"))?
                .to_string()
        };
        let (kind, imitates) = classify(&origin, &parsed);
        push(AttackerOrigin {
            origin,
            kind,
            imitates,
            trick: "named with --attacker-origin".into(),
        });
    }
    Ok(out)
}

/// Every derivation for one legitimate origin.
fn derive(legit: &TupleOrigin) -> Vec<AttackerOrigin> {
    let imitates = legit.to_string();
    let mut unrelated = ATTACKER_SITE.to_owned();
    if legit.site() == ATTACKER_SITE {
        unrelated = format!("other-{ATTACKER_SITE}");
    }
    let mut list = vec![
        (
            legit.with_host(&unrelated),
            AttackKind::ArbitraryOrigin,
            "any origin allowed (reflected)",
        ),
        ("null".to_owned(), AttackKind::NullOrigin, "`null` allowed (sandboxed page)"),
    ];
    let host = legit.host.as_str();
    let twin = if legit.secure {
        let port = legit.port.or(Some(80)).filter(|p| *p != 80);
        Some(TupleOrigin { secure: false, host: host.to_owned(), port }.to_string())
    } else {
        None
    };
    if let Some(twin) = twin {
        list.push((twin, AttackKind::InsecureScheme, "the http:// twin allowed (scheme ignored)"));
    }
    if !legit.is_address() {
        let site = legit.site();
        list.push((
            legit.with_host(&format!("{host}.{unrelated}")),
            AttackKind::PrefixMatch,
            "prefix match (startsWith, regex without $)",
        ));
        list.push((
            legit.with_host(&format!("{host}_.{unrelated}")),
            AttackKind::PrefixMatch,
            "prefix match ending at a character (`_`) some regexes treat as a boundary",
        ));
        if host != site {
            list.push((
                legit.with_host(&format!("evil{host}")),
                AttackKind::SuffixMatch,
                "suffix match on the host (endsWith without a dot)",
            ));
        }
        if site.contains('.') {
            list.push((
                legit.with_host(&format!("attacker-{site}")),
                AttackKind::SuffixMatch,
                "suffix match on the site (endsWith(\"example.com\"))",
            ));
        }
        if let Some((first, rest)) = host.split_once('.') {
            if rest.contains('.') {
                list.push((
                    legit.with_host(&format!("{first}-{rest}")),
                    AttackKind::SuffixMatch,
                    "a regex's unescaped dot, or a site suffix match",
                ));
                list.push((
                    legit.with_host(&format!("{first}x{rest}")),
                    AttackKind::SuffixMatch,
                    "a regex's unescaped dot (`.` matches any character)",
                ));
            }
            let sibling = if host == format!("attacker.{site}") { "evil" } else { "attacker" };
            if site.contains('.') {
                list.push((
                    legit.with_host(&format!("{sibling}.{site}")),
                    AttackKind::Subdomain,
                    "any subdomain of the site allowed",
                ));
            }
        }
    }
    list.into_iter()
        .map(|(origin, kind, trick)| AttackerOrigin {
            origin,
            kind,
            imitates: imitates.clone(),
            trick: trick.to_owned(),
        })
        .collect()
}

/// Which mistake `origin` (serialised) would get past, against the closest legitimate
/// origin, and which one that is.
pub fn classify(origin: &str, legitimate: &[TupleOrigin]) -> (AttackKind, String) {
    if origin == "null" {
        let imitates = legitimate.first().map(ToString::to_string).unwrap_or_default();
        return (AttackKind::NullOrigin, imitates);
    }
    let Ok(attacker) = TupleOrigin::parse(origin) else {
        return (AttackKind::ArbitraryOrigin, String::new());
    };
    let mut best = (AttackKind::ArbitraryOrigin, String::new());
    for legit in legitimate {
        let kind = kind_against(&attacker, legit);
        if kind != AttackKind::ArbitraryOrigin {
            return (kind, legit.to_string());
        }
        if best.1.is_empty() {
            best.1 = legit.to_string();
        }
    }
    best
}

fn kind_against(attacker: &TupleOrigin, legit: &TupleOrigin) -> AttackKind {
    let (a, l) = (attacker.host.as_str(), legit.host.as_str());
    if a == l {
        return if legit.secure && !attacker.secure {
            AttackKind::InsecureScheme
        } else {
            AttackKind::ArbitraryOrigin
        };
    }
    if legit.is_address() || attacker.is_address() {
        return AttackKind::ArbitraryOrigin;
    }
    let site = legit.site();
    if a.starts_with(l) {
        return AttackKind::PrefixMatch;
    }
    // Inside the site: a suffix of the legitimate host without a dot boundary
    // (`evilapp.example.com`) is a suffix match; any other name is a subdomain.
    if a.ends_with(&format!(".{site}")) {
        return if a.ends_with(l) && !a.ends_with(&format!(".{l}")) {
            AttackKind::SuffixMatch
        } else {
            AttackKind::Subdomain
        };
    }
    if a.ends_with(&site) || unescaped_dot_match(a, l) {
        return AttackKind::SuffixMatch;
    }
    AttackKind::ArbitraryOrigin
}

/// Does `l` read as a regex with unescaped dots match `a` (same length, a dot replaced)?
fn unescaped_dot_match(a: &str, l: &str) -> bool {
    a.len() == l.len()
        && a.bytes().zip(l.bytes()).all(|(x, y)| x == y || y == b'.')
        && a.bytes().zip(l.bytes()).any(|(x, y)| x != y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins(list: &[AttackerOrigin]) -> Vec<(&str, AttackKind)> {
        list.iter().map(|o| (o.origin.as_str(), o.kind)).collect()
    }

    #[test]
    fn derives_every_trick_from_an_https_origin() {
        let list = attacker_origins(&["https://App.Example.com".into()], &[]).unwrap();
        assert_eq!(
            origins(&list),
            vec![
                ("https://attacker.test", AttackKind::ArbitraryOrigin),
                ("null", AttackKind::NullOrigin),
                ("http://app.example.com", AttackKind::InsecureScheme),
                ("https://app.example.com.attacker.test", AttackKind::PrefixMatch),
                ("https://app.example.com_.attacker.test", AttackKind::PrefixMatch),
                ("https://evilapp.example.com", AttackKind::SuffixMatch),
                ("https://attacker-example.com", AttackKind::SuffixMatch),
                ("https://app-example.com", AttackKind::SuffixMatch),
                ("https://appxexample.com", AttackKind::SuffixMatch),
                ("https://attacker.example.com", AttackKind::Subdomain),
            ]
        );
        assert!(list.iter().all(|o| o.imitates == "https://app.example.com"));
    }

    #[test]
    fn derived_kinds_agree_with_the_classifier() {
        for legit in
            ["https://app.example.com", "http://app.example.test:3000", "https://example.co.uk"]
        {
            let parsed = [TupleOrigin::parse(legit).unwrap()];
            for o in attacker_origins(&[legit.into()], &[]).unwrap() {
                assert_eq!(classify(&o.origin, &parsed).0, o.kind, "{legit}: {}", o.origin);
            }
        }
    }

    #[test]
    fn ports_schemes_and_apex_hosts() {
        let list = attacker_origins(&["https://app.example.test:8443".into()], &[]).unwrap();
        let got = origins(&list);
        assert!(got.contains(&("http://app.example.test:8443", AttackKind::InsecureScheme)));
        assert!(got.contains(&("https://attacker.example.test:8443", AttackKind::Subdomain)));
        // An http origin has no insecure twin; an apex has no in-site suffix trick.
        let list = attacker_origins(&["http://example.com".into()], &[]).unwrap();
        assert!(list.iter().all(|o| o.kind != AttackKind::InsecureScheme));
        assert!(list.iter().all(|o| !o.origin.starts_with("http://evil")));
        assert!(origins(&list).contains(&("http://attacker-example.com", AttackKind::SuffixMatch)));
        // Addresses get only the unrelated site, null and the twin.
        let list = attacker_origins(&["https://127.0.0.1:8443".into()], &[]).unwrap();
        assert_eq!(list.len(), 3, "{list:?}");
        // A site of three labels under a country code.
        assert_eq!(site_of("shop.example.co.uk"), "example.co.uk");
        assert_eq!(site_of("localhost"), "localhost");
    }

    #[test]
    fn extra_origins_are_classified_and_bad_input_names_the_flag() {
        let list = attacker_origins(
            &["https://app.example.com".into()],
            &["https://evil.example.com".into(), "https://x.y".into(), "null".into()],
        )
        .unwrap();
        // evil.example.com is a new sibling; null is already in the list.
        let extra: Vec<_> = list.iter().filter(|o| o.trick.contains("--attacker")).collect();
        assert_eq!(extra.len(), 2);
        assert_eq!(extra[0].kind, AttackKind::Subdomain);
        assert_eq!(extra[1].kind, AttackKind::ArbitraryOrigin);
        let err = attacker_origins(&["app.example.com".into()], &[]).unwrap_err();
        assert!(err.starts_with("--origin[0]"), "{err}");
        let err = attacker_origins(&["https://a.b".into()], &["ftp://x".into()]).unwrap_err();
        assert!(err.starts_with("--attacker-origin[0]"), "{err}");
        assert!(attacker_origins(&["null".into()], &[]).is_err());
        assert!(TupleOrigin::parse("https://x:99999").is_err());
    }

    #[test]
    fn kinds_serialize_as_their_names() {
        for kind in AttackKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
        }
    }
}
