//! The Fetch standard's request-side rules, as pure functions.
//!
//! Each module is named after the concept of the [Fetch standard] it implements;
//! nothing here touches the browser, so everything is tested with `cargo test`.
//!
//! [Fetch standard]: https://fetch.spec.whatwg.org/

pub mod credentials;
pub mod header;
pub mod method;
pub mod mime;
pub mod mixed_content;
pub mod preflight;
pub mod range;

/// Is `s` an HTTP [token] (the grammar of methods and header names)?
///
/// [token]: https://fetch.spec.whatwg.org/#concept-method
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_token_byte)
}

/// A byte of an HTTP token: `!#$%&'*+-.^_`|~`, digits and ASCII letters.
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

/// HTTP whitespace for header values: tab, line feed, carriage return, space.
pub(crate) fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(is_token("GET"));
        assert!(is_token("x-custom_1"));
        assert!(!is_token(""));
        assert!(!is_token("a b"));
        assert!(!is_token("a:b"));
        assert!(!is_token("é"));
    }
}
