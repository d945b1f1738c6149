//! Chromium's exchanges from DevTools `Network` events.

use std::collections::HashMap;

use serde_json::Value;

use super::{parse_head, wire_request};
use crate::cors::{Exchange, Step, StepKind, WireResponse};
use crate::net_error::{NetError, NetErrorCode};

/// What DevTools said of one request id: the message of each hop, the headers as sent
/// and the responses as received, in order.
#[derive(Clone, Debug, Default)]
struct Trace {
    /// `requestWillBeSent`: one per hop (a redirect reuses the id).
    hops: Vec<Hop>,
    /// `requestWillBeSentExtraInfo.headers`: one per message that went on the wire.
    sent_headers: Vec<Vec<(String, String)>>,
    /// `responseReceivedExtraInfo`: one per response, redirects included, in order.
    responses: Vec<WireResponse>,
    /// Hop `i`'s response as the next hop's `requestWillBeSent.redirectResponse` gave it
    /// (without repeated lines): used where no extra info came.
    redirect_responses: Vec<Option<WireResponse>>,
    /// `loadingFailed.errorText` when no policy (CORS, mixed content, ...) named the failure.
    network_error: Option<NetError>,
}

#[derive(Clone, Debug)]
struct Hop {
    method: String,
    url: String,
    /// `request.headers` (what the page set; the raw ones come in the extra info).
    headers: Vec<(String, String)>,
    body: Option<String>,
}

/// Every request's trace, and which requests are preflights for which.
#[derive(Clone, Debug, Default)]
pub struct Traces {
    by_id: HashMap<String, Trace>,
    /// Preflight request ids by the id of the request they serve, in the order sent.
    preflights: HashMap<String, Vec<String>>,
}

/// DevTools' header object; a header received several times is one value with `\n`.
fn header_lines(headers: &Value) -> Vec<(String, String)> {
    headers
        .as_object()
        .into_iter()
        .flatten()
        .flat_map(|(name, value)| {
            let value = value.as_str().unwrap_or_default();
            value.split('\n').map(move |line| (name.clone(), line.to_owned()))
        })
        .collect()
}

impl Traces {
    /// Adds one DevTools event (`{"method": ..., "params": ...}`); others are ignored.
    pub fn add_event(&mut self, method: &str, params: &Value) {
        let Some(id) = params["requestId"].as_str() else { return };
        match method {
            "Network.requestWillBeSent" => {
                let request = &params["request"];
                if params["initiator"]["type"] == "preflight" {
                    if let Some(served) = params["initiator"]["requestId"].as_str() {
                        self.preflights.entry(served.to_owned()).or_default().push(id.to_owned());
                    }
                }
                let trace = self.by_id.entry(id.to_owned()).or_default();
                // A redirect: the previous hop's response (extra info may come before or after).
                let redirect = &params["redirectResponse"];
                if !trace.hops.is_empty() {
                    let status = redirect["status"].as_u64().and_then(|s| u16::try_from(s).ok());
                    trace.redirect_responses.push(status.map(|status| WireResponse {
                        status,
                        headers: header_lines(&redirect["headers"]),
                    }));
                }
                trace.hops.push(Hop {
                    method: request["method"].as_str().unwrap_or_default().to_owned(),
                    url: request["url"].as_str().unwrap_or_default().to_owned(),
                    headers: header_lines(&request["headers"]),
                    body: request["postData"].as_str().map(str::to_owned),
                });
            }
            "Network.requestWillBeSentExtraInfo" => {
                let trace = self.by_id.entry(id.to_owned()).or_default();
                trace.sent_headers.push(header_lines(&params["headers"]));
            }
            "Network.responseReceivedExtraInfo" => {
                let head = params["headersText"].as_str().and_then(parse_head);
                let response = head.unwrap_or_else(|| WireResponse {
                    status: params["statusCode"]
                        .as_u64()
                        .and_then(|s| u16::try_from(s).ok())
                        .unwrap_or_default(),
                    headers: header_lines(&params["headers"]),
                });
                self.by_id.entry(id.to_owned()).or_default().responses.push(response);
            }
            "Network.loadingFailed" => {
                let policy = ["blockedReason", "corsErrorStatus"]
                    .iter()
                    .any(|key| !params[key].is_null() && params[key] != "");
                let error = params["errorText"].as_str().filter(|t| !t.is_empty());
                if let (false, Some(error)) = (policy, error) {
                    let trace = self.by_id.entry(id.to_owned()).or_default();
                    trace.network_error = Some(NetError::parse(error));
                }
            }
            _ => {}
        }
    }

    /// The exchange of request `id` as it went on the wire: each hop's preflight (if
    /// any) and the hop itself. `None` when nothing of it reached the network (refused
    /// before sending: mixed content, Local Network Access, ...).
    pub fn exchange_of(&self, id: &str) -> Option<Exchange> {
        let trace = self.by_id.get(id)?;
        let mut preflights = self
            .preflights
            .get(id)
            .into_iter()
            .flatten()
            .filter_map(|pid| self.preflight_step(pid))
            .peekable();
        let mut steps = Vec::new();
        for (index, hop) in trace.hops.iter().enumerate() {
            let mut preflighted = false;
            while let Some(preflight) = preflights.next_if(|p| p.request.url == hop.url) {
                preflighted = true;
                steps.push(preflight);
            }
            let sent = trace.sent_headers.get(index);
            let headers = sent.cloned().unwrap_or_else(|| hop.headers.clone());
            let request =
                wire_request(StepKind::Actual, &hop.method, &hop.url, headers, hop.body.clone());
            let redirected = trace.redirect_responses.get(index).and_then(Option::as_ref);
            match (trace.responses.get(index).or(redirected), &trace.network_error) {
                (Some(response), _) => steps.push(Step::answered(request, response.clone())),
                // The connection failed: the request was on its way (unless its preflight stopped it).
                (None, Some(error)) if !preflighted || sent.is_some() => {
                    steps.push(Step::failed(request, error.clone()));
                    break;
                }
                _ => break,
            }
        }
        (!steps.is_empty()).then_some(Exchange { steps })
    }

    /// A preflight's one message, answered or failed.
    fn preflight_step(&self, id: &str) -> Option<Step> {
        let trace = self.by_id.get(id)?;
        let hop = trace.hops.first()?;
        let headers = trace.sent_headers.first().cloned().unwrap_or_else(|| hop.headers.clone());
        let request = wire_request(StepKind::Preflight, &hop.method, &hop.url, headers, None);
        Some(match trace.responses.first() {
            Some(response) => Step::answered(request, response.clone()),
            None => Step::failed(
                request,
                trace.network_error.clone().unwrap_or_else(|| NetErrorCode::Failed.into()),
            ),
        })
    }
}
