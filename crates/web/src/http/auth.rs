//! Who is asking: the [`Auth`] extractor (a session cookie or a bearer
//! token), the cookies, and the CSRF token every form carries. Signing in
//! (passwords, starting sessions, issuing tokens) is [`crate::people`]'s.
//!
//! Secrets (session ids, tokens) are random 256-bit values; only their
//! SHA-256 is stored, so a leaked database does not sign anyone in.

use crate::http::error::AppError;
use crate::http::source::Source;
use crate::i18n::Lang;
use crate::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{ACCEPT_LANGUAGE, AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thirdplace_domain::sessions::{preferred_language, use_is_worth_recording};
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
    /// The language the signed-in person chose, if any.
    pub language: Option<Lang>,
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
        let now = state.now();
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
            let found = state
                .store
                .token_use(&sha256_hex(token))
                .await?
                .ok_or(AppError::Unauthorized)?;
            if use_is_worth_recording(found.last_used_at, now) {
                let source = source_of(parts, state).await;
                let written = state
                    .store
                    .touch_api_token(found.token_id, now, source.as_deref())
                    .await;
                log_unrecorded_use(written);
            }
            Auth {
                principal: Some(Principal::from_person(&found.person)),
                session_hash: None,
                via_token: true,
                language: None,
            }
        } else if let Some(secret) = cookie_value(&parts.headers, SESSION_COOKIE) {
            let hash = sha256_hex(secret);
            let found = state.store.session_use(&hash, now).await?;
            if let Some(found) = found.as_ref() {
                if use_is_worth_recording(found.last_used_at, now) {
                    let source = source_of(parts, state).await;
                    let written = state
                        .store
                        .touch_session(&hash, now, source.as_deref())
                        .await;
                    log_unrecorded_use(written);
                }
            }
            Auth {
                principal: found.as_ref().map(|f| Principal::from_person(&f.person)),
                language: found
                    .as_ref()
                    .and_then(|f| f.language.as_deref())
                    .and_then(Lang::parse),
                session_hash: found.map(|_| hash),
                via_token: false,
            }
        } else {
            Auth {
                principal: None,
                session_hash: None,
                via_token: false,
                language: None,
            }
        };
        parts.extensions.insert(auth.clone());
        Ok(auth)
    }
}

/// The address a request came from, as the sessions list shows it.
async fn source_of(parts: &mut Parts, state: &AppState) -> Option<String> {
    let Ok(source) = Source::from_request_parts(parts, state).await;
    source.address()
}

/// When a session or token was last used is a courtesy to its owner: a
/// failure to write it (a busy database) is logged, never the request's.
fn log_unrecorded_use(written: Result<(), thirdplace_store::StoreError>) {
    if let Err(e) = written {
        tracing::warn!(error = %e, "could not record the use of a session or token");
    }
}

/// The language of a request without a signed-in person's choice: see
/// [`lang_for`].
pub fn lang_of(headers: &HeaderMap) -> Lang {
    lang_for(headers, None)
}

/// The language of a request: the browser's remembered choice (the
/// `tp_lang` cookie), else the signed-in person's choice kept on their
/// account, else what the browser asks for (`Accept-Language`), else
/// Swedish.
pub fn lang_for(headers: &HeaderMap, account: Option<Lang>) -> Lang {
    cookie_value(headers, LANG_COOKIE)
        .and_then(Lang::parse)
        .or(account)
        .or_else(|| {
            headers
                .get(ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .and_then(preferred_language)
                .and_then(Lang::parse)
        })
        .unwrap_or_default()
}

/// Keeps a signed-in person's choice of language on their account, so
/// that it follows them to every device they sign in on.
pub async fn keep_language(
    state: &AppState,
    person: Option<&Principal>,
    lang: Lang,
) -> Result<(), AppError> {
    if let Some(p) = person {
        state
            .store
            .set_person_language(p.person_id, Some(lang.code()))
            .await?;
    }
    Ok(())
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

    #[test]
    fn the_cookie_then_the_account_then_the_browser_picks_the_language() {
        let mut h = HeaderMap::new();
        assert_eq!(lang_of(&h), Lang::Sv);
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("en-GB,en;q=0.9"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(lang_for(&h, Some(Lang::Sv)), Lang::Sv);
        h.insert(COOKIE, HeaderValue::from_static("tp_lang=en"));
        assert_eq!(lang_for(&h, Some(Lang::Sv)), Lang::En);
        h.insert(ACCEPT_LANGUAGE, HeaderValue::from_static("de, fi"));
        h.remove(COOKIE);
        assert_eq!(lang_of(&h), Lang::Sv);
    }
}
