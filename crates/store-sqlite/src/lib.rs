//! The embedded SQLite backend: thirdplace's default, one file next to the
//! binary, WAL mode. Owns its SQL and its migrations; it shares with the
//! PostgreSQL backend only the traits of [`thirdplace_store::Store`] and
//! what both run alike (row mapping, the rows written whole by id, look-ups
//! and transaction steps generic over the database:
//! [`thirdplace_store::sql`]).
//!
//! Each capability's trait is implemented in a module of its own
//! (`network.rs` has `impl NetworkStore`, …); this file keeps the
//! connections (the writer, the kept readers, the hub cache), migrations and
//! the helpers the capabilities share.

/// Runs `$body` (which may use the connection `$conn` and must own what it
/// uses) as a job of the store's writer, in its write transaction.
macro_rules! write {
    ($self:ident, |$conn:ident| $body:expr) => {
        $self
            .writer
            .write(move |$conn| Box::pin(async move { $body }))
            .await
    };
}

// The capabilities, each implementing its trait of `thirdplace_store` or
// the steps SQLite takes its own way in a trait written once in
// `thirdplace_store::sql` (see `dialect.rs`); declared after `write!` so
// that they can use it.
mod access;
mod bookings;
mod dialect;
mod events;
mod membership;
mod network;
mod outbox;
mod people;
mod privacy;
mod retention;
mod sso;
mod throttle;
mod webhooks;

pub mod backup;

// The connections.
mod readers;
mod writer;

