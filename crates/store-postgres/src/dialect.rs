//! What PostgreSQL says differently from SQLite in the queries both run
//! ([`Pg`], see [`thirdplace_store::sql::dialect`]), and the store as the
//! capabilities written once see it ([`Backend`]): reads and single writes
//! on a pooled connection, transactions of their own, and the steps
//! PostgreSQL takes its own way (in the capabilities' modules).

use crate::{db, PostgresStore};
use chrono::{DateTime, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgQueryResult;
use sqlx::{Connection, PgConnection, Postgres};
use std::ops::DerefMut;
use thirdplace_domain::Person;
use thirdplace_store::sql::backend::{Backend, JobFuture};
use thirdplace_store::sql::dialect::{Dialect, Instants};
use thirdplace_store::{ClaimedDelivery, OutgoingEmail, StoreError, StoreResult};

/// PostgreSQL, as the shared queries see it.
pub struct Pg;

impl Dialect for Pg {
    type DB = Postgres;
    const INSTANTS: Instants = Instants::Timestamp;
    const PRECISE_INSTANTS: Instants = Instants::Timestamp;
    /// Processes write at once: a read that decides a write locks its rows.
    const LOCK: &'static str = " FOR UPDATE";
    /// List columns are arrays.
    const EMPTY_LIST: &'static str = "'{}'";
    /// JSON columns are `jsonb`; JSON goes in as text.
    const JSON_TEXT: &'static str = "::text";
    const JSON_CAST: &'static str = "::jsonb";

    fn write_err(e: sqlx::Error) -> StoreError {
        crate::write_err(e)
    }

    fn rows_affected(done: &PgQueryResult) -> u64 {
        done.rows_affected()
    }
}

impl PostgresStore {
    /// A connection of the pool, for a shared query outside a transaction.
    pub(crate) async fn conn(&self) -> StoreResult<PoolConnection<Postgres>> {
        self.pool.acquire().await.map_err(db)
    }
}

impl Backend for PostgresStore {
    type D = Pg;
    const NAME: &'static str = "postgres";

    fn cache(&self) -> &thirdplace_store::cache::Cache {
        &self.cache
    }

    async fn reader(&self) -> StoreResult<impl DerefMut<Target = PgConnection> + Send> {
        self.conn().await
    }

    async fn pooled(&self) -> StoreResult<impl DerefMut<Target = PgConnection> + Send> {
        self.conn().await
    }

    async fn transaction<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> JobFuture<'c, T> + Send + 'static,
    {
        let mut conn = self.conn().await?;
        let mut tx = conn.begin().await.map_err(db)?;
        let out = job(&mut tx).await?;
        tx.commit().await.map_err(db)?;
        Ok(out)
    }

    async fn write<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut PgConnection) -> JobFuture<'c, T> + Send + 'static,
    {
        job(&mut *self.conn().await?).await
    }

    async fn claim_due_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        crate::outbox::claim(&self.pool, now, lease, limit).await
    }

    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        crate::webhooks::claim(&self.pool, now, lease, limit).await
    }

    async fn raise_strikes(
        &self,
        keys: &[String],
        at: DateTime<Utc>,
        forget_before: DateTime<Utc>,
    ) -> StoreResult<()> {
        crate::throttle::raise(self, keys, at, forget_before).await
    }

    async fn store_person(&self, p: &Person, insert: bool) -> StoreResult<()> {
        self.write_person(p, insert).await
    }

    async fn reduce_checkins(&self, before: DateTime<Utc>) -> StoreResult<(u64, u64)> {
        crate::retention::reduce_checkins(&self.pool, before).await
    }
}
