//! The suite's preset cookies, set into each fresh profile before the first case (what
//! Firefox's BiDi events show of the cookies a request carried is read by
//! `cors_harness::network_events::firefox::Traces::on_the_wire`).
//!
//! | engine | how |
//! |---|---|
//! | Chromium | DevTools `Network.setCookie` through chromedriver's `goog/cdp/execute` (a `Partitioned` one keyed by the page's top-level site) |
//! | Firefox | WebDriver BiDi `storage.setCookie` (a `Partitioned` one in the page's partition: `storageKey` with the page's origin) |
//! | WebKitGTK | WebDriver's `POST /cookie`, after opening the cookie's URL (WebDriver sets cookies for the current document only) |

use anyhow::{bail, Context};
use cors_harness::cookies::UrlParts;
use cors_harness::suite::{PresetCookie, SameSite};
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
        params["partition"] = json!({ "type": "storageKey", "sourceOrigin": origin_of(page_url)? });
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
        .filter(|u| {
            UrlParts::parse(u).is_some_and(|u| u.host == url.host && u.scheme == url.scheme)
        })
        .find_map(|u| origin_of(u).ok())
        .map_or_else(|| cookie.url.clone(), |origin| format!("{origin}/"));
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

/// A URL's serialised origin (`scheme://host[:port]`, a default port left out).
fn origin_of(url: &str) -> anyhow::Result<String> {
    Ok(url::Url::parse(url)
        .with_context(|| format!("not a URL: {url}"))?
        .origin()
        .ascii_serialization())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_origin_leaves_out_a_default_port() {
        let page = |u: &str| origin_of(u).unwrap();
        assert_eq!(page("https://app.example.test/harness/"), "https://app.example.test");
        assert_eq!(page("http://127.0.0.1:8080/"), "http://127.0.0.1:8080");
    }
}
