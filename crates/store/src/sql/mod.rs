//! Row mapping, query text and query plumbing that both SQL backends share
//! (feature `sql`).
//!
//! Only what is the same to the letter in SQLite and PostgreSQL lives here:
//! mappers from a result row to a domain value, over any `sqlx` row whose
//! database decodes the column types they read ([`SqlRow`]); query text
//! without placeholders; and how a query ends, generic over the database
//! ([`Fetch`] and [`FetchValue`] for look-ups, [`bound`] for the
//! single-table writes' values). Where the backends differ (JSON columns, instants
//! kept as Unix seconds, role id lists, integer widths, placeholders, error
//! mapping) the backend decodes that part itself and hands the value in, as
//! [`hub_listing`] takes the opening hours: the difference stays in plain
//! code in the backend's crate, next to its SQL. This module must never hold
//! SQL that only one backend can run.

pub mod access;

use crate::StoreResult;
use crate::{ApiToken, BookingView, EventListing, HubListing, SeatHolder, SeatView, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::query::{Query, QueryAs, QueryScalar};
use sqlx::QueryBuilder;
use sqlx::{ColumnIndex, Database, Decode, Encode, Executor, FromRow, IntoArguments, Row, Type};
use std::future::Future;
use thirdplace_domain::booking::Booking;
use thirdplace_domain::event::Event;
use thirdplace_domain::membership::{
    CheckIn, CheckInMethod, GuestVisit, Plan, PlanScope, Seat, SeatHolding, Validity,
};
use thirdplace_domain::retention::RetentionPolicy;
use thirdplace_domain::{
    Email, Hub, Municipality, OpeningHours, Operator, OrgKind, OrgNumber, Organisation, Region,
    Zone,
};
use uuid::Uuid;

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

/// The rest of a page of an organisation's seats after its `WHERE`: past
/// the cursor `after` (`created_at`, id) of alias `s`, newest first then by
/// id, at most `limit` (none if negative). Both backends page alike.
pub fn push_seat_page<'a, DB>(
    q: &mut QueryBuilder<'a, DB>,
    after: Option<(DateTime<Utc>, Uuid)>,
    limit: i64,
) where
    DB: Database,
    DateTime<Utc>: 'a + Encode<'a, DB> + Type<DB>,
    Uuid: 'a + Encode<'a, DB> + Type<DB>,
    i64: 'a + Encode<'a, DB> + Type<DB>,
{
    if let Some((at, id)) = after {
        push_keyset_after(
            q,
            "s.created_at",
            Towards::Smaller,
            "s.id",
            Towards::Greater,
            at,
            id,
        );
    }
    q.push(" ORDER BY s.created_at DESC, s.id LIMIT ")
        .push_bind(limit.max(0));
}

