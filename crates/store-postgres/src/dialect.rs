//! What PostgreSQL says differently from SQLite in the queries both run
//! (see [`thirdplace_store::sql::dialect`]).

use crate::{db, PostgresStore};
use sqlx::pool::PoolConnection;
use sqlx::postgres::PgQueryResult;
use sqlx::Postgres;
use thirdplace_store::sql::dialect::{Dialect, Instants};
use thirdplace_store::{StoreError, StoreResult};

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
