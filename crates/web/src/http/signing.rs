//! The one HMAC-SHA256 scheme behind the app's signed tokens (a member's QR
//! code, a member's private calendar feed address): a key made once per
//! database and kept in its meta table, so every `serve` process shares it,
//! and tags cut to 128 bits. Each kind of token has its own key and prefix,
//! so a token of one kind can never pass as another.

use crate::http::error::AppError;
use crate::AppState;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// The signing key stored under `meta_key`: made on first use, then shared
/// by all processes on the database.
pub async fn key(state: &AppState, meta_key: &str) -> Result<Vec<u8>, AppError> {
    let fresh = crate::http::auth::random_secret();
    let key = state.store.meta_get_or_insert(meta_key, &fresh).await?;
    Ok(key.into_bytes())
}

/// The 16-byte tag of `prefix.payload`.
pub fn tag(key: &[u8], prefix: &str, payload: &str) -> Vec<u8> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).expect("HMAC takes keys of any length");
    m.update(prefix.as_bytes());
    m.update(b".");
    m.update(payload.as_bytes());
    m.finalize().into_bytes()[..16].to_vec()
}

/// Whether `given` is the tag of `prefix.payload`, compared in constant time.
pub fn tag_matches(key: &[u8], prefix: &str, payload: &str, given: &[u8]) -> bool {
    bool::from(given.ct_eq(&tag(key, prefix, payload)))
}
