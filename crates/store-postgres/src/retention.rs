//! [`RetentionStore`] for PostgreSQL: the queries are
//! [`thirdplace_store::sql::retention`]'s; each kind's reduction runs in a
//! transaction of its own. Several processes may reduce at once: a second
//! `DELETE` or `UPDATE` of the same rows waits for the first, then finds
//! its condition no longer true and changes nothing, so every row is
//! counted once.

use crate::dialect::Pg;
use crate::{db, PostgresStore};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy};
use thirdplace_store::sql::dialect::{self, Arg};
use thirdplace_store::sql::retention::{self as shared, Reduce};
use thirdplace_store::{RetentionStore, StoreResult};

impl Reduce for PostgresStore {
    type D = Pg;

    /// In one transaction that locks the check-ins it deletes, so that
    /// their visits go with them.
    async fn reduce_checkins(&self, before: DateTime<Utc>) -> StoreResult<(u64, u64)> {
        let mut tx = self.pool.begin().await.map_err(db)?;
        let old: Vec<uuid::Uuid> = sqlx::query_scalar(
            "SELECT id FROM checkins WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL \
             ORDER BY id FOR UPDATE",
        )
        .bind(before)
        .fetch_all(&mut *tx)
        .await
        .map_err(db)?;
        let guest_visits = sqlx::query("DELETE FROM guest_visits WHERE host_checkin_id = ANY($1)")
            .bind(&old)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        let checkins = sqlx::query("DELETE FROM checkins WHERE id = ANY($1)")
            .bind(&old)
            .execute(&mut *tx)
            .await
            .map_err(db)?
            .rows_affected();
        tx.commit().await.map_err(db)?;
        Ok((checkins, guest_visits))
    }

    async fn reduce(&self, sql: &'static str, args: Vec<Arg<'static>>) -> StoreResult<u64> {
        dialect::run::<Pg>(&mut *self.conn().await?, sql, args).await
    }
}

#[async_trait]
impl RetentionStore for PostgresStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn retention_policy(&self) -> StoreResult<RetentionPolicy> {
        shared::policy::<Pg>(&mut *self.conn().await?).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_retention_policy(&self, p: &RetentionPolicy) -> StoreResult<()> {
        shared::set_policy::<Pg>(&mut *self.conn().await?, p).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn apply_retention(
        &self,
        p: &RetentionPolicy,
        now: DateTime<Utc>,
    ) -> StoreResult<RetentionCounts> {
        shared::apply(self, p, now).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn claim_retention_run(
        &self,
        now: DateTime<Utc>,
        not_since: DateTime<Utc>,
    ) -> StoreResult<bool> {
        shared::claim_run::<Pg>(&mut *self.conn().await?, now, not_since).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn last_retention_run(&self) -> StoreResult<Option<DateTime<Utc>>> {
        shared::last_run::<Pg>(&mut *self.conn().await?).await
    }
}
