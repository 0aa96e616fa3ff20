//! The member's QR code: a signed, short-lived token that a host or kiosk
//! scans to check the member in.
//!
//! The token is `tpq1.<payload>.<mac>`: the payload (base64url) holds the
//! person's id, their card generation and the time it was issued; the MAC is
//! HMAC-SHA256 under a key kept in the database (so every `serve` process
//! shares it), cut to 128 bits. It is not the person's id: it cannot be
//! made without the key, it expires after [`QR_TOKEN_HOURS`], and rotating
//! the card (a new generation) voids every code shown before.

use crate::http::error::AppError;
use crate::http::signing;
use crate::AppState;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

const PREFIX: &str = "tpq1";
const META_KEY: &str = "qr_signing_key";
/// How long a shown code stays valid.
pub const QR_TOKEN_HOURS: i64 = 12;

/// What a valid token says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QrClaims {
    pub person_id: Uuid,
    pub generation: i64,
    pub issued_at: DateTime<Utc>,
}

/// Why a scanned code is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum QrError {
    /// Not a code of ours, or tampered with.
    Invalid,
    /// Older than [`QR_TOKEN_HOURS`] (or from the future).
    Expired,
    /// The member has rotated their card since.
    Rotated,
}

impl QrError {
    pub fn into_app_error(self) -> AppError {
        match self {
            QrError::Invalid => AppError::refused(
                axum::http::StatusCode::BAD_REQUEST,
                "qr_invalid",
                "This is not a valid thirdplace member code.",
            ),
            QrError::Expired => AppError::refused(
                axum::http::StatusCode::FORBIDDEN,
                "qr_expired",
                "This member code is too old. Ask the member to open their card again.",
            ),
            QrError::Rotated => AppError::refused(
                axum::http::StatusCode::FORBIDDEN,
                "qr_rotated",
                "This member code has been replaced by a newer one.",
            ),
        }
    }
}

/// The signing key: made once per database, shared by all processes.
pub async fn signing_key(state: &AppState) -> Result<Vec<u8>, AppError> {
    signing::key(state, META_KEY).await
}

pub fn sign(key: &[u8], claims: QrClaims) -> String {
    let mut raw = Vec::with_capacity(32);
    raw.extend_from_slice(claims.person_id.as_bytes());
    raw.extend_from_slice(&claims.generation.to_be_bytes());
    raw.extend_from_slice(&claims.issued_at.timestamp().to_be_bytes());
    let payload = URL_SAFE_NO_PAD.encode(raw);
    let tag = URL_SAFE_NO_PAD.encode(signing::tag(key, PREFIX, &payload));
    format!("{PREFIX}.{payload}.{tag}")
}

/// Checks the signature and age; the generation is checked by the caller
/// against the store ([`check_generation`]).
pub fn verify(key: &[u8], token: &str, now: DateTime<Utc>) -> Result<QrClaims, QrError> {
    let mut parts = token.trim().split('.');
    let (Some(PREFIX), Some(payload), Some(tag), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(QrError::Invalid);
    };
    let given = URL_SAFE_NO_PAD.decode(tag).map_err(|_| QrError::Invalid)?;
    if !signing::tag_matches(key, PREFIX, payload, &given) {
        return Err(QrError::Invalid);
    }
    let raw = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| QrError::Invalid)?;
    if raw.len() != 32 {
        return Err(QrError::Invalid);
    }
    let person_id = Uuid::from_slice(&raw[..16]).map_err(|_| QrError::Invalid)?;
    let generation = i64::from_be_bytes(raw[16..24].try_into().map_err(|_| QrError::Invalid)?);
    let issued = i64::from_be_bytes(raw[24..32].try_into().map_err(|_| QrError::Invalid)?);
    let issued_at = DateTime::from_timestamp(issued, 0).ok_or(QrError::Invalid)?;
    if now - issued_at > Duration::hours(QR_TOKEN_HOURS) || issued_at - now > Duration::minutes(5) {
        return Err(QrError::Expired);
    }
    Ok(QrClaims {
        person_id,
        generation,
        issued_at,
    })
}

