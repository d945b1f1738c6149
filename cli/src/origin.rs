//! The page's origin as the user names it (`--origin`, a suite's `origins`): what the
//! browser must believe the harness page's origin is.

use std::fmt;

/// The Fetch standard's [bad ports](https://fetch.spec.whatwg.org/#bad-port): a page there never loads.
const BAD_PORTS: [u16; 83] = [
    0, 1, 7, 9, 11, 13, 15, 17, 19, 20, 21, 22, 23, 25, 37, 42, 43, 53, 69, 77, 79, 87, 95, 101,
    102, 103, 104, 109, 110, 111, 113, 115, 117, 119, 123, 135, 137, 139, 143, 161, 179, 389, 427,
    465, 512, 513, 514, 515, 526, 530, 531, 532, 540, 548, 554, 556, 563, 587, 601, 636, 989, 990,
    993, 995, 1719, 1720, 1723, 2049, 3659, 4045, 4190, 5060, 5061, 6000, 6566, 6665, 6666, 6667,
    6668, 6669, 6679, 6697, 10080,
];

/// An origin the runner can serve the harness page as.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum PageOrigin {
    /// `http://` or `https://` with a host name or IP address and a port.
    Tuple { secure: bool, host: String, port: u16 },
    /// `null`: an opaque origin (a sandboxed document), so requests carry `Origin: null`.
    Opaque,
}

impl PageOrigin {
    /// Parses `https://app.example.com`, `http://app.example.com:3000`, `null`; a path,
    /// query, user name or another scheme is an error naming the problem.
    pub fn parse(input: &str) -> Result<PageOrigin, String> {
        let trimmed = input.trim();
        if trimmed == "null" {
            return Ok(PageOrigin::Opaque);
        }
        let url = url::Url::parse(trimmed).map_err(|e| {
            format!("origin {input:?} is not a URL ({e}); write e.g. https://app.example.com")
        })?;
        let secure = match url.scheme() {
            "https" => true,
            "http" => false,
            other => {
                return Err(format!("origin {input:?}: scheme {other}: is not http: or https:"))
            }
        };
        if !url.username().is_empty() || url.password().is_some() {
            return Err(format!("origin {input:?} has a user name or password"));
        }
        if url.path() != "/" || url.query().is_some() || url.fragment().is_some() {
            return Err(format!("origin {input:?} has a path, query or fragment: an origin is scheme, host and port"));
        }
        let host = match url.host() {
            Some(url::Host::Domain(d)) => d.to_owned(),
            Some(url::Host::Ipv4(ip)) => ip.to_string(),
            Some(url::Host::Ipv6(ip)) => format!("[{ip}]"),
            None => return Err(format!("origin {input:?} has no host")),
        };
        let port = url.port_or_known_default().unwrap_or(if secure { 443 } else { 80 });
        if BAD_PORTS.contains(&port) {
            return Err(format!(
                "origin {input:?}: browsers refuse to load anything from port {port} (a bad port in the Fetch standard); choose another port"
            ));
        }
        Ok(PageOrigin::Tuple { secure, host, port })
    }

    /// The host without brackets, for name mapping and certificates.
    pub fn host(&self) -> Option<&str> {
        match self {
            PageOrigin::Tuple { host, .. } => {
                Some(host.trim_start_matches('[').trim_end_matches(']'))
            }
            PageOrigin::Opaque => None,
        }
    }

    pub fn port(&self) -> Option<u16> {
        match self {
            PageOrigin::Tuple { port, .. } => Some(*port),
            PageOrigin::Opaque => None,
        }
    }

    pub fn is_secure(&self) -> bool {
        matches!(self, PageOrigin::Tuple { secure: true, .. })
    }

    /// The page's URL: `https://app.example.com/` (default ports omitted).
    pub fn page_url(&self) -> Option<String> {
        match self {
            PageOrigin::Tuple { .. } => Some(format!("{self}/")),
            PageOrigin::Opaque => None,
        }
    }
}

/// The serialisation browsers send in `Origin`.
impl fmt::Display for PageOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PageOrigin::Opaque => f.write_str("null"),
            PageOrigin::Tuple { secure, host, port } => {
                let scheme = if *secure { "https" } else { "http" };
                let default = if *secure { 443 } else { 80 };
                if *port == default {
                    write!(f, "{scheme}://{host}")
                } else {
                    write!(f, "{scheme}://{host}:{port}")
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_what_users_write() {
        let o = PageOrigin::parse("https://App.Example.com").unwrap();
        assert_eq!(o.to_string(), "https://app.example.com");
        assert_eq!(o.port(), Some(443));
        assert!(o.is_secure());
        let o = PageOrigin::parse("http://app.example.test:3000/").unwrap();
        assert_eq!(o.to_string(), "http://app.example.test:3000");
        assert_eq!(o.page_url().unwrap(), "http://app.example.test:3000/");
        assert_eq!(PageOrigin::parse("null").unwrap(), PageOrigin::Opaque);

        assert_eq!(
            PageOrigin::parse("https://app.example.com:443").unwrap().to_string(),
            "https://app.example.com"
        );
    }

    #[test]
    fn refuses_what_is_not_an_origin() {
        for bad in ["app.example.com", "ftp://x", "https://x/path", "https://u:p@x", "https://x/?q"]
        {
            assert!(PageOrigin::parse(bad).is_err(), "{bad}");
        }
    }
}
