//! Sign-in: argon2id password hashes, database-backed sessions in an
//! HttpOnly cookie, personal API tokens, failed-login throttling, and the
//! CSRF token every form carries.
//!
//! Secrets (session ids, tokens) are random 256-bit values; only their
//! SHA-256 is stored, so a leaked database does not sign anyone in.

use crate::error::AppError;
use crate::i18n::Lang;
use crate::AppState;
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::Argon2;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thirdplace_domain::Principal;

pub const SESSION_COOKIE: &str = "tp_session";
pub const CSRF_COOKIE: &str = "tp_csrf";
pub const LANG_COOKIE: &str = "tp_lang";
pub const TOKEN_PREFIX: &str = "tp_";
/// Failed sign-ins per e-mail address within [`THROTTLE_WINDOW_MINUTES`]
/// before further attempts are refused.
pub const MAX_LOGIN_FAILURES: i64 = 5;
pub const THROTTLE_WINDOW_MINUTES: i64 = 15;
pub const MIN_PASSWORD_LEN: usize = 10;

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .expect("argon2 with default parameters cannot fail")
        .to_string()
}

/// Verifies against a stored hash; a missing hash still costs one hash
/// computation so timing does not tell whether an account exists.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("not a real password"));
    let hash = stored.unwrap_or(DUMMY.as_str());
    let ok = PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false);
    ok && stored.is_some()
}

/// How many password hashes may be computed at once. Each argon2id hash
/// takes 19 MiB and a core for tens of milliseconds; a burst of sign-ins
/// queues here instead of exhausting memory or starving other requests.
pub const HASHING_SLOTS: usize = 2;

/// Runs a password hash or verification off the async workers, at most
/// [`HASHING_SLOTS`] at a time.
pub async fn hashing<T: Send + 'static>(
    slots: &tokio::sync::Semaphore,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _slot = slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))
}

pub fn random_secret() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

/// A new API token: the secret to show once, and the hash to store.
pub fn new_api_token() -> (String, String) {
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    let hash = sha256_hex(&token);
    (token, hash)
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

/// Starts a session for a person and returns the cookie header to set.
pub async fn start_session(
    state: &AppState,
    headers: &mut HeaderMap,
    request_headers: &HeaderMap,
    person_id: uuid::Uuid,
) -> Result<String, AppError> {
    let secret = random_secret();
    let now = Utc::now();
    let days = state.config.session_days;
    let session = thirdplace_store::Session {
        id_hash: sha256_hex(&secret),
        person_id,
        created_at: now,
        expires_at: now + Duration::days(days),
    };
    state.store.insert_session(&session).await?;
    set_cookie(
        headers,
        SESSION_COOKIE,
        &secret,
        days * 86_400,
        true,
        is_secure(state, request_headers),
    );
    Ok(session.id_hash)
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
            let person = state.store.session_person(&hash, Utc::now()).await?;
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
    fn passwords_verify_only_against_their_own_hash() {
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong", Some(&h)));
        assert!(!verify_password("correct horse battery", None));
        assert!(!verify_password("x", Some("not a hash")));
    }

    #[tokio::test]
    async fn no_more_hashes_run_at_once_than_there_are_slots() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let slots = Arc::new(tokio::sync::Semaphore::new(HASHING_SLOTS));
        let running = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..6)
            .map(|_| {
                let (slots, running, peak) = (slots.clone(), running.clone(), peak.clone());
                tokio::spawn(async move {
                    hashing(&slots, move || {
                        let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                        peak.fetch_max(now, Ordering::SeqCst);
                        std::thread::sleep(std::time::Duration::from_millis(30));
                        running.fetch_sub(1, Ordering::SeqCst);
                    })
                    .await
                    .unwrap()
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(peak.load(Ordering::SeqCst), HASHING_SLOTS);
    }

    #[test]
    fn tokens_are_prefixed_and_stored_hashed() {
        let (t, h) = new_api_token();
        assert!(t.starts_with("tp_"));
        assert_eq!(h, sha256_hex(&t));
        assert_ne!(new_api_token().0, t);
    }

    #[test]
    fn cookies_are_found_among_several() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, HeaderValue::from_static("a=1; tp_lang=en"));
        assert_eq!(cookie_value(&h, "tp_lang"), Some("en"));
        assert_eq!(lang_of(&h), Lang::En);
        assert_eq!(cookie_value(&h, "b"), None);
    }
}
