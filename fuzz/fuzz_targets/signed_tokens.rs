//! The signed tokens anyone can send: calendar feed addresses and the
//! membership card's QR code. Any string is refused or accepted without a
//! panic; a forged one is never accepted; what is signed verifies to itself.
#![no_main]
use chrono::{DateTime, Utc};
use libfuzzer_sys::fuzz_target;
use thirdplace_web::http::feed_token::{sign_feed_token, verify_feed_token};
use thirdplace_web::memberships::qr::{self, QrClaims};
use uuid::Uuid;

const KEY: &[u8] = b"fuzzing key, 32 bytes long......";

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let now = DateTime::<Utc>::from_timestamp(1_800_000_000, 0).unwrap();
    // Whatever arrives: no panic, and nothing unsigned passes.
    if let Some((person, generation)) = verify_feed_token(KEY, &text) {
        assert_eq!(sign_feed_token(KEY, person, generation), text.trim());
    }
    if let Ok(claims) = qr::verify(KEY, &text, now) {
        assert_eq!(qr::sign(KEY, claims).as_str(), text.trim());
    }
    // What is signed comes back as it went in.
    if data.len() >= 24 {
        let person = Uuid::from_slice(&data[..16]).unwrap();
        let generation = i64::from_be_bytes(data[16..24].try_into().unwrap());
        let token = sign_feed_token(KEY, person, generation);
        assert_eq!(verify_feed_token(KEY, &token), Some((person, generation)));
        let claims = QrClaims {
            person_id: person,
            generation,
            issued_at: now,
        };
        assert_eq!(
            qr::verify(KEY, &qr::sign(KEY, claims), now).ok(),
            Some(claims)
        );
    }
});
