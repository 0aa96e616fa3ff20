//! [`RetentionStore`] for SQLite: the queries are
//! [`thirdplace_store::sql::retention`]'s; each kind's reduction runs as one
//! job of the writer (its own savepoint: a kind is reduced whole or not at
//! all).

use crate::dialect::Lite;
use crate::SqliteStore;
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use thirdplace_domain::retention::{RetentionCounts, RetentionPolicy};
use thirdplace_store::sql::dialect::{self, Arg};
use thirdplace_store::sql::retention::{self as shared, Reduce};
use thirdplace_store::{RetentionStore, StoreResult};

impl Reduce for SqliteStore {
    type D = Lite;

    async fn reduce_checkins(&self, before: DateTime<Utc>) -> StoreResult<(u64, u64)> {
        write!(self, |conn| {
            let guests = dialect::run::<Lite>(
                conn,
                "DELETE FROM guest_visits WHERE host_checkin_id IN (SELECT id FROM checkins \
                 WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL)",
                vec![Arg::Timestamp(before)],
            )
            .await?;
            let checkins = dialect::run::<Lite>(
                conn,
                "DELETE FROM checkins WHERE checked_in_at < $1 AND checked_out_at IS NOT NULL",
                vec![Arg::Timestamp(before)],
            )
            .await?;
            Ok((checkins, guests))
        })
    }

    async fn reduce(&self, sql: &'static str, args: Vec<Arg<'static>>) -> StoreResult<u64> {
        write!(self, |conn| dialect::run::<Lite>(conn, sql, args).await)
    }
}

#[async_trait]
impl RetentionStore for SqliteStore {
    #[tracing::instrument(level = "debug", skip_all)]
    async fn retention_policy(&self) -> StoreResult<RetentionPolicy> {
        shared::policy::<Lite>(&mut *self.readers.get().await).await
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn set_retention_policy(&self, p: &RetentionPolicy) -> StoreResult<()> {
        let p = *p;
        write!(self, |conn| shared::set_policy::<Lite>(conn, &p).await)
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
        write!(self, |conn| shared::claim_run::<Lite>(conn, now, not_since)
            .await)
    }

    #[tracing::instrument(level = "debug", skip_all)]
    async fn last_retention_run(&self) -> StoreResult<Option<DateTime<Utc>>> {
        shared::last_run::<Lite>(&mut *self.readers.get().await).await
    }
}
