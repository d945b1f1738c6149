//! Just enough of [MIME type parsing] to find a type's essence, as the
//! `Content-Type` safelist requires.
//!
//! [MIME type parsing]: https://mimesniff.spec.whatwg.org/#parse-a-mime-type

use super::{is_http_whitespace, is_token};

/// The lower-case `type/subtype` essence of `input`, or `None` where parsing fails.
pub fn essence(input: &str) -> Option<String> {
    let input = input.trim_matches(is_http_whitespace);
    let (kind, rest) = input.split_once('/')?;
    let subtype = rest.split(';').next()?.trim_end_matches(is_http_whitespace);
    (is_token(kind) && is_token(subtype))
        .then(|| format!("{}/{}", kind.to_ascii_lowercase(), subtype.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::essence;

    #[test]
    fn essences() {
        assert_eq!(essence(" Text/Plain ;charset=utf-8").as_deref(), Some("text/plain"));
        assert_eq!(essence("application/json").as_deref(), Some("application/json"));
        assert_eq!(essence("text/plain;").as_deref(), Some("text/plain"));
        assert_eq!(essence("text /plain"), None);
        assert_eq!(essence("text/"), None);
        assert_eq!(essence("/plain"), None);
        assert_eq!(essence("textplain"), None);
        assert_eq!(essence("text/plain, application/json"), None);
    }
}
