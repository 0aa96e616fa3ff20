//! [`ThrottleStore`] for SQLite: failed sign-ins per key in
//! `sign_in_strikes`, the last failure as Unix milliseconds.

use crate::{db, SqliteStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use thirdplace_store::{StoreError, StoreResult, Strikes, ThrottleStore};

fn instant(ms: i64) -> StoreResult<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms)
        .ok_or_else(|| StoreError::Database(format!("instant out of range: {ms}").into()))
}

#[async_trait]
impl ThrottleStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn strikes(
        &self,
        key: &str,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<Option<Strikes>> {
        let row = sqlx::query(
            "SELECT failures, last_at FROM sign_in_strikes WHERE key = ? AND last_at >= ?",
        )
        .bind(key)
        .bind(forget_before.timestamp_millis())
        .fetch_optional(&mut *self.readers.get().await)
        .await
        .map_err(db)?;
        row.map(|r| {
            Ok(Strikes {
                failures: r.try_get("failures").map_err(db)?,
                last_at: instant(r.try_get("last_at").map_err(db)?)?,
            })
        })
        .transpose()
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn record_strikes(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        let keys = keys.to_vec();
        let (at, forget_before) = (at.timestamp_millis(), forget_before.timestamp_millis());
        write!(self, |conn| {
            sqlx::query("DELETE FROM sign_in_strikes WHERE last_at < ?")
                .bind(forget_before)
                .execute(&mut *conn)
                .await
                .map_err(db)?;
            for key in &keys {
                sqlx::query(
                    "INSERT INTO sign_in_strikes (key, failures, last_at) VALUES (?, 1, ?) \
                     ON CONFLICT (key) DO UPDATE SET failures = failures + 1, \
                     last_at = max(last_at, excluded.last_at)",
                )
                .bind(key)
                .bind(at)
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
        write!(self, |conn| {
            sqlx::query("DELETE FROM sign_in_strikes WHERE key = ?")
                .bind(&key)
                .execute(&mut *conn)
                .await
                .map_err(db)
                .map(|_| ())
        })
    }
}
