//! What differs between the two SQL backends, named once, so that a query
//! both can run is written once ([`Dialect`]), and how such a query is sent
//! over a connection of either ([`Run`]).
//!
//! Shared query text uses `$1`, `$2`, … placeholders: PostgreSQL's own, and
//! read by SQLite (through `sqlx`) as the numbered parameters they are, the
//! same one wherever a number repeats. Values go in as [`Arg`]s, so that an
//! instant is bound the way its backend keeps it ([`Dialect::at`]) and read
//! back the same way ([`Dialect::instant`]). What one backend does in other
//! words (locks, list columns, which transaction step comes from where)
//! each backend says in its `impl Dialect`, next to its SQL.

use crate::sql::SqlRow;
use crate::StoreError;
use crate::StoreResult;
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::query::Query;
use sqlx::{Database, Encode, Executor, IntoArguments, Type};
use std::future::Future;
use uuid::Uuid;

/// How a backend keeps an instant in its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instants {
    /// Unix seconds in an integer column (SQLite).
    UnixSeconds,
    /// Unix milliseconds in an integer column (SQLite's sign-in strikes
    /// and retention run).
    UnixMillis,
    /// The database's own type (`timestamptz` in PostgreSQL).
    Timestamp,
}

/// A value to bind, of a type both backends encode.
#[derive(Debug, Clone)]
pub enum Arg<'q> {
    Text(&'q str),
    OptText(Option<&'q str>),
    Owned(String),
    Id(Uuid),
    OptId(Option<Uuid>),
    Int(i64),
    OptInt(Option<i64>),
    Bool(bool),
    /// An instant in the database's own type; see [`Dialect::at`] for an
    /// instant as the backend keeps it.
    Timestamp(DateTime<Utc>),
    OptTimestamp(Option<DateTime<Utc>>),
    /// A civil date (`DATE` in PostgreSQL, `'YYYY-MM-DD'` text in SQLite).
    Date(NaiveDate),
}

/// A connection of `D`'s database.
pub type Conn<D> = <<D as Dialect>::DB as Database>::Connection;

/// A row of `D`'s database.
pub type RowOf<D> = <<D as Dialect>::DB as Database>::Row;

/// One SQL backend: its database and what it says differently.
pub trait Dialect: Send + Sync + 'static {
    type DB: Run;

    /// How this backend keeps instants (bookings, events, e-mails, …).
    const INSTANTS: Instants;

    /// How it keeps the instants that need milliseconds (sign-in strikes,
    /// the last retention run).
    const PRECISE_INSTANTS: Instants;

    /// What ends a `SELECT` that locks the rows it reads until the
    /// transaction ends (empty where one writer runs at a time).
    const LOCK: &'static str;

    /// An empty list column's value (`'[]'` JSON text, `'{}'` an array).
    const EMPTY_LIST: &'static str;

    /// What follows a placeholder whose JSON text goes into a JSON column.
    const JSON_CAST: &'static str;

    /// What follows a JSON column to read it as text.
    const JSON_TEXT: &'static str;

    /// How a write's error is told (unique and foreign-key violations).
    fn write_err(e: sqlx::Error) -> StoreError;

    /// How many rows a statement changed.
    fn rows_affected(done: &<Self::DB as Database>::QueryResult) -> u64;

    /// `t` bound the way this backend keeps instants.
    fn at(t: DateTime<Utc>) -> Arg<'static> {
        Self::INSTANTS.arg(Some(t))
    }

    /// An optional instant bound the way this backend keeps instants.
    fn opt_at(t: Option<DateTime<Utc>>) -> Arg<'static> {
        Self::INSTANTS.arg(t)
    }

    /// The instant in column `name`, kept the way this backend keeps them.
    fn instant(r: &RowOf<Self>, name: &str) -> Result<DateTime<Utc>, sqlx::Error> {
        Self::INSTANTS
            .read(r, name)?
            .ok_or_else(|| sqlx::Error::Decode(format!("{name}: NULL").into()))
    }

    /// The optional instant in column `name`.
    fn opt_instant(r: &RowOf<Self>, name: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        Self::INSTANTS.read(r, name)
    }
}

impl Instants {
    /// An instant (or NULL) bound as kept.
    pub fn arg(self, t: Option<DateTime<Utc>>) -> Arg<'static> {
        match self {
            Instants::UnixSeconds => Arg::OptInt(t.map(|t| t.timestamp())),
            Instants::UnixMillis => Arg::OptInt(t.map(|t| t.timestamp_millis())),
            Instants::Timestamp => Arg::OptTimestamp(t),
        }
    }

    /// The instant (or NULL) in column `name` of `r`, kept this way.
    pub fn read<R: SqlRow>(self, r: &R, name: &str) -> Result<Option<DateTime<Utc>>, sqlx::Error> {
        let out_of_range = || sqlx::Error::Decode(format!("{name}: instant out of range").into());
        match self {
            Instants::UnixSeconds => r
                .column::<Option<i64>>(name)?
                .map(|s| DateTime::from_timestamp(s, 0).ok_or_else(out_of_range))
                .transpose(),
            Instants::UnixMillis => r
                .column::<Option<i64>>(name)?
                .map(|ms| DateTime::from_timestamp_millis(ms).ok_or_else(out_of_range))
                .transpose(),
            Instants::Timestamp => r.column(name),
        }
    }
}

