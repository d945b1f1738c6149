//! A readable browser name and version, such as `Chromium 156.0.8078.79` or `Firefox 153.0`.

/// The engine family, where the harness must follow an engine's own rules.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Family {
    /// Chromium and the browsers built on it (Chrome, Edge, Opera, ...).
    Chromium,
    Firefox,
    /// Safari and WebKitGTK.
    WebKit,
    Other,
}

/// The engine family from a user-agent string.
pub fn family(user_agent: &str) -> Family {
    if user_agent.contains("Firefox/") {
        Family::Firefox
    } else if user_agent.contains("Chrome/") || user_agent.contains("Chromium/") {
        Family::Chromium
    } else if user_agent.contains("AppleWebKit/") {
        Family::WebKit
    } else {
        Family::Other
    }
}

/// Names the browser from its brands' full versions (Chromium's `userAgentData`), if
/// known, else from the user-agent string.
pub fn describe(user_agent: &str, full_version_brands: &[(String, String)]) -> String {
    let brand = |name: &str| {
        full_version_brands
            .iter()
            .find(|(brand, _)| brand == name)
            .map(|(_, version)| version.as_str())
    };
    for (brand_name, label) in [
        ("Microsoft Edge", "Edge"),
        ("Opera", "Opera"),
        ("Google Chrome", "Chrome"),
        ("Chromium", "Chromium"),
    ] {
        if let Some(version) = brand(brand_name) {
            return format!("{label} {version}");
        }
    }
    let token = |name: &str| {
        user_agent.split_whitespace().find_map(|part| part.strip_prefix(name)?.strip_prefix('/'))
    };
    if let Some(version) = token("Firefox") {
        return format!("Firefox {version}");
    }
    if let Some(version) = token("Edg") {
        return format!("Edge {version}");
    }
    if let Some(version) = token("HeadlessChrome").or_else(|| token("Chrome")) {
        return format!("Chromium {version}");
    }
    if let (Some(version), true) = (token("Version"), user_agent.contains("Safari/")) {
        return format!("Safari {version}");
    }
    if let Some(version) = token("AppleWebKit") {
        return format!("WebKit {version}");
    }
    user_agent.to_owned()
}

#[cfg(test)]
mod tests {
    use super::{describe, family, Family};

    #[test]
    fn names_common_browsers() {
        let chromium_ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/156.0.0.0 Safari/537.36";
        assert_eq!(describe(chromium_ua, &[]), "Chromium 156.0.0.0");
        let brands = [
            ("Not.A/Brand".to_owned(), "99.0.0.0".to_owned()),
            ("Chromium".to_owned(), "156.0.8078.79".to_owned()),
        ];
        assert_eq!(describe(chromium_ua, &brands), "Chromium 156.0.8078.79");
        assert_eq!(
            describe("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0", &[]),
            "Firefox 153.0"
        );
        assert_eq!(
            describe("Mozilla/5.0 (X11; Ubuntu; Linux x86_64) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15", &[]),
            "Safari 18.0"
        );
        assert_eq!(describe("curl/8", &[]), "curl/8");
        assert_eq!(family(chromium_ua), Family::Chromium);
        assert_eq!(
            family("Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0"),
            Family::Firefox
        );
        assert_eq!(
            family(
                "Mozilla/5.0 AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.0 Safari/605.1.15"
            ),
            Family::WebKit
        );
        assert_eq!(family("curl/8"), Family::Other);
    }
}
