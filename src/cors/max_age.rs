//! `Access-Control-Max-Age`: how long a preflight's answer is cached.
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Max-Age).

use super::exchange::WireResponse;

pub const NAME: &str = "access-control-max-age";
/// Chromium caps the cache at two hours.
pub const CHROMIUM_CAP_SECONDS: u64 = 7200;
/// Firefox caps it at a day.
pub const FIREFOX_CAP_SECONDS: u64 = 86400;

/// The seconds asked for, when the header is a plain number.
pub fn seconds(preflight: &WireResponse) -> Option<u64> {
    let value = preflight.combined(NAME)?;
    (!value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()))
        .then(|| value.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_plain_numbers_only() {
        assert_eq!(
            seconds(&WireResponse::new(204, &[("Access-Control-Max-Age", "86400")])),
            Some(86400)
        );
        assert_eq!(seconds(&WireResponse::new(204, &[("Access-Control-Max-Age", "-1")])), None);
        assert_eq!(seconds(&WireResponse::new(204, &[])), None);
    }
}
