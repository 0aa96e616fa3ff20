//! Failed sign-ins, counted per key in the database so that every server
//! process sees the same counts. A key names what the failures are counted
//! against: an account ([`account_key`]) or a source address
//! ([`source_key`]). What the counts mean (how long the next attempt waits)
//! is the domain's rule, `thirdplace_domain::sign_in`.

use crate::StoreResult;
use async_trait::async_trait;
use chrono::{DateTime, Utc};

/// The failures under one key since it was last cleared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Strikes {
    pub failures: i64,
    pub last_at: DateTime<Utc>,
}

/// The key of an account's failures: the e-mail address typed (lower case,
/// whether or not anyone has it, so the answer does not tell).
pub fn account_key(email: &str) -> String {
    format!("account:{}", email.to_lowercase())
}

/// The key of a source address's failures.
pub fn source_key(address: &str) -> String {
    format!("source:{address}")
}

#[async_trait]
pub trait ThrottleStore: Send + Sync {
    /// The failures under `key`, unless there are none or the last one was
    /// before `forget_before`.
    async fn strikes(
        &self,
        key: &str,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<Option<Strikes>>;

    /// Records a failure under each key at `at`, in one transaction: a
    /// key's count goes up by one, or starts again at one when its last
    /// failure was before `forget_before`. Keys whose last failure was
    /// before `forget_before` are deleted on the way, so the table holds
    /// only what still counts. Several processes recording at once all count.
    async fn record_strikes(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()>;

    /// Forgets the failures under `key` (after a successful sign-in).
    async fn clear_strikes(&self, key: &str) -> StoreResult<()>;
}
