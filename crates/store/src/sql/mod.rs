//! Row mapping, query text and query plumbing that both SQL backends share
//! (feature `sql`), one file per capability where it has much to share
//! ([`network`], [`membership`]) and the rows written whole by their id in
//! [`record`].
//!
//! Only what both SQLite and PostgreSQL run alike lives here: mappers from a
//! result row to a domain value, over any `sqlx` row whose database decodes
//! the column types they read ([`SqlRow`]); query text, with placeholders
//! only through a [`QueryBuilder`] (which writes each backend's own) or
//! [`Bind`]; and how a query ends, generic over the database ([`Fetch`] and
//! [`FetchValue`] for look-ups, [`bound`] for values bound in order). Where
//! the backends differ (instants kept as Unix seconds, role id lists,
//! integer widths, collation in an `ORDER BY`, row locks, error mapping)
//! the backend does that part itself and hands the value in, as
//! [`booking_view`] takes the booking: the difference stays in plain code in
//! the backend's crate, next to its SQL. This module must never hold SQL
//! that only one backend can run.

pub mod access;
pub mod sso;

use crate::StoreResult;
use crate::{ApiToken, BookingView, EventListing, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::types::Json;
use sqlx::QueryBuilder;
use sqlx::{
    Arguments, ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Row, Type,
};
use std::future::Future;
use thirdplace_domain::booking::Booking;
use thirdplace_domain::event::Event;
use thirdplace_domain::retention::RetentionPolicy;
use thirdplace_domain::{OpeningHours, OrgKind, OrgNumber, Organisation};
use uuid::Uuid;

pub mod backend;
pub mod backup;
pub mod bookings;
pub mod dialect;
pub mod evaluation;
pub mod events;
pub mod invoicing;
pub mod membership;
pub mod meta;
pub mod network;
pub mod outbox;
pub mod people;
pub mod privacy;
pub mod record;
pub mod reminders;
pub mod retention;
pub mod settlement;
pub mod throttle;
pub mod webhooks;

/// Reads one column as a `T`; implemented for every `sqlx` row whose
/// database decodes `T`.
pub trait ReadColumn<T> {
    fn read_column(&self, name: &str) -> Result<T, sqlx::Error>;
}

impl<R, T> ReadColumn<T> for R
where
    R: Row,
    for<'c> &'c str: ColumnIndex<R>,
    T: for<'r> Decode<'r, R::Database> + Type<R::Database>,
{
    fn read_column(&self, name: &str) -> Result<T, sqlx::Error> {
        self.try_get(name)
    }
}

/// A result row of either backend, with every column type the shared
/// mappers read. `SqliteRow` and `PgRow` are both one.
pub trait SqlRow:
    ReadColumn<Uuid>
    + ReadColumn<Option<Uuid>>
    + ReadColumn<String>
    + ReadColumn<Option<String>>
    + ReadColumn<bool>
    + ReadColumn<i64>
    + ReadColumn<Option<i64>>
    + ReadColumn<i16>
    + ReadColumn<f64>
    + ReadColumn<DateTime<Utc>>
    + ReadColumn<Option<DateTime<Utc>>>
    + ReadColumn<NaiveDate>
    + ReadColumn<Option<NaiveDate>>
{
    /// The column `name` as a `T` (what `sqlx::Row::try_get` gives).
    fn column<T>(&self, name: &str) -> Result<T, sqlx::Error>
    where
        Self: ReadColumn<T>,
    {
        self.read_column(name)
    }
}

impl<R> SqlRow for R where
    R: ReadColumn<Uuid>
        + ReadColumn<Option<Uuid>>
        + ReadColumn<String>
        + ReadColumn<Option<String>>
        + ReadColumn<bool>
        + ReadColumn<i64>
        + ReadColumn<Option<i64>>
        + ReadColumn<i16>
        + ReadColumn<f64>
        + ReadColumn<DateTime<Utc>>
        + ReadColumn<Option<DateTime<Utc>>>
        + ReadColumn<NaiveDate>
        + ReadColumn<Option<NaiveDate>>
{
}

// ------------------------------------------------------------ results

/// An error of the database or of decoding its answer.
pub fn db(e: impl std::error::Error + Send + Sync + 'static) -> StoreError {
    StoreError::Database(Box::new(e))
}

/// A column's value that does not decode into its domain type.
pub fn decode(what: &str, e: impl std::fmt::Display) -> sqlx::Error {
    sqlx::Error::Decode(format!("{what}: {e}").into())
}

/// The first of the rows a look-up by id found; `NotFound` if none.
pub fn one<T>(rows: Vec<T>) -> StoreResult<T> {
    rows.into_iter().next().ok_or(StoreError::NotFound)
}

/// `NotFound` when an update by id changed no row.
pub fn affected(n: u64) -> StoreResult<()> {
    if n == 0 {
        Err(StoreError::NotFound)
    } else {
        Ok(())
    }
}

/// Every row, mapped; the first decoding error as a database error.
pub fn rows<R, T>(rows: &[R], map: impl Fn(&R) -> Result<T, sqlx::Error>) -> StoreResult<Vec<T>> {
    rows.iter().map(map).collect::<Result<_, _>>().map_err(db)
}

/// Which way a keyset page moves along one column: to greater values
/// (`>`, an ascending order) or to smaller ones (`<`, a descending one).
#[derive(Debug, Clone, Copy)]
pub enum Towards {
    Greater,
    Smaller,
}

impl Towards {
    fn op(self) -> &'static str {
        match self {
            Towards::Greater => " > ",
            Towards::Smaller => " < ",
        }
    }
}

