//! Signing in: argon2id password hashes (a bounded number at once),
//! database-backed sessions in an HttpOnly cookie, personal API tokens, and
//! the throttle on failed sign-ins ([`Throttle`]). The extractor that reads
//! a session or token back is [`crate::http::auth`].
//!
//! Secrets (session ids, tokens) are random 256-bit values; only their
//! SHA-256 is stored, so a leaked database does not sign anyone in.

use crate::http::auth::{
    cookie_value, is_secure, random_secret, set_cookie, sha256_hex, LANG_COOKIE, SESSION_COOKIE,
};
use crate::http::error::AppError;
use crate::http::source::Source;
use crate::i18n::Lang;
use crate::AppState;
use argon2::password_hash::{rand_core::OsRng, Output, PasswordHash, Salt, SaltString};
use argon2::{Algorithm, Argon2, Block, Params, Version};
use axum::http::header::USER_AGENT;
use axum::http::HeaderMap;
use chrono::Duration;
use thirdplace_domain::sessions::short_user_agent;
use thirdplace_domain::{sign_in, Email};

pub const TOKEN_PREFIX: &str = "tp_";
pub const MIN_PASSWORD_LEN: usize = 10;

pub fn hash_password(password: &str) -> String {
    let salt = SaltString::generate(&mut OsRng);
    argon2_hash(
        Algorithm::Argon2id,
        Version::V0x13,
        Params::default(),
        password,
        salt.as_salt(),
    )
    .expect("argon2 with default parameters cannot fail")
    .to_string()
}

/// Verifies against a stored hash; a missing hash still costs one hash
/// computation so timing does not tell whether an account exists.
pub fn verify_password(password: &str, stored: Option<&str>) -> bool {
    static DUMMY: std::sync::LazyLock<String> =
        std::sync::LazyLock::new(|| hash_password("not a real password"));
    let hash = stored.unwrap_or(DUMMY.as_str());
    let recomputed = |parsed: &PasswordHash| -> argon2::password_hash::Result<bool> {
        let algorithm = Algorithm::try_from(parsed.algorithm)?;
        let version = parsed
            .version
            .map(Version::try_from)
            .transpose()?
            .unwrap_or_default();
        let params = Params::try_from(parsed)?;
        let salt = parsed
            .salt
            .ok_or(argon2::password_hash::Error::SaltInvalid(
                argon2::password_hash::errors::InvalidValue::Malformed,
            ))?;
        let expected = parsed.hash.ok_or(argon2::password_hash::Error::Password)?;
        let computed = argon2_hash(algorithm, version, params, password, salt)?;
        Ok(computed.hash == Some(expected))
    };
    let ok = PasswordHash::new(hash)
        .and_then(|parsed| recomputed(&parsed))
        .unwrap_or(false);
    ok && stored.is_some()
}

/// One argon2 hash with its memory from [`argon2_memory`].
fn argon2_hash<'a>(
    algorithm: Algorithm,
    version: Version,
    params: Params,
    password: &str,
    salt: Salt<'a>,
) -> argon2::password_hash::Result<PasswordHash<'a>> {
    let mut salt_buf = [0u8; 64];
    let salt_bytes = salt.decode_b64(&mut salt_buf)?;
    let len = params.output_len().unwrap_or(Params::DEFAULT_OUTPUT_LEN);
    let mut memory = argon2_memory(&params);
    let phc_params = argon2::password_hash::ParamsString::try_from(&params)?;
    let argon = Argon2::new(algorithm, version, params);
    let output = Output::init_with(len, |out| {
        argon
            .hash_password_into_with_memory(password.as_bytes(), salt_bytes, out, &mut memory)
            .map_err(argon2::password_hash::Error::from)
    })?;
    Ok(PasswordHash {
        algorithm: algorithm.ident(),
        version: Some(version.into()),
        params: phc_params,
        salt: Some(salt),
        hash: Some(output),
    })
}

