//! Retries without duplicates. A write that creates something accepts an
//! `Idempotency-Key` header (a UUID or any 1 to 255 visible ASCII
//! characters the client makes up once per intended write). The id of what
//! the write creates is then derived from who asks, what they create and the
//! key, instead of being drawn at random; a retry with the same key names the
//! same id, finds it taken (committed by the first attempt, whether or not
//! that attempt was ever answered) and is answered with what the first
//! attempt created, as the first answer would have been.
//!
//! No table of answers is kept: the key lives in the id of the created row,
//! committed in the same transaction as the row itself, so a crash between
//! the commit and the answer cannot make a retry create a second one.

use crate::http::error::AppError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use uuid::Uuid;

pub const HEADER: &str = "idempotency-key";

/// The ids of retried writes, apart from every other UUID.
const NAMESPACE: Uuid = Uuid::from_u128(0x6a1f_3c2e_9b0d_4e57_8f21_5d6c_0a9e_7b43);

/// The `Idempotency-Key` header of a request, if it has one.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct IdempotencyKey(Option<String>);

impl IdempotencyKey {
    pub fn parse(raw: Option<&[u8]>) -> Result<Self, AppError> {
        let Some(raw) = raw else {
            return Ok(Self(None));
        };
        std::str::from_utf8(raw)
            .ok()
            .filter(|k| (1..=255).contains(&k.len()) && k.bytes().all(|b| b.is_ascii_graphic()))
            .map(|k| Self(Some(k.to_owned())))
            .ok_or_else(|| {
                AppError::bad_request(
                    "invalid_idempotency_key",
                    "the Idempotency-Key header must be 1 to 255 visible ASCII characters, e.g. a UUID",
                )
            })
    }

    /// The key itself, if the request carried one.
    pub fn key(&self) -> Option<&str> {
        self.0.as_deref()
    }

    /// Whether the request carried a key (a retry may be answered from what
    /// the first attempt created).
    pub fn is_set(&self) -> bool {
        self.0.is_some()
    }

    /// The id of what this request creates: derived from the person, the
    /// kind of thing (`"booking"`, `"checkin"`, …) and the key when there is
    /// a key, so that a retry names the same thing; `fresh` otherwise.
    pub fn id_for(&self, person: Uuid, what: &str, fresh: impl FnOnce() -> Uuid) -> Uuid {
        match &self.0 {
            Some(key) => Uuid::new_v5(&NAMESPACE, format!("{person}\n{what}\n{key}").as_bytes()),
            None => fresh(),
        }
    }
}

/// The header in the OpenAPI document of the operations that take it.
impl utoipa::IntoParams for IdempotencyKey {
    fn into_params(
        _: impl Fn() -> Option<utoipa::openapi::path::ParameterIn>,
    ) -> Vec<utoipa::openapi::path::Parameter> {
        use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
        use utoipa::openapi::{ObjectBuilder, Required, Type};
        vec![ParameterBuilder::new()
            .name("Idempotency-Key")
            .parameter_in(ParameterIn::Header)
            .required(Required::False)
            .description(Some(
                "Makes the write safe to retry: a retry with the same key (1 to 255 visible ASCII characters, e.g. a UUID) is answered with what the first attempt created, and creates nothing more.",
            ))
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::String)
                    .min_length(Some(1))
                    .max_length(Some(255))
                    .pattern(Some("^[!-~]+$")),
            ))
            .build()]
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Self::parse(parts.headers.get(HEADER).map(|v| v.as_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(raw: &str) -> IdempotencyKey {
        IdempotencyKey::parse(Some(raw.as_bytes())).unwrap()
    }

    #[test]
    fn one_key_names_one_thing_per_person_and_kind() {
        let (anna, bo) = (Uuid::new_v4(), Uuid::new_v4());
        let k = key("3f2c9a4e-booking-1");
        let id = k.id_for(anna, "booking", Uuid::new_v4);
        assert_eq!(id, k.id_for(anna, "booking", Uuid::new_v4));
        assert_ne!(id, k.id_for(bo, "booking", Uuid::new_v4));
        assert_ne!(id, k.id_for(anna, "checkin", Uuid::new_v4));
        assert_ne!(
            id,
            key("3f2c9a4e-booking-2").id_for(anna, "booking", Uuid::new_v4)
        );
    }

    #[test]
    fn without_a_key_every_write_is_new() {
        let none = IdempotencyKey::parse(None).unwrap();
        assert!(!none.is_set());
        let p = Uuid::new_v4();
        assert_ne!(
            none.id_for(p, "booking", Uuid::new_v4),
            none.id_for(p, "booking", Uuid::new_v4)
        );
    }

    #[test]
    fn keys_that_are_empty_long_or_not_visible_ascii_are_refused() {
        for bad in ["", " ", "a b", "nyckel-å", "tab\there", &"x".repeat(256)] {
            let e = IdempotencyKey::parse(Some(bad.as_bytes())).unwrap_err();
            assert_eq!(e.code(), "invalid_idempotency_key", "{bad:?}");
        }
        assert!(IdempotencyKey::parse(Some(&[0xff, 0xfe])).is_err());
        assert!(key(&"x".repeat(255)).is_set());
    }
}
