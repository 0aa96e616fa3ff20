//! [`ThrottleStore`] for PostgreSQL: failed sign-ins per key in
//! `sign_in_strikes`. Each key's count is one row that an upsert raises,
//! so processes recording at once all count.

use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use sqlx::Row;
use thirdplace_store::{StoreResult, Strikes, ThrottleStore};

#[async_trait]
impl ThrottleStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn strikes(
        &self,
        key: &str,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<Option<Strikes>> {
        let row = sqlx::query(
            "SELECT failures, last_at FROM sign_in_strikes WHERE key = $1 AND last_at >= $2",
        )
        .bind(key)
        .bind(forget_before)
        .fetch_optional(&self.pool)
        .await
        .map_err(db)?;
        row.map(|r| {
            Ok(Strikes {
                failures: r.try_get("failures").map_err(db)?,
                last_at: r.try_get("last_at").map_err(db)?,
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
        // Stale rows go in a statement of their own, so the transaction
        // below locks only its own keys, in sorted order: two sign-ins
        // recording at once never wait on each other in a cycle.
        sqlx::query("DELETE FROM sign_in_strikes WHERE last_at < $1")
            .bind(forget_before)
            .execute(&self.pool)
            .await
            .map_err(db)?;
        let mut sorted: Vec<&String> = keys.iter().collect();
        sorted.sort();
        let mut tx = self.pool.begin().await.map_err(db)?;
        for key in sorted {
            sqlx::query(
                "INSERT INTO sign_in_strikes (key, failures, last_at) VALUES ($1, 1, $2) \
                 ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN sign_in_strikes.last_at < $3 THEN 1 \
                                 ELSE sign_in_strikes.failures + 1 END, \
                 last_at = GREATEST(sign_in_strikes.last_at, excluded.last_at)",
            )
            .bind(key)
            .bind(at)
            .bind(forget_before)
            .execute(&mut *tx)
            .await
            .map_err(db)?;
        }
        tx.commit().await.map_err(db)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn clear_strikes(&self, key: &str) -> StoreResult<()> {
        sqlx::query("DELETE FROM sign_in_strikes WHERE key = $1")
            .bind(key)
            .execute(&self.pool)
            .await
            .map_err(db)
            .map(|_| ())
    }
}
