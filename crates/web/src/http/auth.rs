//! Who is asking: the [`Auth`] extractor (a session cookie or a bearer
//! token), the cookies, and the CSRF token every form carries. Signing in
//! (passwords, starting sessions, issuing tokens) is [`crate::people`]'s.
//!
//! Secrets (session ids, tokens) are random 256-bit values; only their
//! SHA-256 is stored, so a leaked database does not sign anyone in.

use crate::http::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thirdplace_domain::Principal;

pub const SESSION_COOKIE: &str = "tp_session";
pub const CSRF_COOKIE: &str = "tp_csrf";
pub const LANG_COOKIE: &str = "tp_lang";

pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether cookies must carry `Secure`: configured, or the request came
/// through a TLS-terminating proxy.
pub fn is_secure(state: &AppState, headers: &HeaderMap) -> bool {
    state.config.secure_cookies
        || headers
            .get("x-forwarded-proto")
            .is_some_and(|v| v.as_bytes() == b"https")
}

pub fn set_cookie(
    headers: &mut HeaderMap,
    name: &str,
    value: &str,
    max_age_secs: i64,
    http_only: bool,
    secure: bool,
) {
    let mut c = format!("{name}={value}; Path=/; Max-Age={max_age_secs}; SameSite=Lax");
    if http_only {
        c.push_str("; HttpOnly");
    }
    if secure {
        c.push_str("; Secure");
    }
    if let Ok(v) = HeaderValue::from_str(&c) {
        headers.append(SET_COOKIE, v);
    }
}

/// A redirect to `to` that sets the HttpOnly cookie `name` to `value` for
/// `max_age_secs` seconds (0 removes it), `Secure` as [`is_secure`] says.
pub fn redirect_with_cookie(
    state: &AppState,
    request_headers: &HeaderMap,
    to: &str,
    (name, value): (&str, &str),
    max_age_secs: i64,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let mut resp = axum::response::Redirect::to(to).into_response();
    let secure = is_secure(state, request_headers);
    set_cookie(resp.headers_mut(), name, value, max_age_secs, true, secure);
    resp
}

/// The CSRF token of this request (from its cookie, or freshly made by
/// [`csrf_cookie`]).
#[derive(Debug, Clone)]
pub struct CsrfToken(pub String);

/// Middleware for HTML routes: makes sure the browser holds a CSRF cookie
/// (double-submit: every form echoes it in a hidden `_csrf` field).
pub async fn csrf_cookie(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let existing = cookie_value(req.headers(), CSRF_COOKIE)
        .filter(|v| v.len() >= 32)
        .map(str::to_string);
    let fresh = existing.is_none();
    let token = existing.unwrap_or_else(random_secret);
    req.extensions_mut().insert(CsrfToken(token.clone()));
    let secure = is_secure(&state, req.headers());
    let mut resp = next.run(req).await;
    if fresh {
        set_cookie(
            resp.headers_mut(),
            CSRF_COOKIE,
            &token,
            365 * 86_400,
            true,
            secure,
        );
    }
    resp
}

/// Gives the browser a new CSRF token (at sign-in and sign-out), so that a
/// token seen before, e.g. by someone who set it on a shared computer or
/// read it from an anonymous page, is worthless afterwards.
pub fn rotate_csrf(state: &AppState, headers: &mut HeaderMap, request_headers: &HeaderMap) {
    set_cookie(
        headers,
        CSRF_COOKIE,
        &random_secret(),
        365 * 86_400,
        true,
        is_secure(state, request_headers),
    );
}

pub fn csrf_matches(expected: &str, given: &str) -> bool {
    !expected.is_empty() && expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// Who is asking, from the session cookie (HTML) or a bearer token (API).
#[derive(Debug, Clone)]
pub struct Auth {
    pub principal: Option<Principal>,
    pub session_hash: Option<String>,
    /// Authenticated by an API token (not a browser cookie): the API's
    /// writes accept only this, so no other site can make a browser write.
    pub via_token: bool,
}

impl Auth {
    pub fn require(&self) -> Result<&Principal, AppError> {
        self.principal.as_ref().ok_or(AppError::Unauthorized)
    }
}

impl FromRequestParts<AppState> for Auth {
    type Rejection = AppError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.extensions.get::<Auth>() {
            return Ok(auth.clone());
        }
        let auth = if let Some(h) = parts.headers.get(AUTHORIZATION) {
            let token = h
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .map(str::trim)
                .ok_or_else(|| {
                    AppError::bad_request(
                        "invalid_authorization",
                        "the Authorization header must be 'Bearer <token>'",
                    )
                })?;
            let person = state
                .store
                .token_person(&sha256_hex(token))
                .await?
                .ok_or(AppError::Unauthorized)?;
            Auth {
                principal: Some(Principal::from_person(&person)),
                session_hash: None,
                via_token: true,
            }
        } else if let Some(secret) = cookie_value(&parts.headers, SESSION_COOKIE) {
            let hash = sha256_hex(secret);
            let person = state.store.session_person(&hash, state.now()).await?;
            Auth {
                principal: person.as_ref().map(Principal::from_person),
                session_hash: person.map(|_| hash),
                via_token: false,
            }
        } else {
            Auth {
                principal: None,
                session_hash: None,
                via_token: false,
            }
        };
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}

/// The language of the request: the remembered choice, else Swedish.
pub fn lang_of(headers: &HeaderMap) -> Lang {
    cookie_value(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; tp_lang=en"));
        assert_eq!(cookie_value(&h, "tp_lang"), Some("en"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(cookie_value(&h, "b"), None);
    }
}
