//! Firefox's exchanges from WebDriver BiDi `network.*` events.

use std::collections::HashMap;

use serde_json::Value;

use super::{wire_request, Seen};
use crate::cookies::SeenOnTheWire;
use crate::cors::{Exchange, Step, StepKind, WireResponse};
use crate::import::rules::cookie_pairs;
use crate::net_error::{NetError, NetErrorCode};

/// The events BiDi must be subscribed to for [`Traces`].
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

/// The values of header `name` in a BiDi header list, in order.
fn header_values(headers: &Value, name: &str) -> Vec<String> {
    header_lines(headers)
        .into_iter()
        .filter(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v)
        .collect()
}

/// A failure Firefox names that happened on the network (`None` for a refusal by a policy:
/// CORS, which BiDi reports as `NS_ERROR_DOM_BAD_URI`, CSP, CORP, an abort, ...). A name
/// this list does not know counts as a network failure: unreachable is the cautious reading.
fn network_error(text: &str) -> Option<NetError> {
    // NSS errors come wrapped: `NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, SEC_ERROR_UNKNOWN_ISSUER)`.
    let name = text
        .strip_prefix("NS_ERROR_GENERATE_FAILURE(")
        .and_then(|rest| rest.trim_end_matches(')').rsplit(", ").next())
        .unwrap_or(text);
    let code = match name {
        "NS_ERROR_DOM_BAD_URI"
        | "NS_ERROR_CONTENT_BLOCKED"
        | "NS_ERROR_CONTENT_BLOCKED_SHOW_ALT"
        | "NS_ERROR_DOM_CORP_FAILED"
        | "NS_ERROR_DOM_COEP_FAILED"
        | "NS_ERROR_DOM_SECURITY_ERR"
        | "NS_ERROR_ABORT"
        | "NS_BINDING_ABORTED" => return None,
        "NS_ERROR_CONNECTION_REFUSED" => NetErrorCode::ConnectionRefused,
        "NS_ERROR_NET_RESET" | "NS_ERROR_NET_INTERRUPT" | "NS_ERROR_NET_PARTIAL_TRANSFER" => {
            NetErrorCode::ConnectionReset
        }
        "NS_ERROR_NET_EMPTY_RESPONSE" => NetErrorCode::EmptyResponse,
        "NS_ERROR_UNKNOWN_HOST" | "NS_ERROR_UNKNOWN_PROXY_HOST" => NetErrorCode::NameNotResolved,
        "NS_ERROR_NET_TIMEOUT" => NetErrorCode::ConnectionTimedOut,
        "SEC_ERROR_UNKNOWN_ISSUER" | "MOZILLA_PKIX_ERROR_SELF_SIGNED_CERT" => {
            NetErrorCode::CertAuthorityInvalid
        }
        "SSL_ERROR_BAD_CERT_DOMAIN" => NetErrorCode::CertCommonNameInvalid,
        "SEC_ERROR_EXPIRED_CERTIFICATE" => NetErrorCode::CertDateInvalid,
        _ => return Some(NetError::Unrecognized(text.to_owned())),
    };
    Some(NetError::with_detail(code, text))
}

/// Firefox numbers its channels (`18-<uuid>`): a later request has a larger number.
fn channel_number(id: &str) -> Option<u64> {
    id.split('-').next()?.parse().ok()
}

/// Every request's events, indexed once for a run's results.
pub struct Traces<'a> {
    /// The events of each request id, in arrival order.
    by_id: HashMap<&'a str, Vec<&'a Value>>,
    /// The first request id for each (URL, upper-case method) the page sent (not preflights).
    first: HashMap<(&'a str, String), &'a str>,
    /// Preflight request ids by URL, in arrival order.
    preflights: HashMap<&'a str, Vec<&'a str>>,
}

