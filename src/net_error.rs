//! Network errors: what took a response's place, named as Chromium names them
//! (`net::ERR_CONNECTION_REFUSED`, its DevTools `errorText`), whoever saw it: the probe
//! endpoint's replay, the evaluator, or the browser's own log.
//!
//! In JSON an error is the one string Chromium would print, with the harness's detail in
//! parentheses (`net::ERR_CONNECTION_FAILED (Network is unreachable)`); [`NetError::parse`]
//! reads that back, in this one place.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::names::named_enum;

named_enum! {
    /// Chromium's net error names (`net/base/net_error_list.h`) that the harness makes
    /// or reasons about.
    pub enum NetErrorCode {
        Failed = "net::ERR_FAILED",
        Aborted = "net::ERR_ABORTED",
        InvalidArgument = "net::ERR_INVALID_ARGUMENT",
        TimedOut = "net::ERR_TIMED_OUT",
        BlockedByClient = "net::ERR_BLOCKED_BY_CLIENT",
        BlockedByResponse = "net::ERR_BLOCKED_BY_RESPONSE",
        ConnectionClosed = "net::ERR_CONNECTION_CLOSED",
        ConnectionReset = "net::ERR_CONNECTION_RESET",
        ConnectionRefused = "net::ERR_CONNECTION_REFUSED",
        ConnectionAborted = "net::ERR_CONNECTION_ABORTED",
        ConnectionFailed = "net::ERR_CONNECTION_FAILED",
        NameNotResolved = "net::ERR_NAME_NOT_RESOLVED",
        AddressUnreachable = "net::ERR_ADDRESS_UNREACHABLE",
        ConnectionTimedOut = "net::ERR_CONNECTION_TIMED_OUT",
        SslProtocolError = "net::ERR_SSL_PROTOCOL_ERROR",
        SslVersionOrCipherMismatch = "net::ERR_SSL_VERSION_OR_CIPHER_MISMATCH",
        CertCommonNameInvalid = "net::ERR_CERT_COMMON_NAME_INVALID",
        CertDateInvalid = "net::ERR_CERT_DATE_INVALID",
        CertAuthorityInvalid = "net::ERR_CERT_AUTHORITY_INVALID",
        CertContainsErrors = "net::ERR_CERT_CONTAINS_ERRORS",
        CertNoRevocationMechanism = "net::ERR_CERT_NO_REVOCATION_MECHANISM",
        CertUnableToCheckRevocation = "net::ERR_CERT_UNABLE_TO_CHECK_REVOCATION",
        CertRevoked = "net::ERR_CERT_REVOKED",
        CertInvalid = "net::ERR_CERT_INVALID",
        CertWeakSignatureAlgorithm = "net::ERR_CERT_WEAK_SIGNATURE_ALGORITHM",
        CertNonUniqueName = "net::ERR_CERT_NON_UNIQUE_NAME",
        CertWeakKey = "net::ERR_CERT_WEAK_KEY",
        CertNameConstraintViolation = "net::ERR_CERT_NAME_CONSTRAINT_VIOLATION",
        CertValidityTooLong = "net::ERR_CERT_VALIDITY_TOO_LONG",
        CertificateTransparencyRequired = "net::ERR_CERTIFICATE_TRANSPARENCY_REQUIRED",
        CertKnownInterceptionBlocked = "net::ERR_CERT_KNOWN_INTERCEPTION_BLOCKED",
        CertSelfSignedLocalNetwork = "net::ERR_CERT_SELF_SIGNED_LOCAL_NETWORK",
        InvalidUrl = "net::ERR_INVALID_URL",
        UnsafeRedirect = "net::ERR_UNSAFE_REDIRECT",
        UnsafePort = "net::ERR_UNSAFE_PORT",
        InvalidRedirect = "net::ERR_INVALID_REDIRECT",
        TooManyRedirects = "net::ERR_TOO_MANY_REDIRECTS",
        EmptyResponse = "net::ERR_EMPTY_RESPONSE",
        ResponseHeadersMultipleLocation = "net::ERR_RESPONSE_HEADERS_MULTIPLE_LOCATION",
        ResponseHeadersTooBig = "net::ERR_RESPONSE_HEADERS_TOO_BIG",
        InvalidHttpResponse = "net::ERR_INVALID_HTTP_RESPONSE",
    }
}

impl NetErrorCode {
    /// A certificate the browser does not accept (untrusted, expired, wrong name, ...).
    pub fn is_certificate(self) -> bool {
        is_certificate_name(self.as_str())
    }
}

fn is_certificate_name(name: &str) -> bool {
    name.starts_with("net::ERR_CERT_") || name == "net::ERR_CERTIFICATE_TRANSPARENCY_REQUIRED"
}

/// What the replaying side says when it chose not to send a message.
const NOT_REPLAYED: &str = "not replayed";

