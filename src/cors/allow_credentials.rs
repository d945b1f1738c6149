//! The `Access-Control-Allow-Credentials` step of the [CORS check].
//!
//! See [MDN](https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Access-Control-Allow-Credentials).
//!
//! [CORS check]: https://fetch.spec.whatwg.org/#cors-check

use super::exchange::WireResponse;
use super::failure::CheckFailure;
use super::firefox_key::FirefoxKey;
use super::reason::CorsError;

pub const NAME: &str = "access-control-allow-credentials";

/// A request with credentials needs exactly `true` (case-sensitive); others need nothing.
pub fn check(response: &WireResponse, credentials: bool) -> Result<(), CheckFailure> {
    if !credentials {
        return Ok(());
    }
    let value = response.combined(NAME);
    if value.as_deref() == Some("true") {
        return Ok(());
    }
    Err(CheckFailure::new(
        CorsError::InvalidAllowCredentials,
        FirefoxKey::MissingAllowCredentials,
        value.unwrap_or_default(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn acac(values: &[&str]) -> WireResponse {
        WireResponse {
            status: 200,
            headers: values
                .iter()
                .map(|v| ("Access-Control-Allow-Credentials".into(), (*v).into()))
                .collect(),
        }
    }

    #[test]
    fn only_exact_true_passes() {
        assert!(check(&acac(&["true"]), true).is_ok());
        assert!(check(&acac(&[]), false).is_ok(), "without credentials it is not consulted");
        for (values, parameter) in
            [(&["True"][..], "True"), (&["1"], "1"), (&[], ""), (&["true", "true"], "true, true")]
        {
            let failure = check(&acac(values), true).unwrap_err();
            assert_eq!(failure.error, CorsError::InvalidAllowCredentials);
            assert_eq!(failure.firefox_key, FirefoxKey::MissingAllowCredentials);
            assert_eq!(failure.failed_parameter, parameter);
        }
    }
}
