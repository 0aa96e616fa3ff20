//! What SQLite says differently from PostgreSQL in the queries both run
//! (see [`thirdplace_store::sql::dialect`]).

use crate::{db, SqliteStore};
use sqlx::pool::PoolConnection;
use sqlx::sqlite::SqliteQueryResult;
use sqlx::Sqlite;
use thirdplace_store::sql::dialect::{Dialect, Instants};
use thirdplace_store::{StoreError, StoreResult};

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
    const JSON_CAST: &'static str = "";

    fn write_err(e: sqlx::Error) -> StoreError {
        crate::write_err(e)
    }

    fn rows_affected(done: &SqliteQueryResult) -> u64 {
        done.rows_affected()
    }
}

impl SqliteStore {
    /// A connection of the pool, for the few writes that do not go through
    /// the writer (each its own transaction; SQLite's busy timeout waits
    /// for the writer's lock).
    pub(crate) async fn pooled(&self) -> StoreResult<PoolConnection<Sqlite>> {
        self.pool.acquire().await.map_err(db)
    }
}
