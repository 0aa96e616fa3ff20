//! [`ThrottleStore`] for SQLite: failed sign-ins per key in
//! `sign_in_strikes`, the last failure as Unix milliseconds; reads and
//! deletes are [`thirdplace_store::sql::throttle`]'s.

use crate::dialect::Lite;
use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_store::sql::throttle as shared;
use thirdplace_store::{StoreResult, Strikes, ThrottleStore};

#[async_trait]
impl ThrottleStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn strikes(
        &self,
        key: &str,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<Option<Strikes>> {
        shared::strikes::<Lite>(&mut *self.readers.get().await, key, forget_before).await
    }

    /// Stale rows go first, in the same job, so a key's count starts again
    /// from one after a quiet spell.
    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_strikes(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        let keys = keys.to_vec();
        write!(self, |conn| {
            shared::forget_stale::<Lite>(conn, forget_before).await?;
            for key in &keys {
                sqlx::query(
                    "INSERT INTO sign_in_strikes (key, failures, last_at) VALUES (?, 1, ?) \
                     ON CONFLICT (key) DO UPDATE SET failures = failures + 1, \
                     last_at = max(last_at, excluded.last_at)",
                )
                .bind(key)
                .bind(at.timestamp_millis())
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            }
            Ok(())
        })
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn clear_strikes(&self, key: &str) -> StoreResult<()> {
        let key = key.to_owned();
        write!(self, |conn| shared::clear::<Lite>(conn, &key).await)
    }
}
