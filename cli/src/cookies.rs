//! The suite's preset cookies, set into each fresh profile before the first case, and what
//! Firefox's BiDi network events show of the cookies each case's request carried.
//!
//! | engine | how |
//! |---|---|
//! | Chromium | DevTools `Network.setCookie` through chromedriver's `goog/cdp/execute` (a `Partitioned` one keyed by the page's top-level site) |
//! | Firefox | WebDriver BiDi `storage.setCookie` (a `Partitioned` one in the page's partition: `storageKey` with the page's origin) |
//! | WebKitGTK | WebDriver's `POST /cookie`, after opening the cookie's URL (WebDriver sets cookies for the current document only) |

use anyhow::{bail, Context};
use cors_harness::cookies::{SeenOnTheWire, UrlParts};
use cors_harness::suite::{PresetCookie, SameSite};
use cors_harness::CaseResult;
use fantoccini::Client;
use serde_json::{json, Value};

use crate::bidi::Bidi;
use crate::driver::Engine;
use crate::session::SessionPost;

/// The name a cookie's `SameSite` has in each protocol.
fn same_site_name(same_site: SameSite) -> &'static str {
    match same_site {
        SameSite::Strict => "Strict",
        SameSite::Lax => "Lax",
        SameSite::None => "None",
    }
}

/// Sets every preset cookie; an error names the cookie (`cookies[1]`) and what the browser said.
pub async fn preset(
    client: &Client,
    engine: Engine,
    bidi: Option<&Bidi>,
    page_url: &str,
    cookies: &[PresetCookie],
    case_urls: &[String],
) -> anyhow::Result<()> {
    for (index, cookie) in cookies.iter().enumerate() {
        let url = UrlParts::parse(&cookie.url)
            .with_context(|| format!("cookies[{index}].url: not an http(s) URL"))?;
        let outcome = match engine {
            Engine::Chromium => preset_chromium(client, page_url, cookie).await,
            Engine::Firefox => match bidi {
                Some(bidi) => preset_firefox(bidi, page_url, &url, cookie).await,
                None => {
                    Err(anyhow::anyhow!("this WebDriver endpoint offers no BiDi (webSocketUrl)"))
                }
            },
            Engine::Webkit => {
                if cookie.partitioned == Some(true) {
                    // WebKit keeps no partitioned (CHIPS) cookies, and WebDriver sets none.
                    eprintln!("note: cookies[{index}] ({}): WebKit has no partitioned cookies; set unpartitioned, as WebKit stores a `Partitioned` Set-Cookie", cookie.name);
                }
                preset_webdriver(client, &url, case_urls, cookie).await
            }
        };
        outcome.with_context(|| {
            format!(
                "cannot preset cookies[{index}] ({} for {}) in {}",
                cookie.name,
                cookie.url,
                engine.name()
            )
        })?;
    }
    Ok(())
}

async fn preset_chromium(
    client: &Client,
    page_url: &str,
    cookie: &PresetCookie,
) -> anyhow::Result<()> {
    let mut params = json!({
        "url": cookie.url,
        "name": cookie.name,
        "value": cookie.value,
        "secure": cookie.secure.unwrap_or(false),
        "httpOnly": cookie.http_only.unwrap_or(false),
    });
    if let Some(same_site) = cookie.same_site {
        params["sameSite"] = json!(same_site_name(same_site));
    }
    if cookie.partitioned == Some(true) {
        // Partitioned by the page's top-level site, as if the API had set it in a response to
        // the page: Chromium keys such a cookie of a cross-site API with a cross-site ancestor.
        let page = UrlParts::parse(page_url).context("the page's URL")?;
        let api = UrlParts::parse(&cookie.url).context("the cookie's URL")?;
        params["partitionKey"] = json!({
            "topLevelSite": page.site().to_string(),
            "hasCrossSiteAncestor": page.site() != api.site(),
        });
    }
    let answer = client
        .issue_cmd(SessionPost {
            path: "goog/cdp/execute",
            body: json!({ "cmd": "Network.setCookie", "params": params }),
        })
        .await
        .context("Network.setCookie")?;
    if answer["success"] == Value::Bool(false) {
        bail!("Chromium refused it (Network.setCookie: success false; SameSite=None needs Secure, Partitioned needs Secure)");
    }
    Ok(())
}

async fn preset_firefox(
    bidi: &Bidi,
    page_url: &str,
    url: &UrlParts,
    cookie: &PresetCookie,
) -> anyhow::Result<()> {
    let mut partial = json!({
        "name": cookie.name,
        "value": { "type": "string", "value": cookie.value },
        "domain": url.host,
        "path": "/",
        "secure": cookie.secure.unwrap_or(false),
        "httpOnly": cookie.http_only.unwrap_or(false),
    });
    if let Some(same_site) = cookie.same_site {
        partial["sameSite"] = json!(same_site_name(same_site).to_ascii_lowercase());
    }
    let mut params = json!({ "cookie": partial });
    if cookie.partitioned == Some(true) {
        // Firefox keeps a partitioned cookie in the jar of the top-level site that set it:
        // the page's (BiDi's storage key, from the page's origin).
        let page = UrlParts::parse(page_url).context("the page's URL")?;
        params["partition"] = json!({ "type": "storageKey", "sourceOrigin": origin_of(&page) });
    }
    bidi.command("storage.setCookie", params).await.map(drop)
}