use sqlx::query::Query;
use sqlx::sqlite::{
    SqliteArguments, SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool,
    SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{Sqlite, SqliteExecutor};
use std::str::FromStr;
use std::time::Duration;
use thirdplace_store::sql::record;
use thirdplace_store::sql::{affected, db, decode, rows};
use thirdplace_store::{StoreError, StoreResult};
use uuid::Uuid;

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

#[derive(Clone, Debug)]
pub struct SqliteStore {
    pool: SqlitePool,
    /// One connection, on a thread of its own, for every write transaction.
    /// SQLite has one writer at a time anyway; queueing writers here (in
    /// order) instead of letting each one find the database locked and
    /// sleep in SQLite's busy handler keeps write latency even under load,
    /// a read-then-write transaction can never fail on a lock upgrade, and
    /// writes that queue up are committed together (see `writer.rs`).
    writer: writer::Writer,
    /// Hubs, rooms and booking rules; other processes' writes are seen
    /// within a second.
    pub(crate) cache: std::sync::Arc<thirdplace_store::cache::Cache>,
    /// The connections for reads (see `readers.rs`); `pool` is for
    /// migrations and the few writes outside the writer.
    readers: std::sync::Arc<readers::Readers>,
}

impl SqliteStore {
    /// Opens (creating if missing) the database at a `sqlite:` URL, in WAL
    /// mode with foreign keys on, and applies pending migrations.
    pub async fn connect(url: &str) -> StoreResult<Self> {
        Self::connect_with(url, SqliteSynchronous::Full).await
    }

    /// [`connect`](Self::connect) with another `synchronous` setting. FULL
    /// (the default) makes every acknowledged write survive a power cut;
    /// NORMAL makes commits cheaper, and in WAL mode still survives a crash
    /// of the process, but a power cut may lose the last commits.
    pub async fn connect_with(url: &str, synchronous: SqliteSynchronous) -> StoreResult<Self> {
        let options = SqliteConnectOptions::from_str(url)
            .map_err(db)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(synchronous)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // Reads of a big database (a pilot's years of check-ins) from
            // the mapped file instead of a system call a page, and a page
            // cache of 32 MiB a connection instead of 2.
            .pragma("mmap_size", "268435456")
            .pragma("cache_size", "-32768")
            // sqlx's worker thread hands rows over through a channel of
            // 50 by default, so a big answer (a pilot's 50 000 visits, an
            // export) wakes the reading task every few rows.
            .row_buffer_size(1024);
        // No ping before each use: these are in-process connections to a
        // file, and the ping is a thread round trip per query.
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .test_before_acquire(false)
            .connect_with(options.clone())
            .await
            .map_err(db)?;
        let readers = readers::Readers::open(&options, 4).await?;
        let writer = writer::Writer::start(options).await?;
        let store = Self {
            pool,
            writer,
            cache: std::sync::Arc::new(thirdplace_store::cache::Cache::new(
                thirdplace_store::cache::SQLITE_TTL,
                true,
            )),
            readers: std::sync::Arc::new(readers),
        };
        store.migrate().await?;
        Ok(store)
    }

    pub async fn migrate(&self) -> StoreResult<()> {
        MIGRATOR.run(&self.pool).await.map_err(db)?;
        self.optimize().await
    }

    /// Lets SQLite gather the statistics its planner lacks (`PRAGMA
    /// optimize`, as its documentation asks of long-lived connections at
    /// open and now and then; cheap when nothing changed): without them it
    /// may walk the wrong index of a big table.
    pub async fn optimize(&self) -> StoreResult<()> {
        sqlx::query("PRAGMA optimize=0x10002")
            .execute(&self.pool)
            .await
            .map_err(db)?;
        Ok(())
    }

    /// The read pool (writes go through the store's writer).
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    /// How many write transactions the writer has run, and for how many
    /// writes: their ratio is the mean group-commit batch (benchmarks).
    pub fn write_counts(&self) -> (u64, u64) {
        self.writer.counts()
    }
}

/// Every capability's trait is implemented in its module.
impl thirdplace_store::Store for SqliteStore {}

/// Maps a write error: a broken unique constraint names its column in
/// SQLite's message ("UNIQUE constraint failed: people.email").
fn write_err(e: sqlx::Error) -> StoreError {
    if let sqlx::Error::Database(d) = &e {
        if d.is_unique_violation() {
            let field = d
                .message()
                .rsplit('.')
                .next()
                .unwrap_or("value")
                .to_string();
            return StoreError::Conflict(field);
        }
        if d.is_foreign_key_violation() {
            return StoreError::Reference("reference".into());
        }
    }
    db(e)
}

/// SQLite's foreign-key error does not say which key; we check inside the
/// writing transaction so the caller learns which field is wrong.
async fn must_exist(
    conn: &mut SqliteConnection,
    table: &str,
    id: Uuid,
    field: &str,
) -> StoreResult<()> {
    let found: Option<i64> = sqlx::query_scalar(&format!("SELECT 1 FROM {table} WHERE id = ?"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(db)?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::Reference(field.to_string())),
    }
}

impl SqliteStore {
    /// Every row of `table` in `order`, on a kept reader.
    async fn read_all<T: Send>(
        &self,
        table_order: (&str, &str),
        map: fn(&SqliteRow) -> Result<T, sqlx::Error>,
    ) -> StoreResult<Vec<T>> {
        record::all_rows(&mut *self.readers.get().await, table_order, map).await
    }

    /// The rows `w` selects for `value`, on a kept reader.
    async fn read_where<T: Send>(
        &self,
        w: record::Where,
        value: Uuid,
        map: fn(&SqliteRow) -> Result<T, sqlx::Error>,
    ) -> StoreResult<Vec<T>> {
        record::rows_where(&mut *self.readers.get().await, w, value, map).await
    }

    /// The row of `table` with `id` (`NotFound` if none), on a kept reader.
    async fn read_by_id<T: Send>(
        &self,
        table: &'static str,
        id: Uuid,
        map: fn(&SqliteRow) -> Result<T, sqlx::Error>,
    ) -> StoreResult<T> {
        record::row_by_id(&mut *self.readers.get().await, table, id, map).await
    }
}

/// How a write of one row by its key ends: `NotFound` when it changed no
/// row, an error as `err` maps it (the caller says which constraints it
/// can break).
pub(crate) trait WriteOne {
    async fn write_one<'c>(
        self,
        e: impl SqliteExecutor<'c>,
        err: fn(sqlx::Error) -> StoreError,
    ) -> StoreResult<()>;
}

impl<'q> WriteOne for Query<'q, Sqlite, SqliteArguments<'q>> {
    async fn write_one<'c>(
        self,
        e: impl SqliteExecutor<'c>,
        err: fn(sqlx::Error) -> StoreError,
    ) -> StoreResult<()> {
        affected(self.execute(e).await.map_err(err)?.rows_affected())
    }
}