/// Keyset paging over `(key, id)`: appends
/// ` AND (key OP k OR (key = k AND id OP' i))`, the rows past the cursor
/// `(k, i)` in an order by `key` (moving `key_way`) then `id` (moving
/// `id_way`). Written out rather than as a row comparison so that an order
/// may mix directions (newest first, then by id).
#[allow(clippy::too_many_arguments)]
pub fn push_keyset_after<'a, DB, K>(
    q: &mut QueryBuilder<'a, DB>,
    key: &str,
    key_way: Towards,
    id: &str,
    id_way: Towards,
    k: K,
    i: Uuid,
) where
    DB: Database,
    K: 'a + Encode<'a, DB> + Type<DB> + Clone,
    Uuid: 'a + Encode<'a, DB> + Type<DB>,
{
    q.push(format!(" AND ({key}{}", key_way.op()))
        .push_bind(k.clone())
        .push(format!(" OR ({key} = "))
        .push_bind(k)
        .push(format!(" AND {id}{}", id_way.op()))
        .push_bind(i)
        .push("))");
}

/// A value to bind, of one of the types the shared writes and look-ups
/// bind ([`bound`], [`record`]): one type, so that a list of a row's values
/// can be handed around and bound by either backend in one code path.
/// Each variant encodes as its own type would (its PostgreSQL parameter
/// type included).
#[derive(Debug, Clone, Copy)]
pub enum Bind<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
    Id(Uuid),
    OptId(Option<Uuid>),
    Int(i64),
    OptInt(Option<i64>),
    SmallInt(i16),
    Float(f64),
    OptDate(Option<NaiveDate>),
    /// An instant as `sqlx` stores it (RFC 3339 text in SQLite: not for
    /// the columns SQLite keeps as Unix seconds).
    Instant(DateTime<Utc>),
    OptInstant(Option<DateTime<Utc>>),
    /// A JSON column (`jsonb` in PostgreSQL, text in SQLite).
    Hours(&'a OpeningHours),
}

impl<'a, DB> Type<DB> for Bind<'a>
where
    DB: Database,
    &'a str: Type<DB>,
{
    /// Only a default: each value says its own type ([`Encode::produces`]).
    fn type_info() -> DB::TypeInfo {
        <&str as Type<DB>>::type_info()
    }
}