/// Sends a query with its [`Arg`]s over a connection; implemented for
/// every `sqlx` database that encodes the argument types (SQLite and
/// PostgreSQL). Errors are `sqlx`'s, for the caller to map.
pub trait Run: Database<Row: SqlRow> {
    /// `sql` with `args` bound in order.
    fn query<'q>(sql: &'q str, args: Vec<Arg<'q>>) -> Query<'q, Self, Self::Arguments<'q>>;

    /// What a statement did (see [`Dialect::rows_affected`]).
    fn run<'a>(
        conn: &'a mut Self::Connection,
        sql: &'a str,
        args: Vec<Arg<'a>>,
    ) -> impl Future<Output = Result<Self::QueryResult, sqlx::Error>> + Send + 'a;

    /// Every row of the answer.
    fn fetch<'a>(
        conn: &'a mut Self::Connection,
        sql: &'a str,
        args: Vec<Arg<'a>>,
    ) -> impl Future<Output = Result<Vec<Self::Row>, sqlx::Error>> + Send + 'a;

    /// The first row of the answer, if any.
    fn fetch_optional<'a>(
        conn: &'a mut Self::Connection,
        sql: &'a str,
        args: Vec<Arg<'a>>,
    ) -> impl Future<Output = Result<Option<Self::Row>, sqlx::Error>> + Send + 'a;
}

impl<DB> Run for DB
where
    DB: Database<Row: SqlRow>,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'a> &'a str: Encode<'a, DB> + Type<DB>,
    for<'a> Option<&'a str>: Encode<'a, DB> + Type<DB>,
    String: for<'a> Encode<'a, DB> + Type<DB>,
    Uuid: for<'a> Encode<'a, DB> + Type<DB>,
    Option<Uuid>: for<'a> Encode<'a, DB> + Type<DB>,
    i64: for<'a> Encode<'a, DB> + Type<DB>,
    Option<i64>: for<'a> Encode<'a, DB> + Type<DB>,
    bool: for<'a> Encode<'a, DB> + Type<DB>,
    DateTime<Utc>: for<'a> Encode<'a, DB> + Type<DB>,
    Option<DateTime<Utc>>: for<'a> Encode<'a, DB> + Type<DB>,
    NaiveDate: for<'a> Encode<'a, DB> + Type<DB>,
{
    fn query<'q>(sql: &'q str, args: Vec<Arg<'q>>) -> Query<'q, DB, DB::Arguments<'q>> {
        args.into_iter().fold(sqlx::query(sql), |q, a| match a {
            Arg::Text(v) => q.bind(v),
            Arg::OptText(v) => q.bind(v),
            Arg::Owned(v) => q.bind(v),
            Arg::Id(v) => q.bind(v),
            Arg::OptId(v) => q.bind(v),
            Arg::Int(v) => q.bind(v),
            Arg::OptInt(v) => q.bind(v),
            Arg::Bool(v) => q.bind(v),
            Arg::Timestamp(v) => q.bind(v),
            Arg::OptTimestamp(v) => q.bind(v),
            Arg::Date(v) => q.bind(v),
        })
    }

    async fn run<'a>(
        conn: &'a mut Self::Connection,
        sql: &'a str,
        args: Vec<Arg<'a>>,
    ) -> Result<Self::QueryResult, sqlx::Error> {
        Self::query(sql, args).execute(conn).await
    }

    async fn fetch<'a>(
        conn: &'a mut Self::Connection,
        sql: &'a str,
        args: Vec<Arg<'a>>,
    ) -> Result<Vec<Self::Row>, sqlx::Error> {
        Self::query(sql, args).fetch_all(conn).await
    }

    async fn fetch_optional<'a>(
        conn: &'a mut Self::Connection,
        sql: &'a str,
        args: Vec<Arg<'a>>,
    ) -> Result<Option<Self::Row>, sqlx::Error> {
        Self::query(sql, args).fetch_optional(conn).await
    }
}

/// Every row of the answer, mapped; errors as the store's.
pub async fn all<D: Dialect, T>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
    map: impl Fn(&RowOf<D>) -> Result<T, sqlx::Error>,
) -> StoreResult<Vec<T>> {
    let rows = D::DB::fetch(conn, sql, args).await.map_err(super::db)?;
    super::rows(&rows, map)
}

/// The row of the answer if there is one, mapped.
pub async fn optional<D: Dialect, T>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
    map: impl Fn(&RowOf<D>) -> Result<T, sqlx::Error>,
) -> StoreResult<Option<T>> {
    let row = D::DB::fetch_optional(conn, sql, args)
        .await
        .map_err(super::db)?;
    row.as_ref().map(map).transpose().map_err(super::db)
}

/// A statement whose error is a database error; the rows it changed.
pub async fn run<D: Dialect>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> StoreResult<u64> {
    let done = D::DB::run(conn, sql, args).await.map_err(super::db)?;
    Ok(D::rows_affected(&done))
}

/// A write by key: `NotFound` when it changed no row, an error as the
/// backend tells write errors.
pub async fn write_one<D: Dialect>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> StoreResult<()> {
    let done = D::DB::run(conn, sql, args).await.map_err(D::write_err)?;
    super::affected(D::rows_affected(&done))
}

/// An update by key: `NotFound` when it changed no row.
pub async fn found<D: Dialect>(
    conn: &mut Conn<D>,
    sql: &str,
    args: Vec<Arg<'_>>,
) -> StoreResult<()> {
    super::affected(run::<D>(conn, sql, args).await?)
}

/// `a` as the next placeholder (`$n`) of `args`.
pub fn param<'q>(args: &mut Vec<Arg<'q>>, a: Arg<'q>) -> String {
    args.push(a);
    format!("${}", args.len())
}