impl<'a> Traces<'a> {
    /// Indexes `events` (BiDi messages, in arrival order).
    pub fn new(events: &'a [Value]) -> Self {
        let mut traces =
            Traces { by_id: HashMap::new(), first: HashMap::new(), preflights: HashMap::new() };
        for event in events {
            let request = &event["params"]["request"];
            let Some(id) = request["request"].as_str() else { continue };
            traces.by_id.entry(id).or_default().push(event);
            let first_hop = event["params"]["redirectCount"].as_u64().unwrap_or(0) == 0;
            if event["method"] != "network.beforeRequestSent" || !first_hop {
                continue;
            }
            let (Some(url), Some(method)) = (request["url"].as_str(), request["method"].as_str())
            else {
                continue;
            };
            // A page cannot send Access-Control-Request-*: forbidden request headers.
            let preflight = method == "OPTIONS"
                && header_lines(&request["headers"])
                    .iter()
                    .any(|(name, _)| name.eq_ignore_ascii_case("access-control-request-method"));
            if preflight {
                traces.preflights.entry(url).or_default().push(id);
            } else {
                traces.first.entry((url, method.to_ascii_uppercase())).or_insert(id);
            }
        }
        traces
    }

    /// What the events show of the page's first request for `url` with `method`.
    pub fn seen(&self, url: &str, method: &str) -> Seen {
        let Some(id) = self.first_id(url, method) else { return Seen::Nothing };
        let request = self.request(id);
        let mut used = Vec::new();
        let mut steps = Vec::new();
        for hop in request.hops() {
            let params = &hop["params"];
            let hop_url = params["request"]["url"].as_str().unwrap_or_default();
            let hop_method = params["request"]["method"].as_str().unwrap_or_default();
            let preflight = self.preflight_for(id, hop_url, hop_method, &mut used);
            let preflighted = preflight.is_some();
            let preflight_answered = preflight.as_ref().is_some_and(|p| p.response.is_some());
            steps.extend(preflight);
            let wire = wire_request(
                StepKind::Actual,
                hop_method,
                hop_url,
                header_lines(&params["request"]["headers"]),
                None,
            );
            match (request.response(&params["redirectCount"]), request.network_error()) {
                (Some(response), _) => steps.push(Step::answered(wire, response)),
                // Sent after a preflight that came back (one refused by CORS stops it first).
                (None, Some(error)) if !preflighted || preflight_answered => {
                    steps.push(Step::failed(wire, error));
                    break;
                }
                _ => break,
            }
        }
        match steps.is_empty() {
            false => Seen::Exchange(Exchange { steps }),
            // Seen, but neither answered nor failed on the network: a policy refused it.
            true if request.failed() => Seen::RefusedBeforeSending,
            true => Seen::Nothing,
        }
    }

    /// The cookie names the page's first request for `url` with `method` carried, and its
    /// responses' `Set-Cookie` lines, for the harness's cookie report.
    pub fn on_the_wire(&self, url: &str, method: &str) -> Option<SeenOnTheWire> {
        let request = self.request(self.first_id(url, method)?);
        let sent = request.events.iter().find(|e| e["method"] == "network.beforeRequestSent")?;
        let sent = &sent["params"]["request"];
        // The Cookie header as sent (Firefox's `cookies` list leaves out partitioned ones).
        let header = header_values(&sent["headers"], "cookie");
        let names = match sent["cookies"].as_array() {
            Some(cookies) if header.is_empty() => {
                cookies.iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect()
            }
            _ => cookie_pairs(&header.join("; ")).into_iter().map(|(name, _)| name).collect(),
        };
        let set_cookie = request
            .events
            .iter()
            .filter(|e| e["method"] == "network.responseStarted")
            .flat_map(|e| header_values(&e["params"]["response"]["headers"], "set-cookie"))
            .collect();
        Some(SeenOnTheWire { sent: Some(names), set_cookie })
    }

    /// The page's first request for `url` (as sent: without a fragment) with `method`.
    fn first_id(&self, url: &str, method: &str) -> Option<&'a str> {
        let url = url.split('#').next().unwrap_or(url);
        self.first.get(&(url, method.to_ascii_uppercase())).copied()
    }

    fn request(&self, id: &str) -> Request<'_, 'a> {
        Request { events: self.by_id.get(id).map(Vec::as_slice).unwrap_or_default() }
    }

    /// The preflight Firefox sent for the hop of request `id` to `url` with `method`: the
    /// first not yet used whose `Access-Control-Request-Method` is the hop's, sent after
    /// the request began (its channel number is larger).
    fn preflight_for(
        &self,
        id: &str,
        url: &str,
        method: &str,
        used: &mut Vec<&'a str>,
    ) -> Option<Step> {
        let after = channel_number(id);
        let candidate = self.preflights.get(url)?.iter().copied().find(|pid| {
            let request = self.request(pid);
            let sent = request.events.first().map(|e| &e["params"]["request"]);
            let asks_for = sent.map(|r| header_lines(&r["headers"])).unwrap_or_default();
            !used.contains(pid)
                && asks_for.iter().any(|(name, value)| {
                    name.eq_ignore_ascii_case("access-control-request-method")
                        && value.eq_ignore_ascii_case(method)
                })
                && match (after, channel_number(pid)) {
                    (Some(after), Some(number)) => number > after,
                    _ => true,
                }
        })?;
        used.push(candidate);
        let preflight = self.request(candidate);
        let sent = preflight.events.iter().find(|e| e["method"] == "network.beforeRequestSent")?;
        let wire = wire_request(
            StepKind::Preflight,
            "OPTIONS",
            url,
            header_lines(&sent["params"]["request"]["headers"]),
            None,
        );
        Some(match preflight.response(&sent["params"]["redirectCount"]) {
            Some(response) => Step::answered(wire, response),
            None => Step::failed(
                wire,
                preflight.network_error().unwrap_or_else(|| NetErrorCode::Failed.into()),
            ),
        })
    }
}

