//! `--cookie 'session=abc; SameSite=None; Secure; HttpOnly; Partitioned'`: the user's
//! logged-in cookie, as a suite's preset cookie for the audited API.

use crate::suite::{PresetCookie, SameSite};

/// Parses one `--cookie` value, written as a `Set-Cookie` line, into a cookie set for
/// `target`'s origin (host-only, at `Path` or `/`). `Expires` and `Max-Age` are accepted
/// and ignored (the cookie lives as long as the browser session).
pub fn parse_cookie(text: &str, target: &str) -> Result<PresetCookie, String> {
    let origin = origin_of(target)?;
    let mut parts = text.split(';').map(str::trim);
    let pair = parts.next().unwrap_or_default();
    let (name, value) = pair.split_once('=').ok_or_else(|| {
        format!("--cookie {text:?}: write it as NAME=VALUE[; SameSite=None; Secure; ...]")
    })?;
    let name = name.trim();
    if name.is_empty() || !crate::fetch::is_token(name) {
        return Err(format!("--cookie {text:?}: {name:?} is not a cookie name"));
    }
    let mut cookie = PresetCookie {
        url: format!("{origin}/"),
        name: name.to_owned(),
        value: value.trim().to_owned(),
        same_site: None,
        secure: None,
        http_only: None,
        partitioned: None,
    };
    for attribute in parts.filter(|p| !p.is_empty()) {
        let (key, val) = match attribute.split_once('=') {
            Some((k, v)) => (k.trim(), Some(v.trim())),
            None => (attribute, None),
        };
        match (key.to_ascii_lowercase().as_str(), val) {
            ("samesite", Some(v)) => {
                cookie.same_site = Some(match v.to_ascii_lowercase().as_str() {
                    "strict" => SameSite::Strict,
                    "lax" => SameSite::Lax,
                    "none" => SameSite::None,
                    _ => {
                        return Err(format!(
                            "--cookie {text:?}: SameSite={v} is not Strict, Lax or None"
                        ))
                    }
                })
            }
            ("secure", None) => cookie.secure = Some(true),
            ("httponly", None) => cookie.http_only = Some(true),
            ("partitioned", None) => cookie.partitioned = Some(true),
            ("path", Some(path)) if path.starts_with('/') => {
                cookie.url = format!("{origin}{path}");
            }
            ("expires" | "max-age", Some(_)) => {}
            ("domain", _) => {
                return Err(format!(
                "--cookie {text:?}: Domain= is not supported: the cookie is set for {origin} only"
            ))
            }
            _ => return Err(format!("--cookie {text:?}: unknown attribute {attribute:?}")),
        }
    }
    Ok(cookie)
}

/// `scheme://host[:port]` of an absolute http(s) URL.
fn origin_of(url: &str) -> Result<String, String> {
    let (scheme, rest) = url
        .split_once("://")
        .filter(|(s, _)| matches!(s.to_ascii_lowercase().as_str(), "http" | "https"))
        .ok_or_else(|| format!("{url:?} is not an http(s) URL"))?;
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let authority = authority.rsplit('@').next().unwrap_or_default();
    if authority.is_empty() {
        return Err(format!("{url:?} has no host"));
    }
    Ok(format!("{}://{}", scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_cookie_line_becomes_a_preset_cookie_for_the_target() {
        let c = parse_cookie(
            "session=abc; SameSite=None; Secure; HttpOnly; Partitioned",
            "https://API.example.com:8443/me?x=1",
        )
        .unwrap();
        assert_eq!(c.url, "https://api.example.com:8443/");
        assert_eq!((c.name.as_str(), c.value.as_str()), ("session", "abc"));
        assert_eq!(c.same_site, Some(SameSite::None));
        assert_eq!((c.secure, c.http_only, c.partitioned), (Some(true), Some(true), Some(true)));
        let c = parse_cookie("id=a=b; Path=/api; Max-Age=60", "http://x.test/api/me").unwrap();
        assert_eq!(c.url, "http://x.test/api");
        assert_eq!(c.value, "a=b");
        assert_eq!(c.same_site, None);
    }

    #[test]
    fn bad_cookies_name_the_problem() {
        for (bad, words) in [
            ("session", "NAME=VALUE"),
            ("a b=c", "not a cookie name"),
            ("s=1; SameSite=Sometimes", "SameSite=Sometimes"),
            ("s=1; Domain=example.com", "Domain="),
            ("s=1; Priority=High", "unknown attribute"),
        ] {
            let err = parse_cookie(bad, "https://api.example.com/").unwrap_err();
            assert!(err.contains(words), "{bad}: {err}");
        }
        assert!(parse_cookie("s=1", "ftp://x/").is_err());
    }
}
