//! What SQLite says differently from PostgreSQL in the queries both run
//! ([`Lite`], see [`thirdplace_store::sql::dialect`]), and the store as the
//! capabilities written once see it ([`Backend`]): reads on the kept
//! readers, writes as jobs of the one writer, and the steps SQLite takes
//! its own way (in the capabilities' modules).

use crate::{db, SqliteStore};
use chrono::{DateTime, Utc};
use sqlx::sqlite::{SqliteConnection, SqliteQueryResult};
use sqlx::Sqlite;
use std::ops::DerefMut;
use thirdplace_domain::Person;
use thirdplace_store::sql::backend::{Backend, JobFuture};
use thirdplace_store::sql::dialect::{Dialect, Instants};
use thirdplace_store::{ClaimedDelivery, OutgoingEmail, StoreError, StoreResult};

/// SQLite, as the shared queries see it.
pub struct Lite;

impl Dialect for Lite {
    type DB = Sqlite;
    /// Unix seconds (`bookings::secs`).
    const INSTANTS: Instants = Instants::UnixSeconds;
    /// Unix milliseconds (sign-in strikes, the last retention run).
    const PRECISE_INSTANTS: Instants = Instants::UnixMillis;
    /// The one writer runs write transactions one after another: nothing
    /// to lock.
    const LOCK: &'static str = "";
    /// List columns are JSON text.
    const EMPTY_LIST: &'static str = "'[]'";
    /// JSON columns are text.
    const JSON_TEXT: &'static str = "";
    const JSON_CAST: &'static str = "";

    fn write_err(e: sqlx::Error) -> StoreError {
        crate::write_err(e)
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }
}

impl Backend for SqliteStore {
    type D = Lite;
    const NAME: &'static str = "sqlite";

    fn cache(&self) -> &thirdplace_store::cache::Cache {
        &self.cache
    }

    async fn reader(&self) -> StoreResult<impl DerefMut<Target = SqliteConnection> + Send> {
        Ok(self.readers.get().await)
    }

    /// A connection of the pool, for the few writes that do not go through
    /// the writer (SQLite's busy timeout waits for the writer's lock).
    async fn pooled(&self) -> StoreResult<impl DerefMut<Target = SqliteConnection> + Send> {
        self.pool.acquire().await.map_err(db)
    }

    /// A job of the one writer, in its transaction (also for
    /// [`Backend::transaction`]).
    async fn write<T, F>(&self, job: F) -> StoreResult<T>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> JobFuture<'c, T> + Send + 'static,
    {
        self.writer.write(job).await
    }

    async fn claim_due_emails(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<OutgoingEmail>> {
        crate::outbox::claim(self, now, lease, limit).await
    }

    async fn claim_due_deliveries(
        &self,
        now: DateTime<Utc>,
        lease: chrono::Duration,
        limit: i64,
    ) -> StoreResult<Vec<ClaimedDelivery>> {
        crate::webhooks::claim(self, now, lease, limit).await
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
        let p = p.clone();
        write!(self, |conn| crate::people::write_person(conn, &p, insert)
            .await)
    }

    async fn reduce_checkins(&self, before: DateTime<Utc>) -> StoreResult<(u64, u64)> {
        write!(self, |conn| crate::retention::reduce_checkins(conn, before)
            .await)
    }
}
