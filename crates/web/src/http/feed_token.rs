//! The secret address of a member's calendar feed (`/feeds/{token}.ics`):
//! HMAC-SHA256 over the person's id and calendar generation
//! ([`crate::http::signing`]), so it cannot be guessed, and rotating the
//! generation voids every address given before. Plumbing shared by the
//! account page (which shows and rotates the address) and the feed that
//! answers it.

use crate::http::error::AppResult;
use crate::http::origin::Origin;
use crate::http::signing;
use crate::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use uuid::Uuid;

const TOKEN_PREFIX: &str = "tpc1";
const META_KEY: &str = "calendar_feed_signing_key";

/// The secret part of a member's feed address: `tpc1.<payload>.<tag>`, the
/// payload being the person's id and calendar generation (base64url).
pub fn sign_feed_token(key: &[u8], person_id: Uuid, generation: i64) -> String {
    let mut raw = Vec::with_capacity(24);
    raw.extend_from_slice(person_id.as_bytes());
    raw.extend_from_slice(&generation.to_be_bytes());
    let payload = URL_SAFE_NO_PAD.encode(raw);
    let tag = URL_SAFE_NO_PAD.encode(signing::tag(key, TOKEN_PREFIX, &payload));
    format!("{TOKEN_PREFIX}.{payload}.{tag}")
}

/// The person and generation a token was signed for, if it is ours and
/// untouched. The caller still compares the generation with the store's.
pub fn verify_feed_token(key: &[u8], token: &str) -> Option<(Uuid, i64)> {
    let mut parts = token.split('.');
    let (Some(TOKEN_PREFIX), Some(payload), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let given = URL_SAFE_NO_PAD.decode(tag).ok()?;
    if !signing::tag_matches(key, TOKEN_PREFIX, payload, &given) {
        return None;
    }
    let raw = URL_SAFE_NO_PAD.decode(payload).ok()?;
    if raw.len() != 24 {
        return None;
    }
    let person_id = Uuid::from_slice(&raw[..16]).ok()?;
    let generation = i64::from_be_bytes(raw[16..24].try_into().ok()?);
    Some((person_id, generation))
}

/// The person's current feed address (absolute, under `origin`).
pub async fn feed_url(state: &AppState, origin: &Origin, person_id: Uuid) -> AppResult<String> {
    let key = signing::key(state, META_KEY).await?;
    let generation = state.store.calendar_generation(person_id).await?;
    Ok(format!(
        "{}/feeds/{}.ics",
        origin.0,
        sign_feed_token(&key, person_id, generation)
    ))
}

/// Voids the person's feed address and returns the new one.
pub async fn rotate_feed(state: &AppState, origin: &Origin, person_id: Uuid) -> AppResult<String> {
    state.store.rotate_calendar(person_id).await?;
    feed_url(state, origin, person_id).await
}

/// The signing key of feed addresses.
pub async fn key(state: &AppState) -> AppResult<Vec<u8>> {
    signing::key(state, META_KEY).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_feed_token_names_its_person_and_generation_and_cannot_be_forged() {
        let person = Uuid::from_u128(7);
        let token = sign_feed_token(b"key", person, 2);
        assert!(token.starts_with("tpc1."));
        assert!(!token.contains(&person.to_string()));
        assert_eq!(verify_feed_token(b"key", &token), Some((person, 2)));
        assert_eq!(verify_feed_token(b"other key", &token), None);
        let other = sign_feed_token(b"key", Uuid::from_u128(8), 2);
        let payload = token.split('.').nth(1).unwrap();
        let forged = format!("tpc1.{payload}.{}", other.split('.').nth(2).unwrap());
        assert_eq!(verify_feed_token(b"key", &forged), None);
        assert_eq!(verify_feed_token(b"key", "tpc1.a.b"), None);
        assert_eq!(verify_feed_token(b"key", "hello"), None);
    }
}