/// WebDriver sets a cookie for the document it has open: open the cookie's host first, at
/// the port a case uses on it (cookies ignore ports; the cookie's own URL may have no server).
async fn preset_webdriver(
    client: &Client,
    url: &UrlParts,
    case_urls: &[String],
    cookie: &PresetCookie,
) -> anyhow::Result<()> {
    let open = case_urls
        .iter()
        .filter_map(|u| UrlParts::parse(u))
        .find(|u| u.host == url.host && u.scheme == url.scheme)
        .map_or_else(
            || cookie.url.clone(),
            |u| format!("{}://{}:{}/", u.scheme, host_in_url(&u.host), u.port),
        );
    client.goto(&open).await.with_context(|| format!("cannot open {open}"))?;
    let mut body = json!({
        "name": cookie.name,
        "value": cookie.value,
        "path": "/",
        "secure": cookie.secure.unwrap_or(false),
        "httpOnly": cookie.http_only.unwrap_or(false),
    });
    if let Some(same_site) = cookie.same_site {
        body["sameSite"] = json!(same_site_name(same_site));
    }
    client
        .issue_cmd(SessionPost { path: "cookie", body: json!({ "cookie": body }) })
        .await
        .context("WebDriver Add Cookie")?;
    Ok(())
}

/// `scheme://host[:port]`, the port left out when it is the scheme's default.
fn origin_of(url: &UrlParts) -> String {
    let default = if url.scheme == "https" { 443 } else { 80 };
    let port = if url.port == default { String::new() } else { format!(":{}", url.port) };
    format!("{}://{}{port}", url.scheme, host_in_url(&url.host))
}

/// A host as a URL writes it (IPv6 in brackets).
fn host_in_url(host: &str) -> String {
    if host.contains(':') {
        format!("[{host}]")
    } else {
        host.to_owned()
    }
}

/// The BiDi network events a cookie report needs.
pub const NETWORK_EVENTS: [&str; 4] = cors_harness::network_events::firefox::EVENTS;

/// What Firefox's BiDi events show of the page's request for `result`'s URL and method
/// (the first such request: later ones are the harness's probes): the cookie names it
/// carried and its responses' `Set-Cookie` lines.
pub fn seen_in_bidi(bidi: &Bidi, result: &CaseResult) -> Option<SeenOnTheWire> {
    let requests = bidi.events(NETWORK_EVENTS[0]);
    let request = requests.iter().map(|e| &e["params"]["request"]).find(|r| {
        r["url"] == result.url.as_str()
            && r["method"].as_str().is_some_and(|m| m.eq_ignore_ascii_case(&result.method))
    })?;
    let id = request["request"].as_str()?;
    // The Cookie header as sent (Firefox's `cookies` list leaves out partitioned ones).
    let header = header_values(&request["headers"], "cookie");
    let sent = match request["cookies"].as_array() {
        Some(cookies) if header.is_empty() => {
            cookies.iter().filter_map(|c| c["name"].as_str().map(str::to_owned)).collect()
        }
        _ => cookie_names(&header.join("; ")),
    };
    let set_cookie = bidi
        .events(NETWORK_EVENTS[1])
        .iter()
        .filter(|e| e["params"]["request"]["request"] == id)
        .flat_map(|e| header_values(&e["params"]["response"]["headers"], "set-cookie"))
        .collect();
    Some(SeenOnTheWire { sent: Some(sent), set_cookie })
}

/// The values of header `name` in a BiDi header list (`[{name, value: {type, value}}]`).
fn header_values(headers: &Value, name: &str) -> Vec<String> {
    headers
        .as_array()
        .into_iter()
        .flatten()
        .filter(|h| h["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(name)))
        .filter_map(|h| h["value"]["value"].as_str().map(str::to_owned))
        .collect()
}

/// The names in a `Cookie` header.
fn cookie_names(header: &str) -> Vec<String> {
    header
        .split(';')
        .filter_map(|pair| pair.split_once('=').map(|(n, _)| n.trim().to_owned()))
        .filter(|n| !n.is_empty())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bidi_headers_and_cookie_names() {
        let headers = json!([{ "name": "Set-Cookie", "value": { "type": "string", "value": "a=1; Secure" } },
                             { "name": "set-cookie", "value": { "type": "string", "value": "b=2" } },
                             { "name": "X", "value": { "type": "string", "value": "x" } }]);
        assert_eq!(header_values(&headers, "set-cookie"), ["a=1; Secure", "b=2"]);
        assert_eq!(cookie_names("a=1; b=2;  c = 3"), ["a", "b", "c"]);
        assert!(cookie_names("").is_empty());
        let page = |u: &str| origin_of(&UrlParts::parse(u).unwrap());
        assert_eq!(page("https://app.example.test/harness/"), "https://app.example.test");
        assert_eq!(page("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
    }
}