/// A network error in place of a response.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NetError {
    /// One of Chromium's net errors, with what the harness knows more (the OS error, ...).
    Net { code: NetErrorCode, detail: Option<String> },
    /// A name this harness does not know (a newer browser's), kept verbatim.
    Unrecognized(String),
    /// The replaying side chose not to send the message (outside the suite's origins, a
    /// scheme it does not speak): the exchange is incomplete, not failed.
    NotReplayed(String),
}

impl NetError {
    /// `code` without detail.
    pub fn new(code: NetErrorCode) -> Self {
        NetError::Net { code, detail: None }
    }

    /// `code` with the harness's detail, shown in parentheses.
    pub fn with_detail(code: NetErrorCode, detail: impl fmt::Display) -> Self {
        NetError::Net { code, detail: Some(detail.to_string()) }
    }

    /// A message the replaying side did not send, and why.
    pub fn not_replayed(why: impl Into<String>) -> Self {
        NetError::NotReplayed(why.into())
    }

    /// Reads the text form (a DevTools `errorText`, or this type's own JSON).
    pub fn parse(text: &str) -> NetError {
        if let Some(why) = text.strip_prefix(NOT_REPLAYED) {
            return NetError::NotReplayed(why.trim_start_matches(':').trim().to_owned());
        }
        let (name, detail) = match text.split_once(" (") {
            Some((name, rest)) => (name, Some(rest.strip_suffix(')').unwrap_or(rest).to_owned())),
            None => (text, None),
        };
        match NetErrorCode::from_name(name) {
            Some(code) => NetError::Net { code, detail },
            None => NetError::Unrecognized(text.to_owned()),
        }
    }

    /// The known code, if any.
    pub fn code(&self) -> Option<NetErrorCode> {
        match self {
            NetError::Net { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Chromium's name for it (`net::ERR_...`), when it has one.
    pub fn name(&self) -> Option<&str> {
        match self {
            NetError::Net { code, .. } => Some(code.as_str()),
            NetError::Unrecognized(text) => Some(text.split(" (").next().unwrap_or(text)),
            NetError::NotReplayed(_) => None,
        }
    }

    /// Nothing answered at that address: refused, reset, empty reply, no such name.
    /// (A timeout is not proof: a slow server is there.)
    pub fn is_dead_server(&self) -> bool {
        matches!(
            self.code(),
            Some(
                NetErrorCode::ConnectionRefused
                    | NetErrorCode::ConnectionReset
                    | NetErrorCode::EmptyResponse
                    | NetErrorCode::NameNotResolved
            )
        )
    }

    /// The server's certificate was refused (`net::ERR_CERT_*`, known or not).
    pub fn is_certificate(&self) -> bool {
        self.name().is_some_and(is_certificate_name)
    }

    /// The replaying side did not send it.
    pub fn is_not_replayed(&self) -> bool {
        matches!(self, NetError::NotReplayed(_))
    }
}

impl From<NetErrorCode> for NetError {
    fn from(code: NetErrorCode) -> Self {
        NetError::new(code)
    }
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::Net { code, detail: None } => f.write_str(code.as_str()),
            NetError::Net { code, detail: Some(detail) } => write!(f, "{code} ({detail})"),
            NetError::Unrecognized(text) => f.write_str(text),
            NetError::NotReplayed(why) => write!(f, "{NOT_REPLAYED}: {why}"),
        }
    }
}

impl Serialize for NetError {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for NetError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        String::deserialize(deserializer).map(|text| NetError::parse(&text))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_round_trips() {
        for error in [
            NetError::new(NetErrorCode::ConnectionRefused),
            NetError::with_detail(
                NetErrorCode::ConnectionFailed,
                "Network is unreachable (os error 101)",
            ),
            NetError::Unrecognized("net::ERR_SOMETHING_NEW".into()),
            NetError::not_replayed("https://x/ is outside the suite's origins"),
        ] {
            let json = serde_json::to_string(&error).unwrap();
            assert_eq!(serde_json::from_str::<NetError>(&json).unwrap(), error, "{json}");
        }
        assert_eq!(
            serde_json::to_string(&NetError::with_detail(NetErrorCode::InvalidUrl, "empty host"))
                .unwrap(),
            "\"net::ERR_INVALID_URL (empty host)\"",
            "the JSON the exchange always had"
        );
        assert_eq!(
            NetError::parse("not replayed: the probe endpoint replays http only"),
            NetError::NotReplayed("the probe endpoint replays http only".into())
        );
    }

    #[test]
    fn kinds() {
        assert!(NetError::parse("net::ERR_CERT_AUTHORITY_INVALID").is_certificate());
        assert!(NetError::parse("net::ERR_CERT_SOMETHING_NEWER").is_certificate());
        assert!(!NetError::parse("net::ERR_CONNECTION_REFUSED").is_certificate());
        assert!(NetError::parse("net::ERR_CONNECTION_REFUSED").is_dead_server());
        assert!(!NetError::parse("net::ERR_TIMED_OUT").is_dead_server());
        assert!(NetError::parse("not replayed: x").is_not_replayed());
        for &code in NetErrorCode::ALL {
            assert_eq!(NetError::parse(code.as_str()).code(), Some(code));
        }
    }
}
