//! The [CORS check]: is this response shared with the requesting origin?
//!
//! Run on every response of a request whose response tainting is `cors`: redirects,
//! the final response, and (with the request's credentials mode) the preflight.
//!
//! [CORS check]: https://fetch.spec.whatwg.org/#cors-check

use super::exchange::WireResponse;
use super::failure::CheckFailure;
use super::{allow_credentials, allow_origin};

/// `Access-Control-Allow-Origin`, then `Access-Control-Allow-Credentials`.
pub fn check(response: &WireResponse, origin: &str, credentials: bool) -> Result<(), CheckFailure> {
    allow_origin::check(response, origin, credentials)?;
    allow_credentials::check(response, credentials)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cors::CorsError;

    const ORIGIN: &str = "http://127.0.0.1:8080";

    #[test]
    fn origin_before_credentials() {
        let wildcard_and_true = WireResponse::new(
            200,
            &[("Access-Control-Allow-Origin", "*"), ("Access-Control-Allow-Credentials", "true")],
        );
        assert!(
            check(&wildcard_and_true, ORIGIN, false).is_ok(),
            "the serverless API works without cookies"
        );
        assert_eq!(
            check(&wildcard_and_true, ORIGIN, true).unwrap_err().error,
            CorsError::WildcardOriginNotAllowed,
            "and blocks every request with cookies"
        );
        let origin_only = WireResponse::new(200, &[("Access-Control-Allow-Origin", ORIGIN)]);
        assert_eq!(
            check(&origin_only, ORIGIN, true).unwrap_err().error,
            CorsError::InvalidAllowCredentials
        );
        let none = WireResponse::new(200, &[("Access-Control-Allow-Credentials", "true")]);
        assert_eq!(
            check(&none, ORIGIN, true).unwrap_err().error,
            CorsError::MissingAllowOriginHeader
        );
    }
}