impl<'a, DB> Encode<'a, DB> for Bind<'a>
where
    DB: Database,
    &'a str: Encode<'a, DB> + Type<DB>,
    Option<&'a str>: Encode<'a, DB> + Type<DB>,
    bool: Encode<'a, DB> + Type<DB>,
    Uuid: Encode<'a, DB> + Type<DB>,
    Option<Uuid>: Encode<'a, DB> + Type<DB>,
    i64: Encode<'a, DB> + Type<DB>,
    Option<i64>: Encode<'a, DB> + Type<DB>,
    i16: Encode<'a, DB> + Type<DB>,
    f64: Encode<'a, DB> + Type<DB>,
    Option<NaiveDate>: Encode<'a, DB> + Type<DB>,
    DateTime<Utc>: Encode<'a, DB> + Type<DB>,
    Option<DateTime<Utc>>: Encode<'a, DB> + Type<DB>,
    Json<&'a OpeningHours>: Encode<'a, DB> + Type<DB>,
{
    fn encode_by_ref(&self, buf: &mut DB::ArgumentBuffer<'a>) -> Result<IsNull, BoxDynError> {
        match *self {
            Bind::Text(v) => v.encode_by_ref(buf),
            Bind::OptText(v) => v.encode_by_ref(buf),
            Bind::Bool(v) => v.encode_by_ref(buf),
            Bind::Id(v) => v.encode_by_ref(buf),
            Bind::OptId(v) => v.encode_by_ref(buf),
            Bind::Int(v) => v.encode_by_ref(buf),
            Bind::OptInt(v) => v.encode_by_ref(buf),
            Bind::SmallInt(v) => v.encode_by_ref(buf),
            Bind::Float(v) => v.encode_by_ref(buf),
            Bind::OptDate(v) => v.encode_by_ref(buf),
            Bind::Instant(v) => v.encode_by_ref(buf),
            Bind::OptInstant(v) => v.encode_by_ref(buf),
            Bind::Hours(v) => Json(v).encode_by_ref(buf),
        }
    }

    fn produces(&self) -> Option<DB::TypeInfo> {
        fn of<'a, DB: Database, T: Encode<'a, DB> + Type<DB>>(v: &T) -> Option<DB::TypeInfo> {
            v.produces().or_else(|| Some(T::type_info()))
        }
        match *self {
            Bind::Text(v) => of(&v),
            Bind::OptText(v) => of(&v),
            Bind::Bool(v) => of(&v),
            Bind::Id(v) => of(&v),
            Bind::OptId(v) => of(&v),
            Bind::Int(v) => of(&v),
            Bind::OptInt(v) => of(&v),
            Bind::SmallInt(v) => of(&v),
            Bind::Float(v) => of(&v),
            Bind::OptDate(v) => of(&v),
            Bind::Instant(v) => of(&v),
            Bind::OptInstant(v) => of(&v),
            Bind::Hours(v) => of(&Json(v)),
        }
    }
}

/// `sql` with `binds` bound in order.
pub fn bound<'q, DB>(
    sql: &'q str,
    binds: Vec<Bind<'q>>,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    Bind<'q>: Encode<'q, DB> + Type<DB>,
{
    binds.into_iter().fold(sqlx::query(sql), |q, b| q.bind(b))
}

/// Query text with each backend's placeholders, and its arguments: for
/// code generic over the database that runs what it builds (a
/// [`QueryBuilder`] there would have to outlive its own arguments).
/// [`finish`](Statement::finish) gives the text and the arguments, for
/// `sqlx::query_with` and its kin.
pub struct Statement<'q, DB: Database> {
    text: String,
    args: Result<DB::Arguments<'q>, BoxDynError>,
}

impl<'q, DB> Statement<'q, DB>
where
    DB: Database,
    Bind<'q>: Encode<'q, DB> + Type<DB>,
{
    pub fn new(text: &str) -> Self {
        Statement {
            text: text.to_string(),
            args: Ok(Default::default()),
        }
    }

    pub fn push(mut self, text: &str) -> Self {
        self.text.push_str(text);
        self
    }

    pub fn bind(mut self, value: Bind<'q>) -> Self {
        if let Ok(args) = &mut self.args {
            match args.add(value) {
                Ok(()) => args
                    .format_placeholder(&mut self.text)
                    .expect("writing to a String cannot fail"),
                Err(e) => self.args = Err(e),
            }
        }
        self
    }

    /// The text and its arguments; a value that did not encode as a
    /// database error.
    pub fn finish(self) -> StoreResult<(String, DB::Arguments<'q>)> {
        Ok((self.text, self.args.map_err(StoreError::Database)?))
    }
}