/// Values for the single-table writes (regions, operators, organisations,
/// …), so that both backends bind them in one code path ([`bound`]).
pub enum Bind<'a> {
    Text(&'a str),
    OptText(Option<&'a str>),
    Bool(bool),
    Id(Uuid),
}

/// `sql` with `binds` bound in order.
pub fn bound<'q, DB>(
    sql: &'q str,
    binds: Vec<Bind<'q>>,
) -> Query<'q, DB, <DB as Database>::Arguments<'q>>
where
    DB: Database,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<&'q str>: Encode<'q, DB> + Type<DB>,
    bool: Encode<'q, DB> + Type<DB>,
    Uuid: Encode<'q, DB> + Type<DB>,
{
    binds.into_iter().fold(sqlx::query(sql), |q, b| match b {
        Bind::Text(s) => q.bind(s),
        Bind::OptText(s) => q.bind(s),
        Bind::Bool(v) => q.bind(v),
        Bind::Id(v) => q.bind(v),
    })
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

// ------------------------------------------------------------ network

pub fn region<R: SqlRow>(r: &R) -> Result<Region, sqlx::Error> {
    Ok(Region {
        id: r.column("id")?,
        name: r.column("name")?,
        code: r.column("code")?,
        archived: r.column("archived")?,
    })
}

pub fn municipality<R: SqlRow>(r: &R) -> Result<Municipality, sqlx::Error> {
    Ok(Municipality {
        id: r.column("id")?,
        region_id: r.column("region_id")?,
        name: r.column("name")?,
        code: r.column("code")?,
        central_town: r.column("central_town")?,
        archived: r.column("archived")?,
    })
}

pub fn operator<R: SqlRow>(r: &R) -> Result<Operator, sqlx::Error> {
    Ok(Operator {
        id: r.column("id")?,
        name: r.column("name")?,
        org_number: r
            .column::<Option<String>>("org_number")?
            .map(OrgNumber::from_stored),
        contact_email: r
            .column::<Option<String>>("contact_email")?
            .map(Email::from_stored),
        archived: r.column("archived")?,
    })
}

/// Hubs with the names a listing shows; map each row with [`hub_listing`].
pub const HUB_LISTING: &str =
    "SELECT h.*, m.name AS municipality_name, m.central_town, m.region_id, \
     r.name AS region_name, o.name AS operator_name \
     FROM hubs h JOIN municipalities m ON m.id = h.municipality_id \
     JOIN regions r ON r.id = m.region_id JOIN operators o ON o.id = h.operator_id";

/// A row of [`HUB_LISTING`]. The opening hours are a JSON column, which
/// each backend decodes its own way (text in SQLite, `jsonb` in PostgreSQL).
pub fn hub_listing<R: SqlRow>(
    r: &R,
    opening_hours: OpeningHours,
) -> Result<HubListing, sqlx::Error> {
    Ok(HubListing {
        hub: Hub {
            id: r.column("id")?,
            municipality_id: r.column("municipality_id")?,
            operator_id: r.column("operator_id")?,
            name: r.column("name")?,
            description: r.column("description")?,
            street_address: r.column("street_address")?,
            postal_code: r.column("postal_code")?,
            city: r.column("city")?,
            latitude: r.column("latitude")?,
            longitude: r.column("longitude")?,
            in_central_town: r.column("in_central_town")?,
            opening_hours,
            archived: r.column("archived")?,
        },
        municipality_name: r.column("municipality_name")?,
        central_town: r.column("central_town")?,
        region_id: r.column("region_id")?,
        region_name: r.column("region_name")?,
        operator_name: r.column("operator_name")?,
    })
}

pub fn zone<R: SqlRow>(r: &R) -> Result<Zone, sqlx::Error> {
    Ok(Zone {
        id: r.column("id")?,
        hub_id: r.column("hub_id")?,
        name: r.column("name")?,
        purpose: r.column("purpose")?,
        capacity: r.column("capacity")?,
        archived: r.column("archived")?,
    })
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

// --------------------------------------------------------- membership

/// A plan whose columns are named `{prefix}id`, `{prefix}name`, … (a
/// query that joins plans to seats names them `pl_*`).
pub fn plan_prefixed<R: SqlRow>(r: &R, prefix: &str) -> Result<Plan, sqlx::Error> {
    let col = |c: &str| format!("{prefix}{c}");
    let scope_kind: String = r.column(&col("scope_kind"))?;
    let region_id: Option<Uuid> = r.column(&col("scope_region_id"))?;
    let hub_id: Option<Uuid> = r.column(&col("scope_hub_id"))?;
    let scope_id = match scope_kind.as_str() {
        "region" => region_id,
        "hub" => hub_id,
        _ => None,
    };
    let validity_kind: String = r.column(&col("validity_kind"))?;
    let validity_days: Option<i64> = r.column(&col("validity_days"))?;
    Ok(Plan {
        id: r.column(&col("id"))?,
        name: r.column(&col("name"))?,
        description: r.column(&col("description"))?,
        scope: PlanScope::from_parts(&scope_kind, scope_id)
            .map_err(|e| decode("scope_kind", e.message))?,
        monthly_price_ore: r.column(&col("monthly_price_ore"))?,
        included_hours_per_month: r.column(&col("included_hours_per_month"))?,
        max_guests: r.column(&col("max_guests"))?,
        validity: Validity::from_parts(&validity_kind, validity_days)
            .map_err(|e| decode("validity_kind", e.message))?,
        archived: r.column(&col("archived"))?,
    })
}

pub fn plan<R: SqlRow>(r: &R) -> Result<Plan, sqlx::Error> {
    plan_prefixed(r, "")
}

fn checkin_method(method: String) -> Result<CheckInMethod, sqlx::Error> {
    CheckInMethod::parse(&method)
        .ok_or_else(|| decode("method", format!("unknown method {method:?}")))
}

pub fn checkin<R: SqlRow>(r: &R) -> Result<CheckIn, sqlx::Error> {
    Ok(CheckIn {
        method: checkin_method(r.column("method")?)?,
        id: r.column("id")?,
        person_id: r.column("person_id")?,
        hub_id: r.column("hub_id")?,
        seat_id: r.column("seat_id")?,
        checked_in_at: r.column("checked_in_at")?,
        checked_out_at: r.column("checked_out_at")?,
        auto_closed: r.column("auto_closed")?,
    })
}

pub fn seat<R: SqlRow>(r: &R) -> Result<Seat, sqlx::Error> {
    Ok(Seat {
        id: r.column("id")?,
        plan_id: r.column("plan_id")?,
        organisation_id: r.column("organisation_id")?,
        start_date: r.column("start_date")?,
        end_date: r.column("end_date")?,
        created_at: r.column("created_at")?,
    })
}

/// A seat with its plan's name and current holder (`holder_*` columns).
pub fn seat_view<R: SqlRow>(r: &R) -> Result<SeatView, sqlx::Error> {
    let holder_id: Option<Uuid> = r.column("holder_id")?;
    let holder = match holder_id {
        Some(person_id) => Some(SeatHolder {
            person_id,
            first_name: r.column("holder_first_name")?,
            last_name: r.column("holder_last_name")?,
            since: r.column("holder_since")?,
        }),
        None => None,
    };
    Ok(SeatView {
        seat: seat(r)?,
        plan_name: r.column("plan_name")?,
        holder,
    })
}

pub fn holding<R: SqlRow>(r: &R) -> Result<SeatHolding, sqlx::Error> {
    Ok(SeatHolding {
        seat_id: r.column("seat_id")?,
        person_id: r.column("person_id")?,
        from: r.column("held_from")?,
        until: r.column("held_until")?,
    })
}

pub fn guest_visit<R: SqlRow>(r: &R) -> Result<GuestVisit, sqlx::Error> {
    Ok(GuestVisit {
        id: r.column("id")?,
        host_checkin_id: r.column("host_checkin_id")?,
        host_person_id: r.column("host_person_id")?,
        hub_id: r.column("hub_id")?,
        first_name: r.column("first_name")?,
        last_name: r.column("last_name")?,
        organisation_id: r.column("organisation_id")?,
        arrived_at: r.column("arrived_at")?,
        left_at: r.column("left_at")?,
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
