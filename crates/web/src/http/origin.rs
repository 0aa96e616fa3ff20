//! Where people reach the app: the [`Origin`] that addresses in e-mails,
//! pages and calendar feeds are built with, the configured public URL it
//! may come from, and the request URI as the logs may show it.

use crate::http::auth;
use crate::AppState;
use axum::extract::FromRequestParts;
use axum::http::header;
use axum::http::request::Parts;

/// `scheme://host` people reach the app at, for addresses they copy into a
/// calendar app or get in an e-mail: the configured public URL, or else the
/// request's. A host header with anything but host characters is ignored
/// (it would end up in a page).
#[derive(Debug, Clone)]
pub struct Origin(pub String);

/// A public URL for [`crate::WebConfig::public_url`]: `http` or `https`, a
/// host and maybe a port, nothing after (a trailing `/` is dropped).
pub fn parse_public_url(s: &str) -> Result<String, String> {
    let bad = || {
        format!("the public URL must be like https://hubbar.example.se (scheme and host only), got {s:?}")
    };
    let uri: axum::http::Uri = s.trim().parse().map_err(|_| bad())?;
    let scheme = uri.scheme_str().filter(|s| *s == "http" || *s == "https");
    match (scheme, uri.authority()) {
        (Some(scheme), Some(authority))
            if uri.path() == "/"
                && uri.query().is_none()
                && !authority.as_str().contains('@')
                && !authority.host().is_empty() =>
        {
            Ok(format!("{scheme}://{authority}"))
        }
        _ => Err(bad()),
    }
}

impl FromRequestParts<AppState> for Origin {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(url) = &state.config.public_url {
            return Ok(Origin(url.clone()));
        }
        let host = parts
            .headers
            .get(header::HOST)
            .and_then(|v| v.to_str().ok())
            .or_else(|| parts.uri.authority().map(|a| a.as_str()))
            .filter(|h| {
                !h.is_empty()
                    && h.chars()
                        .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
            })
            .unwrap_or("localhost");
        let scheme = if auth::is_secure(state, &parts.headers) {
            "https"
        } else {
            "http"
        };
        Ok(Origin(format!("{scheme}://{host}")))
    }
}

/// Where a password reset link leads, before its secret.
pub const RESET_LINKS: &str = "/access/reset/";
/// Where an invitation link leads, before its secret.
pub const INVITATION_LINKS: &str = "/access/invitation/";

/// The one-time link prefix `path` starts with, if any: what follows it is
/// a secret that opens an account.
pub fn secret_link_prefix(path: &str) -> Option<&'static str> {
    [RESET_LINKS, INVITATION_LINKS]
        .into_iter()
        .find(|p| path.starts_with(p))
}

/// The request's URI for the logs, with a feed address's secret left out:
/// whoever reads the logs must not be able to subscribe to a member's
/// bookings.
pub fn loggable_uri(uri: &axum::http::Uri) -> std::borrow::Cow<'_, str> {
    if uri.path().starts_with("/feeds/") {
        "/feeds/…".into()
    } else if let Some(prefix) = secret_link_prefix(uri.path()) {
        format!("{prefix}…").into()
    } else {
        uri.to_string().into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_public_url_is_a_scheme_and_a_host() {
        for (given, kept) in [
            ("https://hubbar.example.se", "https://hubbar.example.se"),
            ("https://hubbar.example.se/", "https://hubbar.example.se"),
            (" http://localhost:8080 ", "http://localhost:8080"),
        ] {
            assert_eq!(parse_public_url(given).as_deref(), Ok(kept));
        }
        for bad in [
            "hubbar.example.se",
            "ftp://hubbar.example.se",
            "https://hubbar.example.se/app",
            "https://hubbar.example.se/?a=1",
            "https://user@hubbar.example.se",
            "",
        ] {
            let e = parse_public_url(bad).unwrap_err();
            assert!(e.contains("scheme and host only"), "{bad}: {e}");
        }
    }

    #[test]
    fn feed_secrets_stay_out_of_the_logs() {
        let uri: axum::http::Uri = "/feeds/tpc1.abc.def.ics?lang=en".parse().unwrap();
        assert_eq!(loggable_uri(&uri), "/feeds/…");
        let uri: axum::http::Uri = "/rooms/1/calendar.ics?lang=en".parse().unwrap();
        assert_eq!(loggable_uri(&uri), "/rooms/1/calendar.ics?lang=en");
    }
}
