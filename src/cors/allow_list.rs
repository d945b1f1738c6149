//! Parsing of `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers`: a
//! comma-separated list of tokens ([Fetch: CORS protocol](https://fetch.spec.whatwg.org/#http-new-header-syntax)).

/// The items of an allow-list header: split on commas, trimmed, empty items skipped.
/// `None` when an item is not an HTTP token (the whole header is then unusable).
pub fn parse(value: Option<&str>) -> Option<Vec<String>> {
    let mut items = Vec::new();
    let Some(value) = value else { return Some(items) };
    for item in value.split(',') {
        let item = item.trim_matches([' ', '\t']);
        if item.is_empty() {
            continue;
        }
        if !is_token(item) {
            return None;
        }
        if !items.iter().any(|i| i == item) {
            items.push(item.to_owned());
        }
    }
    Some(items)
}

/// An HTTP [token](https://httpwg.org/specs/rfc9110.html#tokens): one or more tchars.
pub fn is_token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(
                    b,
                    b'!' | b'#'
                        | b'$'
                        | b'%'
                        | b'&'
                        | b'\''
                        | b'*'
                        | b'+'
                        | b'-'
                        | b'.'
                        | b'^'
                        | b'_'
                        | b'`'
                        | b'|'
                        | b'~'
                )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists() {
        assert_eq!(parse(None), Some(vec![]));
        assert_eq!(parse(Some("")), Some(vec![]));
        assert_eq!(
            parse(Some("GET, PUT,,DELETE ,")),
            Some(vec!["GET".into(), "PUT".into(), "DELETE".into()])
        );
        assert_eq!(parse(Some("PUT, PUT")), Some(vec!["PUT".into()]));
        assert_eq!(parse(Some("*")), Some(vec!["*".into()]));
    }

    #[test]
    fn non_tokens_spoil_the_list() {
        for bad in ["PUT DELETE", "\"PUT\"", "GET;", "x/y", "é", "a, b c"] {
            assert_eq!(parse(Some(bad)), None, "{bad:?}");
        }
    }
}
