//! [Mixed Content]: an https page may not fetch a URL that is not potentially trustworthy.
//! Browsers refuse such a `fetch()` before any request is made (Chromium's DevTools say
//! `blockedReason: "mixed-content"`), so no probe can find a server behind it.
//!
//! [Mixed Content]: https://w3c.github.io/webappsec-mixed-content/#should-block-fetch

use std::net::{Ipv4Addr, Ipv6Addr};

use crate::browser_name::Family;

/// Is a `fetch()` of `url_origin` (`http://api.example.com:8080`) from a page of
/// `page_origin` blocked as mixed content in `family`? Only pages whose origin is https
/// restrict mixed content (not every potentially trustworthy origin). Chromium and Firefox
/// exempt loopback URLs; WebKitGTK 2.50 refuses them too (seen: even a no-cors request to
/// a listening `http://127.0.0.1` or `http://localhost` server fails from an https page).
pub fn blocks(family: Family, page_origin: &str, url_origin: &str) -> bool {
    if !page_origin.starts_with("https://") {
        return false;
    }
    match family {
        Family::WebKit => !url_origin.starts_with("https://") && !url_origin.starts_with("wss://"),
        _ => !is_potentially_trustworthy(url_origin),
    }
}

/// [Potentially trustworthy]: https, wss, loopback addresses and `localhost` names (which
/// Chromium and Firefox resolve to loopback themselves).
///
/// [Potentially trustworthy]: https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy
pub fn is_potentially_trustworthy(origin: &str) -> bool {
    let Some((scheme, rest)) = origin.split_once("://") else { return false };
    if matches!(scheme, "https" | "wss") {
        return true;
    }
    let host = match rest.strip_prefix('[') {
        Some(v6) => {
            return v6
                .split(']')
                .next()
                .and_then(|h| h.parse::<Ipv6Addr>().ok())
                .is_some_and(|ip| ip.is_loopback())
        }
        None => {
            rest.rsplit_once(':').filter(|(_, p)| p.parse::<u16>().is_ok()).map_or(rest, |(h, _)| h)
        }
    };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    host == "localhost"
        || host.ends_with(".localhost")
        || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(page: &str, url: &str) -> bool {
        super::blocks(Family::Chromium, page, url)
    }

    #[test]
    fn webkit_exempts_no_loopback_url() {
        let page = "https://app.example.com";
        assert!(super::blocks(Family::WebKit, page, "http://127.0.0.1:9181"));
        assert!(super::blocks(Family::WebKit, page, "http://localhost:9181"));
        assert!(!super::blocks(Family::WebKit, page, "https://127.0.0.1:9181"));
        assert!(!super::blocks(Family::Firefox, page, "http://127.0.0.1:9181"));
    }

    #[test]
    fn an_https_page_may_fetch_only_trustworthy_urls() {
        let page = "https://app.example.com";
        assert!(blocks(page, "http://api.example.com"));
        assert!(blocks(page, "http://api.example.com:8080"));
        assert!(blocks(page, "http://10.0.0.1"));
        assert!(!blocks(page, "https://api.example.com"));
        assert!(!blocks(page, "http://localhost:9000"));
        assert!(!blocks(page, "http://api.localhost"));
        assert!(!blocks(page, "http://127.0.0.1:9181"));
        assert!(!blocks(page, "http://127.8.9.1"));
        assert!(!blocks(page, "http://[::1]:80"));
        assert!(blocks(page, "http://[::2]:80"));
    }

    #[test]
    fn only_https_pages_restrict_mixed_content() {
        for page in ["http://app.example.com", "http://localhost:3000", "null"] {
            assert!(!blocks(page, "http://api.example.com"), "{page}");
        }
    }
}