/// The events of one request id.
struct Request<'t, 'a> {
    events: &'t [&'a Value],
}

impl<'a> Request<'_, 'a> {
    /// `beforeRequestSent` of each hop, in redirect order.
    fn hops(&self) -> Vec<&'a Value> {
        let mut hops: Vec<&'a Value> = Vec::new();
        for &event in self.events {
            let count = &event["params"]["redirectCount"];
            if event["method"] == "network.beforeRequestSent"
                && !hops.iter().any(|h| &h["params"]["redirectCount"] == count)
            {
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

    /// It ended in a `fetchError`.
    fn failed(&self) -> bool {
        self.events.iter().any(|e| e["method"] == "network.fetchError")
    }

    /// The network error that ended it, if one did.
    fn network_error(&self) -> Option<NetError> {
        self.events
            .iter()
            .filter(|e| e["method"] == "network.fetchError")
            .find_map(|e| network_error(e["params"]["errorText"].as_str()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn firefox_failures_are_network_errors_or_policies() {
        let untrusted =
            "NS_ERROR_GENERATE_FAILURE(NS_ERROR_MODULE_SECURITY, SEC_ERROR_UNKNOWN_ISSUER)";
        assert_eq!(
            network_error(untrusted).and_then(|e| e.code()),
            Some(NetErrorCode::CertAuthorityInvalid)
        );
        assert_eq!(
            network_error("NS_ERROR_CONNECTION_REFUSED").and_then(|e| e.code()),
            Some(NetErrorCode::ConnectionRefused)
        );
        assert_eq!(network_error("NS_ERROR_DOM_BAD_URI"), None, "CORS");
        assert_eq!(network_error("NS_ERROR_CONTENT_BLOCKED"), None, "CSP");
        assert!(network_error("NS_ERROR_SOMETHING_NEW").is_some(), "unknown: the cautious reading");
    }

    #[test]
    fn bidi_headers_and_cookie_names() {
        let header = |name: &str, value: &str| json!({ "name": name, "value": { "type": "string", "value": value } });
        let request = json!({ "request": "1-a", "url": "https://api.test/x", "method": "GET",
            "headers": [header("Cookie", "a=1; b=2;  c = 3"), header("X", "x")], "cookies": [] });
        let events = [
            json!({ "method": "network.beforeRequestSent", "params": { "redirectCount": 0, "request": request } }),
            json!({ "method": "network.responseStarted", "params": { "redirectCount": 0, "request": request,
                "response": { "status": 200, "headers": [
                    header("Set-Cookie", "a=1; Secure"), header("set-cookie", "b=2"), header("X", "x")] } } }),
        ];
        let seen = Traces::new(&events).on_the_wire("https://api.test/x#top", "get").unwrap();
        assert_eq!(seen.sent.unwrap(), ["a", "b", "c"]);
        assert_eq!(seen.set_cookie, ["a=1; Secure", "b=2"]);
        let no_cookie = json!({ "request": "2-a", "url": "https://api.test/y", "method": "GET", "headers": [] });
        let events = [
            json!({ "method": "network.beforeRequestSent", "params": { "redirectCount": 0, "request": no_cookie } }),
        ];
        assert!(Traces::new(&events)
            .on_the_wire("https://api.test/y", "GET")
            .unwrap()
            .sent
            .unwrap()
            .is_empty());
    }
}
