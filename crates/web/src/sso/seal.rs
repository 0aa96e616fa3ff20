//! Client secrets sealed at rest: XChaCha20-Poly1305 under a key derived
//! (SHA-256) from the configured secret key (`--secret-key`,
//! `THIRDPLACE_SECRET_KEY`), with the provider's id as associated data so a
//! sealed secret cannot be moved to another provider. Without a configured
//! key no secret is stored.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, AeadCore, KeyInit, OsRng, Payload};
use chacha20poly1305::XChaCha20Poly1305;
use sha2::{Digest, Sha256};
use uuid::Uuid;

const PREFIX: &str = "v1.";
/// The shortest secret key accepted, in characters.
pub const MIN_KEY_LEN: usize = 32;

/// The sealing key, from the configured secret key.
#[derive(Clone)]
pub struct SealKey([u8; 32]);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealKey(..)")
    }
}

impl SealKey {
    /// `None` if the key is shorter than [`MIN_KEY_LEN`].
    pub fn from_secret(secret: &str) -> Option<SealKey> {
        (secret.chars().count() >= MIN_KEY_LEN)
            .then(|| SealKey(Sha256::digest(secret.as_bytes()).into()))
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new((&self.0).into())
    }

    /// `plain` sealed for the provider `id`.
    pub fn seal(&self, id: Uuid, plain: &str) -> String {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher()
            .encrypt(
                &nonce,
                Payload {
                    msg: plain.as_bytes(),
                    aad: id.as_bytes(),
                },
            )
            .expect("sealing in memory cannot fail");
        let mut out = nonce.to_vec();
        out.extend(sealed);
        format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(out))
    }

    /// The secret sealed for provider `id`, or `None` if it was sealed
    /// under another key, for another provider, or altered.
    pub fn open(&self, id: Uuid, sealed: &str) -> Option<String> {
        let bytes = URL_SAFE_NO_PAD.decode(sealed.strip_prefix(PREFIX)?).ok()?;
        if bytes.len() < 24 {
            return None;
        }
        let (nonce, msg) = bytes.split_at(24);
        let plain = self
            .cipher()
            .decrypt(
                nonce.into(),
                Payload {
                    msg,
                    aad: id.as_bytes(),
                },
            )
            .ok()?;
        String::from_utf8(plain).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_with_their_key_and_provider() {
        let key = SealKey::from_secret(&"k".repeat(32)).unwrap();
        let (a, b) = (Uuid::new_v4(), Uuid::new_v4());
        let sealed = key.seal(a, "client secret");
        assert!(!sealed.contains("client secret"));
        assert_eq!(key.open(a, &sealed).as_deref(), Some("client secret"));
        assert_eq!(key.open(b, &sealed), None);
        let other = SealKey::from_secret(&"j".repeat(32)).unwrap();
        assert_eq!(other.open(a, &sealed), None);
        assert_eq!(key.open(a, "v1.AAAA"), None);
        assert_ne!(key.seal(a, "x"), key.seal(a, "x"));
        assert!(SealKey::from_secret("short").is_none());
    }
}