/// How a look-up of either backend ends: every row mapped ([`all`]), the
/// one row a look-up by key finds ([`one`], `NotFound` if none) or the row
/// if there is one ([`optional`]). Implemented for every `sqlx` query, so a
/// capability says in one call what it wants from a query instead of
/// fetching, awaiting, mapping errors and mapping rows each time.
///
/// [`all`]: Fetch::all
/// [`one`]: Fetch::one
/// [`optional`]: Fetch::optional
pub trait Fetch<'q, DB: Database> {
    fn all<'e, 'c: 'e, E, T>(
        self,
        e: E,
        map: impl Fn(&DB::Row) -> Result<T, sqlx::Error> + Send + 'e,
    ) -> impl Future<Output = StoreResult<Vec<T>>> + Send + 'e
    where
        'q: 'e,
        E: 'e + Executor<'c, Database = DB>,
        T: Send + 'e;

    fn one<'e, 'c: 'e, E, T>(
        self,
        e: E,
        map: impl Fn(&DB::Row) -> Result<T, sqlx::Error> + Send + 'e,
    ) -> impl Future<Output = StoreResult<T>> + Send + 'e
    where
        'q: 'e,
        E: 'e + Executor<'c, Database = DB>,
        T: Send + 'e;

    fn optional<'e, 'c: 'e, E, T>(
        self,
        e: E,
        map: impl Fn(&DB::Row) -> Result<T, sqlx::Error> + Send + 'e,
    ) -> impl Future<Output = StoreResult<Option<T>>> + Send + 'e
    where
        'q: 'e,
        E: 'e + Executor<'c, Database = DB>,
        T: Send + 'e;
}

/// How a look-up of one value (`query_scalar`) or one tuple (`query_as`)
/// ends: the value ([`value`]), or the value if there is one
/// ([`optional_value`]), a failure as a database error.
///
/// [`value`]: FetchValue::value
/// [`optional_value`]: FetchValue::optional_value
pub trait FetchValue<'q, DB: Database, O> {
    fn value<'e, 'c: 'e, E>(self, e: E) -> impl Future<Output = StoreResult<O>> + Send + 'e
    where
        'q: 'e,
        O: 'e,
        E: 'e + Executor<'c, Database = DB>;

    fn optional_value<'e, 'c: 'e, E>(
        self,
        e: E,
    ) -> impl Future<Output = StoreResult<Option<O>>> + Send + 'e
    where
        'q: 'e,
        O: 'e,
        E: 'e + Executor<'c, Database = DB>;
}

impl<'q, DB, O> FetchValue<'q, DB, O> for QueryScalar<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    O: Send + Unpin,
    (O,): Send + Unpin + for<'r> FromRow<'r, DB::Row>,
{
    async fn value<'e, 'c: 'e, E>(self, e: E) -> StoreResult<O>
    where
        'q: 'e,
        O: 'e,
        E: 'e + Executor<'c, Database = DB>,
    {
        self.fetch_one(e).await.map_err(db)
    }

    async fn optional_value<'e, 'c: 'e, E>(self, e: E) -> StoreResult<Option<O>>
    where
        'q: 'e,
        O: 'e,
        E: 'e + Executor<'c, Database = DB>,
    {
        self.fetch_optional(e).await.map_err(db)
    }
}

impl<'q, DB, O> FetchValue<'q, DB, O> for QueryAs<'q, DB, O, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    O: Send + Unpin + for<'r> FromRow<'r, DB::Row>,
{
    async fn value<'e, 'c: 'e, E>(self, e: E) -> StoreResult<O>
    where
        'q: 'e,
        O: 'e,
        E: 'e + Executor<'c, Database = DB>,
    {
        self.fetch_one(e).await.map_err(db)
    }

