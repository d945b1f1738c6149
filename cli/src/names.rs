//! Where host names lead: the page's own origins (to the runner's page servers) and
//! `--resolve HOST:PORT:ADDR` (curl's syntax), for the browser, the forward proxy and the
//! probe endpoint alike. Names not listed resolve as usual.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};

/// One `--resolve HOST:PORT:ADDR`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resolve {
    pub host: String,
    pub port: u16,
    pub addr: IpAddr,
}

impl std::str::FromStr for Resolve {
    type Err = String;

    /// `api.example.test:47401:127.0.0.1`, `api.example.test:443:[::1]`.
    fn from_str(input: &str) -> Result<Resolve, String> {
        let usage = || {
            format!(
                "--resolve {input:?}: expected HOST:PORT:ADDR, e.g. api.example.test:443:127.0.0.1"
            )
        };
        let (host, rest) = input.split_once(':').ok_or_else(usage)?;
        let (port, addr) = rest.split_once(':').ok_or_else(usage)?;
        let host = host.trim().to_ascii_lowercase();
        if host.is_empty() || host.contains(['/', '@', ' ']) {
            return Err(usage());
        }
        let port: u16 =
            port.parse().map_err(|_| format!("--resolve {input:?}: {port:?} is not a port"))?;
        // curl accepts a list of addresses; the first one is used.
        let first = addr.split(',').next().unwrap_or_default();
        let addr: IpAddr = first
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse()
            .map_err(|_| format!("--resolve {input:?}: {first:?} is not an IP address"))?;
        Ok(Resolve { host, port, addr })
    }
}

/// The whole map, host and port to the address to connect to.
#[derive(Clone, Debug, Default)]
pub struct NameMap {
    entries: HashMap<(String, u16), SocketAddr>,
}

impl NameMap {
    pub fn new(resolves: &[Resolve]) -> NameMap {
        let mut map = NameMap::default();
        for r in resolves {
            map.insert(&r.host, r.port, SocketAddr::new(r.addr, r.port));
        }
        map
    }

    /// `host:port` leads to `to` (a page origin served by the runner, say).
    pub fn insert(&mut self, host: &str, port: u16, to: SocketAddr) {
        self.entries.insert((host.to_ascii_lowercase(), port), to);
    }

    /// Where `host:port` leads when this map says so.
    pub fn get(&self, host: &str, port: u16) -> Option<SocketAddr> {
        let host = host.trim_start_matches('[').trim_end_matches(']').to_ascii_lowercase();
        self.entries.get(&(host, port)).copied()
    }

    /// The address(es) to connect to for `host:port`: the map's, else the system resolver's.
    pub async fn lookup(&self, host: &str, port: u16) -> std::io::Result<Vec<SocketAddr>> {
        if let Some(addr) = self.get(host, port) {
            return Ok(vec![addr]);
        }
        let bare = host.trim_start_matches('[').trim_end_matches(']');
        Ok(tokio::net::lookup_host((bare, port)).await?.collect())
    }

    /// Every mapped name with its port, sorted.
    pub fn entries(&self) -> Vec<(String, u16, SocketAddr)> {
        let mut all: Vec<_> = self.entries.iter().map(|((h, p), a)| (h.clone(), *p, *a)).collect();
        all.sort();
        all
    }

    /// Chromium's `--host-resolver-rules`: `MAP host:port addr:port` per entry (the port of
    /// the pattern is matched, the replacement's port is the one connected to).
    pub fn chromium_rules(&self) -> Option<String> {
        let rules: Vec<String> = self
            .entries()
            .into_iter()
            .map(|(host, port, addr)| format!("MAP {host}:{port} {addr}"))
            .collect();
        (!rules.is_empty()).then(|| rules.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolve_takes_curls_syntax() {
        let r: Resolve = "API.example.test:47401:127.0.0.1".parse().unwrap();
        assert_eq!(
            r,
            Resolve { host: "api.example.test".into(), port: 47401, addr: [127, 0, 0, 1].into() }
        );
        let r: Resolve = "h:443:[::1]".parse().unwrap();
        assert_eq!(r.addr, "::1".parse::<IpAddr>().unwrap());
        for bad in ["h", "h:x:127.0.0.1", "h:443:nope", ":443:127.0.0.1"] {
            assert!(bad.parse::<Resolve>().is_err(), "{bad}");
        }
    }

    #[test]
    fn chromium_rules_map_host_and_port() {
        let mut map = NameMap::new(&["api.example.test:47401:127.0.0.1".parse().unwrap()]);
        map.insert("app.example.test", 443, "127.0.0.1:5000".parse().unwrap());
        assert_eq!(
            map.chromium_rules().unwrap(),
            "MAP api.example.test:47401 127.0.0.1:47401, MAP app.example.test:443 127.0.0.1:5000"
        );
        assert_eq!(map.get("APP.example.test", 443), Some("127.0.0.1:5000".parse().unwrap()));
        assert_eq!(map.get("app.example.test", 80), None);
    }
}
