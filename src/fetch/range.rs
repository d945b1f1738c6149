//! [Parse a single range header value], as the `Range` safelist requires.
//!
//! [Parse a single range header value]: https://fetch.spec.whatwg.org/#simple-range-header-value

/// `(start, end)` of a `bytes=` range with a single part, or `None` where parsing fails.
pub fn parse_single(value: &str) -> Option<(Option<u64>, Option<u64>)> {
    let rest = value.get(..6).filter(|p| p.eq_ignore_ascii_case("bytes="))?;
    let rest = &value[rest.len()..];
    let (start, end) = rest.split_once('-')?;
    let number = |s: &str| -> Option<Option<u64>> {
        let s = s.trim_matches(|c| c == ' ' || c == '\t');
        if s.is_empty() {
            Some(None)
        } else if s.bytes().all(|b| b.is_ascii_digit()) {
            s.parse().ok().map(Some)
        } else {
            None
        }
    };
    let (start, end) = (number(start)?, number(end)?);
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if s > e => None,
        range => Some(range),
    }
}

#[cfg(test)]
mod tests {
    use super::parse_single;

    #[test]
    fn ranges() {
        assert_eq!(parse_single("bytes=0-"), Some((Some(0), None)));
        assert_eq!(parse_single("BYTES=5-10"), Some((Some(5), Some(10))));
        assert_eq!(parse_single("bytes=-500"), Some((None, Some(500))));
        assert_eq!(parse_single("bytes=10-5"), None);
        assert_eq!(parse_single("bytes=-"), None);
        assert_eq!(parse_single("bytes=1-2,3-4"), None);
        assert_eq!(parse_single("bits=1-2"), None);
        assert_eq!(parse_single("bytes"), None);
    }
}