    async fn optional_value<'e, 'c: 'e, E>(self, e: E) -> StoreResult<Option<O>>
    where
        'q: 'e,
        O: 'e,
        E: 'e + Executor<'c, Database = DB>,
    {
        self.fetch_optional(e).await.map_err(db)
    }
}

impl<'q, DB> Fetch<'q, DB> for Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
{
    async fn all<'e, 'c: 'e, E, T>(
        self,
        e: E,
        map: impl Fn(&DB::Row) -> Result<T, sqlx::Error> + Send + 'e,
    ) -> StoreResult<Vec<T>>
    where
        'q: 'e,
        E: 'e + Executor<'c, Database = DB>,
        T: Send + 'e,
    {
        rows(&self.fetch_all(e).await.map_err(db)?, map)
    }

    async fn one<'e, 'c: 'e, E, T>(
        self,
        e: E,
        map: impl Fn(&DB::Row) -> Result<T, sqlx::Error> + Send + 'e,
    ) -> StoreResult<T>
    where
        'q: 'e,
        E: 'e + Executor<'c, Database = DB>,
        T: Send + 'e,
    {
        one(self.all(e, map).await?)
    }

    async fn optional<'e, 'c: 'e, E, T>(
        self,
        e: E,
        map: impl Fn(&DB::Row) -> Result<T, sqlx::Error> + Send + 'e,
    ) -> StoreResult<Option<T>>
    where
        'q: 'e,
        E: 'e + Executor<'c, Database = DB>,
        T: Send + 'e,
    {
        let row = self.fetch_optional(e).await.map_err(db)?;
        row.as_ref().map(map).transpose().map_err(db)
    }
}

// ------------------------------------------------------------- people

pub fn organisation<R: SqlRow>(r: &R) -> Result<Organisation, sqlx::Error> {
    let kind: String = r.column("kind")?;
    Ok(Organisation {
        id: r.column("id")?,
        name: r.column("name")?,
        org_number: OrgNumber::from_stored(r.column("org_number")?),
        kind: OrgKind::parse(&kind).map_err(|e| decode("kind", e.message))?,
        archived: r.column("archived")?,
        buyer: network::buyer(r)?,
    })
}

pub fn api_token<R: SqlRow>(r: &R) -> Result<ApiToken, sqlx::Error> {
    Ok(ApiToken {
        id: r.column("id")?,
        person_id: r.column("person_id")?,
        name: r.column("name")?,
        token_hash: r.column("token_hash")?,
        created_at: r.column("created_at")?,
        revoked_at: r.column("revoked_at")?,
    })
}

// ----------------------------------------------------- bookings, events

/// A booking (mapped by the backend: SQLite keeps its instants as Unix
/// seconds) with the names lists show next to it.
pub fn booking_view<R: SqlRow>(r: &R, booking: Booking) -> Result<BookingView, sqlx::Error> {
    Ok(BookingView {
        booking,
        room_name: r.column("room_name")?,
        hub_name: r.column("hub_name")?,
        booker_first_name: r.column("booker_first_name")?,
        booker_last_name: r.column("booker_last_name")?,
        organisation_name: r.column("organisation_name")?,
    })
}

/// An event (mapped by the backend) with what a calendar shows next to it.
pub fn event_listing<R: SqlRow>(r: &R, event: Event) -> Result<EventListing, sqlx::Error> {
    Ok(EventListing {
        event,
        hub_name: r.column("hub_name")?,
        place_name: r.column("place_name")?,
        confirmed: r.column("confirmed")?,
        waitlisted: r.column("waitlisted")?,
    })
}

/// The network's retention limits from the one row of `retention_policy`
/// (the sent-mail limit's column is `outbox_days`).
pub fn retention_policy<R: SqlRow>(r: &R) -> Result<RetentionPolicy, sqlx::Error> {
    Ok(RetentionPolicy {
        checkin_days: r.column("checkin_days")?,
        guest_name_days: r.column("guest_name_days")?,
        email_days: r.column("outbox_days")?,
        webhook_days: r.column("webhook_days")?,
        session_days: r.column("session_days")?,
        sign_in_failure_days: r.column("sign_in_failure_days")?,
    })
}
