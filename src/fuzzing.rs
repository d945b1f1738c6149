//! Entry points for the fuzz targets (`fuzz/`) and their smoke test: arbitrary bytes in,
//! no panic out. Not part of the API.
#![doc(hidden)]

use crate::browser_name::Family;
use crate::cors::{self, CorsRequest, Exchange, Rules, Step, StepKind, WireRequest, WireResponse};
use crate::net_error::NetErrorCode;
use crate::suite::{Credentials, Suite};

/// Reads bytes as a small program of choices.
struct Bytes<'a> {
    data: &'a [u8],
}

impl Bytes<'_> {
    fn byte(&mut self) -> u8 {
        match self.data.split_first() {
            Some((first, rest)) => {
                self.data = rest;
                *first
            }
            None => 0,
        }
    }

    /// A short string: from a dictionary of CORS-relevant words, or raw bytes.
    fn text(&mut self) -> String {
        const WORDS: [&str; 24] = [
            "*",
            "null",
            "true",
            "True",
            "http://page.test",
            "http://page.test/",
            "http://a.test",
            "GET",
            "PUT",
            "patch",
            "OPTIONS",
            "x-custom",
            "authorization",
            "content-type",
            "Access-Control-Allow-Origin",
            "access-control-allow-origin",
            "Access-Control-Allow-Credentials",
            "Access-Control-Allow-Methods",
            "Access-Control-Allow-Headers",
            "Location",
            "Vary",
            "Access-Control-Max-Age",
            "http://u:p@b.test/x",
            "/relative",
        ];
        let choice = self.byte();
        if choice < 200 {
            return WORDS[usize::from(choice) % WORDS.len()].to_owned();
        }
        let len = usize::from(self.byte() % 24);
        let raw: Vec<u8> = (0..len).map(|_| self.byte()).collect();
        String::from_utf8_lossy(&raw).into_owned()
    }

    fn headers(&mut self) -> Vec<(String, String)> {
        (0..self.byte() % 6).map(|_| (self.text(), self.text())).collect()
    }
}

/// Evaluates an arbitrary exchange for an arbitrary request, in both browsers' rules.
pub fn evaluate_bytes(data: &[u8]) {
    let mut b = Bytes { data };
    let credentials = match b.byte() % 3 {
        0 => Credentials::Omit,
        1 => Credentials::SameOrigin,
        _ => Credentials::Include,
    };
    let request = CorsRequest {
        origin: "http://page.test".to_owned(),
        url: if b.byte() % 4 == 0 { b.text() } else { "http://a.test/x".to_owned() },
        method: b.text(),
        headers: b.headers(),
        credentials,
        body: (b.byte() % 2 == 0).then(|| b.text()),
    };
    let steps = (0..b.byte() % 8)
        .map(|_| {
            let request = WireRequest {
                kind: if b.byte() % 2 == 0 { StepKind::Preflight } else { StepKind::Actual },
                method: b.text(),
                url: b.text(),
                headers: Vec::new(),
                body: None,
            };
            let status = u16::from(b.byte()) + u16::from(b.byte() % 5) * 100;
            if b.byte() % 8 == 0 {
                Step::failed(request, NetErrorCode::ConnectionRefused.into())
            } else {
                Step::answered(request, WireResponse { status, headers: b.headers() })
            }
        })
        .collect();
    let exchange = Exchange { steps };
    for family in [Family::Chromium, Family::Firefox] {
        let walked = cors::evaluate(&request, Rules::of(family), &cors::url::NativeUrls, &exchange);
        let _ = serde_json::to_string(&walked.exchange);
    }
}

/// Parses arbitrary text as a suite.
pub fn parse_suite_bytes(data: &[u8]) {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Suite::parse(text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A deterministic stand-in for the fuzzers on every `cargo test`.
    #[test]
    fn no_panic_on_generated_inputs() {
        let mut state: u64 = 0x2545_F491_4F6C_DD1D;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let data: Vec<u8> = (0..(next() % 160)).map(|_| next() as u8).collect();
            evaluate_bytes(&data);
        }
        let fragments = [
            "{",
            "}",
            "\"cases\"",
            ":",
            "[",
            "]",
            ",",
            "\"id\"",
            "\"url\"",
            "\"x\"",
            "1",
            "null",
            "\"expect\"",
            "\"defaults\"",
        ];
        for _ in 0..20_000 {
            let text: String = (0..(next() % 24))
                .map(|_| fragments[(next() % fragments.len() as u64) as usize])
                .collect();
            parse_suite_bytes(text.as_bytes());
            let data: Vec<u8> = (0..(next() % 64)).map(|_| next() as u8).collect();
            parse_suite_bytes(&data);
        }
    }
}
