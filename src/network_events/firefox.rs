//! Firefox's exchanges from WebDriver BiDi `network.*` events.

use serde_json::Value;

use super::wire_request;
use crate::cors::{Exchange, Step, StepKind, WireResponse};
use crate::net_error::{NetError, NetErrorCode};

/// The events BiDi must be subscribed to for [`exchange_of`].
pub const EVENTS: [&str; 4] = [
    "network.beforeRequestSent",
    "network.responseStarted",
    "network.responseCompleted",
    "network.fetchError",
];

/// BiDi's header list (`[{ name, value: { type: "string", value } }]`).
fn header_lines(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|h| {
            Some((h["name"].as_str()?.to_owned(), h["value"]["value"].as_str()?.to_owned()))
        })
        .collect()
}

/// Firefox's name for a failure that happened on the network (not a CORS or other policy
/// refusal, which BiDi reports as `NS_ERROR_DOM_BAD_URI` after the response).
fn network_error(text: &str) -> Option<NetError> {
    let code = match text {
        "NS_ERROR_DOM_BAD_URI" | "NS_BINDING_ABORTED" | "NS_ERROR_ABORT" => return None,
        "NS_ERROR_CONNECTION_REFUSED" => NetErrorCode::ConnectionRefused,
        "NS_ERROR_NET_RESET" | "NS_ERROR_NET_INTERRUPT" => NetErrorCode::ConnectionReset,
        "NS_ERROR_NET_EMPTY_RESPONSE" => NetErrorCode::EmptyResponse,
        "NS_ERROR_UNKNOWN_HOST" => NetErrorCode::NameNotResolved,
        "NS_ERROR_NET_TIMEOUT" => NetErrorCode::TimedOut,
        "SEC_ERROR_UNKNOWN_ISSUER" => NetErrorCode::CertAuthorityInvalid,
        "SSL_ERROR_BAD_CERT_DOMAIN" => NetErrorCode::CertCommonNameInvalid,
        "SEC_ERROR_EXPIRED_CERTIFICATE" => NetErrorCode::CertDateInvalid,
        other => return Some(NetError::Unrecognized(other.to_owned())),
    };
    Some(NetError::with_detail(code, text))
}

/// The events of one request id, by kind.
struct Request<'a> {
    events: Vec<&'a Value>,
}

impl<'a> Request<'a> {
    fn of(events: &'a [Value], id: &str) -> Self {
        Request {
            events: events
                .iter()
                .filter(|e| e["params"]["request"]["request"].as_str() == Some(id))
                .collect(),
        }
    }

    /// `beforeRequestSent` of each hop, in redirect order.
    fn hops(&self) -> Vec<&'a Value> {
        let mut hops: Vec<&Value> = Vec::new();
        for event in &self.events {
            let seen = hops
                .iter()
                .any(|h| h["params"]["redirectCount"] == event["params"]["redirectCount"]);
            if event["method"] == "network.beforeRequestSent" && !seen {
                hops.push(event);
            }
        }
        hops.sort_by_key(|e| e["params"]["redirectCount"].as_u64());
        hops
    }

    /// The response of hop `redirect_count` (headers as they arrived: `responseStarted`).
    fn response(&self, redirect_count: &Value) -> Option<WireResponse> {
        let of_hop = |method: &str| {
            self.events
                .iter()
                .find(|e| e["method"] == method && &e["params"]["redirectCount"] == redirect_count)
        };
        let event =
            of_hop("network.responseStarted").or_else(|| of_hop("network.responseCompleted"))?;
        let response = &event["params"]["response"];
        Some(WireResponse {
            status: response["status"].as_u64().and_then(|s| u16::try_from(s).ok())?,
            headers: header_lines(&response["headers"]),
        })
    }

    /// The network error that ended it, if one did.
    fn network_error(&self) -> Option<NetError> {
        self.events
            .iter()
            .filter(|e| e["method"] == "network.fetchError")
            .find_map(|e| network_error(e["params"]["errorText"].as_str()?))
    }
}

/// The exchange of the page's first request for `url` with `method`, from Firefox's
/// BiDi events: each hop's preflight (its own `OPTIONS` request to the hop's URL) and the
/// hop. `None` when no such request was seen.
pub fn exchange_of(events: &[Value], url: &str, method: &str) -> Option<Exchange> {
    let first = events.iter().find(|e| {
        let request = &e["params"]["request"];
        e["method"] == "network.beforeRequestSent"
            && request["url"] == url
            && request["method"].as_str().is_some_and(|m| m.eq_ignore_ascii_case(method))
            && e["params"]["redirectCount"].as_u64().unwrap_or(0) == 0
    })?;
    let id = first["params"]["request"]["request"].as_str()?;
    let request = Request::of(events, id);
    let mut steps = Vec::new();
    for hop in request.hops() {
        let hop_url = hop["params"]["request"]["url"].as_str().unwrap_or_default();
        let preflighted = push_preflights(events, id, hop_url, &mut steps);
        let wire = wire_request(
            StepKind::Actual,
            hop["params"]["request"]["method"].as_str().unwrap_or_default(),
            hop_url,
            header_lines(&hop["params"]["request"]["headers"]),
            None,
        );
        match (request.response(&hop["params"]["redirectCount"]), request.network_error()) {
            (Some(response), _) => steps.push(Step::answered(wire, response)),
            (None, Some(error)) if !preflighted => {
                steps.push(Step::failed(wire, error));
                break;
            }
            _ => break,
        }
    }
    (!steps.is_empty()).then_some(Exchange { steps })
}

/// Adds the preflights Firefox sent for the hop to `url` (their own request ids); `true`
/// when there was one.
fn push_preflights(events: &[Value], page_id: &str, url: &str, steps: &mut Vec<Step>) -> bool {
    let preflights = events.iter().filter(|e| {
        let request = &e["params"]["request"];
        e["method"] == "network.beforeRequestSent"
            && request["url"] == url
            && request["method"] == "OPTIONS"
            && request["request"].as_str() != Some(page_id)
            && header_lines(&request["headers"])
                .iter()
                .any(|(name, _)| name.eq_ignore_ascii_case("access-control-request-method"))
    });
    let mut any = false;
    for event in preflights {
        let Some(id) = event["params"]["request"]["request"].as_str() else { continue };
        let preflight = Request::of(events, id);
        let request = &event["params"]["request"];
        let wire = wire_request(
            StepKind::Preflight,
            "OPTIONS",
            url,
            header_lines(&request["headers"]),
            None,
        );
        steps.push(match preflight.response(&event["params"]["redirectCount"]) {
            Some(response) => Step::answered(wire, response),
            None => Step::failed(
                wire,
                preflight.network_error().unwrap_or_else(|| NetErrorCode::Failed.into()),
            ),
        });
        any = true;
    }
    any
}