/// The working memory of one hash (19 MiB with the default parameters), in
/// a `Vec` with room for more than 32 MiB of which only what the hash uses
/// is ever touched. Why: glibc's malloc serves an allocation above its
/// largest mmap threshold (32 MiB) with a mapping of its own and unmaps it
/// when freed, so the memory goes back to the system as soon as the hash is
/// done. Left to argon2, the 19 MiB came from the arena of whichever blocking
/// thread hashed, which kept it: 16 sign-ins left the server at 260 MB
/// (bench/README.md, "Sign-in burst"). Untouched capacity costs no memory.
fn argon2_memory(params: &Params) -> Vec<Block> {
    const MAPPED_BYTES: usize = 33 << 20;
    let blocks = params.block_count();
    let mut memory = Vec::with_capacity(blocks.max(MAPPED_BYTES / Block::SIZE));
    memory.resize(blocks, Block::default());
    memory
}

/// How many password hashes may be computed at once: one per two cores,
/// at least one. Each argon2id hash takes 19 MiB and a core for tens of
/// milliseconds; a burst of sign-ins queues here instead of exhausting
/// memory or starving other requests, and half the cores stay free for
/// everything else. On the 2-core benchmark machine that is one at a time:
/// 16 simultaneous sign-ins peak near 49 MB instead of 68 MB with two
/// (bench/README.md, "Sign-in burst").
pub fn hashing_slots() -> usize {
    std::thread::available_parallelism().map_or(1, |n| (n.get() / 2).max(1))
}

/// Waits for one of the hashing slots; hold it while hashing.
pub async fn hashing_slot(
    slots: &tokio::sync::Semaphore,
) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
    slots
        .acquire()
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))
}

/// Runs a password hash or verification off the async workers; the caller
/// holds a slot ([`hashing_slot`]).
pub async fn hash_blocking<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|e| AppError::Internal(Box::new(e)))
}

/// Runs a password hash or verification off the async workers, at most
/// [`hashing_slots`] at a time.
pub async fn hashing<T: Send + 'static>(
    slots: &tokio::sync::Semaphore,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, AppError> {
    let _slot = hashing_slot(slots).await?;
    hash_blocking(work).await
}

/// The throttle on failed sign-ins, per account (the e-mail address typed)
/// and per source address, with its state in the database so that every
/// server process counts alike. The rules (how long to wait after how many
/// failures) are [`thirdplace_domain::sign_in`]'s.
pub struct Throttle {
    account: String,
    source: String,
}

impl Throttle {
    pub fn new(email: &Email, source: &Source) -> Self {
        Throttle {
            account: thirdplace_store::account_key(email.as_str()),
            source: source.key(),
        }
    }

    /// How long an attempt now must wait, if at all: the longer of the
    /// account's and the source's waits. Checked before any hashing.
    pub async fn wait(&self, state: &AppState) -> Result<Option<Duration>, AppError> {
        let now = state.now();
        let forget = now - sign_in::forget_after();
        let mut longest: Option<Duration> = None;
        for (key, rule) in [
            (&self.account, sign_in::ACCOUNT),
            (&self.source, sign_in::SOURCE),
        ] {
            if let Some(s) = state.store.strikes(key, forget).await? {
                if let Some(w) = rule.wait(s.failures, s.last_at, now) {
                    longest = Some(longest.map_or(w, |l| l.max(w)));
                }
            }
        }
        Ok(longest)
    }

    /// Counts a failed attempt against the account and the source.
    pub async fn failed(&self, state: &AppState) -> Result<(), AppError> {
        let now = state.now();
        let keys = [self.account.clone(), self.source.clone()];
        state
            .store
            .record_strikes(&keys, now, now - sign_in::forget_after())
            .await?;
        Ok(())
    }

    /// The account's failures are forgotten after a successful sign-in
    /// (the source's are not: one good password must not wipe a spray).
    pub async fn succeeded(&self, state: &AppState) -> Result<(), AppError> {
        state.store.clear_strikes(&self.account).await?;
        Ok(())
    }
}