pub fn check_generation(claims: &QrClaims, current: i64) -> Result<(), QrError> {
    if claims.generation == current {
        Ok(())
    } else {
        Err(QrError::Rotated)
    }
}

/// A fresh code for a person's card.
pub async fn issue(
    state: &AppState,
    person_id: Uuid,
    now: DateTime<Utc>,
) -> Result<String, AppError> {
    let key = signing_key(state).await?;
    let generation = state.store.qr_generation(person_id).await?;
    Ok(sign(
        &key,
        QrClaims {
            person_id,
            generation,
            issued_at: now,
        },
    ))
}

/// Verifies a scanned code completely: signature, age and generation.
pub async fn resolve(state: &AppState, token: &str, now: DateTime<Utc>) -> Result<Uuid, AppError> {
    let key = signing_key(state).await?;
    let claims = verify(&key, token, now).map_err(QrError::into_app_error)?;
    let current = state.store.qr_generation(claims.person_id).await?;
    check_generation(&claims, current).map_err(QrError::into_app_error)?;
    Ok(claims.person_id)
}

/// The code as an SVG image for the card page.
pub fn svg(token: &str) -> String {
    match qrcode::QrCode::with_error_correction_level(token.as_bytes(), qrcode::EcLevel::M) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color>()
            .min_dimensions(220, 220)
            .quiet_zone(true)
            .build(),
        // A token is ~80 ASCII bytes; QR codes hold far more.
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(now: DateTime<Utc>) -> QrClaims {
        QrClaims {
            person_id: Uuid::from_u128(42),
            generation: 3,
            issued_at: now,
        }
    }

    #[test]
    fn a_signed_code_verifies_and_hides_nothing_it_should_not() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = sign(b"key", claims(now));
        assert!(token.starts_with("tpq1."));
        assert!(!token.contains(&Uuid::from_u128(42).to_string()));
        assert_eq!(verify(b"key", &token, now).unwrap(), claims(now));
        assert!(svg(&token).starts_with("<?xml"));
    }

    #[test]
    fn forged_old_and_rotated_codes_are_refused() {
        let now = DateTime::from_timestamp(1_800_000_000, 0).unwrap();
        let token = sign(b"key", claims(now));
        assert_eq!(verify(b"other key", &token, now), Err(QrError::Invalid));
        // Flip one character of the payload.
        let mut forged: Vec<char> = token.chars().collect();
        forged[6] = if forged[6] == 'A' { 'B' } else { 'A' };
        let forged: String = forged.into_iter().collect();
        assert_eq!(verify(b"key", &forged, now), Err(QrError::Invalid));
        assert_eq!(verify(b"key", "hello", now), Err(QrError::Invalid));
        assert_eq!(verify(b"key", "tpq1.a.b.c", now), Err(QrError::Invalid));
        let later = now + Duration::hours(QR_TOKEN_HOURS) + Duration::seconds(1);
        assert_eq!(verify(b"key", &token, later), Err(QrError::Expired));
        let c = verify(b"key", &token, now).unwrap();
        assert_eq!(check_generation(&c, 4), Err(QrError::Rotated));
        assert_eq!(check_generation(&c, 3), Ok(()));
    }

    #[test]
    fn a_qr_code_is_not_a_feed_address() {
        use crate::http::feed_token::verify_feed_token;
        let person = Uuid::from_u128(7);
        // A QR code's signature is not a feed's, even under the same key.
        let qr = sign(
            b"key",
            QrClaims {
                person_id: person,
                generation: 2,
                issued_at: DateTime::<Utc>::from_timestamp(0, 0).unwrap(),
            },
        );
        assert_eq!(
            verify_feed_token(b"key", &qr.replacen("tpq1", "tpc1", 1)),
            None
        );
    }
}
