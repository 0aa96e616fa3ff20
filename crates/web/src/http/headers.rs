//! The security headers of every response (pages, API, feeds, downloads,
//! errors), set once by [`security_headers`], a layer the root puts over
//! the whole app (outside the timeout, so a timed-out request has them too).
//!
//! - `Content-Security-Policy` allows scripts, styles and images from this
//!   site only (images also as `data:`), no plugins, no `<base>`, forms
//!   posting only here, and no framing. There is no inline `<script>` or
//!   `style=` in the templates and the policy keeps it so: an inline one
//!   would simply not run. No page is meant to be embedded in another
//!   site, so framing is refused everywhere (`frame-ancestors 'none'`
//!   and, for older browsers, `X-Frame-Options: DENY`).
//! - `Permissions-Policy` turns off the camera, microphone, location and
//!   the rest: no page uses them (the QR code is read by the host's own
//!   scanner, not by a page).
//! - `Strict-Transport-Security` only when served over HTTPS (the public
//!   URL is `https://…`, cookies are marked secure, or a proxy says
//!   `X-Forwarded-Proto: https`): over plain HTTP it would mean nothing.
//! - `Cache-Control: no-store` on what is personal: any answer to a
//!   request that carries a session cookie or an API token, and every
//!   download (`Content-Disposition`). A handler that sets its own
//!   `Cache-Control` keeps it (the public feeds, the stylesheet, a
//!   member's own feed), so public caching works as before.
//!
//! It never removes or weakens a header a handler set.

use crate::http::auth::{self, SESSION_COOKIE};
use crate::AppState;
use axum::extract::{Request, State};
use axum::http::header::{
    AUTHORIZATION, CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_SECURITY_POLICY, REFERRER_POLICY,
    STRICT_TRANSPORT_SECURITY, X_CONTENT_TYPE_OPTIONS, X_FRAME_OPTIONS,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;

/// The pages need nothing but their own stylesheet, the inline SVG of the
/// map and the QR code, and forms that post to this site.
pub const CONTENT_SECURITY_POLICY_VALUE: &str = "default-src 'self'; script-src 'self'; \
style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; \
object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

pub const PERMISSIONS_POLICY_VALUE: &str = "camera=(), microphone=(), geolocation=(), \
payment=(), usb=(), display-capture=(), browsing-topics=()";

/// A year; without `includeSubDomains`, since the municipality's other
/// sites under the same domain are not ours to decide for.
pub const HSTS_VALUE: &str = "max-age=31536000";

static PERMISSIONS_POLICY: HeaderName = HeaderName::from_static("permissions-policy");

/// Middleware: the security headers above on every response.
pub async fn security_headers(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let personal = carries_credentials(req.headers());
    let https = state
        .config
        .public_url
        .as_deref()
        .is_some_and(|u| u.starts_with("https://"))
        || auth::is_secure(&state, req.headers());
    let mut resp = next.run(req).await;
    let download = resp.headers().contains_key(CONTENT_DISPOSITION);
    let h = resp.headers_mut();
    let mut set = |name: HeaderName, value: &'static str| {
        if !h.contains_key(&name) {
            h.insert(name, HeaderValue::from_static(value));
        }
    };
    set(CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY_VALUE);
    set(X_FRAME_OPTIONS, "DENY");
    set(X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(REFERRER_POLICY, "strict-origin-when-cross-origin");
    set(PERMISSIONS_POLICY.clone(), PERMISSIONS_POLICY_VALUE);
    if https {
        set(STRICT_TRANSPORT_SECURITY, HSTS_VALUE);
    }
    if personal || download {
        set(CACHE_CONTROL, "no-store");
    }
    resp
}

/// The request says who is asking (a session cookie or an API token), so
/// its answer may be about them.
fn carries_credentials(headers: &HeaderMap) -> bool {
    headers.contains_key(AUTHORIZATION) || auth::cookie_value(headers, SESSION_COOKIE).is_some()
}