/// A new API token: the secret to show once, and the hash to store.
pub fn new_api_token() -> (String, String) {
    let token = format!("{TOKEN_PREFIX}{}", random_secret());
    let hash = sha256_hex(&token);
    (token, hash)
}

/// Starts a session for a person and returns the cookie header to set.
/// The secret is always new: whatever session cookie the browser brought
/// is never taken over (the caller deletes its row), so nobody who planted
/// a cookie before the sign-in is signed in by it afterwards.
pub async fn start_session(
    state: &AppState,
    headers: &mut HeaderMap,
    request_headers: &HeaderMap,
    person_id: uuid::Uuid,
) -> Result<String, AppError> {
    let secret = random_secret();
    let now = state.now();
    let days = state.config.session_days;
    let session = thirdplace_store::Session {
        id_hash: sha256_hex(&secret),
        person_id,
        created_at: now,
        expires_at: now + Duration::days(days),
    };
    state
        .store
        .insert_session_on(&session, &session_device(request_headers))
        .await?;
    set_cookie(
        headers,
        SESSION_COOKIE,
        &secret,
        days * 86_400,
        true,
        is_secure(state, request_headers),
    );
    sign_in_language(state, headers, request_headers, person_id).await?;
    Ok(session.id_hash)
}

/// What a new session records of its browser: a public id for the list
/// of sessions and the user agent, shortened.
fn session_device(request_headers: &HeaderMap) -> thirdplace_store::SessionDevice {
    let user_agent = request_headers
        .get(USER_AGENT)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .unwrap_or_default();
    thirdplace_store::SessionDevice {
        public_id: thirdplace_domain::new_id(),
        user_agent: short_user_agent(&user_agent),
    }
}

/// The language at sign-in: the one kept on the account comes to this
/// browser (its cookie is set); a person who has none kept but chose one
/// in this browser before signing in keeps that one on the account.
async fn sign_in_language(
    state: &AppState,
    headers: &mut HeaderMap,
    request_headers: &HeaderMap,
    person_id: uuid::Uuid,
) -> Result<(), AppError> {
    let kept = state.store.person_language(person_id).await?;
    match kept.as_deref().and_then(Lang::parse) {
        Some(lang) => set_cookie(
            headers,
            LANG_COOKIE,
            lang.code(),
            365 * 86_400,
            true,
            is_secure(state, request_headers),
        ),
        None => {
            if let Some(chosen) = cookie_value(request_headers, LANG_COOKIE).and_then(Lang::parse) {
                state
                    .store
                    .set_person_language(person_id, Some(chosen.code()))
                    .await?;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_keep_the_default_parameters_and_verify_with_the_argon2_crate() {
        use argon2::password_hash::PasswordVerifier;
        let h = hash_password("correct horse battery");
        assert!(h.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{h}");
        let parsed = PasswordHash::new(&h).unwrap();
        assert!(Argon2::default()
            .verify_password(b"correct horse battery", &parsed)
            .is_ok());
        // And hashes the crate made verify here.
        use argon2::password_hash::PasswordHasher;
        let salt = SaltString::generate(&mut OsRng);
        let theirs = Argon2::default()
            .hash_password(b"another password", &salt)
            .unwrap()
            .to_string();
        assert!(verify_password("another password", Some(&theirs)));
        assert!(!verify_password("another passwore", Some(&theirs)));
        assert!(argon2_memory(&Params::default()).capacity() * Block::SIZE > 32 << 20);
    }

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
        let slots = Arc::new(tokio::sync::Semaphore::new(2));
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
        assert_eq!(peak.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn tokens_are_prefixed_and_stored_hashed() {
        let (t, h) = new_api_token();
        assert!(t.starts_with("tp_"));
        assert_eq!(h, sha256_hex(&t));
        assert_ne!(new_api_token().0, t);
    }
}
