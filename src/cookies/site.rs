//! Sites, as cookies see them: the registrable domain of a host (the public suffix list
//! plus one label), and the [schemeful site] (`https://example.com`), which decides
//! whether a request is same-site for `SameSite`.
//!
//! [schemeful site]: https://html.spec.whatwg.org/multipage/browsers.html#sites

use std::fmt;

/// The parts of an `http(s)` URL cookies care about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlParts {
    /// `http` or `https` (lower-case).
    pub scheme: String,
    /// Lower-case, without brackets for IPv6.
    pub host: String,
    /// The port, the scheme's default when the URL names none.
    pub port: u16,
    /// The path, `/` when empty, without query or fragment.
    pub path: String,
}

impl UrlParts {
    /// Reads `scheme://[userinfo@]host[:port][/path][?query][#fragment]`; `None` for
    /// anything else (`null`, `data:`, a relative URL).
    pub fn parse(url: &str) -> Option<UrlParts> {
        let (scheme, rest) = url.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        if scheme != "http" && scheme != "https" {
            return None;
        }
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        let authority = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        let (host, port) = match authority.strip_prefix('[') {
            Some(v6) => {
                let (host, rest) = v6.split_once(']')?;
                (host, rest.strip_prefix(':'))
            }
            None => match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            },
        };
        let default_port = if scheme == "https" { 443 } else { 80 };
        let port = match port.filter(|p| !p.is_empty()) {
            Some(port) => port.parse().ok()?,
            None => default_port,
        };
        if host.is_empty() {
            return None;
        }
        let path = tail.split(['?', '#']).next().unwrap_or_default();
        Some(UrlParts {
            scheme,
            host: host.trim_end_matches('.').to_ascii_lowercase(),
            port,
            path: if path.is_empty() { "/".to_owned() } else { path.to_owned() },
        })
    }

    /// `https:` (what `Secure` cookies need; Chromium also counts `http://localhost`).
    pub fn is_secure(&self) -> bool {
        self.scheme == "https"
            || self.host == "localhost"
            || self.host.ends_with(".localhost")
            || self.host == "127.0.0.1"
            || self.host == "::1"
    }

    /// Same scheme, host and port.
    pub fn same_origin(&self, other: &UrlParts) -> bool {
        self.scheme == other.scheme && self.host == other.host && self.port == other.port
    }

    /// The schemeful site of this URL.
    pub fn site(&self) -> Site {
        Site { scheme: self.scheme.clone(), domain: registrable_domain(&self.host) }
    }

    /// The site as WebKitGTK computes it (libsoup's base domain): under a top-level domain
    /// the list does not know (`.test`), each host is a site of its own.
    pub fn site_known_suffixes_only(&self) -> Site {
        let known = psl::suffix(self.host.as_bytes()).is_some_and(|s| s.is_known());
        let domain = if known || self.host.parse::<std::net::IpAddr>().is_ok() {
            registrable_domain(&self.host)
        } else {
            self.host.clone()
        };
        Site { scheme: self.scheme.clone(), domain }
    }
}

/// The registrable domain of `host` (`app.example.co.uk` → `example.co.uk`); an IP
/// address, a name without a dot or a public suffix itself stays as it is. A top-level
/// domain the list does not know (`.test`) counts as a public suffix, as browsers do.
pub fn registrable_domain(host: &str) -> String {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.parse::<std::net::IpAddr>().is_ok() || !host.contains('.') {
        return host;
    }
    psl::domain_str(&host).map_or(host.clone(), str::to_owned)
}

/// A schemeful site: scheme and registrable domain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    pub scheme: String,
    pub domain: String,
}

impl Site {
    /// Same registrable domain but another scheme: same-site only schemelessly (Chromium's
    /// `Schemeful...` reasons).
    pub fn differs_only_in_scheme(&self, other: &Site) -> bool {
        self.domain == other.domain && self.scheme != other.scheme
    }
}

impl fmt::Display for Site {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.domain)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registrable_domains_follow_the_public_suffix_list() {
        assert_eq!(registrable_domain("app.example.com"), "example.com");
        assert_eq!(registrable_domain("a.b.example.co.uk"), "example.co.uk");
        assert_eq!(registrable_domain("api.example.test"), "example.test");
        // A private suffix: each tenant is its own site.
        assert_eq!(registrable_domain("xyz.execute-api.amazonaws.com"), "amazonaws.com");
        assert_eq!(registrable_domain("me.github.io"), "me.github.io");
        assert_eq!(registrable_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(registrable_domain("localhost"), "localhost");
    }

    #[test]
    fn urls_split_into_what_cookies_need() {
        let u = UrlParts::parse("https://user@API.Example.test:9405/cookies/echo?x=1#f").unwrap();
        assert_eq!(
            (u.scheme.as_str(), u.host.as_str(), u.path.as_str()),
            ("https", "api.example.test", "/cookies/echo")
        );
        assert_eq!(u.site().to_string(), "https://example.test");
        assert_eq!(UrlParts::parse("http://[::1]:80").unwrap().host, "::1");
        assert_eq!(UrlParts::parse("http://h?q").unwrap().path, "/");
        assert!(UrlParts::parse("null").is_none());
        assert!(UrlParts::parse("ftp://x/").is_none());
        assert_eq!(u.site_known_suffixes_only().domain, "api.example.test", "WebKitGTK");
        let com = UrlParts::parse("https://api.example.com/").unwrap();
        assert_eq!(com.site_known_suffixes_only().domain, "example.com");
        let http = UrlParts::parse("http://app.example.test/").unwrap().site();
        assert!(http.differs_only_in_scheme(&u.site()));
    }
}
